"""Stateless streamable HTTP at /mcp with remote auth, /healthz, consent and admin routes.

Auth: with MCP_SEALING_KEY set, the server is its own OAuth 2.1 authorization server (DCR,
consent page, sealed tokens) and, for "Sign in with Twenty", Twenty's OAuth client
(auth/twenty_signin.py); it also accepts `Bearer <Twenty API key>`. Without it, only the
Bearer API key path is served. Either way an unauthenticated /mcp request gets 401 with
WWW-Authenticate pointing at the protected-resource metadata.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .primer import MAX_PRIMER_BYTES
from .settings import ServerSettings

log = logging.getLogger(__name__)


class BearerKeyVerifier:
    """TokenVerifier for the Bearer-API-key-only mode (no sealing key configured)."""

    def __init__(self, provider: Any) -> None:
        self.provider = provider

    async def verify_token(self, token: str) -> Any:
        return await self.provider.bearer_api_key(token)


def create_app(settings: ServerSettings | None = None, port: int = 8080) -> Starlette:
    from mcp.server.auth.settings import AuthSettings, ClientRegistrationOptions, RevocationOptions

    from .auth.provider import TwentyOAuthProvider
    from .auth.sealing import Sealer
    from .runtime import Runtime
    from .server import build_server

    settings = settings or ServerSettings()
    public_url = (settings.mcp_public_url or f"http://127.0.0.1:{port}").rstrip("/")
    oauth = settings.mcp_sealing_key is not None
    sealer = (
        Sealer.from_text(
            settings.mcp_sealing_key.get_secret_value(),
            settings.mcp_sealing_keys_old.get_secret_value() if settings.mcp_sealing_keys_old else None,
        )
        if settings.mcp_sealing_key
        else Sealer(b"\0" * 32)  # never used to issue anything: OAuth is off without a key
    )
    runtime_holder: dict[str, Runtime] = {}

    class _LazyRuntime:
        def __getattr__(self, name: str) -> Any:
            return getattr(runtime_holder["rt"], name)

    from .blobs import GcsBlobStore, MemoryBlobStore

    # OAuth codes and revocations live where every instance sees them: the environment's bucket.
    store = GcsBlobStore(settings.mcp_state_bucket) if settings.mcp_state_bucket else MemoryBlobStore()
    provider = TwentyOAuthProvider(
        _LazyRuntime(),  # type: ignore[arg-type]
        sealer,
        access_ttl=settings.mcp_access_token_ttl,
        store=store,
    )
    provider.public_url = public_url
    provider.resource_url = f"{public_url}/mcp"
    if oauth and settings.mcp_twenty_oauth:
        from .auth.twenty_signin import TwentySignIn

        provider.signin = TwentySignIn(
            _LazyRuntime(),  # type: ignore[arg-type]
            sealer,
            store,
            public_url,
            client_id=settings.mcp_twenty_client_id or None,
        )
    if oauth and not store.shared:
        log.warning(
            "OAuth codes, revocations and Twenty sign-in sessions are kept in memory only "
            "(MCP_STATE_BUCKET is not set): a restart forgets revoked tokens, signs every 'Sign in with "
            "Twenty' user out and registers the server with Twenty again, and another instance sees none "
            "of it. Set MCP_STATE_BUCKET for a durable store."
        )
    auth = AuthSettings(
        issuer_url=public_url,
        resource_server_url=f"{public_url}/mcp",
        client_registration_options=ClientRegistrationOptions(enabled=True) if oauth else None,
        revocation_options=RevocationOptions(enabled=True) if oauth else None,
        validate_token_resource=True,  # every token we accept was issued for this /mcp
    )
    kwargs: dict[str, Any] = {"auth": auth}
    if oauth:
        kwargs["auth_server_provider"] = provider
    else:
        kwargs["token_verifier"] = BearerKeyVerifier(provider)
    server = build_server(settings, **kwargs)
    runtime_holder["rt"] = server.runtime
    if oauth:
        from .auth import consent

        consent.install(server, provider)
    _install_routes(server, settings)
    app = server.streamable_http_app(stateless_http=True, json_response=True, host="0.0.0.0")  # noqa: S104
    from .auth.client_address import ClientAddressMiddleware
    from .auth.hardening import harden_routes

    if oauth:
        harden_routes(app, provider, consent_prefix=f"{public_url}/consent")
    from .disconnect import CancelOnDisconnect

    app.add_middleware(CancelOnDisconnect)
    app.add_middleware(ClientAddressMiddleware, trust_forwarded_for=settings.mcp_forwarded_for)
    return app


def uvicorn_options(settings: ServerSettings) -> dict[str, Any]:
    """How uvicorn serves the app: a silent connection is closed after MCP_FIRST_REQUEST_TIMEOUT,
    idle keep-alives after 5 s, and beyond MCP_MAX_CONNECTIONS a request gets an immediate 503."""
    from .http_protocol import guarded_h11

    return {
        "log_config": None,
        "access_log": False,
        "http": guarded_h11(settings.mcp_first_request_timeout),
        "limit_concurrency": settings.mcp_max_connections,
        "timeout_keep_alive": 5,
    }


def _install_routes(server: Any, settings: ServerSettings) -> None:
    @server.custom_route("/healthz", methods=["GET"])
    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def admin_refusal(request: Request) -> Response | None:
        token = settings.mcp_admin_token
        if token is None or not token.get_secret_value():
            return PlainTextResponse("Admin endpoints are disabled: MCP_ADMIN_TOKEN is not set.", 503)
        given = request.headers.get("authorization", "")
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            return PlainTextResponse("Unauthorized", 401, headers={"WWW-Authenticate": "Bearer"})
        return None

    @server.custom_route("/admin/primer", methods=["GET", "PUT", "DELETE"])
    async def admin_primer(request: Request) -> Response:
        refusal = admin_refusal(request)
        if refusal is not None:
            return refusal
        store = server.runtime.primer_store
        if request.method == "GET":
            text = await store.get()
            return PlainTextResponse(text or "", 200 if text is not None else 404, media_type="text/markdown")
        if request.method == "DELETE":
            await store.delete()
            return Response(status_code=204)
        body = await request.body()
        if len(body) > MAX_PRIMER_BYTES:
            return PlainTextResponse(f"Primer too large: {len(body)} bytes (limit {MAX_PRIMER_BYTES}).", 413)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return PlainTextResponse("Primer must be UTF-8 markdown.", 400)
        await store.put(text)
        log.info("primer updated (%d bytes)", len(body))
        return Response(status_code=204)
