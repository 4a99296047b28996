"""The consent page: the user signs in with Twenty (or pastes their own Twenty API key) and picks
mode and objects, which may only narrow the server's settings.

"Sign in with Twenty" sends the browser to Twenty's own consent page (twenty_signin.py); Twenty
sends it back to ``/oauth/twenty/callback``, bound to this browser by a SameSite=Lax cookie
holding the nonce kept server-side for that ``state``. Pasting an API key stays for a Twenty
whose front end the user's browser cannot reach.

The OAuth request arrives sealed (tamper-proof, expiring) from the provider's authorize(). CSRF:
a sealed token bound to that request's nonce is set as a SameSite=Strict HttpOnly cookie and
repeated in the form; the POST must carry both, equal, and bound to the same request.
"""

from __future__ import annotations

import hmac
import secrets
from html import escape
from typing import TYPE_CHECKING, Any

import httpx
from mcp.server.auth.provider import construct_redirect_uri
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ..gate import Scope
from ..settings import split_list
from .hardening import redirect_host
from .sealing import SealError
from .twenty_signin import CALLBACK_PATH

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
{error}
<form method="post" action="/consent">
<input type="hidden" name="request" value="{request}">
<input type="hidden" name="csrf" value="{csrf}">
<fieldset><legend>Mode</legend>
<label><input type="radio" name="mode" value="read-only" {ro}> Read-only (no changes)</label>
<label><input type="radio" name="mode" value="read-write" {rw}{rw_disabled}> Read and write</label></fieldset>
<label for="objects">Allowed objects (comma-separated, empty = all)</label>
<input type="text" id="objects" name="objects" value="{objects}"
 placeholder="people, companies, opportunities">
{signin}
<p>Or paste a Twenty API key (Settings &gt; APIs &amp; Webhooks), e.g. when you cannot reach Twenty's
sign-in page. It is checked with Twenty, sealed so only this server can read it, and never shown again.</p>
<label for="api_key">Twenty API key</label>
<input type="password" id="api_key" name="api_key" autocomplete="off" required>
<p><button type="submit" name="action" value="approve" id="approve">Connect</button>
<button type="submit" name="action" value="deny" id="deny">Cancel</button></p>
</form></body></html>"""


_SIGNIN = """<p><button type="submit" name="action" value="twenty" id="twenty" formnovalidate>Sign in with
Twenty</button> You sign in and approve on Twenty; your Twenty session stays sealed on this server, and
what you do appears in Twenty under your name.</p>"""
SIGNIN_COOKIE = "twenty_mcp_signin"


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
    signin: bool = False,
    twenty_origin: str = "",
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
        signin=_SIGNIN if signin else "",
    )
    response = HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            # form-action also covers the redirect after the POST: "Sign in with Twenty" goes on to
            # Twenty's consent page, so its origin is allowed (and only it)
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
            + (f" {twenty_origin}" if signin and twenty_origin else ""),
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

    signin_on = provider.signin is not None

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
            signin=signin_on,
            twenty_origin=await twenty_origin(),
        )

    async def twenty_origin() -> str:
        """The origin of Twenty's consent page (its discovery, cached), for the page's CSP."""
        if provider.signin is None:
            return ""
        try:
            url = httpx.URL((await provider.signin.metadata()).authorization_endpoint)
        except Exception:  # Twenty unreachable: the button will say so when pressed
            return ""
        return f"{url.scheme}://{url.netloc.decode()}"

    async def page_again(
        sealed: str, request: dict[str, Any], mode: str, objects_text: str, error: str
    ) -> HTMLResponse:
        return _page(
            sealed,
            new_csrf(request),
            request.get("client_name") or "",
            request["redirect_uri"],
            provider.runtime.default_scope,
            error=error,
            mode=mode,
            objects=objects_text,
            status=400,
            secure=secure,
            signin=signin_on,
            twenty_origin=await twenty_origin(),
        )

    def chosen_mode(asked: Any) -> str:
        # Consent narrows the server's settings and never widens them.
        server = provider.runtime.default_scope
        return "read-write" if asked == "read-write" and not server.read_only else "read-only"

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
        action = form.get("action")
        if action not in ("approve", "twenty"):
            target = construct_redirect_uri(redirect, error="access_denied", state=request.get("state"))
            return RedirectResponse(target, status_code=303)
        mode = chosen_mode(form.get("mode"))
        objects_text = str(form.get("objects", ""))

        async def again(error: str) -> HTMLResponse:
            return await page_again(sealed, request, mode, objects_text, error)

        if action == "twenty":
            return await start_signin(sealed, mode, objects_text, again)
        api_key = str(form.get("api_key", "")).strip()
        if not api_key:
            return await again("Paste a Twenty API key.")
        from .provider import validate_twenty_key

        if not await validate_twenty_key(provider.runtime, api_key):
            return await again("Twenty did not accept that API key. Check it and try again.")
        objects, problem = await _narrowed(provider.runtime.client_for(api_key), objects_text)
        if problem:
            return await again(problem)
        code = await provider.issue_code(request, api_key, mode == "read-only", objects)
        target = construct_redirect_uri(redirect, code=code, state=request.get("state"))
        response = RedirectResponse(target, status_code=303)
        response.delete_cookie(CSRF_COOKIE, path="/consent")
        return response

    async def start_signin(sealed: str, mode: str, objects_text: str, again: Any) -> Response:
        from twenty_api import TwentyError

        if provider.signin is None:
            return await again("Signing in with Twenty is not enabled on this server; paste an API key.")
        if not provider.signin.may_start():
            return await again(
                "Too many sign-ins from your address in the last minute; wait a minute and try again."
            )
        try:
            url, nonce = await provider.signin.start(
                {"sealed": sealed, "mode": mode, "objects": objects_text}
            )
        except (TwentyError, ValueError) as err:  # ValueError: TWENTY_API_URL is not usable
            summary = err.summary if isinstance(err, TwentyError) else str(err)
            return await again(f"Twenty's sign-in is not reachable ({summary}). Paste an API key instead.")
        response = RedirectResponse(url, status_code=303)
        response.set_cookie(
            SIGNIN_COOKIE,
            nonce,
            max_age=900,
            httponly=True,
            samesite="lax",
            secure=secure,
            path=CALLBACK_PATH,
        )
        return response

    @server.custom_route(CALLBACK_PATH, methods=["GET"])
    async def twenty_callback(http: Request) -> Response:
        """Twenty's consent page sends the browser back here with ``code`` and our ``state``
        (plus ``theme``, which its front end appends)."""
        from twenty_api import TwentyError

        signin = provider.signin
        if signin is None:
            return HTMLResponse("<p>Signing in with Twenty is not enabled on this server.</p>", 404)
        try:
            cookie = http.cookies.get(SIGNIN_COOKIE, "")
            if not cookie:
                raise SealError("this sign-in was not started in this browser")
            state = await signin.open_state(http.query_params.get("state", ""))
            if not cookie or not hmac.compare_digest(cookie.encode(), str(state.get("n")).encode()):
                raise SealError("this sign-in was not started in this browser")
            consent = state["c"]
            sealed = str(consent["sealed"])
            request = provider.open_consent_request(sealed)
        except (SealError, KeyError, TypeError) as err:
            return HTMLResponse(f"<p>Refused: {escape(str(err))}. Start the connection again.</p>", 400)
        redirect = request["redirect_uri"]
        code = http.query_params.get("code")
        if http.query_params.get("error") or not code:
            target = construct_redirect_uri(redirect, error="access_denied", state=request.get("state"))
            return RedirectResponse(target, status_code=303)
        mode, objects_text = chosen_mode(consent.get("mode")), str(consent.get("objects") or "")

        async def again(error: str) -> HTMLResponse:
            return await page_again(sealed, request, mode, objects_text, error)

        try:
            session_id, entry = await signin.finish(state, code)
        except TwentyError as err:
            return await again(f"Twenty did not complete the sign-in: {err}")
        user_client = provider.runtime.client_for(entry["a"], user_session=True)
        objects, problem = await _narrowed(user_client, objects_text)
        if problem:
            await signin.forget(session_id)
            return await again(problem)
        our_code = await provider.issue_code(
            request,
            None,
            mode == "read-only",
            objects,
            twenty_session=session_id,
            subject=f"twenty-user:{entry.get('uid')}",
        )
        response = RedirectResponse(
            construct_redirect_uri(redirect, code=our_code, state=request.get("state")), status_code=303
        )
        response.delete_cookie(SIGNIN_COOKIE, path=CALLBACK_PATH)
        return response

    async def _narrowed(client: Any, objects_text: str) -> tuple[list[str] | None, str | None]:
        """The objects the user chose, checked against Twenty's schema (with their own credential)
        and the server's allow-list: (objects for the grant, or a problem to show)."""
        server = provider.runtime.default_scope
        objects = split_list(objects_text) or None
        if not objects:
            return (sorted(server.allowed) if server.allowed is not None else None), None
        unknown, outside = await _check_objects(client, objects, server)
        if unknown:
            return None, f"Unknown object(s): {', '.join(unknown)}. Use names from Twenty, e.g. people."
        if outside:
            return None, (
                f"Not allowed on this server: {', '.join(outside)}. "
                f"It allows {', '.join(sorted(server.allowed or ()))}."
            )
        return objects, None


async def _check_objects(client: Any, objects: list[str], server: Scope) -> tuple[list[str], list[str]]:
    """(names Twenty does not know, names the server's allow-list does not allow)."""
    from twenty_api import TwentyNotFoundError

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
