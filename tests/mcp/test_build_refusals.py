"""The build tools when something is wrong: bad widgets, views and relations are refused before any
write; a step Twenty refuses midway leaves nothing behind; the object scope holds on a chart's
source object, a table's object, a view's object and a relation's target (fake and live); and the
fake keeps 2.21's dashboard hooks (fake and live)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import answer_of, server_env, stdio_session
from .test_build_tools import PAGE_LAYOUT, RUN, Twenty, _clean
from .test_stdio import text_of

pytestmark = pytest.mark.anyio


def _built(fake: Any) -> dict[str, int]:
    entities = fake.state.entities
    return {
        k: len(entities.get(k, {})) for k in ("pageLayouts", "pageLayoutTabs", "pageLayoutWidgets", "views")
    }


async def test_bad_widgets_are_refused_before_any_write(fake_twenty: Any, tmp_path: Path) -> None:
    async with stdio_session(server_env(fake_twenty, tmp_path)) as client:
        await client.call_tool("twenty_list_views", {"object": "opportunities"})  # the INDEX views exist
        before, dashboards = _built(fake_twenty), len(fake_twenty.records("dashboards"))
        chart = {"kind": "chart", "title": "T", "chart": "bar", "object": "opportunities"}
        cases = [
            (
                {
                    **chart,
                    "group_by": "stage",
                    "filters": [{"field": "stage", "operand": "IS", "value": ["NOPE"]}],
                },
                "NOPE",
                "Options: NEW",
            ),
            ({**chart, "operation": "SUM", "field": "name", "group_by": "stage"}, "number field"),
            ({**chart, "group_by": "company"}, "company.name"),
            ({**chart}, "group_by"),
            ({**chart, "group_by": "stags"}, "stags", "not a field of opportunities"),
            (
                {
                    **chart,
                    "group_by": "stage",
                    "position": {"row": 0, "column": 8, "row_span": 2, "column_span": 6},
                },
                "goes past the grid",
            ),
            (
                {"kind": "record_table", "title": "T", "object": "opportunities", "fields": ["name", "name"]},
                "twice",
            ),
            (
                {"kind": "chart", "title": "T", "chart": "pie", "object": "spaceships", "group_by": "x"},
                "spaceships",
            ),
        ]
        for widget, *expected in cases:
            result = await client.call_tool(
                "twenty_create_dashboard",
                {
                    "title": "Never",
                    "widgets": [{**widget}, {"kind": "rich_text", "title": "ok", "text": "x"}],
                },
            )
            message = text_of(result)
            assert result.is_error, widget
            for needle in expected:
                assert needle in message, (needle, message)
        for args, needle in [
            ({"object": "opportunities", "name": "K", "view_type": "kanban"}, "group_by"),
            ({"object": "opportunities", "name": "K", "view_type": "kanban", "group_by": "name"}, "SELECT"),
            (
                {"object": "opportunities", "name": "C", "view_type": "calendar", "calendar_field": "name"},
                "DATE",
            ),
            (
                {
                    "object": "opportunities",
                    "name": "F",
                    "filters": [{"field": "closeDate", "operand": "IS_BEFORE"}],
                },
                "needs a value",
            ),
            (
                {
                    "object": "opportunities",
                    "name": "F",
                    "filters": [{"field": "closeDate", "operand": "IS_RELATIVE", "value": "last week"}],
                },
                "PAST_7_DAY",
            ),
            (
                {
                    "object": "opportunities",
                    "name": "F",
                    "filters": [{"field": "closeDate", "operand": "IS_AFTER", "value": "soon"}],
                },
                "ISO date",
            ),
            (  # the front could not open it: turnRecordFilterIntoGqlOperationFilter has no such case
                {
                    "object": "opportunities",
                    "name": "F",
                    "filters": [{"field": "amount", "operand": "CONTAINS"}],
                },
                "cannot use CONTAINS",
            ),
            (
                {
                    "object": "opportunities",
                    "name": "F",
                    "filters": [{"field": "company", "operand": "IS", "value": "Acme"}],
                },
                "record ids",
            ),
        ]:
            result = await client.call_tool("twenty_create_view", args)
            assert result.is_error and needle in text_of(result), text_of(result)
        result = await client.call_tool(
            "twenty_add_field_to_object",
            {
                "object": "opportunities",
                "name": "company",
                "label": "C",
                "type": "RELATION",
                "relation": {"target": "companies", "type": "MANY_TO_ONE", "target_field_label": "Deals"},
            },
        )
        assert result.is_error and "'company' is already a field of opportunities" in text_of(result)
        result = await client.call_tool(
            "twenty_add_field_to_object",
            {"object": "opportunities", "name": "x", "label": "X", "type": "RELATION"},
        )
        assert result.is_error and "needs 'relation'" in text_of(result)
    assert _built(fake_twenty) == before and len(fake_twenty.records("dashboards")) == dashboards


async def test_a_step_twenty_refuses_midway_leaves_nothing_behind(
    fake_twenty: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.fake_twenty.layouts import LayoutResolvers, invalid
    from tests.fake_twenty.views import ViewResolvers

    real_widget = LayoutResolvers.m_createPageLayoutWidget
    calls = {"n": 0}

    def third_widget_refused(self: Any, req: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 3:
            raise invalid('Chart "Third": refused for this test')
        return real_widget(self, req)

    monkeypatch.setattr(LayoutResolvers, "m_createPageLayoutWidget", third_widget_refused)
    async with stdio_session(server_env(fake_twenty, tmp_path)) as client:
        await client.call_tool("twenty_list_views", {"object": "opportunities"})
        before, dashboards = _built(fake_twenty), len(fake_twenty.records("dashboards"))
        widgets = [
            {"kind": "chart", "title": "One", "chart": "aggregate", "object": "opportunities"},
            {"kind": "record_table", "title": "Two", "object": "opportunities", "fields": ["name"]},
            {
                "kind": "chart",
                "title": "Third",
                "chart": "bar",
                "object": "opportunities",
                "group_by": "stage",
            },
        ]
        result = await client.call_tool("twenty_create_dashboard", {"title": "Half", "widgets": widgets})
        assert result.is_error
        message = text_of(result)
        assert "refused for this test" in message and "Nothing was left behind" in message
        assert _built(fake_twenty) == before and len(fake_twenty.records("dashboards")) == dashboards

        # a view whose filter Twenty refuses after the view was made: the view goes again
        real_filter = ViewResolvers.m_createViewFilter
        monkeypatch.setattr(
            ViewResolvers,
            "m_createViewFilter",
            lambda self, req: (_ for _ in ()).throw(invalid("no filters today")),
        )
        result = await client.call_tool(
            "twenty_create_view",
            {
                "object": "opportunities",
                "name": "Half view",
                "filters": [{"field": "name", "operand": "CONTAINS", "value": "a"}],
            },
        )
        assert result.is_error and "no filters today" in text_of(result) and "removed" in text_of(result)
        assert _built(fake_twenty) == before
        monkeypatch.setattr(ViewResolvers, "m_createViewFilter", real_filter)


async def test_the_object_scope_holds_on_every_object_a_build_touches(
    twenty_target: Any, tmp_path: Path
) -> None:
    fake = twenty_target if hasattr(twenty_target, "state") else None
    env = server_env(twenty_target, tmp_path, MCP_ALLOWED_OBJECTS="dashboards,companies")
    async with stdio_session(env) as client:
        await client.call_tool("twenty_list_views", {"object": "companies"})
        before = _built(fake) if fake else {}
        refused = [
            (
                "twenty_create_dashboard",
                {
                    "title": "x",
                    "widgets": [
                        {"kind": "chart", "title": "c", "chart": "aggregate", "object": "opportunities"}
                    ],
                },
            ),
            (
                "twenty_create_dashboard",
                {"title": "x", "widgets": [{"kind": "record_table", "title": "t", "object": "people"}]},
            ),
            (
                "twenty_create_dashboard",
                {
                    "title": "x",
                    "widgets": [
                        {
                            "kind": "chart",
                            "title": "c",
                            "chart": "bar",
                            "object": "companies",
                            "group_by": "accountOwner.name",
                        }
                    ],
                },
            ),
            ("twenty_create_view", {"object": "people", "name": "x"}),
            (
                "twenty_create_view",
                {"object": "companies", "name": "x", "sorts": [{"field": "accountOwner"}]},
            ),
            ("twenty_list_views", {"object": "opportunities"}),
            (
                "twenty_add_field_to_object",
                {
                    "object": "companies",
                    "name": "lead",
                    "label": "Lead",
                    "type": "RELATION",
                    "relation": {
                        "target": "people",
                        "type": "MANY_TO_ONE",
                        "target_field_label": "Companies led",
                    },
                },
            ),
        ]
        for name, args in refused:
            result = await client.call_tool(name, args)
            assert result.is_error, (name, args)
            assert "allow" in text_of(result).lower(), text_of(result)
        if fake:  # nothing was written by any refused call
            assert _built(fake) == before
        ok = await client.call_tool(
            "twenty_create_view",
            {"object": "companies", "name": f"Mine {RUN}", "fields": ["name", "employees"]},
        )
        assert not ok.is_error, text_of(ok)
        _clean(Twenty(twenty_target), [("view", answer_of(ok)["view"]["id"])])
    if fake:
        assert _built(fake) == before


def test_the_fake_keeps_2_21s_dashboard_hooks(twenty_target: Any) -> None:
    """dashboard-create-one / destroy-one pre-query hooks: a dashboard made without a layout gets
    one ("Dashboard Layout", "Tab 1"); destroying the dashboard destroys its layout."""
    twenty = Twenty(twenty_target)
    made = twenty.http.post("/rest/dashboards", json={"title": f"Hooked {RUN}"}).json()["data"][
        "createDashboard"
    ]
    layout = twenty.metadata(PAGE_LAYOUT, {"id": made["pageLayoutId"]})["getPageLayout"]
    assert (layout["name"], [t["title"] for t in layout["tabs"]]) == ("Dashboard Layout", ["Tab 1"])
    assert twenty.http.delete(f"/rest/dashboards/{made['id']}").status_code == 200
    body = twenty.http.post(
        "/metadata", json={"query": PAGE_LAYOUT, "variables": {"id": layout["id"]}}
    ).json()
    assert "not found" in body["errors"][0]["message"]


async def test_added_widgets_may_not_overlap_the_ones_on_the_dashboard(
    fake_twenty: Any, tmp_path: Path
) -> None:
    chart = {"kind": "chart", "title": "Deals", "chart": "aggregate", "object": "opportunities"}
    async with stdio_session(server_env(fake_twenty, tmp_path)) as client:
        placed = {**chart, "position": {"row": 0, "column": 0, "row_span": 6, "column_span": 6}}
        made = answer_of(
            await client.call_tool("twenty_create_dashboard", {"title": "Grid", "widgets": [placed]})
        )
        dash_id = made["dashboard"]["id"]
        clash = {
            **chart,
            "title": "Clash",
            "position": {"row": 2, "column": 4, "row_span": 2, "column_span": 4},
        }
        result = await client.call_tool("twenty_update_dashboard", {"id": dash_id, "add_widgets": [clash]})
        assert result.is_error and "'Clash' and 'Deals' overlap" in text_of(result)
        beside = {**chart, "title": "Beside"}  # unplaced: flows below what is there
        grown = answer_of(
            await client.call_tool("twenty_update_dashboard", {"id": dash_id, "add_widgets": [beside]})
        )
        cells = {w["title"]: w["gridPosition"] for w in grown["page_layout"]["tabs"][0]["widgets"]}
        assert set(cells) == {"Deals", "Beside"} and cells["Beside"]["row"] == 6
