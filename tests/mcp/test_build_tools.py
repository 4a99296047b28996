"""An agent builds over MCP (the SDK's real client, `python -m mcp_server` over stdio): a dashboard
with chart widgets, a filtered kanban view and a relation field, each checked afterwards through
Twenty's own API (getPageLayout, getView, /rest/metadata/objects, a record written through the new
relation) the way a user's screen would read them. Against the fake and (marker `live`) a real
2.21.0. Then what goes wrong: a refused widget leaves nothing behind, the object scope holds on a
chart's source object, a view's object and a relation's target."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import answer_of, server_env, stdio_session
from .test_stdio import text_of

pytestmark = pytest.mark.anyio
RUN = uuid.uuid4().hex[:8]
WORD = "".join(chr(ord("a") + int(ch, 16)) for ch in RUN)
PAGE_LAYOUT = (
    "query($id: String!) { getPageLayout(id: $id) { id name type tabs { id title widgets { id title type "
    "objectMetadataId gridPosition { row column rowSpan columnSpan } configuration { __typename "
    "... on BarChartConfiguration { aggregateFieldMetadataId aggregateOperation "
    "primaryAxisGroupByFieldMetadataId layout } "
    "... on AggregateChartConfiguration { aggregateFieldMetadataId aggregateOperation filter } "
    "... on PieChartConfiguration { groupByFieldMetadataId groupBySubFieldName } "
    "... on LineChartConfiguration { primaryAxisGroupByFieldMetadataId primaryAxisDateGranularity } "
    "... on RecordTableConfiguration { viewId } "
    "... on StandaloneRichTextConfiguration { body { markdown blocknote } } } } } } }"
)
VIEW = (
    "query($id: String!) { getView(id: $id) { id name type objectMetadataId mainGroupByFieldMetadataId "
    "calendarFieldMetadataId calendarLayout "
    "viewFields { fieldMetadataId position isVisible } "
    "viewFilters { fieldMetadataId operand value subFieldName } "
    "viewSorts { fieldMetadataId direction } viewGroups { fieldValue isVisible } } }"
)


class Twenty:
    """Twenty's own API, read the way its front end does (the key the MCP server uses)."""

    def __init__(self, target: Any) -> None:
        self.http = httpx.Client(
            base_url=target.base_url, headers={"Authorization": f"Bearer {target.api_key}"}, timeout=60
        )

    def metadata(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.http.post("/metadata", json={"query": query, "variables": variables or {}}).json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def fields(self, plural: str) -> dict[str, dict[str, Any]]:
        objects = self.http.get("/rest/metadata/objects", params={"limit": 1000}).json()["data"]["objects"]
        obj = next(o for o in objects if o["namePlural"] == plural)
        return {f["name"]: f for f in obj["fields"]} | {"__id__": {"id": obj["id"]}}


async def test_an_agent_builds_a_dashboard_a_kanban_view_and_a_relation(
    twenty_target: Any, tmp_path: Path
) -> None:
    twenty = Twenty(twenty_target)
    opp = twenty.fields("opportunities")
    cleanup: list[tuple[str, Any]] = []
    async with stdio_session(server_env(twenty_target, tmp_path)) as client:

        async def call(name: str, args: dict[str, Any]) -> dict[str, Any]:
            result = await client.call_tool(name, args)
            assert not result.is_error, f"{name}: {text_of(result)}"
            return answer_of(result)

        try:
            # 1. a dashboard with chart widgets, a record table and a note
            built = await call(
                "twenty_create_dashboard",
                {
                    "title": f"Pipeline {RUN}",
                    "widgets": [
                        {
                            "kind": "chart",
                            "title": "Pipeline by stage",
                            "chart": "bar",
                            "object": "opportunities",
                            "operation": "SUM",
                            "field": "amount",
                            "group_by": "stage",
                        },
                        {
                            "kind": "chart",
                            "title": "Open deals",
                            "chart": "aggregate",
                            "object": "opportunities",
                            "filters": [{"field": "stage", "operand": "IS_NOT", "value": ["CUSTOMER"]}],
                        },
                        {
                            "kind": "chart",
                            "title": "Deals by company",
                            "chart": "pie",
                            "object": "opportunities",
                            "group_by": "company.name",
                        },
                        {
                            "kind": "chart",
                            "title": "Closing",
                            "chart": "line",
                            "object": "opportunities",
                            "operation": "SUM",
                            "field": "amount",
                            "group_by": "closeDate",
                            "date_granularity": "MONTH",
                        },
                        {
                            "kind": "record_table",
                            "title": f"Big deals {RUN}",
                            "object": "opportunities",
                            "fields": ["name", "amount", "stage"],
                            "filters": [
                                {"field": "amount", "operand": "GREATER_THAN_OR_EQUAL", "value": 1000}
                            ],
                            "sorts": [{"field": "amount", "direction": "DESC"}],
                        },
                        {
                            "kind": "rich_text",
                            "title": "Read me",
                            "text": "# Weekly review\n- check the pipeline",
                        },
                    ],
                },
            )
            dashboard = built["dashboard"]
            cleanup.append(("dashboard", dashboard["id"]))
            cleanup += [("view", v) for v in built["views_created"]]
            layout = twenty.metadata(PAGE_LAYOUT, {"id": dashboard["pageLayoutId"]})["getPageLayout"]
            assert layout["type"] == "DASHBOARD" and len(layout["tabs"]) == 1
            widgets = {w["title"]: w for w in layout["tabs"][0]["widgets"]}
            assert len(widgets) == 6
            bar = widgets["Pipeline by stage"]
            assert bar["type"] == "GRAPH" and bar["objectMetadataId"] == opp["__id__"]["id"]
            assert bar["configuration"]["__typename"] == "BarChartConfiguration"
            assert bar["configuration"]["aggregateFieldMetadataId"] == opp["amount"]["id"]
            assert bar["configuration"]["primaryAxisGroupByFieldMetadataId"] == opp["stage"]["id"]
            kpi = widgets["Open deals"]["configuration"]
            assert kpi["aggregateOperation"] == "COUNT" and kpi["aggregateFieldMetadataId"] == opp["id"]["id"]
            assert kpi["filter"]["recordFilters"][0]["value"] == '["CUSTOMER"]'
            pie = widgets["Deals by company"]["configuration"]
            assert (pie["groupByFieldMetadataId"], pie["groupBySubFieldName"]) == (
                opp["company"]["id"],
                "name",
            )
            assert widgets["Closing"]["configuration"]["primaryAxisDateGranularity"] == "MONTH"
            table_view = widgets[f"Big deals {RUN}"]["configuration"]["viewId"]
            assert table_view == built["views_created"][0]
            view = twenty.metadata(VIEW, {"id": table_view})["getView"]
            assert view["type"] == "TABLE_WIDGET"
            assert [
                f["fieldMetadataId"] for f in sorted(view["viewFields"], key=lambda f: f["position"])
            ] == [opp["name"]["id"], opp["amount"]["id"], opp["stage"]["id"]]
            blocks = json.loads(widgets["Read me"]["configuration"]["body"]["blocknote"])
            assert [b["type"] for b in blocks] == ["heading", "bulletListItem"]
            cells = [w["gridPosition"] for w in widgets.values()]
            assert all(c["column"] + c["columnSpan"] <= 12 for c in cells)
            record = twenty.http.get(f"/rest/dashboards/{dashboard['id']}").json()["data"]["dashboard"]
            assert record["pageLayoutId"] == layout["id"] and record["title"] == f"Pipeline {RUN}"

            # ... and changed: one widget more, the note gone
            changed = await call(
                "twenty_update_dashboard",
                {
                    "id": dashboard["id"],
                    "add_widgets": [
                        {
                            "kind": "chart",
                            "title": "Stages",
                            "chart": "pie",
                            "object": "opportunities",
                            "group_by": "stage",
                            "filters": [
                                {"field": "createdAt", "operand": "IS_RELATIVE", "value": "PAST_30_DAY"}
                            ],
                        }
                    ],
                    "remove_widget_ids": [widgets["Read me"]["id"]],
                },
            )
            assert changed["removed_widgets"] == [widgets["Read me"]["id"]]
            after = twenty.metadata(PAGE_LAYOUT, {"id": layout["id"]})["getPageLayout"]
            titles = {w["title"] for w in after["tabs"][0]["widgets"]}
            assert "Stages" in titles and "Read me" not in titles and len(titles) == 6
            read = await call("twenty_get_dashboard", {"id": dashboard["id"]})
            assert {w["title"] for t in read["page_layout"]["tabs"] for w in t["widgets"]} == titles

            # 2. a filtered kanban view
            made = await call(
                "twenty_create_view",
                {
                    "object": "opportunities",
                    "name": f"Hot pipeline {RUN}",
                    "view_type": "kanban",
                    "group_by": "stage",
                    "fields": ["name", "amount", "closeDate"],
                    "filters": [
                        {"field": "stage", "operand": "IS", "value": ["MEETING", "PROPOSAL"]},
                        {"field": "amount", "operand": "GREATER_THAN_OR_EQUAL", "value": 500},
                    ],
                    "sorts": [{"field": "closeDate", "direction": "ASC"}],
                },
            )
            view_id = made["view"]["id"]
            cleanup.append(("view", view_id))
            kanban = twenty.metadata(VIEW, {"id": view_id})["getView"]
            assert kanban["type"] == "KANBAN" and kanban["mainGroupByFieldMetadataId"] == opp["stage"]["id"]
            assert {g["fieldValue"] for g in kanban["viewGroups"]} >= {
                o["value"] for o in opp["stage"]["options"]
            }
            stage_filter = next(
                f for f in kanban["viewFilters"] if f["fieldMetadataId"] == opp["stage"]["id"]
            )
            assert (stage_filter["operand"], json.loads(stage_filter["value"])) == (
                "IS",
                ["MEETING", "PROPOSAL"],
            )
            amount_filter = next(
                f for f in kanban["viewFilters"] if f["fieldMetadataId"] == opp["amount"]["id"]
            )
            assert amount_filter["subFieldName"] == "amountMicros"
            assert kanban["viewSorts"] == [{"fieldMetadataId": opp["closeDate"]["id"], "direction": "ASC"}]
            listed = await call("twenty_list_views", {"object": "opportunities"})
            assert any(v["id"] == view_id and v["type"] == "KANBAN" for v in listed["views"])
            await call(
                "twenty_update_view",
                {
                    "id": view_id,
                    "name": f"Late pipeline {RUN}",
                    "fields": ["closeDate", "amount"],
                    "filters": [],
                },
            )
            kanban = twenty.metadata(VIEW, {"id": view_id})["getView"]
            shown = sorted((f for f in kanban["viewFields"] if f["isVisible"]), key=lambda f: f["position"])
            # 2.21 keeps the label identifier (name) visible and first in every view
            assert [f["fieldMetadataId"] for f in shown] == [
                opp["name"]["id"],
                opp["closeDate"]["id"],
                opp["amount"]["id"],
            ]
            assert kanban["name"] == f"Late pipeline {RUN}" and kanban["viewFilters"] == []

            # a record table's own view stays with its widget
            refused = await client.call_tool("twenty_delete_view", {"id": table_view})
            assert refused.is_error and "record table" in text_of(refused)
            # a table view without named fields copies the main view's, the label identifier first
            plain = await call("twenty_create_view", {"object": "opportunities", "name": f"All {RUN}"})
            plain_fields = sorted(plain["view"]["viewFields"], key=lambda f: f["position"])
            assert plain_fields and plain_fields[0]["fieldMetadataId"] == opp["name"]["id"]
            gone = await call("twenty_delete_view", {"id": plain["view"]["id"]})
            assert gone["deleted"] and twenty.metadata(VIEW, {"id": plain["view"]["id"]})["getView"] is None

            # ... and a calendar on the close date, of one company's deals
            first_company = twenty_target.records("companies")[0]
            cal = await call(
                "twenty_create_view",
                {
                    "object": "opportunities",
                    "name": f"Closing {RUN}",
                    "view_type": "calendar",
                    "calendar_field": "closeDate",
                    "calendar_layout": "WEEK",
                    "filters": [{"field": "company", "operand": "IS", "value": [first_company["id"]]}],
                },
            )
            cleanup.append(("view", cal["view"]["id"]))
            calendar = twenty.metadata(VIEW, {"id": cal["view"]["id"]})["getView"]
            assert (calendar["type"], calendar["calendarLayout"]) == ("CALENDAR", "WEEK")
            assert calendar["calendarFieldMetadataId"] == opp["closeDate"]["id"]
            (by_company,) = calendar[
                "viewFilters"
            ]  # the shape the front parses (jsonRelationFilterValueSchema)
            assert json.loads(by_company["value"]) == {"selectedRecordIds": [first_company["id"]]}

            # 3. a relation field, both sides named, used by a record
            await call(
                "twenty_create_custom_object",
                {
                    "name_singular": f"lead{WORD}",
                    "name_plural": f"leads{WORD}",
                    "label_singular": f"Lead {WORD}",
                    "label_plural": f"Leads {WORD}",
                },
            )
            cleanup.append(("object", f"leads{WORD}"))
            rel = await call(
                "twenty_add_field_to_object",
                {
                    "object": f"leads{WORD}",
                    "name": "company",
                    "label": "Company",
                    "type": "RELATION",
                    "relation": {
                        "target": "companies",
                        "type": "MANY_TO_ONE",
                        "target_field_label": f"Leads {WORD}",
                    },
                },
            )
            assert rel["result"]["relation"]["targetFieldMetadata"]["name"] == f"leads{WORD.capitalize()}"
            lead_fields, company_fields = twenty.fields(f"leads{WORD}"), twenty.fields("companies")
            assert lead_fields["company"]["settings"]["relationType"] == "MANY_TO_ONE"
            assert lead_fields["company"]["settings"]["joinColumnName"] == "companyId"
            assert company_fields[f"leads{WORD.capitalize()}"]["settings"]["relationType"] == "ONE_TO_MANY"
            company = twenty_target.records("companies")[0]
            lead = twenty.http.post(
                f"/rest/leads{WORD}", json={"name": "Ada", "companyId": company["id"]}
            ).json()
            lead_id = lead["data"][f"createLead{WORD}"]["id"]
            got = twenty.http.get(f"/rest/leads{WORD}/{lead_id}", params={"depth": 1}).json()["data"]
            assert got[f"lead{WORD}"]["company"]["id"] == company["id"]
            # one-to-many the other way: a lead's contacts, each person's lead
            await call(
                "twenty_add_field_to_object",
                {
                    "object": f"leads{WORD}",
                    "name": "contacts",
                    "label": "Contacts",
                    "type": "RELATION",
                    "relation": {
                        "target": "people",
                        "type": "ONE_TO_MANY",
                        "target_field_label": f"Lead {WORD}",
                    },
                },
            )
            person_side = twenty.fields("people")[f"lead{WORD.capitalize()}"]
            assert person_side["settings"]["relationType"] == "MANY_TO_ONE"
            assert person_side["settings"]["joinColumnName"] == f"lead{WORD.capitalize()}Id"
            assert twenty.fields(f"leads{WORD}")["contacts"]["settings"]["relationType"] == "ONE_TO_MANY"
        finally:
            _clean(twenty, cleanup)


def _clean(twenty: Twenty, cleanup: list[tuple[str, Any]]) -> None:
    """What the test made, removed again (a live workspace keeps it otherwise)."""
    for kind, ident in reversed(cleanup):
        if kind == "view":
            twenty.http.post(
                "/metadata",
                json={"query": "mutation($id: String!) { destroyView(id: $id) }", "variables": {"id": ident}},
            )
        elif kind == "dashboard":
            record = (
                twenty.http.get(f"/rest/dashboards/{ident}").json().get("data", {}).get("dashboard") or {}
            )
            twenty.http.delete(f"/rest/dashboards/{ident}")
            if record.get("pageLayoutId"):  # 2.21's destroy hook removes it; the fake keeps it otherwise
                twenty.http.post(
                    "/metadata",
                    json={
                        "query": "mutation($id: String!) { destroyPageLayout(id: $id) }",
                        "variables": {"id": record["pageLayoutId"]},
                    },
                )
        elif kind == "object":
            object_id = twenty.fields(ident)["__id__"]["id"]
            twenty.http.post(
                "/metadata",
                json={
                    "query": "mutation($i: DeleteOneObjectInput!) { deleteOneObject(input: $i) { id } }",
                    "variables": {"i": {"id": object_id}},
                },
            )


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
