"""When and how long to retry (tenacity does the looping).

Rules:
- Retry on 429, 502, 503, 504 and on connection failures, at most ``max_retries`` times, with
  capped exponential backoff and full jitter; a ``Retry-After`` header wins when sent (2.21
  sends none). A safe request is also retried on any other 5xx (2.21 answers a lost database
  connection or a worker restart with a plain 500).
- A call's deadline (deadline.py) ends the retries early: no attempt starts after it and no
  backoff sleeps past it.
- Only requests that are safe to repeat: reads (GET/HEAD, GraphQL queries, duplicate search),
  PATCH/PUT to one id, DELETE. A create (POST) is retried only when Twenty provably did not
  process it: a 429 (the throttler answers before the handler runs) or a failure to connect
  (nothing was sent). A create whose connection broke after sending is NEVER retried: the
  error says the outcome is unknown.
"""

from __future__ import annotations

import asyncio
import email.utils
import random
import time
from collections.abc import Awaitable, Callable

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from twenty_api.deadline import remaining
from twenty_api.errors import (
    TwentyConnectionError,
    TwentyError,
    TwentyRateLimitError,
    TwentyServerError,
)

RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})
MAX_RETRY_AFTER = 120.0


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def should_retry(exc: BaseException, *, safe: bool) -> bool:
    """Whether a failed attempt may be repeated, given whether the request is safe to repeat."""
    if getattr(exc, "retryable", True) is False:
        return False
    if isinstance(exc, TwentyConnectionError):
        return safe or not exc.outcome_unknown
    if isinstance(exc, TwentyRateLimitError):
        return True  # refused before processing, even for a create
    if isinstance(exc, TwentyServerError) and exc.status is not None:
        if exc.status in RETRYABLE_STATUSES:
            return safe
        return safe and exc.status >= 500 and exc.status != 501
    return False


def backoff_delay(
    attempt: int, *, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """Full-jitter exponential backoff: uniform(0, min(cap, base * 2**(attempt-1)))."""
    return rng() * min(cap, base * (2 ** max(0, attempt - 1)))


def make_retrying(
    *,
    safe: bool,
    max_retries: int,
    backoff_base: float,
    backoff_max: float,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    before_sleep: Callable[[RetryCallState], Awaitable[None] | None] | None = None,
) -> AsyncRetrying:
    def wanted(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return float(retry_after)
        floor = 0.0
        if isinstance(exc, TwentyRateLimitError):
            # With no Retry-After, wait at least long enough for the server's bucket to refill a bit.
            floor = backoff_base
        return max(floor, backoff_delay(state.attempt_number, base=backoff_base, cap=backoff_max))

    def wait(state: RetryCallState) -> float:
        left = remaining()
        return wanted(state) if left is None else min(wanted(state), left)

    def past_deadline(state: RetryCallState) -> bool:
        left = remaining()
        return left is not None and left <= 0.05

    return AsyncRetrying(
        stop=stop_after_attempt(max_retries + 1) | past_deadline,
        retry=retry_if_exception(lambda e: isinstance(e, TwentyError) and should_retry(e, safe=safe)),
        wait=wait,
        sleep=sleep,
        reraise=True,
        before_sleep=before_sleep,
    )
