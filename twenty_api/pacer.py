"""Client-side pacing that mirrors Twenty's per-workspace token bucket.

Twenty 2.21 throttles API-key requests on record endpoints with a bucket of 100 tokens refilled
continuously over 60 s (≈1.67/s) and answers 429 without Retry-After. Pacing ourselves makes
bulk work slow down instead of failing. The bucket is a reservation scheme: each ``acquire``
takes a token at once (the count may go negative) and sleeps until that token would exist, so
concurrent callers queue fairly without holding a lock across an await — which also keeps one
shared pacer usable from several event loops (tests start a new loop per test).
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """Token bucket: ``rate`` tokens per ``per`` seconds, capacity ``rate``, refilling continuously."""

    def __init__(
        self,
        rate: int,
        per: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or per <= 0:
            raise ValueError(f"Pacer needs rate > 0 and per > 0 (got rate={rate}, per={per})")
        self.rate = rate
        self.per = per
        self._refill_per_second = rate / per
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(rate)
        self._updated = clock()
        self._mutex = threading.Lock()

    @property
    def tokens(self) -> float:
        with self._mutex:
            self._refill(self._clock())
            return self._tokens

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.rate), self._tokens + elapsed * self._refill_per_second)
        self._updated = now

    def reserve(self) -> float:
        """Take one token; return how long the caller must wait before using it (seconds)."""
        with self._mutex:
            self._refill(self._clock())
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self._refill_per_second

    async def acquire(self) -> float:
        """Wait for a token. Returns the time waited."""
        delay = self.reserve()
        if delay > 0:
            await self._sleep(delay)
        return delay

    def drain(self) -> None:
        """The server said 429: its bucket is empty, so ours is too (other processes share it)."""
        with self._mutex:
            self._refill(self._clock())
            self._tokens = min(self._tokens, 0.0)


# Bounded: an HTTP server sees one key per user, and keys come and go; the least recently used
# entries beyond MAX_SHARED are forgotten (a client still holding one keeps using it).
MAX_SHARED = 4096
_SHARED: OrderedDict[tuple[str, str, int, float], Pacer] = OrderedDict()
_SHARED_LOCK = threading.Lock()


def shared_pacer(base_url: str, credential: str, rate: int, per: float) -> Pacer:
    """One pacer per (server, credential, rate, window) in this process.

    Twenty's bucket is per workspace and a credential belongs to one workspace, so every client
    built with the same key shares a bucket. Only a hash of the credential is kept.
    """
    fingerprint = hashlib.sha256(credential.encode()).hexdigest()[:16]
    key = (base_url, fingerprint, rate, per)
    with _SHARED_LOCK:
        pacer = _SHARED.get(key)
        if pacer is None:
            pacer = _SHARED[key] = Pacer(rate, per)
            while len(_SHARED) > MAX_SHARED:
                _SHARED.popitem(last=False)
        else:
            _SHARED.move_to_end(key)
        return pacer


def reset_shared_pacers() -> None:
    """Forget all shared pacers (tests that start a fresh fake Twenty use this)."""
    with _SHARED_LOCK:
        _SHARED.clear()
