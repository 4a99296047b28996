"""Fixtures for the client's behaviour tests (the fake Twenty itself comes from tests/conftest.py)."""

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import pytest

from twenty_api import TwentyClient
from twenty_api.pacer import reset_shared_pacers
from twenty_api.schema import SchemaCache


@pytest.fixture(autouse=True)
def _fresh_pacers() -> Iterator[None]:
    # Each test gets a freshly reset fake; a bucket shared from an earlier test would mislead.
    reset_shared_pacers()
    yield
    reset_shared_pacers()


def make_client(target, **kwargs) -> TwentyClient:
    """A client for a fake (``.base_url``/``.api_key``) or a bare base URL, with quick backoff."""
    base_url = target if isinstance(target, str) else target.base_url
    if "api_key" not in kwargs:
        kwargs["api_key"] = getattr(target, "api_key", "test-key")
    kwargs.setdefault("backoff_base", 0.02)
    kwargs.setdefault("backoff_max", 0.2)
    kwargs.setdefault("schema_cache", SchemaCache())
    return TwentyClient(base_url, **kwargs)


@pytest.fixture
async def client(fake_twenty) -> AsyncIterator[TwentyClient]:
    async with make_client(fake_twenty) as c:
        yield c


@pytest.fixture
async def empty_client(fake_twenty_empty) -> AsyncIterator[TwentyClient]:
    async with make_client(fake_twenty_empty) as c:
        yield c


def count(fake, method: str, path: str) -> int:
    return sum(1 for r in fake.requests if r.method == method and r.path == path)


@contextmanager
def bucket(fake, capacity: int, window: float) -> Iterator[None]:
    """Switch on the fake's per-workspace rate limit with a small bucket, for this block only."""
    original = fake.runtime.limiter
    if hasattr(fake, "set_rate_limit"):
        fake.set_rate_limit(capacity, window)
    else:  # milestone-1 fake: no setter yet
        from tests.fake_twenty.runtime import TokenBucket

        fake.runtime.limiter = TokenBucket(capacity=capacity, window=window)
        fake.runtime.rate_limit_enabled = True
    try:
        yield
    finally:
        fake.runtime.rate_limit_enabled = False
        fake.runtime.limiter = original
        original.capacity, original.window = 100, 60.0
        original.reset()
