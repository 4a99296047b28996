"""Fixtures shared by every test area. Area-specific fixtures live in each area's conftest."""

from collections.abc import Iterator

import pytest

from tests.fake_twenty import FakeTwenty
from tests.fake_twenty.contract_data import ContractDataMissing


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _started(seeded: bool) -> FakeTwenty:
    try:
        return FakeTwenty(seeded=seeded).start()
    except ContractDataMissing as exc:  # the fake is built from the captured contract
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def _fake_twenty_server() -> Iterator[FakeTwenty]:
    fake = _started(seeded=True)
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def _fake_twenty_empty_server() -> Iterator[FakeTwenty]:
    fake = _started(seeded=False)
    yield fake
    fake.stop()


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
