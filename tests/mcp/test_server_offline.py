"""The server without Twenty: tool surface, annotations, groups, read-only hiding and refusal."""

import pytest
from mcp import Client

import mcp_server.tools  # noqa: F401 - fills the registry
from mcp_server import catalog
from mcp_server.registry import TOOLS, write_tools
from mcp_server.server import build_server
from mcp_server.settings import ServerSettings
from twenty_api.settings import TwentySettings

EXPECTED = {
    "twenty_list_records",
    "twenty_get_record",
    "twenty_create_record",
    "twenty_update_record",
    "twenty_delete_record",
    "twenty_batch_create",
    "twenty_restore_record",
    "twenty_find_duplicates",
    "twenty_merge_records",
    "twenty_create_workflow",
    "twenty_update_workflow",
    "twenty_run_workflow",
    "twenty_activate_workflow",
    "twenty_deactivate_workflow",
    "twenty_list_workflow_triggers",
    "twenty_get_workflow_runs",
    "twenty_list_pipeline_stages",
    "twenty_move_opportunity_stage",
    "twenty_create_dashboard",
    "twenty_generate_dashboard",
    "twenty_duplicate_dashboard",
    "twenty_get_dashboard",
    "twenty_update_dashboard",
    "twenty_create_view",
    "twenty_update_view",
    "twenty_delete_view",
    "twenty_list_views",
    "twenty_search",
    "twenty_aggregate",
    "twenty_get_timeline",
    "twenty_predict",
    "twenty_forecast_revenue",
    "twenty_create_task",
    "twenty_create_note",
    "twenty_list_message_threads",
    "twenty_get_messages_in_thread",
    "twenty_send_email",
    "twenty_add_to_blocklist",
    "twenty_list_blocklist",
    "twenty_list_calendar_events",
    "twenty_add_favorite",
    "twenty_list_workspace_members",
    "twenty_get_workspace_member",
    "twenty_list_connected_accounts",
    "twenty_list_objects",
    "twenty_get_object_schema",
    "twenty_create_custom_object",
    "twenty_add_field_to_object",
    "twenty_create_webhook",
    "twenty_list_webhooks",
    "twenty_delete_webhook",
    "twenty_graphql",
    "twenty_get_primer",
}


def settings(**kw: object) -> ServerSettings:
    base = {
        "twenty": TwentySettings(api_url="http://127.0.0.1:9", api_key="k"),
        "mcp_primer_path": "/tmp/p.md",
    }
    return ServerSettings(**{**base, **kw})


@pytest.mark.anyio
async def test_every_named_tool_with_schema_annotations_and_output() -> None:
    async with Client(build_server(settings()), cache=None) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == EXPECTED
    for tool in tools.values():
        assert tool.description and len(tool.description) > 40, tool.name
        # Answers are one compact text block (docs/mcp.md), so no outputSchema is promised.
        assert tool.output_schema is None, tool.name
        ann = tool.annotations
        assert ann is not None and ann.read_only_hint is not None and ann.destructive_hint is not None
        if tool.name in write_tools():
            assert ann.read_only_hint is False
    assert tools["twenty_delete_record"].annotations.destructive_hint is True
    assert tools["twenty_list_records"].annotations.read_only_hint is True
    assert tools["twenty_graphql"].annotations.read_only_hint is False  # it may mutate
    assert "amountMicros" in tools["twenty_create_record"].description
    assert "filter" in tools["twenty_list_records"].input_schema["properties"]


@pytest.mark.anyio
async def test_read_only_hides_and_refuses_every_write_tool() -> None:
    async with Client(build_server(settings(mcp_read_only=True)), cache=None) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert names == EXPECTED - write_tools()
        assert "twenty_graphql" in names
        for name in sorted(write_tools()):
            result = await client.call_tool(name, {})
            assert result.is_error, name
            assert "read-only" in result.content[0].text, name


@pytest.mark.anyio
async def test_tool_groups_select_the_core() -> None:
    async with Client(build_server(settings(mcp_tool_groups="core")), cache=None) as client:
        names = {t.name for t in (await client.list_tools()).tools}
    assert names == {n for n, spec in TOOLS.items() if spec.group == "core"}
    assert {"twenty_list_records", "twenty_search", "twenty_graphql", "twenty_get_primer"} <= names
    assert len(names) < 15


def test_unknown_group_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown group"):
        settings(mcp_tool_groups="core,bogus")


@pytest.mark.anyio
async def test_bad_arguments_are_tool_errors_naming_the_field() -> None:
    async with Client(build_server(settings()), cache=None) as client:
        r = await client.call_tool("twenty_get_record", {"object": "people", "id": "not-a-uuid"})
        assert r.is_error and "id" in r.content[0].text
        r = await client.call_tool("twenty_list_records", {"object": "people", "limit": 500})
        assert r.is_error and "limit" in r.content[0].text
        r = await client.call_tool("twenty_batch_create", {"object": "people", "records": [{}] * 61})
        assert r.is_error and "records" in r.content[0].text


def test_committed_catalog_matches_the_code() -> None:
    """tools/list is served from tool_catalog.json; regenerate with `python -m mcp_server.catalog`."""
    assert catalog.load() == catalog.generate()
