"""Pacer (token bucket) with a fake clock, and the retry policy."""

import pytest

from twenty_api.errors import (
    TwentyConnectionError,
    TwentyRateLimitError,
    TwentyServerError,
    TwentyValidationError,
)
from twenty_api.pacer import Pacer, reset_shared_pacers, shared_pacer
from twenty_api.retry import backoff_delay, make_retrying, parse_retry_after, should_retry


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.mark.anyio
async def test_bucket_allows_a_burst_then_paces_at_the_refill_rate() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60.0, clock=clock, sleep=clock.sleep)
    for _ in range(100):
        assert await pacer.acquire() == 0
    assert clock.slept == []
    start = clock.now
    for _ in range(10):
        await pacer.acquire()
    # 10 more tokens at 100/60 s = 6 s
    assert clock.now - start == pytest.approx(6.0)


@pytest.mark.anyio
async def test_bucket_refills_continuously_and_caps_at_capacity() -> None:
    clock = FakeClock()
    pacer = Pacer(10, 10.0, clock=clock, sleep=clock.sleep)
    for _ in range(10):
        await pacer.acquire()
    clock.now += 3.0
    assert pacer.tokens == pytest.approx(3.0)
    clock.now += 1000
    assert pacer.tokens == pytest.approx(10.0)


def test_concurrent_reservations_queue_up() -> None:
    clock = FakeClock()
    pacer = Pacer(2, 2.0, clock=clock)  # 1 token/s
    delays = [pacer.reserve() for _ in range(5)]
    assert delays == pytest.approx([0, 0, 1, 2, 3])


def test_drain_after_a_server_429() -> None:
    clock = FakeClock()
    pacer = Pacer(100, 60.0, clock=clock)
    pacer.drain()
    assert pacer.reserve() == pytest.approx(0.6)


def test_bad_pacer_config() -> None:
    with pytest.raises(ValueError, match="rate > 0"):
        Pacer(0, 60)


def test_shared_pacer_is_per_server_and_key() -> None:
    reset_shared_pacers()
    a = shared_pacer("https://x", "key1", 100, 60)
    assert shared_pacer("https://x", "key1", 100, 60) is a
    assert shared_pacer("https://x", "key2", 100, 60) is not a
    assert shared_pacer("https://y", "key1", 100, 60) is not a


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("3", 3.0), ("0.5", 0.5), ("-4", 0.0), ("100000", 120.0), ("soon", None)],
)
def test_parse_retry_after(value, expected) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=4.0) == pytest.approx(6.0)


def test_backoff_is_capped_and_jittered() -> None:
    assert backoff_delay(1, base=0.5, cap=8, rng=lambda: 1.0) == 0.5
    assert backoff_delay(4, base=0.5, cap=8, rng=lambda: 1.0) == 4.0
    assert backoff_delay(10, base=0.5, cap=8, rng=lambda: 1.0) == 8.0
    assert backoff_delay(10, base=0.5, cap=8, rng=lambda: 0.25) == 2.0


def _conn(unknown: bool) -> TwentyConnectionError:
    return TwentyConnectionError("x", outcome_unknown=unknown)


@pytest.mark.parametrize(
    ("exc", "safe", "expected"),
    [
        (_conn(False), False, True),  # nothing was sent: even a create may go again
        (_conn(True), False, False),  # a create may have happened: never again
        (_conn(True), True, True),
        (TwentyRateLimitError("x", status=429), False, True),  # throttled before processing
        (TwentyServerError("x", status=503), True, True),
        (TwentyServerError("x", status=503), False, False),
        (TwentyServerError("x", status=500), True, True),  # a read survives a transient 500
        (TwentyServerError("x", status=500), False, False),  # a create never goes twice
        (TwentyServerError("x", status=501), True, False),
        (TwentyValidationError("x", status=400), True, False),
    ],
)
def test_should_retry(exc, safe: bool, expected: bool) -> None:
    assert should_retry(exc, safe=safe) is expected


def test_partially_run_mutation_is_never_retried() -> None:
    exc = TwentyRateLimitError("x")
    exc.retryable = False  # type: ignore[attr-defined]
    assert should_retry(exc, safe=True) is False


@pytest.mark.anyio
async def test_retrying_honours_retry_after_and_gives_up_after_max() -> None:
    clock = FakeClock()
    attempts = 0
    retrying = make_retrying(safe=True, max_retries=3, backoff_base=0.5, backoff_max=8, sleep=clock.sleep)
    with pytest.raises(TwentyServerError):
        async for attempt in retrying:
            with attempt:
                attempts += 1
                err = TwentyServerError("x", status=503)
                err.retry_after = 7.0  # type: ignore[attr-defined]
                raise err
    assert attempts == 4
    assert clock.slept == [7.0, 7.0, 7.0]


@pytest.mark.anyio
async def test_retrying_backs_off_without_retry_after() -> None:
    clock = FakeClock()
    retrying = make_retrying(safe=True, max_retries=4, backoff_base=0.5, backoff_max=1.0, sleep=clock.sleep)
    with pytest.raises(TwentyRateLimitError):
        async for attempt in retrying:
            with attempt:
                raise TwentyRateLimitError("x", status=429)
    assert len(clock.slept) == 4
    assert all(0.5 <= s <= 1.0 for s in clock.slept)  # floor of backoff_base for 429, cap 1.0


@pytest.mark.parametrize(
    ("doc", "is_write"),
    [
        ("{ companies { totalCount } }", False),
        ("query Q { currentWorkspace { id } }", False),
        ("# mutation in a comment\n{ a }", False),
        ("{ mutationCount }", False),
        ("mutation { createCompany(data: {}) { id } }", True),
        ("fragment F on Company { id }\nmutation M { createCompany(data: {}) { ...F } }", True),
    ],
)
def test_graphql_writes_are_recognised_conservatively(doc: str, is_write: bool) -> None:
    from twenty_api.client import _is_mutation

    assert _is_mutation(doc) is is_write


def test_shared_pacer_registry_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from twenty_api import pacer as pacer_module

    reset_shared_pacers()
    monkeypatch.setattr(pacer_module, "MAX_SHARED", 50)
    held = shared_pacer("https://crm.example.com", "busy-key", 100, 60.0)
    for i in range(500):  # keys that come and go, as an HTTP server sees them
        shared_pacer("https://crm.example.com", f"gone-{i}", 100, 60.0)
        if i % 10 == 0:
            assert shared_pacer("https://crm.example.com", "busy-key", 100, 60.0) is held  # still in use
    assert len(pacer_module._SHARED) == 50
    reset_shared_pacers()
