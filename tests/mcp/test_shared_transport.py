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
