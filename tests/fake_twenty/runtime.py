"""The fake's mutable runtime: store, credentials, rate limiter, faults and the request log."""

from __future__ import annotations

import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from starlette.requests import Request

from .apps import Apps
from .errors import TwentyHttpError
from .store import API_KEY_ACTOR, USER_ACTOR, Actor, Store

USER_EMAIL = "tim@apple.dev"
USER_PASSWORD = "tim@apple.dev"  # Twenty's development seed uses the e-mail as password
ACCESS_TOKEN_TTL = 30 * 60.0  # what the fake's expiresAt always said; tests may shorten it
REFRESH_TOKEN_TTL = 60 * 24 * 3600.0


class LoggedRequest(NamedTuple):
    method: str
    path: str
    auth_kind: str  # "api_key" | "user" | "none" | "invalid"


@dataclass(frozen=True)
class Principal:
    kind: str  # "api_key" | "user"
    actor: Actor
    api_key_id: str | None = None

    @property
    def is_user(self) -> bool:
        return self.kind == "user"


class TokenBucket:
    """Twenty's per-workspace bucket: ``capacity`` tokens, refilled evenly over ``window`` seconds."""

    def __init__(self, capacity: int = 100, window: float = 60.0) -> None:
        self.capacity = capacity
        self.window = window
        self._tokens = float(capacity)
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._tokens = float(self.capacity)
            self._stamp = time.monotonic()

    def take(self) -> bool:
        with self._lock:
            now = time.monotonic()
            rate = self.capacity / self.window
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * rate)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False

    @property
    def message(self) -> str:
        return f"Limit reached ({self.capacity} tokens per {int(self.window * 1000)} ms)"


@dataclass
class Faults:
    """Switchable faults for reliability tests.

    ``fail_next(status, n)`` answers the next ``n`` matching requests with a 2.21-shaped error;
    ``drop_next(n)`` cuts the next ``n`` connections mid-answer (with ``after_processing=True`` the
    request is handled first, so a create happens but the caller never hears of it: the ambiguous
    failure a client must not blindly retry); ``latency`` delays every answer.
    """

    latency: float = 0.0
    # a share of all requests (0..1) answered 502 before anything runs, like a flaky upstream
    # (issue: 30 % made every deploy abort while planning); seeded, so a test is repeatable
    ratio: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(2121))
    _fail: list[list[Any]] = field(default_factory=list)  # [status, path prefix, matches to let pass]
    _drop: list[tuple[str | None, bool]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int, n: int = 1, *, path_prefix: str | None = None, after: int = 0) -> None:
        """Fail the next `n` matching requests, once `after` matching ones went through."""
        with self._lock:
            self._fail.extend([[status, path_prefix, after] for _ in range(n)])

    def drop_next(
        self, n: int = 1, *, path_prefix: str | None = None, after_processing: bool = False
    ) -> None:
        with self._lock:
            self._drop.extend([(path_prefix, after_processing)] * n)

    def clear(self) -> None:
        with self._lock:
            self.latency = 0.0
            self.ratio = 0.0
            self._fail.clear()
            self._drop.clear()

    def take_failure(self, path: str) -> int | None:
        with self._lock:
            for i, (status, prefix, after) in enumerate(self._fail):
                if prefix is None or path.startswith(prefix):
                    if after:
                        self._fail[i][2] -= 1
                        break
                    del self._fail[i]
                    return status
            if self.ratio and path != "/healthz" and self.rng.random() < self.ratio:
                return 502
        return None

    def take_drop(self, path: str) -> str | None:
        """None, or "before" / "after" (processing) for the next matching dropped connection."""
        with self._lock:
            for i, (prefix, after) in enumerate(self._drop):
                if prefix is None or path.startswith(prefix):
                    del self._drop[i]
                    return "after" if after else "before"
        return None


@dataclass
class Runtime:
    store: Store = field(default_factory=Store)
    api_key: str = field(default_factory=lambda: "fake-api-key-" + secrets.token_hex(16))
    user_token: str = field(default_factory=lambda: "fake-user-token-" + secrets.token_hex(16))
    user_email: str = USER_EMAIL
    user_password: str = USER_PASSWORD
    rate_limit_enabled: bool = False
    ai_configured: bool = False  # True: createOneAgent/updateOneAgent accept any modelId
    # Lifetime of the user access tokens the fake issues (login, sign-in/up, renewToken), seconds.
    access_token_ttl: float = ACCESS_TOKEN_TTL
    token_expiry: dict[str, float] = field(default_factory=dict)  # issued access token → time.time() deadline
    refresh_tokens: dict[str, Principal] = field(default_factory=dict)
    revoked_refresh_tokens: set[str] = field(default_factory=set)
    limiter: TokenBucket = field(default_factory=TokenBucket)
    faults: Faults = field(default_factory=Faults)
    requests: list[LoggedRequest] = field(default_factory=list)
    extra_tokens: dict[str, Principal] = field(default_factory=dict)
    apps: Apps = field(default_factory=Apps)
    # the workspace's settings changed through updateWorkspace, and whether it has an owner yet
    workspace_settings: dict[str, Any] = field(default_factory=lambda: {"owned": True})
    lock: threading.RLock = field(default_factory=threading.RLock)

    def reset(self, *, seeded: bool | None = None) -> None:
        with self.lock:
            self.store.reset(seeded=seeded)
            self.requests.clear()
            self.faults.clear()
            self.limiter = TokenBucket()
            self.extra_tokens.clear()
            self.apps.reset()
            self.apps.route_handlers.clear()
            self.rate_limit_enabled = False
            self.ai_configured = False
            self.access_token_ttl = ACCESS_TOKEN_TTL
            self.token_expiry.clear()
            self.refresh_tokens.clear()
            self.revoked_refresh_tokens.clear()
            self.workspace_settings = {"owned": self.store.seeded}
            self.__dict__.pop("_oauth", None)  # oauth.py's state (registrations, codes, tokens)

    def issue_user_tokens(self, principal: Principal) -> dict[str, Any]:
        """An AuthTokenPair (metadata introspection): a user access token that expires after
        ``access_token_ttl`` and a refresh token for ``renewToken``."""
        access = "fake-user-token-" + secrets.token_hex(16)
        refresh = "fake-refresh-" + secrets.token_hex(16)
        self.extra_tokens[access] = principal
        self.token_expiry[access] = time.time() + self.access_token_ttl
        self.refresh_tokens[refresh] = principal
        return {
            "__typename": "AuthTokenPair",
            "accessOrWorkspaceAgnosticToken": {"token": access, "expiresAt": _iso_in(self.access_token_ttl)},
            "refreshToken": {"token": refresh, "expiresAt": _iso_in(REFRESH_TOKEN_TTL)},
        }

    def expire_access_tokens(self) -> None:
        """Make every issued user access token expired now (renewToken still works)."""
        with self.lock:
            for token in self.token_expiry:
                self.token_expiry[token] = 0.0

    def _expired(self, token: str | None) -> bool:
        deadline = self.token_expiry.get(token or "")
        return deadline is not None and time.time() >= deadline

    def principal_for(self, token: str | None) -> Principal | None:
        if self._expired(token):
            return None
        if token == self.api_key:
            return Principal("api_key", API_KEY_ACTOR, api_key_id="20202020-f401-4d8a-a731-64d007c27bad")
        if token == self.user_token:
            return Principal("user", USER_ACTOR)
        return self.extra_tokens.get(token or "")

    def authenticate(self, request: Request) -> Principal:
        """The caller's principal, or Twenty's 403 (no token) / 401 (unknown token) answer."""
        token = bearer_token(request)
        if not token:
            raise TwentyHttpError.missing_token()
        principal = self.principal_for(token)
        if principal is None and self._expired(token):
            # jwt-wrapper.service.ts toAuthException (TokenExpiredError); shaped like "Token invalid." below
            raise TwentyHttpError(
                401, {"statusCode": 401, "messages": ["Token has expired."], "error": "UNAUTHENTICATED"}
            )
        if principal is None:
            # Not in the captured contract; shaped like the missing-token answer (AuthException).
            raise TwentyHttpError(
                401, {"statusCode": 401, "messages": ["Token invalid."], "error": "UNAUTHENTICATED"}
            )
        return principal

    def auth_kind(self, request: Request) -> str:
        token = bearer_token(request)
        if not token:
            return "none"
        principal = self.principal_for(token)
        return principal.kind if principal else "invalid"

    def take_rate_token(self, principal: Principal) -> bool:
        """True if the request may proceed (only API-key record queries are throttled)."""
        if not self.rate_limit_enabled or principal.kind != "api_key":
            return True
        return self.limiter.take()


def _iso_in(seconds: float) -> str:
    moment = datetime.now(UTC) + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None
