"""Login and session renewal for TwentyClient: the public auth mutations on /metadata."""

from __future__ import annotations

from typing import Any, Literal, Self

import httpx

from twenty_api.errors import (
    TwentyAuthError,
    error_from_graphql,
    error_from_response,
)
from twenty_api.operations import Operation, mutation
from twenty_api.settings import TwentySettings
from twenty_api.transport import (
    ClientCore,
    _dumps,
    _json_body,
    _token_of,
    anonymous_http,
    log,
    post_anonymous,
)
from twenty_api.urls import normalize_base_url, origin_of

# 2.21's password log-in (auth.resolver.ts); the exchange is also the third step of a first sign-up
LOGIN_TOKEN_FROM_CREDENTIALS = mutation(
    "getLoginTokenFromCredentials",
    "mutation($email: String!, $password: String!, $origin: String!) { "
    "getLoginTokenFromCredentials(email: $email, password: $password, origin: $origin) "
    "{ loginToken { token expiresAt } } }",
)
EXCHANGE_LOGIN_TOKEN = mutation(
    "getAuthTokensFromLoginToken",
    "mutation($loginToken: String!, $origin: String!) { "
    "getAuthTokensFromLoginToken(loginToken: $loginToken, origin: $origin) "
    "{ tokens { accessOrWorkspaceAgnosticToken { token expiresAt } "
    "refreshToken { token expiresAt } } } }",
)


class SessionMixin(ClientCore):
    """``from_settings``, ``login``, ``public_graphql`` and the renewal of an expired user session."""

    @classmethod
    def from_settings(cls, settings: TwentySettings | None = None, **overrides: Any) -> Self:
        s = settings or TwentySettings()
        if not s.api_url:
            raise ValueError("TWENTY_API_URL is not set (the Twenty server's base URL)")
        kwargs: dict[str, Any] = {
            "api_key": s.api_key.get_secret_value() if s.api_key else None,
            "access_token": s.access_token.get_secret_value() if s.access_token and not s.api_key else None,
            "timeout": s.timeout,
            "max_retries": s.max_retries,
            "rate_limit": s.rate_limit,
            "rate_window": s.rate_window,
            "schema_ttl": s.schema_ttl,
        }
        kwargs.update(overrides)
        return cls(s.api_url, **kwargs)

    @classmethod
    async def login(
        cls, base_url: str, email: str, password: str, *, origin: str | None = None, **kwargs: Any
    ) -> Self:
        """Log in as a user (2.21: getLoginTokenFromCredentials → getAuthTokensFromLoginToken on
        /metadata) and return a client holding the user's access token.

        ``origin`` is the workspace's front URL; it defaults to the base URL's origin, which is
        right for a single-workspace self-hosted Twenty. Raises TwentyAuthError when refused.
        """
        base = normalize_base_url(base_url)
        origin = origin or origin_of(base)
        timeout = kwargs.get("timeout", 30.0)
        async with anonymous_http(timeout, kwargs.get("transport")) as http:
            login_token = await cls._login_step(
                http,
                base,
                LOGIN_TOKEN_FROM_CREDENTIALS.document,
                {"email": email, "password": password, "origin": origin},
                ("getLoginTokenFromCredentials", "loginToken", "token"),
            )
            tokens = await cls._login_step(
                http,
                base,
                EXCHANGE_LOGIN_TOKEN.document,
                {"loginToken": login_token, "origin": origin},
                ("getAuthTokensFromLoginToken", "tokens"),
            )
        access = _token_of(tokens, "accessOrWorkspaceAgnosticToken")
        if not access:
            raise TwentyAuthError(f"Twenty's login answer has no access token: {str(tokens)[:200]}")
        kwargs.pop("api_key", None)
        kwargs.pop("access_token", None)
        client = cls(base, access_token=access, **kwargs)
        client._refresh_token = _token_of(tokens, "refreshToken")
        return client

    @classmethod
    async def public_graphql(
        cls,
        base_url: str,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        endpoint: Literal["graphql", "metadata"] = "metadata",
        http_timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> dict[str, Any]:
        """A GraphQL call that needs no token: the public auth mutations (signUp,
        getAuthTokensFromLoginToken) a brand-new Twenty answers before any credential exists.
        Not retried (sign-up is not safe to repeat); errors map as for authenticated calls."""
        base = normalize_base_url(base_url)
        async with anonymous_http(http_timeout, transport) as http:
            payload = {"query": query, "variables": variables or {}}
            response, body = await post_anonymous(http, f"{base}/{endpoint}", payload, f"{base}/{endpoint}")
        errors = body.get("errors") if isinstance(body, dict) else None
        if errors:
            raise error_from_graphql(
                errors, status=response.status_code, endpoint=endpoint, used_api_key=False, body=body
            )
        if response.status_code >= 400 or not isinstance(body, dict) or "data" not in body:
            raise error_from_response(
                response.status_code, body, method="POST", path=f"/{endpoint}", used_api_key=False
            )
        return dict(body["data"] or {})

    @classmethod
    async def public_run(
        cls,
        base_url: str,
        op: Operation,
        variables: dict[str, Any] | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> Any:
        """A named operation that needs no token (``public_graphql``); the value under its root."""
        data = await cls.public_graphql(
            base_url, op.document, variables, endpoint=op.endpoint, transport=transport
        )
        return data.get(op.root)

    @staticmethod
    async def _login_step(
        http: httpx.AsyncClient, base: str, query: str, variables: dict[str, Any], path: tuple[str, ...]
    ) -> Any:
        response, body = await post_anonymous(
            http, f"{base}/metadata", {"query": query, "variables": variables}, f"{base} to log in"
        )
        errors = body.get("errors") if isinstance(body, dict) else None
        if response.status_code >= 500 and not errors:
            raise error_from_response(
                response.status_code, body, method="POST", path="/metadata", used_api_key=False
            )
        if errors or response.status_code >= 400:
            messages = [str(e.get("message", "")) for e in errors or []] or [str(body)[:300]]
            raise TwentyAuthError(
                f"Twenty refused the login for this email/password ({path[0]})",
                hint="Check the email and password, and that password sign-in is enabled for this workspace.",
                status=response.status_code,
                messages=messages,
                code=((errors or [{}])[0].get("extensions") or {}).get("code"),
                method="POST",
                path="/metadata",
            )
        node: Any = body.get("data") if isinstance(body, dict) else None
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if not node:
            raise TwentyAuthError(f"Twenty's login answer has no {'.'.join(path)}: {str(body)[:300]}")
        return node

    async def _renew_session(self, cause: TwentyAuthError) -> None:
        """``renewToken(appToken: <refresh token>)`` on /metadata (2.21 auth.resolver.ts)."""
        request = self._http.build_request(
            "POST",
            f"{self.base_url}/metadata",
            content=_dumps(
                {
                    "query": "mutation($appToken: String!) { renewToken(appToken: $appToken) { tokens { "
                    "accessOrWorkspaceAgnosticToken { token expiresAt } "
                    "refreshToken { token expiresAt } } } }",
                    "variables": {"appToken": self._refresh_token},
                }
            ),
            headers={"Content-Type": "application/json"},
        )
        del request.headers["Authorization"]  # a public mutation: do not send the expired token
        try:
            response = await self._http.send(request)
        except httpx.TransportError as exc:
            raise cause from exc
        body = _json_body(response)
        data = body.get("data") if isinstance(body, dict) else None
        tokens = ((data or {}).get("renewToken") or {}).get("tokens")
        access = _token_of(tokens, "accessOrWorkspaceAgnosticToken")
        if not access:
            self._refresh_token = None
            raise TwentyAuthError(
                "The user session expired and Twenty refused to renew it",
                hint="Log in again with TwentyClient.login(base_url, email, password).",
                status=response.status_code,
                messages=[str(e.get("message", "")) for e in (body or {}).get("errors", [])]
                if isinstance(body, dict)
                else [],
            ) from cause
        self._token = access
        self._refresh_token = _token_of(tokens, "refreshToken") or self._refresh_token
        self._http.headers["Authorization"] = f"Bearer {access}"
        log.info("Twenty user session renewed")
