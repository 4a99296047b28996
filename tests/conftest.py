"""Fixtures shared by every test area. Area-specific fixtures live in each area's conftest."""

from collections.abc import Iterator

import pytest

from tests.fake_twenty import FakeTwenty


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def _fake_twenty_server() -> Iterator[FakeTwenty]:
    with FakeTwenty(seeded=True) as fake:
        yield fake


@pytest.fixture(scope="session")
def _fake_twenty_empty_server() -> Iterator[FakeTwenty]:
    with FakeTwenty(seeded=False) as fake:
        yield fake


@pytest.fixture
def fake_twenty(_fake_twenty_server: FakeTwenty) -> FakeTwenty:
    """A fake Twenty 2.21 over real HTTP on loopback, reset to the captured seed for this test."""
    _fake_twenty_server.reset()
    return _fake_twenty_server


@pytest.fixture
def fake_twenty_empty(_fake_twenty_empty_server: FakeTwenty) -> FakeTwenty:
    """Same as ``fake_twenty`` but with an empty workspace (no records), like ``--empty``."""
    _fake_twenty_empty_server.reset()
    return _fake_twenty_empty_server
