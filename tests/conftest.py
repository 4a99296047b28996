"""Fixtures shared by every test area. Area-specific fixtures live in each area's conftest."""

import pytest


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
