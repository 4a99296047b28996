"""Run the fake on loopback: uvicorn in a background thread, with a handle for tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import uvicorn

from .app import build_app
from .runtime import Faults, LoggedRequest, Runtime
from .store import Store

HOST = "127.0.0.1"


class FakeTwenty:
    """A running fake Twenty. Use :meth:`start` / :meth:`stop`, or as a context manager."""

    def __init__(self, *, port: int = 0, seeded: bool = True) -> None:
        self.runtime = Runtime(store=Store(seeded=seeded))
        self._seeded = seeded
        self._requested_port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port: int | None = None

    # ---- the interface tests use (docs/twenty_api-interface.md) ------------------------------
    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("fake_twenty is not running; call start() first")
        return f"http://{HOST}:{self.port}"

    @property
    def api_key(self) -> str:
        return self.runtime.api_key

    @property
    def user_token(self) -> str:
        return self.runtime.user_token

    @property
    def user_email(self) -> str:
        return self.runtime.user_email

    @property
    def user_password(self) -> str:
        return self.runtime.user_password

    @property
    def state(self) -> Store:
        return self.runtime.store

    @property
    def faults(self) -> Faults:
        return self.runtime.faults

    @property
    def requests(self) -> list[LoggedRequest]:
        return self.runtime.requests

    @property
    def rate_limit_enabled(self) -> bool:
        return self.runtime.rate_limit_enabled

    @rate_limit_enabled.setter
    def rate_limit_enabled(self, value: bool) -> None:
        self.runtime.rate_limit_enabled = value
        self.runtime.limiter.reset()

    @property
    def ai_configured(self) -> bool:
        """False (default): createOneAgent fails as captured (example 141); True: an AI provider exists."""
        return self.runtime.ai_configured

    @ai_configured.setter
    def ai_configured(self, value: bool) -> None:
        self.runtime.ai_configured = value

    @property
    def access_token_ttl(self) -> float:
        """Seconds a user access token issued by the fake (login, renewToken…) stays valid."""
        return self.runtime.access_token_ttl

    @access_token_ttl.setter
    def access_token_ttl(self, value: float) -> None:
        self.runtime.access_token_ttl = value

    def set_rate_limit(self, capacity: int = 100, window_seconds: float = 60.0) -> None:
        """Enable the per-workspace bucket with another size (2.21's default: 100 per 60 s)."""
        self.runtime.limiter.capacity = capacity
        self.runtime.limiter.window = window_seconds
        self.rate_limit_enabled = True

    def records(self, plural: str) -> list[dict[str, Any]]:
        """Live (not soft-deleted) records of one object, for assertions."""
        store = self.runtime.store
        return store.select(store.object_for(plural), None)

    def reset(self, *, seeded: bool | None = None) -> None:
        """Back to the freshly seeded (or empty) workspace; clears faults, log and rate limit."""
        self.runtime.reset(seeded=self._seeded if seeded is None else seeded)

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakeTwenty:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # inherited by accepted sockets on Linux
        sock.bind((HOST, self._requested_port))
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            build_app(self.runtime),
            log_level="critical",
            access_log=False,
            lifespan="off",
            timeout_keep_alive=30,
            http=nodelay_http_protocol(),
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, name=f"fake-twenty-{self.port}", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake_twenty did not start within 10 s")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeTwenty:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def nodelay_http_protocol() -> type:
    """uvicorn's HTTP protocol with TCP_NODELAY on every accepted connection.

    Without it a keep-alive answer written as headers then body waits for the client's delayed ACK
    (~40 ms per request on Linux loopback) because of Nagle's algorithm."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:
        from uvicorn.protocols.http.h11_impl import H11Protocol as base

    class NoDelayProtocol(base):  # type: ignore[misc, valid-type]
        def connection_made(self, transport: Any) -> None:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            super().connection_made(transport)

    return NoDelayProtocol
