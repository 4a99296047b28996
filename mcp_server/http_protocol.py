"""uvicorn's HTTP protocol with a deadline for the first request on a connection.

uvicorn closes idle keep-alive connections but has no timeout for a connection that never
finishes sending its first request (140 silent connections stayed open as long as the client
liked). This subclass closes such a connection after `first_request_timeout` seconds.
"""

from __future__ import annotations

from typing import Any


def guarded_h11(first_request_timeout: float) -> type[Any]:
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class GuardedH11Protocol(H11Protocol):
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self._first_request_timer = self.loop.call_later(first_request_timeout, self._no_request_yet)

        def _no_request_yet(self) -> None:
            if self.cycle is None and not self.transport.is_closing():
                self.transport.close()

        def connection_lost(self, exc: Exception | None) -> None:
            self._first_request_timer.cancel()
            super().connection_lost(exc)

    return GuardedH11Protocol
