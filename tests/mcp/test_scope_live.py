"""The scope finding of the remote-MCP issue, on the real thing: with MCP_ALLOWED_OBJECTS=companies a
real 2.21.0 answered `companies(filter:{accountOwner:{name:{firstName:{eq:"Tim"}}}})` with 193,
"Phil" 186, "Zzz" 0 — a count oracle into workspace members. Over stdio with the SDK's client,
every relation path is now refused before Twenty is asked, and the allowed object still answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.live_twenty import LiveTwenty

from .conftest import answer_of, server_env, stdio_session

pytestmark = [pytest.mark.anyio, pytest.mark.live]

ESCAPES: list[tuple[str, dict[str, Any]]] = [
    (
        "twenty_graphql",
        {"query": '{ companies(filter:{accountOwner:{name:{firstName:{eq:"Tim"}}}}) { totalCount } }'},
    ),
    (
        "twenty_aggregate",
        {"object": "companies", "operation": "count", "filter": 'accountOwner.name.firstName[eq]:"Tim"'},
    ),
    ("twenty_list_records", {"object": "companies", "filter": 'accountOwner.name.firstName[eq]:"Tim"'}),
    (
        "twenty_list_records",
        {"object": "companies", "order_by": "accountOwner.name.firstName[AscNullsFirst]"},
    ),
    ("twenty_list_records", {"object": "people", "limit": 1}),
]


async def test_relation_paths_cannot_reach_past_the_allow_list(tmp_path: Path) -> None:
    live = LiveTwenty()
    env = server_env(live, tmp_path, MCP_ALLOWED_OBJECTS="companies")
    async with stdio_session(env) as client:
        for name, args in ESCAPES:
            result = await client.call_tool(name, args)
            text = " ".join(getattr(c, "text", "") for c in result.content)
            assert result.is_error, f"{name}({args}) escaped the allow-list: {text[:300]}"
        page = await client.call_tool("twenty_list_records", {"object": "companies", "limit": 2})
        assert not page.is_error and len(answer_of(page)["records"]) == 2
