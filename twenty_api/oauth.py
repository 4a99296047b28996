"""Twenty 2.21 as an OAuth 2.1 authorization server: the calls a client of it makes.

Captured in ``contract/twenty-2.21.0/oauth/`` (examples 230–291c; README section "Twenty as the
OAuth authorization server"); source: ``packages/twenty-server/src/engine/core-modules/
application/application-oauth/`` (``controllers/oauth-discovery.controller.ts``,
``oauth-registration.controller.ts``, ``oauth-token.controller.ts``, ``oauth.service.ts``) and the
front-end consent route ``packages/twenty-front/src/pages/auth/Authorize.tsx``.

- ``discover``: ``GET /.well-known/oauth-authorization-server`` (230). Its
  ``authorization_endpoint`` is the FRONT-END route ``<front>/authorize``.
- ``register_client``: ``POST /oauth/register`` (231): always a public client (no secret),
  ``authorization_code`` + ``refresh_token`` only; 10 registrations an hour per IP.
- ``exchange_code`` / ``refresh``: ``POST /oauth/token`` (234, 235), form-encoded, PKCE S256.
  Access tokens live 30 min, refresh tokens 60 days and are NOT rotated (235b). The token,
  revoke and introspect endpoints share 60 requests a minute per client IP.
- ``revoke``: ``POST /oauth/revoke`` answers 200 and revokes nothing (237, 237b).
- ``find_application_registration`` / ``authorize_app``: the two ``/metadata`` calls the consent
  page makes (232, 233); ``authorize_app`` needs the signed-in user's session token.
- ``current_user``: who a user token belongs to (244).

Every call here is one request, never retried (a code is single use) and never paced by the
API-key pacer; they go through ``anonymous_http`` on the caller's transport (the shared pool).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from twenty_api.errors import TwentyAuthError, TwentyConnectionError, TwentyError, error_from_graphql
from twenty_api.transport import _json_body, anonymous_http
from twenty_api.urls import normalize_base_url

DEFAULT_TIMEOUT = 20.0


class TwentyOAuthError(TwentyError):
    """Twenty's OAuth endpoint refused: ``code`` is the RFC 6749 ``error`` (``invalid_grant``,
    ``invalid_client``, ``invalid_client_metadata``, ``rate_limit_exceeded``, ...)."""


class TwentyOAuthGrantInvalid(TwentyOAuthError):
    """``invalid_grant`` / ``invalid_client``: the code or refresh token is used up, expired, or its
    app was uninstalled (291c); only a new consent helps."""


@dataclass(frozen=True)
class TwentyOAuthMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    registration_endpoint: str
    revocation_endpoint: str | None = None
    introspection_endpoint: str | None = None
    scopes_supported: tuple[str, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class TwentyOAuthClient:
    client_id: str
    client_name: str
    redirect_uris: tuple[str, ...]
    scope: str = ""
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class TwentyOAuthTokens:
    access_token: str = field(repr=False)
    refresh_token: str | None = field(repr=False)
    expires_in: int
    scope: str = ""


@dataclass(frozen=True)
class TwentyUser:
    """``currentUser`` of a user token (244)."""

    user_id: str
    email: str
    first_name: str
    last_name: str
    workspace_id: str | None
    workspace_member_id: str | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) for one authorization."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorization_url(
    metadata: TwentyOAuthMetadata,
    client_id: str,
    redirect_uri: str,
    code_challenge: str,
    state: str,
    scope: str = "api profile",
) -> str:
    """Where to send the user's browser: Twenty's front-end consent route (Authorize.tsx reads
    client_id, redirect_uri, code_challenge and state; the rest is standard and ignored)."""
    query = urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
            "state": state,
            "scope": scope,
        }
    )
    return f"{metadata.authorization_endpoint}?{query}"


async def _call(
    method: str,
    url: str,
    *,
    transport: httpx.AsyncBaseTransport | None,
    http_timeout: float,
    form: dict[str, str] | None = None,
    json: Any = None,
    token: str | None = None,
) -> tuple[int, Any]:
    async with anonymous_http(http_timeout, transport) as http:
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            if form is not None:
                response = await http.request(method, url, data=form, headers=headers)
            elif json is not None:
                response = await http.request(method, url, json=json, headers=headers)
            else:
                response = await http.request(method, url, headers=headers)
        except httpx.TransportError as exc:
            raise TwentyConnectionError(
                f"Could not reach Twenty's OAuth endpoint {url} ({type(exc).__name__}: {exc})",
                method=method,
                path=httpx.URL(url).path,
            ) from exc
    return response.status_code, _json_body(response)


def _oauth_error(status: int, body: Any, method: str, url: str, what: str) -> TwentyOAuthError:
    error = body.get("error") if isinstance(body, dict) else None
    description = body.get("error_description") if isinstance(body, dict) else None
    cls = TwentyOAuthGrantInvalid if error in ("invalid_grant", "invalid_client") else TwentyOAuthError
    return cls(
        f"Twenty refused {what} ({status} {error or 'error'})",
        status=status,
        messages=[str(description or body)[:300]],
        code=str(error) if error else None,
        method=method,
        path=httpx.URL(url).path,
        body=body,
    )


async def discover(
    base_url: str, *, transport: httpx.AsyncBaseTransport | None = None, http_timeout: float = DEFAULT_TIMEOUT
) -> TwentyOAuthMetadata:
    """RFC 8414 metadata (230)."""
    url = f"{normalize_base_url(base_url)}/.well-known/oauth-authorization-server"
    status, body = await _call("GET", url, transport=transport, http_timeout=http_timeout)
    if status != 200 or not isinstance(body, dict) or "token_endpoint" not in body:
        raise TwentyOAuthError(
            f"Twenty's OAuth discovery answered {status}",
            hint="Twenty 2.21 or later serves /.well-known/oauth-authorization-server.",
            status=status,
            messages=[str(body)[:300]],
            method="GET",
            path="/.well-known/oauth-authorization-server",
        )
    return TwentyOAuthMetadata(
        issuer=str(body.get("issuer", "")),
        authorization_endpoint=str(body["authorization_endpoint"]),
        token_endpoint=str(body["token_endpoint"]),
        registration_endpoint=str(body["registration_endpoint"]),
        revocation_endpoint=body.get("revocation_endpoint"),
        introspection_endpoint=body.get("introspection_endpoint"),
        scopes_supported=tuple(body.get("scopes_supported") or ()),
        raw=body,
    )


async def register_client(
    metadata: TwentyOAuthMetadata,
    client_name: str,
    redirect_uris: list[str],
    *,
    scope: str = "api profile",
    transport: httpx.AsyncBaseTransport | None = None,
    http_timeout: float = DEFAULT_TIMEOUT,
) -> TwentyOAuthClient:
    """RFC 7591 dynamic registration (231): a public client with the given redirect URIs."""
    payload = {
        "client_name": client_name,
        "redirect_uris": redirect_uris,
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
        "scope": scope,
    }
    url = metadata.registration_endpoint
    status, body = await _call("POST", url, transport=transport, http_timeout=http_timeout, json=payload)
    if status not in (200, 201) or not isinstance(body, dict) or "client_id" not in body:
        raise _oauth_error(status, body, "POST", url, "the client registration")
    return TwentyOAuthClient(
        client_id=str(body["client_id"]),
        client_name=str(body.get("client_name", client_name)),
        redirect_uris=tuple(body.get("redirect_uris") or redirect_uris),
        scope=str(body.get("scope") or scope),
        raw=body,
    )


def _tokens(status: int, body: Any, url: str, what: str) -> TwentyOAuthTokens:
    if status != 200 or not isinstance(body, dict) or not body.get("access_token"):
        raise _oauth_error(status, body, "POST", url, what)
    return TwentyOAuthTokens(
        access_token=str(body["access_token"]),
        refresh_token=body.get("refresh_token"),
        expires_in=int(body.get("expires_in") or 1800),
        scope=str(body.get("scope") or ""),
    )


async def exchange_code(
    metadata: TwentyOAuthMetadata,
    client_id: str,
    code: str,
    redirect_uri: str,
    code_verifier: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_timeout: float = DEFAULT_TIMEOUT,
) -> TwentyOAuthTokens:
    """``grant_type=authorization_code`` for a public client (234; 234b replay and 234c wrong
    verifier are ``invalid_grant``)."""
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "client_id": client_id,
        "code_verifier": code_verifier,
    }
    url = metadata.token_endpoint
    status, body = await _call("POST", url, transport=transport, http_timeout=http_timeout, form=form)
    return _tokens(status, body, url, "the authorization code")


async def refresh(
    metadata: TwentyOAuthMetadata,
    client_id: str,
    refresh_token: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_timeout: float = DEFAULT_TIMEOUT,
) -> TwentyOAuthTokens:
    """``grant_type=refresh_token`` (235): a new pair; the old refresh token stays valid (235b)."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token, "client_id": client_id}
    url = metadata.token_endpoint
    status, body = await _call("POST", url, transport=transport, http_timeout=http_timeout, form=form)
    return _tokens(status, body, url, "to renew the session")


async def revoke(
    metadata: TwentyOAuthMetadata,
    client_id: str,
    token: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_timeout: float = DEFAULT_TIMEOUT,
) -> None:
    """RFC 7009 revocation (237): Twenty answers 200 and revokes nothing (237b, 237d); only
    uninstalling the app in the workspace cuts its tokens off (291)."""
    if not metadata.revocation_endpoint:
        return
    url = metadata.revocation_endpoint
    status, body = await _call(
        "POST",
        url,
        transport=transport,
        http_timeout=http_timeout,
        form={"token": token, "client_id": client_id},
    )
    if status != 200:
        raise _oauth_error(status, body, "POST", url, "the revocation")


async def _metadata_graphql(
    base_url: str,
    query: str,
    variables: dict[str, Any],
    *,
    token: str | None,
    transport: httpx.AsyncBaseTransport | None,
    http_timeout: float,
) -> dict[str, Any]:
    url = f"{normalize_base_url(base_url)}/metadata"
    status, body = await _call(
        "POST",
        url,
        transport=transport,
        http_timeout=http_timeout,
        json={"query": query, "variables": variables},
        token=token,
    )
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        raise error_from_graphql(errors, status=status, endpoint="metadata", used_api_key=False, body=body)
    if status >= 400 or not isinstance(body, dict):
        raise TwentyAuthError(
            f"Twenty's /metadata answered {status}", status=status, messages=[str(body)[:300]]
        )
    return dict(body.get("data") or {})


FIND_REGISTRATION = (
    "query FindApplicationRegistrationByClientId($clientId: String!) { "
    "findApplicationRegistrationByClientId(clientId: $clientId) { id logoUrl name oAuthScopes websiteUrl } }"
)
AUTHORIZE_APP = (
    "mutation authorizeApp($clientId: String!, $codeChallenge: String, $redirectUrl: String!, "
    "$state: String) { authorizeApp(clientId: $clientId, codeChallenge: $codeChallenge, "
    "redirectUrl: $redirectUrl, state: $state) { redirectUrl } }"
)
CURRENT_USER = (
    "{ currentUser { id email firstName lastName currentWorkspace { id displayName } "
    "workspaceMember { id name { firstName lastName } } } }"
)


async def find_application_registration(
    base_url: str,
    client_id: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_timeout: float = DEFAULT_TIMEOUT,
) -> dict[str, Any] | None:
    """The public query the consent page runs first (232): the registration's name and scopes, or
    None when Twenty does not know the client (e.g. a stale registration its daily cron removed)."""
    data = await _metadata_graphql(
        base_url,
        FIND_REGISTRATION,
        {"clientId": client_id},
        token=None,
        transport=transport,
        http_timeout=http_timeout,
    )
    found = data.get("findApplicationRegistrationByClientId")
    return dict(found) if isinstance(found, dict) else None


async def authorize_app(
    base_url: str,
    user_token: str,
    client_id: str,
    redirect_url: str,
    code_challenge: str | None,
    state: str | None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_timeout: float = DEFAULT_TIMEOUT,
) -> str:
    """The consent page's Authorize button (233), sent with the signed-in user's session token:
    the redirect URL carrying ``code`` and ``state``. Refusals (233b no PKCE, 233c redirect
    mismatch, 233d not a user session) raise Twenty's GraphQL error."""
    data = await _metadata_graphql(
        base_url,
        AUTHORIZE_APP,
        {
            "clientId": client_id,
            "codeChallenge": code_challenge,
            "redirectUrl": redirect_url,
            "state": state,
        },
        token=user_token,
        transport=transport,
        http_timeout=http_timeout,
    )
    return str((data.get("authorizeApp") or {})["redirectUrl"])


async def current_user(
    base_url: str,
    access_token: str,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    http_timeout: float = DEFAULT_TIMEOUT,
) -> TwentyUser:
    """Who a user-bound token belongs to (244)."""
    data = await _metadata_graphql(
        base_url, CURRENT_USER, {}, token=access_token, transport=transport, http_timeout=http_timeout
    )
    user = data.get("currentUser") or {}
    member = user.get("workspaceMember") or {}
    name = member.get("name") or {}
    return TwentyUser(
        user_id=str(user.get("id", "")),
        email=str(user.get("email", "")),
        first_name=str(name.get("firstName") or user.get("firstName") or ""),
        last_name=str(name.get("lastName") or user.get("lastName") or ""),
        workspace_id=(user.get("currentWorkspace") or {}).get("id"),
        workspace_member_id=member.get("id"),
    )
