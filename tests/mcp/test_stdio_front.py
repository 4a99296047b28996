"""The stdio front (mcp_server/stdio_front.py) answers the handshake and tools/list before the SDK
is imported: its answers must be the server's own, and the hand-over must leave the SDK's session
as if it had read the connection from the start."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from mcp_server import catalog, stdio_front
from mcp_server.server import build_server
from mcp_server.settings import ALL_GROUPS, ServerSettings
from twenty_api.settings import TwentySettings

from .conftest import REPO, answer_of, server_env

pytestmark = pytest.mark.anyio


def _settings(**kw: Any) -> ServerSettings:
    base = {
        "twenty": TwentySettings(api_url="http://127.0.0.1:9", api_key="k"),
        "mcp_primer_path": "/tmp/p.md",
    }
    return ServerSettings(**{**base, **kw})


def test_catalogue_groups_are_the_settings_groups() -> None:
    loaded = catalog.load()
    assert loaded is not None and {e["group"] for e in loaded["tools"]} == set(ALL_GROUPS)


@pytest.mark.parametrize(
    "read_only, groups",
    [("false", "all"), ("true", "all"), ("TRUE", "core"), ("no", "records,webhooks"), ("1", "")],
)
async def test_front_tools_list_is_the_servers(read_only: str, groups: str) -> None:
    loaded = catalog.load()
    assert loaded is not None
    scope = stdio_front.quick_scope(loaded, {"MCP_READ_ONLY": read_only, "MCP_TOOL_GROUPS": groups})
    assert scope is not None
    server = build_server(_settings(mcp_read_only=read_only, mcp_tool_groups=groups))
    tools = await server.list_tools()
    published = [t.model_dump(mode="json", by_alias=True, exclude_none=True) for t in tools]
    assert stdio_front.tools_list(loaded, *scope) == {"tools": published}


@pytest.mark.parametrize("value", ["maybe", " true", "", "yes", "Off"])
def test_front_reads_read_only_as_the_settings_do_or_leaves_it_to_them(value: str) -> None:
    loaded = catalog.load()
    assert loaded is not None
    scope = stdio_front.quick_scope(loaded, {"MCP_READ_ONLY": value})
    try:
        expected = _settings(mcp_read_only=value).mcp_read_only
    except ValueError:
        assert scope is None  # the classic start-up reports the bad setting
    else:
        assert scope is not None and scope[0] is expected


def test_unknown_group_is_left_to_the_settings() -> None:
    loaded = catalog.load()
    assert loaded is not None
    assert stdio_front.quick_scope(loaded, {"MCP_TOOL_GROUPS": "core,nope"}) is None


@pytest.mark.parametrize("front", ["1", "0"])
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_session_start_then_a_call_after_the_hand_over(
    fake_twenty: Any, tmp_path: Path, front: str, mode: str
) -> None:
    """Claude Code opens with initialize ('legacy'), the SDK's own client with the 2026-07-28
    server/discover ('auto'): the front answers that and tools/list, then the first call goes to
    the SDK with the opening replayed. Same answers with the front off."""
    env = server_env(fake_twenty, tmp_path, MCP_STDIO_FRONT=front, MCP_READ_ONLY="true")
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], env=env, cwd=str(REPO))
    async with Client(params, cache=None, mode=mode) as client:
        tools = {t.name for t in (await client.list_tools()).tools}
        assert "twenty_list_records" in tools and "twenty_create_record" not in tools  # read-only
        resources = {str(r.uri) for r in (await client.list_resources()).resources}
        assert resources == {"twenty://primer", "twenty://api/info"}
        page = answer_of(await client.call_tool("twenty_list_records", {"object": "people", "limit": 2}))
        assert len(page["records"]) == 2
        refused = await client.call_tool("twenty_create_record", {"object": "people", "data": {"x": 1}})
        assert refused.is_error and "read-only" in refused.content[0].text
        info = json.loads((await client.read_resource("twenty://api/info")).contents[0].text)
        assert info["mode"] == "read-only"


async def test_first_call_after_the_front_finds_the_schema_warm(fake_twenty: Any, tmp_path: Path) -> None:
    """The SDK never sees the tools/list the front answered, so the builder thread warms the
    schema cache itself: the first call then asks Twenty for its records only."""
    import anyio

    env = server_env(fake_twenty, tmp_path)
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], env=env, cwd=str(REPO))
    async with Client(params, cache=None, mode="legacy") as client:
        await client.list_tools()
        for _ in range(600):  # the builder's warm-up reaches Twenty within seconds
            if any("metadata" in path for _, path, _ in list(fake_twenty.requests)):
                break
            await anyio.sleep(0.05)
        await anyio.sleep(1.0)  # the builder stores the workspace id once its fetch returns
        before = len(fake_twenty.requests)
        page = answer_of(await client.call_tool("twenty_list_records", {"object": "people", "limit": 1}))
        during = [path for _, path, _ in list(fake_twenty.requests)[before:]]
    assert len(page["records"]) == 1
    assert during == ["/rest/people"], during
