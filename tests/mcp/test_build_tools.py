"""An agent builds over MCP (the SDK's real client, `python -m mcp_server` over stdio): a dashboard
with chart widgets, a filtered kanban view and a relation field, each checked afterwards through
Twenty's own API (getPageLayout, getView, /rest/metadata/objects, a record written through the new
relation) the way a user's screen would read them. Against the fake and (marker `live`) a real
2.21.0. What goes wrong (refusals, undo, the object scope) is test_build_refusals.py."""

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
