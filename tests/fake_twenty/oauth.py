"""Twenty 2.21 as an OAuth 2.1 authorization server, as captured (contract oauth/, examples 230–291c).

Source read (2.21.0, packages/twenty-server/src/engine/core-modules/):
- application/application-oauth/controllers/oauth-discovery.controller.ts (230, 230b),
  oauth-registration.controller.ts (231–231c; redirect URIs: auth/utils/validate-redirect-uri.util.ts),
  oauth-token.controller.ts (60 requests/min per client IP shared by token, revoke, introspect;
  invalid_client → 401, other errors 400, 429 rate_limit_exceeded) and oauth.service.ts (234–237d,
  291c: "Refresh token was not issued to this client", "Invalid or expired refresh token").
- auth/services/auth.service.ts generateAuthorizationCode (233–233d): code = 42 random bytes as hex,
  5 minutes, bound to user, client, redirect URI and challenge; PKCE required for public clients.

The consent page itself is a front-end route in Twenty (packages/twenty-front/src/pages/auth/
Authorize.tsx); ``oauth_page.py`` serves a tiny stand-in at ``/authorize``.

Tokens: an access token is a user session of Tim (records it writes show him as author, 241),
expiring after ``runtime.access_token_ttl`` (30 min by default); refresh tokens live 60 days and
are not rotated (235b). Revocation answers 200 and revokes nothing (237b). Test hooks:
``uninstall(client_id)`` (291–291c), ``expire_refresh_tokens()``, ``refresh_count``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import GraphQLError
from .gql import Request as GqlRequest
from .responses import json_response
from .runtime import REFRESH_TOKEN_TTL, Principal, Runtime, TokenBucket

CODE_TTL = 300.0
SCOPES = ["api", "profile"]
CLI_CLIENT_ID = "a44c66bb-31c4-4d7e-87d2-19c0149c8a6d"  # 230: the seeded twenty CLI registration
WORKSPACE_ID = "20202020-1c25-4d02-bf25-6aeccf7ea419"
_CUSTOM_SCHEMES = ("cursor:", "vscode:", "code:")


@dataclass
class OAuthState:
    registrations: dict[str, dict[str, Any]] = field(default_factory=dict)  # client_id → registration
    installations: dict[str, str] = field(default_factory=dict)  # registration id → application id
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # sha256(code) → context
    refresh_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    buckets: dict[str, TokenBucket] = field(default_factory=dict)  # per client IP
    refresh_count: int = 0
    rate_limit: int = 60
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bucket(self, ip: str) -> TokenBucket:
        if ip not in self.buckets:
            self.buckets[ip] = TokenBucket(self.rate_limit, 60.0)
        return self.buckets[ip]


def state_of(rt: Runtime) -> OAuthState:
    """The runtime's OAuth state (dropped by ``Runtime.reset``)."""
    with rt.lock:
        state = rt.__dict__.get("_oauth")
        if state is None:
            state = rt.__dict__["_oauth"] = OAuthState()
        return state


def redirect_uri_problem(uri: str) -> str | None:
    """validate-redirect-uri.util.ts: https, or http on localhost/127.0.0.1, or cursor:/vscode:/code:;
    no fragment."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return f"Invalid redirect URI: {uri}"
    if not parts.scheme:
        return f"Invalid redirect URI: {uri}"
    local = parts.hostname in ("localhost", "127.0.0.1")
    if parts.scheme != "https" and not local and f"{parts.scheme}:" not in _CUSTOM_SCHEMES:
        return f"Redirect URIs must use HTTPS (except localhost) or an allowed custom scheme: {uri}"
    if parts.fragment:
        return f"Redirect URIs must not contain fragments: {uri}"
    return None


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def _error(error: str, description: str, status: int | None = None) -> Response:
    code = status or (401 if error == "invalid_client" else 400)
    return _no_store({"error": error, "error_description": description}, code)


def _no_store(body: Any, status: int = 200) -> Response:
    """oauth-token.controller.ts setSecurityHeaders."""
    response = json_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


class FakeOAuth:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

    @property
    def state(self) -> OAuthState:
        return state_of(self.rt)

    # ---- discovery (230, 230b) -------------------------------------------------------------
    async def authorization_server(self, request: Request) -> Response:
        origin = _origin(request)
        return json_response(
            {
                "issuer": origin,
                # 2.21 points at the front-end route; this fake serves a stand-in page there
                "authorization_endpoint": f"{origin}/authorize",
                "token_endpoint": f"{origin}/oauth/token",
                "registration_endpoint": f"{origin}/oauth/register",
                "revocation_endpoint": f"{origin}/oauth/revoke",
                "introspection_endpoint": f"{origin}/oauth/introspect",
                "scopes_supported": SCOPES,
                "response_types_supported": ["code"],
                "response_modes_supported": ["query"],
                "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
                "revocation_endpoint_auth_methods_supported": ["client_secret_post"],
                "introspection_endpoint_auth_methods_supported": ["client_secret_post"],
                "authorization_response_iss_parameter_supported": True,
                "cli_client_id": CLI_CLIENT_ID,
            }
        )

    async def protected_resource(self, request: Request) -> Response:
        origin = _origin(request)
        return json_response(
            {
                "resource": f"{origin}/mcp",
                "authorization_servers": [origin],
                "scopes_supported": SCOPES,
                "bearer_methods_supported": ["header"],
            }
        )

    # ---- registration (231–231c) -----------------------------------------------------------
    async def register(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return _error("invalid_client_metadata", "Request body must be a JSON object")
        uris = body.get("redirect_uris")
        if not isinstance(uris, list):
            return _error("invalid_client_metadata", "redirect_uris is required")
        for uri in uris:
            problem = redirect_uri_problem(str(uri))
            if problem:
                return _error("invalid_redirect_uri", problem)
        if not uris:
            return _error("invalid_redirect_uri", "At least one redirect_uri is required")
        for grant in body.get("grant_types") or ["authorization_code", "refresh_token"]:
            if grant not in ("authorization_code", "refresh_token"):
                return _error(
                    "invalid_client_metadata",
                    f"Unsupported grant_type: {grant}. Only authorization_code and refresh_token are "
                    "allowed for dynamic registrations.",
                )
        client_id = str(uuid.uuid4())
        registration = {
            "id": str(uuid.uuid4()),
            "client_id": client_id,
            "client_name": str(body.get("client_name") or "Unnamed"),
            "redirect_uris": [str(u) for u in uris],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": "api profile",
            "client_id_issued_at": int(time.time()),
        }
        with self.state.lock:
            self.state.registrations[client_id] = registration
        return json_response(self._public(registration, _origin(request)), 201)

    def _public(self, registration: dict[str, Any], origin: str) -> dict[str, Any]:
        out = {k: v for k, v in registration.items() if k != "id"}
        out["registration_client_uri"] = f"{origin}/oauth/register/{registration['client_id']}"
        return out

    async def read_back(self, request: Request) -> Response:
        registration = self.state.registrations.get(request.path_params["client_id"])
        if registration is None:
            return _error("invalid_client", "Client not found", 404)
        answer = self._public(registration, _origin(request))
        answer.pop("client_id_issued_at")  # 231c: the read-back has no issue time
        return json_response(answer)

    # ---- the two /metadata calls of the consent page (232, 233) ------------------------------
    def find_registration(self, client_id: str) -> dict[str, Any] | None:
        registration = self.state.registrations.get(client_id)
        if registration is None:
            return None
        return {
            "__typename": "PublicApplicationRegistration",
            "id": registration["id"],
            "logoUrl": None,
            "name": registration["client_name"],
            "oAuthScopes": SCOPES,
            "websiteUrl": None,
        }

    def authorize_app(self, principal: Principal | None, args: dict[str, Any]) -> dict[str, Any]:
        if principal is None or not principal.is_user:
            raise GraphQLError(  # 233d: UserAuthGuard
                "Forbidden resource",
                code="FORBIDDEN",
                extra={
                    "response": {"message": "Forbidden resource", "error": "Forbidden", "statusCode": 403}
                },
                friendly="An error occurred.",
            )
        # auth/dto/authorize-app.input.ts (class-validator; seen live for a 1,468-character state)
        for name, limit in (("codeChallenge", 256), ("redirectUrl", 2048), ("state", 1024), ("scope", 1024)):
            if isinstance(args.get(name), str) and len(args[name]) > limit:
                raise GraphQLError(
                    f"{name} must be shorter than or equal to {limit} characters",
                    code="BAD_USER_INPUT",
                    friendly="An error occurred.",
                )
        client_id = str(args.get("clientId"))
        registration = self.state.registrations.get(client_id)
        forbidden = {"code": "FORBIDDEN", "sub_code": "FORBIDDEN_EXCEPTION"}
        friendly = "You do not have permission to perform this action."
        if registration is None:
            raise GraphQLError(
                f"Client not found for '{client_id}'", code="FORBIDDEN", sub_code="CLIENT_NOT_FOUND"
            )
        redirect = args.get("redirectUrl")
        if not redirect:
            raise GraphQLError(f"redirectUrl not provided for '{client_id}'", friendly=friendly, **forbidden)
        if not args.get("codeChallenge"):
            raise GraphQLError(  # 233b
                "code_challenge is required for public clients (PKCE S256, per OAuth 2.1)",
                friendly=friendly,
                **forbidden,
            )
        if redirect not in registration["redirect_uris"]:
            raise GraphQLError(f"redirectUrl mismatch for '{client_id}'", friendly=friendly, **forbidden)
        code = secrets.token_bytes(42).hex()
        with self.state.lock:
            self.state.codes[hashlib.sha256(code.encode()).hexdigest()] = {
                "client_id": client_id,
                "redirect_uri": redirect,
                "challenge": str(args["codeChallenge"]),
                "principal": principal,
                "exp": time.time() + CODE_TTL,
                "used": False,
            }
        parts = urlsplit(str(redirect))
        query = [*parse_qsl(parts.query, keep_blank_values=True), ("code", code)]
        if args.get("state") is not None:
            query.append(("state", str(args["state"])))
        return {
            "__typename": "AuthorizeAppOutput",
            "redirectUrl": urlunsplit(parts._replace(query=urlencode(query))),
        }

    # ---- token endpoint (234–235b, 291c) -----------------------------------------------------
    def _limited(self, request: Request) -> Response | None:
        ip = request.client.host if request.client else "unknown"
        if not self.state.bucket(ip).take():
            return _error("rate_limit_exceeded", "Too many requests, please try again later", 429)
        return None

    async def token(self, request: Request) -> Response:
        limited = self._limited(request)
        if limited is not None:
            return limited
        form = dict((await request.form()).items())
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._code_grant(form)
        if grant == "refresh_token":
            return self._refresh_grant(form)
        if grant == "client_credentials":  # 238: a dynamic (public) client has no secret to give
            return _error("invalid_client", "Invalid client secret")
        return _error(
            "unsupported_grant_type",
            "The provided grant_type is not supported. Supported values: authorization_code, "
            "client_credentials, refresh_token",
        )

    def _client(self, form: dict[str, Any]) -> dict[str, Any] | Response:
        registration = self.state.registrations.get(str(form.get("client_id")))
        if registration is None:
            return _error("invalid_client", "Client not found")
        return registration

    def _code_grant(self, form: dict[str, Any]) -> Response:
        registration = self._client(form)
        if isinstance(registration, Response):
            return registration
        with self.state.lock:
            entry = self.state.codes.get(hashlib.sha256(str(form.get("code")).encode()).hexdigest())
            if entry is None:
                return _error("invalid_grant", "Invalid authorization code")
            if entry["used"]:
                return _error("invalid_grant", "Authorization code has already been used")
            if entry["exp"] < time.time():
                return _error("invalid_grant", "Authorization code expired")
            if entry["client_id"] != registration["client_id"]:
                return _error("invalid_grant", "Authorization code was not issued to this client")
            if entry["redirect_uri"] != form.get("redirect_uri"):
                return _error("invalid_grant", "redirect_uri does not match")
            verifier = str(form.get("code_verifier") or "")
            digest = hashlib.sha256(verifier.encode()).digest()
            if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != entry["challenge"]:
                entry["used"] = True  # the code is consumed even when the verifier is wrong
                return _error("invalid_grant", "Code verifier does not match the code challenge")
            entry["used"] = True
            app_id = self.state.installations.setdefault(registration["id"], str(uuid.uuid4()))
        return _no_store(self._issue(registration, app_id, entry["principal"]))

    def _refresh_grant(self, form: dict[str, Any]) -> Response:
        registration = self._client(form)
        if isinstance(registration, Response):
            return registration
        with self.state.lock:
            self.state.refresh_count += 1
            entry = self.state.refresh_tokens.get(str(form.get("refresh_token")))
            if entry is None or entry["exp"] < time.time():
                return _error("invalid_grant", "Invalid or expired refresh token")
            if self.state.installations.get(registration["id"]) != entry["app_id"]:
                return _error("invalid_grant", "Refresh token was not issued to this client")  # 291c
        return _no_store(self._issue(registration, entry["app_id"], entry["principal"]))

    def _issue(self, registration: dict[str, Any], app_id: str, principal: Principal) -> dict[str, Any]:
        access = "fake-oauth-access-" + secrets.token_hex(16)
        refresh = "fake-oauth-refresh-" + secrets.token_hex(16)
        ttl = self.rt.access_token_ttl
        with self.rt.lock:
            self.rt.extra_tokens[access] = principal
            self.rt.token_expiry[access] = time.time() + ttl
        with self.state.lock:
            meta = {"client_id": registration["client_id"], "app_id": app_id, "principal": principal}
            self.state.access_tokens[access] = meta
            self.state.refresh_tokens[refresh] = {**meta, "exp": time.time() + REFRESH_TOKEN_TTL}
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": int(ttl),
            "refresh_token": refresh,
            "scope": "api profile",
        }

    # ---- introspection, revocation (236–237d) ------------------------------------------------
    async def introspect(self, request: Request) -> Response:
        limited = self._limited(request)
        if limited is not None:
            return limited
        form = dict((await request.form()).items())
        if not form.get("client_id"):
            return _error("invalid_client", "client_id is required")
        token = str(form.get("token"))
        refresh = self.state.refresh_tokens.get(token)
        entry = self.state.access_tokens.get(token) or refresh
        if refresh is not None:
            live = refresh["exp"] > time.time()
        else:
            live = self.rt.principal_for(token) is not None
        if entry is None or not live or entry["client_id"] != form.get("client_id"):
            return json_response({"active": False})  # 236c: only the issuing client
        registration = self.state.registrations[entry["client_id"]]
        if self.state.installations.get(registration["id"]) != entry["app_id"]:
            return json_response({"active": False})
        answer = {
            "active": True,
            "sub": entry["app_id"],
            "client_id": entry["client_id"],
            "token_type": "Bearer",
            "scope": "api profile",
            "aud": WORKSPACE_ID,
            "iss": _origin(request),
        }
        if refresh is not None:  # 236b: exp and iat only for refresh tokens
            answer.update(exp=int(refresh["exp"]), iat=int(refresh["exp"] - REFRESH_TOKEN_TTL))
        return json_response(answer)

    async def revoke(self, request: Request) -> Response:
        limited = self._limited(request)
        if limited is not None:
            return limited
        await request.form()
        return json_response({})  # 237: 200 and nothing revoked (237b, 237d)

    # ---- test hooks --------------------------------------------------------------------------
    def uninstall(self, client_id: str) -> None:
        """uninstallApplication of an OAuth app (291): its access tokens and refresh tokens stop."""
        with self.state.lock:
            registration = self.state.registrations[client_id]
            app_id = self.state.installations.pop(registration["id"], None)
            gone = [t for t, e in self.state.access_tokens.items() if e["app_id"] == app_id]
        with self.rt.lock:
            for token in gone:
                self.rt.extra_tokens.pop(token, None)

    def expire_refresh_tokens(self) -> None:
        with self.state.lock:
            for entry in self.state.refresh_tokens.values():
                entry["exp"] = 0.0


class OAuthMetadataResolvers:
    """Mixed into the fake's /metadata resolvers: the consent page's two calls."""

    rt: Runtime

    def q_findApplicationRegistrationByClientId(self, req: GqlRequest) -> Any:
        return FakeOAuth(self.rt).find_registration(str(req.args.get("clientId")))

    def m_authorizeApp(self, req: GqlRequest) -> Any:
        return FakeOAuth(self.rt).authorize_app(getattr(req.context, "principal", None), req.args)


PUBLIC_OPERATIONS = frozenset({"findApplicationRegistrationByClientId"})


def routes(runtime: Runtime, wrap: Any) -> list[Route]:
    from .oauth_page import authorize_page

    oauth = FakeOAuth(runtime)
    return [
        Route("/.well-known/oauth-authorization-server", wrap(oauth.authorization_server), methods=["GET"]),
        Route("/.well-known/oauth-protected-resource/mcp", wrap(oauth.protected_resource), methods=["GET"]),
        Route("/oauth/register", wrap(oauth.register), methods=["POST"]),
        Route("/oauth/register/{client_id}", wrap(oauth.read_back), methods=["GET"]),
        Route("/oauth/token", wrap(oauth.token), methods=["POST"]),
        Route("/oauth/introspect", wrap(oauth.introspect), methods=["POST"]),
        Route("/oauth/revoke", wrap(oauth.revoke), methods=["POST"]),
        Route("/authorize", authorize_page, methods=["GET"]),
    ]
