"""The consent page: the user pastes their own Twenty API key and picks mode and objects.

The OAuth request arrives sealed (tamper-proof, expiring) from the provider's authorize(). CSRF:
a sealed token bound to that request's nonce is set as a SameSite=Strict HttpOnly cookie and
repeated in the form; the POST must carry both, equal, and bound to the same request.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from typing import TYPE_CHECKING, Any

from mcp.server.auth.provider import construct_redirect_uri
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..gate import Scope
from ..settings import split_list
from .hardening import redirect_host
from .sealing import SealError

if TYPE_CHECKING:
    from .provider import TwentyOAuthProvider

CSRF_COOKIE = "twenty_mcp_csrf"

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Connect Twenty CRM</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem}}
label{{display:block;margin:1rem 0 .3rem}}input[type=password],input[type=text]{{width:100%;padding:.5rem}}
.err{{color:#b00020}}button{{padding:.6rem 1.2rem;margin-right:.5rem}}</style></head>
<body><h1>Connect {client} to Twenty CRM</h1>
<p id="redirect">After you connect, the authorization is sent to <strong>{redirect_host}</strong>.
Connect only if you expect that site.</p>
{limits}
<p>Paste a Twenty API key (Settings &gt; APIs &amp; Webhooks). It is checked with Twenty, sealed so only
this server can read it, and never shown again.</p>
{error}
<form method="post" action="/consent">
<input type="hidden" name="request" value="{request}">
<input type="hidden" name="csrf" value="{csrf}">
<label for="api_key">Twenty API key</label>
<input type="password" id="api_key" name="api_key" autocomplete="off" required>
<fieldset><legend>Mode</legend>
<label><input type="radio" name="mode" value="read-only" {ro}> Read-only (no changes)</label>
<label><input type="radio" name="mode" value="read-write" {rw}{rw_disabled}> Read and write</label></fieldset>
<label for="objects">Allowed objects (comma-separated, empty = all)</label>
<input type="text" id="objects" name="objects" value="{objects}"
 placeholder="people, companies, opportunities">
<p><button type="submit" name="action" value="approve" id="approve">Connect</button>
<button type="submit" name="action" value="deny" id="deny">Cancel</button></p>
</form></body></html>"""


def _page(
    request_sealed: str,
    csrf: str,
    client: str,
    redirect_uri: str,
    server: Scope,
    error: str = "",
    mode: str = "read-only",
    objects: str = "",
    status: int = 200,
    secure: bool = False,
) -> HTMLResponse:
    limits = []
    if server.read_only:
        limits.append("read-only")
    if server.allowed is not None:
        limits.append("objects: " + ", ".join(sorted(server.allowed)))
    limits_html = ""
    if limits:
        limits_html = f'<p id="limits">This server allows at most: {escape("; ".join(limits))}.</p>'
    html = _PAGE.format(
        client=escape(client or "an MCP client"),
        redirect_host=escape(redirect_host(redirect_uri)),
        limits=limits_html,
        rw_disabled=" disabled" if server.read_only else "",
        request=escape(request_sealed),
        csrf=escape(csrf),
        error=f'<p class="err" role="alert">{escape(error)}</p>' if error else "",
        ro="checked" if mode == "read-only" or server.read_only else "",
        rw="checked" if mode == "read-write" and not server.read_only else "",
        objects=escape(objects),
    )
    response = HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "no-referrer",
        },
    )
    response.set_cookie(CSRF_COOKIE, csrf, httponly=True, samesite="strict", secure=secure, path="/consent")
    return response


def install(server: Any, provider: TwentyOAuthProvider) -> None:
    secure = provider.public_url.startswith("https://")

    def new_csrf(request: dict[str, Any]) -> str:
        return provider.sealer.seal({"n": request["nonce"], "r": secrets.token_urlsafe(8)}, "csrf")

    @server.custom_route("/consent", methods=["GET"])
    async def consent_get(http: Request) -> Response:
        sealed = http.query_params.get("request", "")
        try:
            request = provider.open_consent_request(sealed)
        except SealError as err:
            return HTMLResponse(f"<p>Invalid or expired connection request: {escape(str(err))}.</p>", 400)
        return _page(
            sealed,
            new_csrf(request),
            request.get("client_name") or "",
            request["redirect_uri"],
            provider.runtime.default_scope,
            secure=secure,
        )

    @server.custom_route("/consent", methods=["POST"])
    async def consent_post(http: Request) -> Response:
        form = await http.form()
        sealed = str(form.get("request", ""))
        csrf = str(form.get("csrf", ""))
        try:
            request = provider.open_consent_request(sealed)
            cookie = http.cookies.get(CSRF_COOKIE, "")
            if not cookie or not hmac.compare_digest(cookie.encode(), csrf.encode()):
                raise SealError("the form's CSRF token does not match its cookie")
            if provider.sealer.unseal(csrf, "csrf").get("n") != request["nonce"]:
                raise SealError("the CSRF token belongs to another request")
        except SealError as err:
            return HTMLResponse(f"<p>Refused: {escape(str(err))}. Start the connection again.</p>", 400)
        redirect = request["redirect_uri"]
        if form.get("action") != "approve":
            target = construct_redirect_uri(redirect, error="access_denied", state=request.get("state"))
            return RedirectResponse(target, status_code=303)
        server = provider.runtime.default_scope
        # Consent narrows the server's settings and never widens them.
        mode = "read-write" if form.get("mode") == "read-write" and not server.read_only else "read-only"
        objects_text = str(form.get("objects", ""))
        api_key = str(form.get("api_key", "")).strip()
        client_name = request.get("client_name") or ""

        def again(error: str) -> HTMLResponse:
            return _page(
                sealed,
                new_csrf(request),
                client_name,
                redirect,
                server,
                error=error,
                mode=mode,
                objects=objects_text,
                status=400,
                secure=secure,
            )

        if not api_key:
            return again("Paste a Twenty API key.")
        from .provider import validate_twenty_key

        if not await validate_twenty_key(provider.runtime, api_key):
            return again("Twenty did not accept that API key. Check it and try again.")
        objects = split_list(objects_text) or None
        if objects:
            unknown, outside = await _check_objects(provider, api_key, objects, server)
            if unknown:
                return again(f"Unknown object(s): {', '.join(unknown)}. Use names from Twenty, e.g. people.")
            if outside:
                return again(
                    f"Not allowed on this server: {', '.join(outside)}. "
                    f"It allows {', '.join(sorted(server.allowed or ()))}."
                )
        elif server.allowed is not None:
            objects = sorted(server.allowed)
        code = await provider.issue_code(request, api_key, mode == "read-only", objects)
        target = construct_redirect_uri(redirect, code=code, state=request.get("state"))
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(CSRF_COOKIE, path="/consent")
        return response


async def _check_objects(
    provider: TwentyOAuthProvider, api_key: str, objects: list[str], server: Scope
) -> tuple[list[str], list[str]]:
    """(names Twenty does not know, names the server's allow-list does not allow)."""
    from twenty_api import TwentyNotFoundError

    client = provider.runtime.client_for(api_key)
    unknown, outside = [], []
    for name in objects:
        try:
            obj = await client.resolve_object(name)
        except TwentyNotFoundError:
            unknown.append(name)
            continue
        if not server.allows_names(obj.name_singular, obj.name_plural):
            outside.append(name)
    return unknown, outside
