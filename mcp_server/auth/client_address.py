"""The calling client's address, for per-address limits inside the SDK's auth middleware."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

_ADDRESS: ContextVar[str] = ContextVar("mcp_client_address", default="local")


def current_client_address() -> str:
    return _ADDRESS.get()


class ClientAddressMiddleware:
    """Pure ASGI: remembers the peer address of each HTTP request. With `trust_forwarded_for`
    (MCP_FORWARDED_FOR=true, for Cloud Run, whose front end is every request's peer) the last
    X-Forwarded-For entry is used: the one the front end appended, which a client cannot forge."""

    def __init__(self, app: Any, trust_forwarded_for: bool = False) -> None:
        self.app = app
        self.trust_forwarded_for = trust_forwarded_for

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            address = (scope.get("client") or ("unknown", 0))[0]
            for name, value in scope.get("headers") or [] if self.trust_forwarded_for else []:
                if name == b"x-forwarded-for":
                    address = value.decode("latin-1").split(",")[-1].strip() or address
            token = _ADDRESS.set(str(address))
            try:
                await self.app(scope, receive, send)
            finally:
                _ADDRESS.reset(token)
            return
        await self.app(scope, receive, send)
