"""Where the SDK's OAuth routes are too trusting for a public server, and what we put instead.

- Redirect URIs: only https, or http to a loopback host (what the MCP authorization spec allows
  native clients); no fragment, no user info. `javascript:`, `data:`, `file:` and custom schemes
  are refused at registration, and a sealed registration holding one is not honoured.
- /authorize never redirects an error: the SDK sends errors to the client's redirect URI, which
  with open dynamic registration makes us an open redirector. Errors are shown as a 400 instead;
  only the consent page (after the user decided) sends the browser to the client.
- /revoke (RFC 7009) accepts a public client: the SDK's request model makes `client_secret`
  mandatory, so a public client's revocation answered 400 and the token stayed valid.
"""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})


def redirect_uri_problem(uri: str) -> str | None:
    """Why a redirect URI may not be registered, or None when it is acceptable."""
    try:
        parts = urlsplit(uri)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "it is not a URL"
    if parts.fragment or "#" in uri:
        return "it has a fragment"
    if parts.username or parts.password:
        return "it carries user information"
    if not host:
        return "it has no host"
    if parts.scheme == "https":
        return None
    if parts.scheme == "http" and _loopback(host):
        return None
    return "only https URLs, or http URLs to a loopback host (localhost, 127.0.0.1, [::1]), are accepted"


def _loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def redirect_host(uri: str) -> str:
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "?"
    return parts.netloc or parts.scheme or "?"


def harden_routes(app: Any, provider: Any, consent_prefix: str) -> None:
    """Replace /authorize's error redirects and /revoke with the stricter versions above."""
    from starlette.routing import Route

    for i, route in enumerate(list(app.router.routes)):
        path = getattr(route, "path", None)
        if path == "/authorize":
            app.router.routes[i] = Route(
                "/authorize", endpoint=_no_error_redirects(route.app, consent_prefix), methods=["GET", "POST"]
            )
        elif path == "/revoke":
            app.router.routes[i] = Route("/revoke", endpoint=_revoke(provider), methods=["POST"])


def _no_error_redirects(inner: Any, consent_prefix: str) -> Any:
    async def endpoint(request: Request) -> Response:
        captured: dict[str, Any] = {}
        body: list[bytes] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                body.append(message.get("body", b""))

        await inner(request.scope, request.receive, send)
        headers = {k.decode().lower(): v.decode() for k, v in captured.get("headers", [])}
        location = headers.get("location", "")
        if captured.get("status") in (302, 303, 307) and not location.startswith(consent_prefix):
            query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
            return JSONResponse(
                {
                    "error": query.get("error", "invalid_request"),
                    "error_description": query.get("error_description"),
                },
                status_code=400,
                headers={"Cache-Control": "no-store"},
            )
        return Response(b"".join(body), status_code=captured.get("status", 500), headers=headers)

    return endpoint


def _revoke(provider: Any) -> Any:
    async def endpoint(request: Request) -> Response:
        from mcp.server.auth.middleware.client_auth import AuthenticationError, ClientAuthenticator

        form = await request.form()
        token = form.get("token")
        if not isinstance(token, str) or not token:
            return JSONResponse({"error": "invalid_request", "error_description": "token is required"}, 400)
        try:
            client = await ClientAuthenticator(provider).authenticate_request(request)
        except AuthenticationError as err:
            return JSONResponse({"error": "invalid_client", "error_description": err.message}, 401)
        from .provider import ACCESS_PREFIX, REFRESH_PREFIX

        found = None  # only our own tokens: a revocation never makes us call Twenty
        if token.startswith(ACCESS_PREFIX):
            found = await provider.load_access_token(token)
        elif token.startswith(REFRESH_PREFIX):
            found = await provider.load_refresh_token(client, token)
        if found is not None and found.client_id == client.client_id:
            await provider.revoke_token(found)
        return Response(status_code=200, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    return endpoint
