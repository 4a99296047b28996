"""The transport core of TwentyClient: one authenticated path to the wire (``_send``), the retry
policy around it (``_with_retries``/``_retry_loop``), pacing and error mapping.

Every resource family (records, GraphQL, aggregates, metadata, webhooks) reaches Twenty through
``_rest``/``_request`` → ``_send`` or ``_graphql_call`` → ``_send``. Three calls deliberately do not:
the public auth mutations in ``twenty_api.session`` (``login``'s two steps, ``public_graphql``, and
``_renew_session``). They run before a credential exists or while it is expired, so they must not
send the Authorization header, are never paced or retried (sign-up is not safe to repeat), map a
refusal to TwentyAuthError rather than to REST errors, and send httpx's compact JSON encoding:
putting them through ``_send`` would change their wire bytes and their errors. ``login`` and
``public_graphql`` share ``anonymous_http`` + ``post_anonymous`` from here; ``_renew_session`` uses
the client's own connection pool with the Authorization header removed and ``_dumps`` encoding,
so it stays a separate (not retried, not paced) request.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, Self, TypeVar
from urllib.parse import quote

import httpx
import orjson
from tenacity import RetryCallState

from twenty_api.deadline import remaining
from twenty_api.errors import (
    TwentyAuthError,
    TwentyConnectionError,
    TwentyError,
    TwentyRateLimitError,
    TwentyUserSessionRequired,
    TwentyValidationError,
    error_from_response,
)
from twenty_api.pacer import Pacer, shared_pacer
from twenty_api.retry import make_retrying, parse_retry_after
from twenty_api.schema import SchemaCache, default_schema_cache
from twenty_api.urls import normalize_base_url

log = logging.getLogger("twenty_api")
T = TypeVar("T")

USER_AGENT = "twenty-gcp-twenty_api/0.1"
# httpx drops an idle connection after 5 s by default, so every agent pause longer than that (an
# LLM writing its next step) paid a new TCP + TLS handshake to a remote Twenty. Google's front end
# (Cloud Run, the HTTPS load balancer) keeps idle client connections ~10 minutes; 60 s covers an
# agent's pauses and stays well inside that. A connection the server closed first is seen as
# readable-at-EOF and replaced before reuse.
KEEPALIVE_EXPIRY_S = 60.0

Multipart = tuple[dict[str, str], list[tuple[str, tuple[str, bytes, str]]]]


def _q(value: str) -> str:
    # Encode like the captured requests: brackets, quotes, colons, commas, spaces escaped;
    # parentheses of and(...)/or(...)/not(...) left as they are.
    return quote(value, safe="()")


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
        # orjson: ~0.35 ms for a 60-record page (~64 KB) where pydantic_core.from_json and json.loads
        # take ~1.1 ms; the largest single cost an MCP list call adds to Twenty's own answer. It reads
        # an integer beyond 64 bits as a float: Twenty (Node) writes every number from a JS double
        # (JSON.stringify throws on a BigInt), so that float is exactly the number Twenty had.
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        pass
    try:  # what orjson refuses but Python's json reads (1e400 as inf)
        return json.loads(response.content)
    except ValueError:
        return response.text


def anonymous_http(timeout: float, transport: httpx.AsyncBaseTransport | None) -> httpx.AsyncClient:
    """A short-lived client with no credential, for the public auth mutations."""
    return httpx.AsyncClient(
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        transport=transport,
        follow_redirects=False,
    )


async def post_anonymous(
    http: httpx.AsyncClient, url: str, payload: dict[str, Any], where: str
) -> tuple[httpx.Response, Any]:
    """POST a public GraphQL document with ``http`` (from ``anonymous_http``): the response and its
    parsed body. Twenty not answering at all is a TwentyConnectionError naming ``where``."""
    try:
        response = await http.post(url, json=payload)
    except httpx.TransportError as exc:
        raise TwentyConnectionError(
            f"Could not reach Twenty at {where} ({type(exc).__name__}: {exc})"
        ) from exc
    return response, _json_body(response)


class ClientCore:
    """Construction, lifetime and the one authenticated transport path of TwentyClient."""

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

    async def __aenter__(self) -> Self:
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
        multipart: Multipart | None = None,
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
        """Renew an expired user session: provided by ``twenty_api.session.SessionMixin``."""
        raise cause

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
