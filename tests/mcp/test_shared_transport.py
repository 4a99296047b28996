"""The MCP server's clients share one connection pool (runtime.SharedTransport); it keeps a
connection to Twenty for twenty_api's KEEPALIVE_EXPIRY_S of idleness, as docs/mcp.md says (it
kept 30 s: a client given a transport uses that pool's limits, not its own)."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_server.server import build_server
from mcp_server.settings import ServerSettings
from twenty_api.settings import TwentySettings
from twenty_api.transport import KEEPALIVE_EXPIRY_S

pytestmark = pytest.mark.anyio


async def test_the_shared_pool_keeps_connections_for_a_minute(fake_twenty: Any, tmp_path: Any) -> None:
    settings = ServerSettings(
        twenty=TwentySettings(api_url=fake_twenty.base_url, api_key=fake_twenty.api_key),
        mcp_primer_path=str(tmp_path / "primer.md"),
    )
    runtime = build_server(settings).runtime
    pool = runtime.shared_transport()._inner._pool
    assert KEEPALIVE_EXPIRY_S >= 60 and pool._keepalive_expiry == KEEPALIVE_EXPIRY_S
    client = runtime.client_for(fake_twenty.api_key)
    await client.list_records("companies", limit=1)
    (conn,) = pool.connections
    await client.list_records("companies", limit=1)
    assert pool.connections == [conn]
    await runtime.aclose()


async def test_the_twenty_tuning_settings_reach_the_servers_clients(fake_twenty: Any, tmp_path: Any) -> None:
    """TWENTY_TIMEOUT / TWENTY_MAX_RETRIES / TWENTY_RATE_LIMIT are read by the MCP server's clients,
    as twenty_api/settings.py says (runtime.client_for used to build every client with the defaults)."""
    env = {
        "TWENTY_API_URL": fake_twenty.base_url,
        "TWENTY_API_KEY": fake_twenty.api_key,
        "TWENTY_TIMEOUT": "7",
        "TWENTY_MAX_RETRIES": "1",
        "TWENTY_RATE_LIMIT": "off",
    }
    settings = ServerSettings(
        twenty=TwentySettings.from_env(env), mcp_primer_path=str(tmp_path / "primer.md")
    )
    runtime = build_server(settings).runtime
    client = runtime.client_for(fake_twenty.api_key)
    assert (client._timeout, client.max_retries, client.pacer) == (7.0, 1, None)
    paced = build_server(
        ServerSettings(
            twenty=TwentySettings.from_env({**env, "TWENTY_RATE_LIMIT": "30"}),
            mcp_primer_path=str(tmp_path / "primer.md"),
        )
    ).runtime.client_for(fake_twenty.api_key)
    assert paced.pacer is not None and paced.pacer.rate == 30
    await runtime.aclose()
