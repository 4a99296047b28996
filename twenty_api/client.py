"""TwentyClient: the one async client for Twenty 2.21 (REST core + metadata, GraphQL)."""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any, Literal, TypeVar
from urllib.parse import quote

import httpx
import pydantic_core
from tenacity import RetryCallState

from twenty_api.batching import BATCH_SIZE, chunks
from twenty_api.deadline import remaining
from twenty_api.errors import (
    TwentyAuthError,
    TwentyConnectionError,
    TwentyError,
    TwentyNotFoundError,
    TwentyRateLimitError,
    TwentyServerError,
    TwentyUserSessionRequired,
    TwentyValidationError,
    error_from_graphql,
    error_from_response,
)
from twenty_api.filters import Filter, render_filter, rest_filter_to_graphql
from twenty_api.models import FieldInfo, ObjectInfo
from twenty_api.pacer import Pacer, shared_pacer
from twenty_api.pagination import MAX_PAGE_SIZE, Page, iterate_records
from twenty_api.retry import make_retrying, parse_retry_after
from twenty_api.schema import SchemaCache, WorkspaceSchema, default_schema_cache
from twenty_api.settings import TwentySettings
from twenty_api.urls import normalize_base_url, origin_of

log = logging.getLogger("twenty_api")
T = TypeVar("T")

USER_AGENT = "twenty-gcp-twenty_api/0.1"
# httpx drops an idle connection after 5 s by default, so every agent pause longer than that (an
# LLM writing its next step) paid a new TCP + TLS handshake to a remote Twenty. Google's front end
# (Cloud Run, the HTTPS load balancer) keeps idle client connections ~10 minutes; 60 s covers an
# agent's pauses and stays well inside that. A connection the server closed first is seen as
# readable-at-EOF and replaced before reuse.
KEEPALIVE_EXPIRY_S = 60.0
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
_MUTATION_RE = re.compile(r"(?<![A-Za-z0-9_])(mutation|subscription)(?![A-Za-z0-9_])")
DIRECTIONS = ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast")

OrderBy = str | Sequence[str | tuple[str, str]] | None
FilterArg = Filter | str | None


def _q(value: str) -> str:
    # Encode like the captured requests: brackets, quotes, colons, commas, spaces escaped;
    # parentheses of and(...)/or(...)/not(...) left as they are.
    return quote(value, safe="()")


def _check_name(plural: str) -> str:
    if not isinstance(plural, str) or not _NAME_RE.match(plural):
        raise ValueError(
            f"object name {plural!r} must be a plural API name such as 'people' or 'websiteLeads' "
            "(use client.resolve_object(name) to find it)"
        )
    return plural


def _id(record_id: str) -> str:
    if not isinstance(record_id, str) or not record_id.strip():
        raise ValueError(f"record id must be a non-empty string, got {record_id!r}")
    return quote(record_id.strip(), safe="")


def _order_by(order_by: OrderBy) -> str | None:
    if order_by is None:
        return None
    items = [order_by] if isinstance(order_by, str) else list(order_by)
    parts: list[str] = []
    for item in items:
        if isinstance(item, tuple):
            field, direction = item
            if direction not in DIRECTIONS:
                raise ValueError(f"order direction {direction!r} must be one of {', '.join(DIRECTIONS)}")
            parts.append(f"{field}[{direction}]")
        else:
            parts.append(str(item))
    return ",".join(parts) or None


def _depth(depth: int | None) -> int | None:
    if depth is not None and depth not in (0, 1):
        raise ValueError(f"depth must be 0 or 1 in Twenty 2.21 (got {depth!r})")
    return depth


def _single(body: Any, what: str) -> Any:
    """``{"data": {"<key>": value}}`` → value (create/update/delete/get answer one key)."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or len(data) != 1:
        raise TwentyError(f"Twenty's answer to {what} has an unexpected shape: {str(body)[:300]}")
    return next(iter(data.values()))


def _is_mutation(query: str) -> bool:
    """Conservative: any ``mutation`` keyword (outside comments) makes the document a write, so a
    query is at worst not retried, and a write is never retried by mistake."""
    without_comments = re.sub(r"#[^\n]*", "", query)
    return bool(_MUTATION_RE.search(without_comments))


def _token_of(tokens: Any, name: str) -> str | None:
    token = (tokens.get(name) or {}).get("token") if isinstance(tokens, dict) else None
    return token if isinstance(token, str) and token else None


def _json_default(value: Any) -> Any:
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(
        f"{type(value).__name__} value {value!r} cannot be sent to Twenty as JSON; "
        "pass str/number/bool/list/dict"
    )


def _deadline_passed(method: str, path: str, when: str) -> TwentyConnectionError:
    err = TwentyConnectionError(
        f"The call's time ran out {when} ({method} {path}); nothing was sent", method=method, path=path
    )
    err.retryable = False  # type: ignore[attr-defined]
    return err


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, default=_json_default, ensure_ascii=False).encode()


def _json_body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        # pydantic_core's parser: ~40% less CPU than json.loads on a 60-record page (~64 KB),
        # the largest single cost an MCP list call adds to Twenty's own answer.
        return pydantic_core.from_json(response.content)
    except ValueError:
        return response.text


class TwentyClient:
    """Async client for one Twenty workspace, authenticated by an API key or a user access token.

    Safe by default: deletes are soft, destroys need ``confirm=True``, creates are never
    retried once they may have reached the server, and API-key record traffic is paced to
    Twenty's token bucket. See docs/twenty_api.md.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str | None = None,
        access_token: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 4,
        rate_limit: int | None = 100,
        rate_window: float = 60.0,
        schema_cache: SchemaCache | None = None,
        schema_ttl: float = 300.0,
        pacer: Pacer | None = None,
        backoff_base: float = 0.5,
        backoff_max: float = 8.0,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        keepalive_expiry: float = KEEPALIVE_EXPIRY_S,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        if api_key and access_token:
            raise ValueError("pass either api_key or access_token to TwentyClient, not both")
        token = api_key or access_token
        if not token or not str(token).strip():
            raise ValueError(
                "TwentyClient needs credentials: api_key= (TWENTY_API_KEY, from Settings → APIs & Webhooks) "
                "or access_token= (from TwentyClient.login)"
            )
        if max_retries < 0:
            raise ValueError(f"max_retries must be >= 0, got {max_retries}")
        if rate_limit is not None and rate_limit <= 0:
            raise ValueError(f"rate_limit must be positive or None (disabled), got {rate_limit}")
        self.is_user_session = access_token is not None and not api_key
        self.max_retries = max_retries
        self._timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._sleep = sleep
        self._token = str(token).strip()
        # 2.21 throttles only API-key requests on record endpoints; user sessions are not paced.
        if pacer is not None:
            self.pacer: Pacer | None = pacer
        elif rate_limit and not self.is_user_session:
            self.pacer = shared_pacer(self.base_url, self._token, rate_limit, rate_window)
        else:
            self.pacer = None
        self._schema_cache = schema_cache if schema_cache is not None else default_schema_cache(schema_ttl)
        self._workspace_id: str | None = None
        self._refresh_token: str | None = None  # set by login(): lets a user session renew itself
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(
                max_connections=100, max_keepalive_connections=20, keepalive_expiry=keepalive_expiry
            ),
            headers={
                "Authorization": f"Bearer {self._token}",
                "User-Agent": USER_AGENT,
                "Accept": "application/json",
            },
            transport=transport,
            follow_redirects=False,  # never hand the key to a redirect target
        )

    def __repr__(self) -> str:
        kind = "user session" if self.is_user_session else "API key"
        return f"TwentyClient({self.base_url!r}, {kind})"

    # ---- construction -----------------------------------------------------------------------

    @classmethod
    def from_settings(cls, settings: TwentySettings | None = None, **overrides: Any) -> TwentyClient:
        s = settings or TwentySettings()
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
    ) -> TwentyClient:
        """Log in as a user (2.21: getLoginTokenFromCredentials → getAuthTokensFromLoginToken on
        /metadata) and return a client holding the user's access token.

        ``origin`` is the workspace's front URL; it defaults to the base URL's origin, which is
        right for a single-workspace self-hosted Twenty. Raises TwentyAuthError when refused.
        """
        base = normalize_base_url(base_url)
        origin = origin or origin_of(base)
        timeout = kwargs.get("timeout", 30.0)
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=kwargs.get("transport"),
            follow_redirects=False,
        ) as http:
            login_token = await cls._login_step(
                http,
                base,
                "mutation($email: String!, $password: String!, $origin: String!) { "
                "getLoginTokenFromCredentials(email: $email, password: $password, origin: $origin) "
                "{ loginToken { token expiresAt } } }",
                {"email": email, "password": password, "origin": origin},
                ("getLoginTokenFromCredentials", "loginToken", "token"),
            )
            tokens = await cls._login_step(
                http,
                base,
                "mutation($loginToken: String!, $origin: String!) { "
                "getAuthTokensFromLoginToken(loginToken: $loginToken, origin: $origin) "
                "{ tokens { accessOrWorkspaceAgnosticToken { token expiresAt } "
                "refreshToken { token expiresAt } } } }",
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
        async with httpx.AsyncClient(
            timeout=httpx.Timeout(http_timeout),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
            follow_redirects=False,
        ) as http:
            payload = {"query": query, "variables": variables or {}}
            try:
                response = await http.post(f"{base}/{endpoint}", json=payload)
            except httpx.TransportError as exc:
                raise TwentyConnectionError(
                    f"Could not reach Twenty at {base}/{endpoint} ({type(exc).__name__}: {exc})"
                ) from exc
        body = _json_body(response)
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

    @staticmethod
    async def _login_step(
        http: httpx.AsyncClient, base: str, query: str, variables: dict[str, Any], path: tuple[str, ...]
    ) -> Any:
        try:
            response = await http.post(f"{base}/metadata", json={"query": query, "variables": variables})
        except httpx.TransportError as exc:
            raise TwentyConnectionError(
                f"Could not reach Twenty at {base} to log in ({type(exc).__name__}: {exc})"
            ) from exc
        body = _json_body(response)
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

    async def __aenter__(self) -> TwentyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    # ---- transport: pacing, retries, error mapping --------------------------------------------

    async def _log_retry(self, state: RetryCallState) -> None:
        exc = state.outcome.exception() if state.outcome else None
        delay = state.next_action.sleep if state.next_action else 0.0
        what = exc.summary if isinstance(exc, TwentyError) else repr(exc)
        said = "; ".join(exc.messages) if isinstance(exc, TwentyError) else ""
        log.warning("%s%s; retry %d in %.2fs", what, f": {said}" if said else "", state.attempt_number, delay)

    async def _send(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        json_body: Any = None,
        multipart: tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]] | None = None,
        paced: bool,
    ) -> tuple[int, Any]:
        url = f"{self.base_url}{path}{'?' + query if query else ''}"
        left = remaining()
        if paced and self.pacer is not None:
            try:
                await asyncio.wait_for(self.pacer.acquire(), left)
            except TimeoutError:
                raise _deadline_passed(method, path, "waiting for Twenty's rate limit") from None
            left = remaining()
        if left is not None and left <= 0:
            raise _deadline_passed(method, path, "before it was sent")
        timeout: Any = httpx.USE_CLIENT_DEFAULT if left is None else httpx.Timeout(min(left, self._timeout))
        try:
            if multipart is not None:
                response = await self._http.request(
                    method, url, data=multipart[0], files=multipart[1], timeout=timeout
                )
            elif json_body is None:
                response = await self._http.request(method, url, timeout=timeout)
            else:
                response = await self._http.request(
                    method,
                    url,
                    content=_dumps(json_body),
                    headers={"Content-Type": "application/json"},
                    timeout=timeout,
                )
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            raise TwentyConnectionError(
                f"Could not connect to Twenty for {method} {path} ({type(exc).__name__}: {exc}); "
                "nothing was sent",
                method=method,
                path=path,
            ) from exc
        except httpx.TransportError as exc:
            raise TwentyConnectionError(
                f"The connection to Twenty broke during {method} {path} ({type(exc).__name__}: {exc}) "
                "after the request may have reached the server",
                outcome_unknown=True,
                method=method,
                path=path,
            ) from exc
        status = response.status_code
        if 300 <= status < 400:
            raise TwentyValidationError(
                f"Twenty's address answered {method} {path} with a redirect ({status}) to "
                f"{response.headers.get('location', '?')}",
                hint="Set TWENTY_API_URL to the final https URL: the client never follows redirects, so "
                "the key is not sent anywhere else.",
                status=status,
                method=method,
                path=path,
            )
        body = _json_body(response)
        if status >= 400 and not (
            path in ("/graphql", "/metadata") and isinstance(body, dict) and body.get("errors")
        ):
            err = error_from_response(
                status, body, method=method, path=path, used_api_key=not self.is_user_session
            )
            err.retry_after = parse_retry_after(response.headers.get("retry-after"))  # type: ignore[attr-defined]
            if isinstance(err, TwentyRateLimitError) and self.pacer is not None:
                self.pacer.drain()
            raise err
        return status, body

    async def _with_retries(
        self, attempt_once: Callable[[], Awaitable[T]], *, method: str, path: str, safe: bool
    ) -> T:
        """Retry policy, plus one renewal of an expired user session (an auth refusal means
        nothing was processed, so repeating even a create is safe)."""
        token_before = self._token
        try:
            return await self._retry_loop(attempt_once, method=method, path=path, safe=safe)
        except TwentyAuthError as exc:
            if self._refresh_token is None or isinstance(exc, TwentyUserSessionRequired):
                raise
            if self._token == token_before:
                await self._renew_session(exc)
            return await self._retry_loop(attempt_once, method=method, path=path, safe=safe)

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

    async def _retry_loop(
        self, attempt_once: Callable[[], Awaitable[T]], *, method: str, path: str, safe: bool
    ) -> T:
        """Run ``attempt_once`` under the retry policy; explain a write whose outcome is unknown."""
        retrying = make_retrying(
            safe=safe,
            max_retries=self.max_retries,
            backoff_base=self.backoff_base,
            backoff_max=self.backoff_max,
            sleep=self._sleep,
            before_sleep=self._log_retry,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await attempt_once()
        except TwentyConnectionError as exc:
            if exc.outcome_unknown and safe:
                raise TwentyConnectionError(
                    f"Twenty did not answer {method} {path} in time (retried where the call's time "
                    "allowed). It is a read or a repeatable write, so nothing was left half-done: "
                    "try again later",
                    method=method,
                    path=path,
                ) from exc
            if exc.outcome_unknown and not safe:
                raise TwentyConnectionError(
                    f"The connection to Twenty broke after {method} {path} was sent: the write may or "
                    "may not have happened, and it was NOT retried so that nothing is created twice. "
                    "Look the record up (e.g. list with a filter) before trying again",
                    outcome_unknown=True,
                    method=method,
                    path=path,
                ) from exc
            raise
        raise AssertionError("unreachable: tenacity either returns or raises")  # pragma: no cover

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        safe: bool,
        paced: bool = True,
    ) -> tuple[int, Any]:
        query = "&".join(f"{k}={_q(str(v))}" for k, v in (params or {}).items() if v is not None)
        return await self._with_retries(
            lambda: self._send(method, path, query=query, json_body=json_body, paced=paced),
            method=method,
            path=path,
            safe=safe,
        )

    @staticmethod
    def _record_paced(path: str) -> bool:
        return not path.startswith("/rest/metadata")

    async def _rest(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json_body: Any = None,
        safe: bool,
    ) -> Any:
        _, body = await self._request(
            method, path, params=params, json_body=json_body, safe=safe, paced=self._record_paced(path)
        )
        return body

    # ---- records ------------------------------------------------------------------------------

    def _list_params(
        self,
        *,
        filter: FilterArg,
        order_by: OrderBy,
        limit: int | None,
        cursor: str | None,
        depth: int | None,
    ) -> dict[str, Any]:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"limit must be a positive integer, got {limit!r}")
        if limit is not None and limit > MAX_PAGE_SIZE:
            raise ValueError(
                f"limit {limit} is above Twenty's page cap of {MAX_PAGE_SIZE}; "
                "use iter_records() to read more"
            )
        return {
            "limit": limit,
            "depth": _depth(depth),
            "order_by": _order_by(order_by),
            "filter": render_filter(filter),
            "starting_after": cursor,
        }

    async def list_records(
        self,
        plural: str,
        *,
        filter: FilterArg = None,
        order_by: OrderBy = None,
        limit: int | None = 60,
        cursor: str | None = None,
        depth: int | None = None,
    ) -> Page:
        plural = _check_name(plural)
        params = self._list_params(filter=filter, order_by=order_by, limit=limit, cursor=cursor, depth=depth)
        body = await self._rest("GET", f"/rest/{plural}", params=params, safe=True)
        return Page.from_rest(body, plural)

    def iter_records(
        self,
        plural: str,
        *,
        filter: FilterArg = None,
        order_by: OrderBy = None,
        page_size: int = MAX_PAGE_SIZE,
        depth: int | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every matching record, following cursors page by page (``page_size`` ≤ 200)."""
        plural = _check_name(plural)
        self._list_params(filter=filter, order_by=order_by, limit=page_size, cursor=None, depth=depth)

        async def fetch(cursor: str | None) -> Page:
            return await self.list_records(
                plural, filter=filter, order_by=order_by, limit=page_size, cursor=cursor, depth=depth
            )

        return iterate_records(fetch, max_pages=max_pages)

    async def get_record(self, plural: str, id: str, *, depth: int | None = None) -> dict[str, Any]:
        path = f"/rest/{_check_name(plural)}/{_id(id)}"
        body = await self._rest("GET", path, params={"depth": _depth(depth)}, safe=True)
        return _single(body, f"GET {path}")

    async def create_record(self, plural: str, data: dict[str, Any]) -> dict[str, Any]:
        """POST one record. Retried only if Twenty provably did not process it (429, no connection)."""
        if not isinstance(data, dict):
            raise TypeError(f"record data must be a dict, got {type(data).__name__}")
        path = f"/rest/{_check_name(plural)}"
        body = await self._rest("POST", path, json_body=data, safe=False)
        return _single(body, f"POST {path}")

    async def batch_create(
        self, plural: str, records: Iterable[dict[str, Any]], *, batch_size: int = BATCH_SIZE
    ) -> list[dict[str, Any]]:
        """Create any number of records, ``batch_size`` (≤60) per ``POST /rest/batch/<plural>``.

        On failure the error carries ``.created`` (records of the batches that went through).
        """
        if batch_size > BATCH_SIZE:
            raise ValueError(
                f"batch_size {batch_size} is above Twenty's documented batch limit of {BATCH_SIZE}"
            )
        path = f"/rest/batch/{_check_name(plural)}"
        created: list[dict[str, Any]] = []
        for batch in chunks(records, batch_size):
            for item in batch:
                if not isinstance(item, dict):
                    raise TypeError(f"each record must be a dict, got {type(item).__name__}")
            try:
                body = await self._rest("POST", path, json_body=batch, safe=False)
            except TwentyError as exc:
                exc.created = created  # type: ignore[attr-defined]
                exc.add_note(
                    f"{len(created)} record(s) from earlier batches were created before this failure."
                )
                raise
            rows = _single(body, f"POST {path}")
            if not isinstance(rows, list):
                raise TwentyError(f"Twenty's batch answer is not a list: {str(body)[:300]}")
            created.extend(rows)
        return created

    async def update_record(self, plural: str, id: str, data: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise TypeError(f"update data must be a dict, got {type(data).__name__}")
        path = f"/rest/{_check_name(plural)}/{_id(id)}"
        body = await self._rest("PATCH", path, json_body=data, safe=True)
        return _single(body, f"PATCH {path}")

    async def delete_record(self, plural: str, id: str) -> dict[str, Any]:
        """Soft delete (sets deletedAt; restorable). Twenty's bare DELETE would destroy."""
        path = f"/rest/{_check_name(plural)}/{_id(id)}"
        body = await self._rest("DELETE", path, params={"soft_delete": "true"}, safe=True)
        return _single(body, f"DELETE {path}")

    async def destroy_record(self, plural: str, id: str, *, confirm: bool = False) -> dict[str, Any]:
        """Hard delete, irreversible. Refuses unless ``confirm=True``."""
        if confirm is not True:
            raise ValueError(
                f"destroy_record({plural!r}, {id!r}) deletes the record for good; pass confirm=True to do "
                "that, or use delete_record() for a restorable soft delete"
            )
        path = f"/rest/{_check_name(plural)}/{_id(id)}"
        body = await self._rest("DELETE", path, safe=True)
        return _single(body, f"DELETE {path}")

    async def restore_records(self, plural: str, filter: FilterArg) -> list[dict[str, Any]]:
        """Restore soft-deleted records matching ``filter`` (required: 2.21 restores EVERYTHING
        without one, and refuses the one-record path)."""
        rendered = render_filter(filter)
        if not rendered:
            raise ValueError(
                "restore_records needs a non-empty filter, e.g. F('id').eq(record_id): Twenty 2.21 restores "
                "every soft-deleted record of the object when the filter is missing"
            )
        path = f"/rest/restore/{_check_name(plural)}"
        body = await self._rest("PATCH", path, params={"filter": rendered}, safe=True)
        rows = _single(body, f"PATCH {path}")
        return rows if isinstance(rows, list) else [rows]

    async def find_duplicates(
        self,
        plural: str,
        ids: Sequence[str] | None = None,
        data: Sequence[dict[str, Any]] | None = None,
    ) -> list[list[dict[str, Any]]]:
        """For each id (or each partial record), the records Twenty considers duplicates of it."""
        if (ids is None) == (data is None):
            raise ValueError("find_duplicates takes exactly one of ids=[...] or data=[{...}]")
        payload = {"ids": list(ids)} if ids is not None else {"data": list(data or [])}
        if not next(iter(payload.values())):
            raise ValueError("find_duplicates needs at least one id or record")
        path = f"/rest/{_check_name(plural)}/duplicates"
        body = await self._rest("POST", path, json_body=payload, safe=True)
        results = body.get("data") if isinstance(body, dict) else None
        if not isinstance(results, list):
            raise TwentyError(f"Twenty's duplicates answer has an unexpected shape: {str(body)[:300]}")
        out: list[list[dict[str, Any]]] = []
        for item in results:
            rows = (
                next((v for k, v in item.items() if k.endswith("Duplicates")), [])
                if isinstance(item, dict)
                else []
            )
            out.append(list(rows or []))
        return out

    async def merge_records(
        self, plural: str, ids: Sequence[str], conflict_priority_index: int = 0, dry_run: bool = False
    ) -> dict[str, Any]:
        """Merge ≥2 records into one (``dry_run=True`` previews the result without changing data)."""
        ids = list(ids)
        if len(ids) < 2:
            raise ValueError("merge_records needs at least 2 record ids")
        if not 0 <= conflict_priority_index < len(ids):
            raise ValueError(f"conflict_priority_index must index into ids (0..{len(ids) - 1})")
        payload: dict[str, Any] = {"ids": ids, "conflictPriorityIndex": conflict_priority_index}
        if dry_run:
            payload["dryRun"] = True
        path = f"/rest/{_check_name(plural)}/merge"
        body = await self._rest("PATCH", path, json_body=payload, safe=dry_run)
        return _single(body, f"PATCH {path}")

    async def group_by(
        self,
        plural: str,
        group_by: Sequence[str | dict[str, Any]],
        aggregate: str | Sequence[str] | None = None,
        filter: FilterArg = None,
        order_by: OrderBy = None,
    ) -> list[dict[str, Any]]:
        """``GET /rest/<plural>/groupBy``: one row per group with ``groupByDimensionValues`` and
        the requested aggregates (e.g. ``totalCount``, ``sumAmountAmountMicros``; values are
        strings as Twenty sends them). ``group_by`` items: ``"stage"`` or
        ``{"createdAt": {"granularity": "MONTH", "timeZone": "UTC"}}``."""
        if not group_by:
            raise ValueError("group_by needs at least one field, e.g. ['stage']")
        dims = [{g: True} if isinstance(g, str) else g for g in group_by]
        aggregates = [aggregate] if isinstance(aggregate, str) else list(aggregate or [])
        params: dict[str, Any] = {
            "group_by": json.dumps(dims, separators=(",", ":")),
            "aggregate": json.dumps(aggregates, separators=(",", ":")) if aggregates else None,
            "filter": render_filter(filter),
            "order_by": _order_by(order_by),
        }
        path = f"/rest/{_check_name(plural)}/groupBy"
        body = await self._rest("GET", path, params=params, safe=True)
        if not isinstance(body, list):
            raise TwentyError(f"Twenty's groupBy answer is not a list: {str(body)[:300]}")
        return body

    # ---- GraphQL ------------------------------------------------------------------------------

    async def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        endpoint: Literal["graphql", "metadata"] = "graphql",
        *,
        safe: bool | None = None,
    ) -> dict[str, Any]:
        """Run a GraphQL document on ``/graphql`` (records) or ``/metadata`` (schema, keys, apps).

        Returns ``data``. Raises a TwentyGraphQLError subclass when ``errors`` is present, even
        with HTTP 200 (rate limit → TwentyRateLimitError too; API key refused where a user is
        needed → TwentyUserSessionRequired too). Queries are retried; mutations only when
        Twenty refused them before running anything. ``safe=True`` marks a mutation that changes
        nothing and may be repeated (a plan: ``syncApplication(dryRun: true)``).
        """
        if endpoint not in ("graphql", "metadata"):
            raise ValueError(f"endpoint must be 'graphql' or 'metadata', got {endpoint!r}")
        if not isinstance(query, str) or not query.strip():
            raise ValueError("graphql() needs a query string")
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        mutation = _is_mutation(query) if safe is None else not safe
        return await self._graphql_call(endpoint, mutation, json_body=payload)

    async def graphql_upload(
        self,
        query: str,
        variables: dict[str, Any] | None,
        files: dict[str, tuple[str, bytes, str]],
        endpoint: Literal["graphql", "metadata"] = "metadata",
    ) -> dict[str, Any]:
        """A GraphQL multipart request (graphql-upload spec), as the twenty CLI sends
        ``uploadApplicationFile`` (example 195a): parts ``operations`` (the variables named in
        ``files`` set to null), ``map`` (``{"0": ["variables.file"]}``) and one part per file.

        ``files`` maps a variable path to ``(filename, content, content_type)``, e.g.
        ``{"variables.file": ("hello.mjs", b"...", "application/octet-stream")}``. An upload is
        a mutation: never retried once it may have reached the server.
        """
        if endpoint not in ("graphql", "metadata"):
            raise ValueError(f"endpoint must be 'graphql' or 'metadata', got {endpoint!r}")
        if not isinstance(query, str) or not query.strip():
            raise ValueError("graphql_upload() needs a query string")
        if not files:
            raise ValueError("graphql_upload() needs at least one file")
        operation_vars: dict[str, Any] = json.loads(_dumps(variables or {}))
        mapping: dict[str, list[str]] = {}
        parts: list[tuple[str, tuple[str, bytes, str]]] = []
        for index, (var_path, (filename, content, content_type)) in enumerate(files.items()):
            head, _, name = var_path.partition(".")
            if head != "variables" or not name or "." in name:
                raise ValueError(f"file variable path {var_path!r} must look like 'variables.file'")
            if not isinstance(content, bytes | bytearray):
                raise TypeError(f"content of {filename!r} must be bytes")
            operation_vars[name] = None
            mapping[str(index)] = [var_path]
            parts.append((str(index), (filename, bytes(content), content_type)))
        form = {
            "operations": _dumps({"query": query, "variables": operation_vars}).decode(),
            "map": json.dumps(mapping),
        }
        return await self._graphql_call(endpoint, True, multipart=(form, parts))

    async def _graphql_call(
        self,
        endpoint: str,
        mutation: bool,
        *,
        json_body: Any = None,
        multipart: tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]] | None = None,
    ) -> dict[str, Any]:
        path = f"/{endpoint}"
        paced = endpoint == "graphql"

        async def once() -> dict[str, Any]:
            status, body = await self._send(
                "POST", path, json_body=json_body, multipart=multipart, paced=paced
            )
            if not isinstance(body, dict):
                raise TwentyServerError(
                    f"Twenty's GraphQL answer on {path} is not JSON",
                    status=status,
                    messages=[str(body)[:300]],
                )
            errors = body.get("errors")
            if errors:
                err = error_from_graphql(
                    errors, status=status, endpoint=endpoint, used_api_key=not self.is_user_session, body=body
                )
                data = body.get("data")
                if mutation and isinstance(data, dict) and any(v is not None for v in data.values()):
                    err.retryable = False  # type: ignore[attr-defined]  # part of it ran: never repeat
                if isinstance(err, TwentyRateLimitError) and self.pacer is not None and paced:
                    self.pacer.drain()
                raise err
            data = body.get("data")
            return data if isinstance(data, dict) else {}

        return await self._with_retries(once, method="POST", path=path, safe=not mutation)

    async def client_config(self) -> dict[str, Any]:
        """Twenty's public ``GET /client-config`` (2.21 client-config.controller.ts): among others
        ``aiModels``, the models this server can run (empty without an AI provider)."""
        body = await self._rest("GET", "/client-config", safe=True)
        return body if isinstance(body, dict) else {}

    async def workspace_ai_settings(self) -> dict[str, Any]:
        """``useRecommendedModels`` and ``enabledAiModelIds`` of this credential's workspace, which
        2.21 checks a new agent's model against (ai-model-registry.service.ts
        validateModelAvailability)."""
        data = await self.graphql(
            "query WorkspaceAiSettings { currentWorkspace { id useRecommendedModels enabledAiModelIds } }",
            endpoint="metadata",
        )
        return dict(data.get("currentWorkspace") or {})

    async def workspace_id(self) -> str:
        """The workspace this credential belongs to (``currentWorkspace`` on /metadata)."""
        if self._workspace_id is None:
            data = await self.graphql(
                "query CurrentWorkspace { currentWorkspace { id } }", endpoint="metadata"
            )
            ws = (data.get("currentWorkspace") or {}).get("id")
            if not ws:
                raise TwentyError(f"Twenty did not say which workspace this credential belongs to: {data}")
            self._workspace_id = str(ws)
        return self._workspace_id

    async def search(
        self, query: str, limit: int = 20, included_objects: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """Cross-object full-text search (``search`` on /graphql). Each result has ``recordId``,
        ``objectNameSingular``, ``objectLabelSingular``, ``label``, ``imageUrl``, ``tsRank``…"""
        if not isinstance(query, str) or not query.strip():
            raise ValueError("search needs a non-empty query")
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 100:
            raise ValueError(f"search limit must be 1..100, got {limit!r}")
        included = ""
        if included_objects:
            names = [str(n) for n in included_objects]
            for name in names:
                _check_name(name)
            included = f", includedObjectNameSingulars:{json.dumps(names)}"
        document = (
            f"query($q:String!){{ search(searchInput:$q, limit:{limit}{included}){{ edges {{ cursor node {{ "
            "recordId objectNameSingular objectLabelSingular label imageUrl tsRankCD tsRank } } "
            "pageInfo { endCursor hasNextPage } } }"
        )
        data = await self.graphql(document, {"q": query})
        edges = ((data.get("search") or {}).get("edges")) or []
        return [edge.get("node", {}) for edge in edges]

    async def aggregate(
        self,
        plural: str,
        operation: str,
        field: str | None = None,
        group_by: Sequence[str | dict[str, Any]] | None = None,
        filter: Filter | str | dict[str, Any] | None = None,
    ) -> Any:
        """One aggregate: ``aggregate("opportunities", "sum", "amount")`` → sumAmountAmountMicros.

        Operations: count/totalCount, sum, avg, min, max, countEmpty, countNotEmpty,
        countUniqueValues, percentageEmpty, percentageNotEmpty, countTrue, countFalse.
        Without ``group_by`` it runs on /graphql and returns the number; with ``group_by`` it
        uses REST groupBy and returns its rows. ``filter``: a Filter, a REST filter string (typed
        by the fields' metadata for GraphQL) or a GraphQL filter dict (without group_by).
        """
        obj = await self.get_object(plural)
        key = self._aggregate_key(obj, operation, field)
        if group_by:
            if isinstance(filter, dict):
                raise ValueError("with group_by, filter must be a Filter (REST), not a GraphQL dict")
            return await self.group_by(obj.name_plural, group_by, aggregate=[key], filter=filter)
        if isinstance(filter, Filter):
            gql_filter: Any = filter.to_graphql()
        elif isinstance(filter, str) and filter.strip():
            gql_filter = rest_filter_to_graphql(filter, lambda name: (f := obj.field(name)) and f.type)
        else:
            gql_filter = filter or None
        type_name = obj.name_singular[:1].upper() + obj.name_singular[1:] + "FilterInput"
        document = f"query($filter: {type_name}) {{ {obj.name_plural}(filter: $filter) {{ {key} }} }}"
        data = await self.graphql(document, {"filter": gql_filter})
        return (data.get(obj.name_plural) or {}).get(key)

    @staticmethod
    def _aggregate_key(obj: ObjectInfo, operation: str, field: str | None) -> str:
        if operation in ("count", "totalCount"):
            return "totalCount"
        allowed = (
            "sum",
            "avg",
            "min",
            "max",
            "countEmpty",
            "countNotEmpty",
            "countUniqueValues",
            "percentageEmpty",
            "percentageNotEmpty",
            "countTrue",
            "countFalse",
        )
        if operation not in allowed:
            raise ValueError(
                f"aggregate operation {operation!r} must be count or one of {', '.join(allowed)}"
            )
        if not field:
            raise ValueError(f"aggregate {operation!r} needs a field")
        info = obj.field(field)
        if info is None:
            names = ", ".join(sorted(f.name for f in obj.fields if not f.is_system))
            raise ValueError(f"{obj.name_singular} has no field {field!r}; fields: {names}")
        key = operation + field[:1].upper() + field[1:]
        if info.type == "CURRENCY" and operation in ("sum", "avg", "min", "max"):
            key += "AmountMicros"
        return key

    # ---- metadata -----------------------------------------------------------------------------

    async def list_objects(self) -> list[ObjectInfo]:
        """Every object of the workspace with its fields (``GET /rest/metadata/objects``)."""
        raw: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(100):
            body = await self._rest(
                "GET", "/rest/metadata/objects", params={"starting_after": cursor}, safe=True
            )
            page = Page.from_rest(body, "objects")
            raw.extend(page.records)
            if not page.has_next_page or not page.end_cursor or page.end_cursor == cursor:
                break
            cursor = page.end_cursor
        standard_app = next((o.get("applicationId") for o in raw if o.get("nameSingular") == "person"), None)
        return [ObjectInfo.from_metadata(o, standard_application_id=standard_app) for o in raw]

    async def schema(self, refresh: bool = False) -> WorkspaceSchema:
        """Objects and fields of this workspace, cached per workspace id for the cache's TTL."""
        ws = await self.workspace_id()
        if not refresh:
            cached = self._schema_cache.get(ws)
            if cached is not None:
                return cached
        return self._schema_cache.put(ws, await self.list_objects())

    async def resolve_object(self, name: str) -> ObjectInfo:
        """Any singular/plural/label, any case → ObjectInfo; TwentyNotFoundError names close matches."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError("object name must be a non-empty string")
        found = (await self.schema()).find(name)
        if found is None:
            fresh = await self.schema(refresh=True)  # maybe created since the cache was filled
            found = fresh.find(name)
            if found is None:
                close = fresh.close_matches(name)
                hint = f"did you mean {', '.join(close)}?" if close else "list them with list_objects()"
                raise TwentyNotFoundError(f"No object named {name!r} in this workspace; {hint}", hint="")
        return found

    async def get_object(self, name: str) -> ObjectInfo:
        obj = await self.resolve_object(name)
        if obj.fields:
            return obj
        body = await self._rest("GET", f"/rest/metadata/objects/{_id(obj.id)}", safe=True)
        return ObjectInfo.from_metadata(_single(body, "GET /rest/metadata/objects/{id}"))

    async def _invalidate_schema(self) -> None:
        if self._workspace_id is not None:
            self._schema_cache.invalidate(self._workspace_id)

    async def create_object(
        self, name_singular: str, name_plural: str, label_singular: str, label_plural: str, **extra: Any
    ) -> ObjectInfo:
        """``POST /rest/metadata/objects``; extra keys (``icon``, ``description``…) go as given."""
        for label, value in (("name_singular", name_singular), ("name_plural", name_plural)):
            if not _NAME_RE.match(value or "") or not value[0].islower():
                raise ValueError(f"{label} {value!r} must be camelCase letters/digits, e.g. 'websiteLead'")
        payload = {
            "nameSingular": name_singular,
            "namePlural": name_plural,
            "labelSingular": label_singular,
            "labelPlural": label_plural,
            **extra,
        }
        try:
            body = await self._rest("POST", "/rest/metadata/objects", json_body=payload, safe=False)
        finally:
            await self._invalidate_schema()
        return ObjectInfo.from_metadata(_single(body, "POST /rest/metadata/objects"))

    async def create_field(self, object_id: str, name: str, type: str, label: str, **extra: Any) -> FieldInfo:
        """``POST /rest/metadata/fields`` (e.g. ``options=[...]`` for SELECT, ``isNullable=False``)."""
        if not _NAME_RE.match(name or "") or not name[0].islower():
            raise ValueError(f"field name {name!r} must be camelCase letters/digits, e.g. 'leadSource'")
        payload = {"objectMetadataId": object_id, "type": type, "name": name, "label": label, **extra}
        try:
            body = await self._rest("POST", "/rest/metadata/fields", json_body=payload, safe=False)
        finally:
            await self._invalidate_schema()
        return FieldInfo.from_metadata(_single(body, "POST /rest/metadata/fields"))

    async def list_webhooks(self) -> list[dict[str, Any]]:
        body = await self._rest("GET", "/rest/metadata/webhooks", safe=True)
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            return body["data"]
        if not isinstance(body, list):
            raise TwentyError(f"Twenty's webhook list has an unexpected shape: {str(body)[:300]}")
        return body

    async def create_webhook(
        self,
        target_url: str,
        operations: Sequence[str],
        description: str | None = None,
        secret: str | None = None,
    ) -> dict[str, Any]:
        """Register a webhook (``operations`` like ``["person.created", "company.*"]``). The answer
        carries the signing ``secret`` (Twenty generates one when none is given)."""
        ops = [operations] if isinstance(operations, str) else list(operations)
        if not ops:
            raise ValueError(
                "create_webhook needs at least one operation, e.g. ['person.created'] or ['*.*']"
            )
        for op in ops:
            if not re.match(r"^(\*|[A-Za-z][A-Za-z0-9]*)\.(\*|[A-Za-z][A-Za-z0-9]*)$", op):
                raise ValueError(f"webhook operation {op!r} must look like 'person.created' or 'company.*'")
        payload: dict[str, Any] = {"targetUrl": target_url, "operations": ops}
        if description is not None:
            payload["description"] = description
        if secret is not None:
            payload["secret"] = secret
        body = await self._rest("POST", "/rest/metadata/webhooks", json_body=payload, safe=False)
        if isinstance(body, dict) and isinstance(body.get("data"), dict) and "id" not in body:
            return next(iter(body["data"].values()))
        return body

    async def delete_webhook(self, id: str) -> bool:
        body = await self._rest("DELETE", f"/rest/metadata/webhooks/{_id(id)}", safe=True)
        return body is True or body == "true" or isinstance(body, dict)
