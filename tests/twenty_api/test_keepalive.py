"""Connections to Twenty stay warm across an agent's pauses (httpx's default drops them after 5 s)."""

from __future__ import annotations

from typing import Any

import pytest

from twenty_api import TwentyClient
from twenty_api.client import KEEPALIVE_EXPIRY_S

pytestmark = pytest.mark.anyio


def _pool(client: TwentyClient) -> Any:
    return client._http._transport._pool  # type: ignore[attr-defined]


async def test_one_connection_kept_for_a_minute_of_idleness(fake_twenty: Any) -> None:
    assert KEEPALIVE_EXPIRY_S >= 60
    async with TwentyClient(fake_twenty.base_url, api_key=fake_twenty.api_key, rate_limit=None) as client:
        assert _pool(client)._keepalive_expiry == KEEPALIVE_EXPIRY_S
        await client.list_records("companies", limit=1)
        (conn,) = _pool(client).connections
        await client.list_records("companies", limit=1)
        assert _pool(client).connections == [conn]  # the same keep-alive connection, reused
