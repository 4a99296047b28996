"""twenty_generate_dashboard (issue 16): a dashboard from what people use most, refreshed in place.

The ranking on fixture data (pure), then the tool against the fake Twenty: saved views, their
filters and a sidebar item make opportunities the most used object; the dashboard is read back
through Twenty's own API (getPageLayout, getView); a second run writes nothing; a changed view
filter replaces exactly the widget built from it; the object scope keeps other objects out and
read-only mode hides the tool. The `twenty_target` test also runs (marker `live`) against a real
2.21.0 for the seed's user, and removes what it made.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests.mcp.conftest import answer_of
from tests.mcp.test_tool_findings import in_process
from twenty_api import usage
from twenty_api.models import FieldInfo, ObjectInfo

pytestmark = pytest.mark.anyio
RUN = uuid.uuid4().hex[:6]
PAGE_LAYOUT = (
    "query($id: String!) { getPageLayout(id: $id) { id name tabs { widgets { id title type objectMetadataId "
    "gridPosition { row column rowSpan columnSpan } configuration { __typename "
    "... on BarChartConfiguration { aggregateOperation primaryAxisGroupByFieldMetadataId } "
    "... on AggregateChartConfiguration { aggregateOperation } "
    "... on RecordTableConfiguration { viewId } } } } } }"
)
VIEW = "query($id: String!) { getView(id: $id) { id type viewFilters { fieldMetadataId operand value } } }"


class Api:
    """Twenty's own API with the key the MCP server uses (tests may write GraphQL)."""

    def __init__(self, target: Any) -> None:
        self.http = httpx.Client(
            base_url=target.base_url, headers={"Authorization": f"Bearer {target.api_key}"}, timeout=120
        )

    def meta(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.http.post("/metadata", json={"query": query, "variables": variables or {}}).json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def object(self, plural: str) -> dict[str, Any]:
        objects = self.http.get("/rest/metadata/objects", params={"limit": 1000}).json()["data"]["objects"]
        return next(o for o in objects if o["namePlural"] == plural)

    def member_id(self, email: str) -> str:
        members = self.http.get("/rest/workspaceMembers", params={"limit": 200}).json()["data"]
        return next(m["id"] for m in members["workspaceMembers"] if m.get("userEmail") == email)

    def remove_dashboard(self, answer: dict[str, Any]) -> None:
        layout = self.meta(PAGE_LAYOUT, {"id": answer["page_layout_id"]})["getPageLayout"]
        for widget in (w for tab in layout["tabs"] for w in tab["widgets"]):
            view_id = (widget.get("configuration") or {}).get("viewId")
            if view_id:
                self.meta("mutation($id: String!) { destroyView(id: $id) }", {"id": view_id})
        self.meta("mutation($id: String!) { destroyPageLayout(id: $id) }", {"id": answer["page_layout_id"]})
        self.http.delete(f"/rest/dashboards/{answer['dashboard_id']}", params={"soft_delete": "false"})


# --- the ranking, pure --------------------------------------------------------------------------------


def _obj(oid: str, plural: str, fields: list[tuple[str, str, str]]) -> ObjectInfo:
    return ObjectInfo(
        id=oid,
        name_singular={"opportunities": "opportunity", "companies": "company"}.get(plural, plural[:-1]),
        name_plural=plural,
        label_singular=plural.title(),
        label_plural=plural.title(),
        fields=[FieldInfo(id=fid, name=name, type=kind, label=name.title()) for fid, name, kind in fields],
    )


def test_rank_and_plan_on_fixture_data() -> None:
    from mcp_server.tools.usage_dashboard import plan, rank

    objects = {
        "o": _obj(
            "o",
            "opportunities",
            [("o1", "name", "TEXT"), ("o2", "stage", "SELECT"), ("o3", "amount", "CURRENCY")],
        ),
        "c": _obj("c", "companies", [("c1", "name", "TEXT"), ("c2", "createdAt", "DATE_TIME")]),
        "p": _obj("p", "pets", [("p1", "name", "TEXT")]),
    }
    views = [
        {"id": "vi", "name": "All", "type": "TABLE", "key": "INDEX", "objectMetadataId": "o"},
        {
            "id": "vb",
            "name": "Big deals",
            "type": "TABLE",
            "objectMetadataId": "o",
            "viewFields": [{"fieldMetadataId": "o1", "position": 0, "isVisible": True}],
            "viewFilters": [{"fieldMetadataId": "o3", "operand": "GREATER_THAN_OR_EQUAL", "value": "5"}],
            "viewSorts": [{"fieldMetadataId": "o3", "direction": "DESC"}],
        },
        {
            "id": "vk",
            "name": "By stage",
            "type": "KANBAN",
            "objectMetadataId": "o",
            "mainGroupByFieldMetadataId": "o2",
        },
        {
            "id": "vw",
            "name": "widget",
            "type": "TABLE_WIDGET",
            "objectMetadataId": "p",
            "viewFilters": [{}] * 9,
        },
        {
            "id": "vu",
            "name": "Mine",
            "type": "TABLE",
            "visibility": "UNLISTED",
            "objectMetadataId": "c",
            "viewSorts": [{"fieldMetadataId": "c2", "direction": "DESC"}],
        },
    ]
    items = [
        {"type": "OBJECT", "targetObjectMetadataId": "c", "userWorkspaceId": None},
        {"type": "VIEW", "viewId": "vb", "userWorkspaceId": "u1"},
        {"type": "OBJECT", "targetObjectMetadataId": "x-not-in-scope", "userWorkspaceId": "u1"},
    ]
    ranked = rank(views, items, {"company": 3, "pet": 0}, objects)
    # opportunities: 2 saved views (3+3), a filter (1), a grouping (1), a favorite view (6) = 14
    # companies: own unlisted view (4), sidebar (1), 3 changes (2*log2(4) = 4) = 9; pets: a widget view only
    assert [(objects[r.object_id].name_plural, r.score) for r in ranked] == [
        ("opportunities", 14),
        ("companies", 9),
    ]
    assert ranked[0].fields.most_common(1) == [("o3", 3)] and ranked[0].fields["o2"] == 3
    widgets = plan(ranked, {v["id"]: v for v in views if v["type"] != "TABLE_WIDGET"}, objects, 6)
    assert [(w.kind, w.title) for w in widgets] == [
        ("chart", "Opportunities by Stage"),  # the most used SELECT / date field (amount is neither)
        ("record_table", "Opportunities: Big deals"),  # the favorite view beats the kanban
        ("chart", "Companies by Createdat"),
        ("record_table", "Companies: Mine"),
    ]
    table = widgets[1]
    assert [(f.field, f.operand, f.value) for f in table.filters] == [("amount", "GREATER_THAN_OR_EQUAL", 5)]
    assert [(s.field, s.direction) for s in table.sorts] == [("amount", "DESC")] and table.fields == ["name"]
    assert widgets[2].date_granularity == "MONTH"
    assert len(plan(ranked, {}, objects, 1)) == 1
    since = datetime(2026, 11, 7, 5, 4, 10, 651135, tzinfo=UTC)
    assert (
        usage.activity_filter(since)
        == 'and(happensAt[gte]:"2026-11-07T05:04:10Z",workspaceMemberId[is]:NOT_NULL)'
    )

    del objects["c"].fields[1]  # no SELECT or date field used or present: one number
    assert plan(rank(views, items, {}, objects), {}, objects, 6)[1].title == "Companies: count"


# --- the tool against the fake ------------------------------------------------------------------------


async def _usage(client: Any, api: Api) -> str:
    """A saved view with a filter and a sort, a kanban, and the saved view pinned to the sidebar."""
    view = answer_of(
        await client.call_tool(
            "twenty_create_view",
            {
                "object": "opportunities",
                "name": "Late stage",
                "filters": [{"field": "stage", "operand": "IS", "value": ["PROPOSAL", "MEETING"]}],
                "sorts": [{"field": "amount", "direction": "DESC"}],
            },
        )
    )["view"]
    await client.call_tool(
        "twenty_create_view",
        {"object": "opportunities", "name": "Board", "view_type": "KANBAN", "group_by": "stage"},
    )
    api.meta(
        "mutation($input: CreateNavigationMenuItemInput!) { createNavigationMenuItem(input: $input) { id } }",
        {"input": {"type": "VIEW", "viewId": view["id"]}},
    )
    return str(view["id"])


async def test_generates_reads_back_and_refreshes_in_place(fake_twenty: Any, tmp_path: Path) -> None:
    api = Api(fake_twenty)
    opp = api.object("opportunities")
    stage = next(f["id"] for f in opp["fields"] if f["name"] == "stage")
    async with in_process(fake_twenty, tmp_path) as client:
        view_id = await _usage(client, api)
        first = answer_of(await client.call_tool("twenty_generate_dashboard", {"max_widgets": 4}))
        assert first["created"] and first["ranking"][0]["object"] == "opportunities", first["ranking"]
        assert first["widgets"][:2] == ["Opportunities by Stage", "Opportunities: Late stage"]
        assert first["signals"]["favorites"] >= 1 and not any(
            "favorites not read" in n for n in first["notes"]
        )
        layout = api.meta(PAGE_LAYOUT, {"id": first["page_layout_id"]})["getPageLayout"]
        assert "[twenty-gcp:usage-dashboard:workspace]" in layout["name"]
        widgets = {w["title"]: w for tab in layout["tabs"] for w in tab["widgets"]}
        assert len(widgets) == len(first["widgets"]) <= 4
        chart = widgets["Opportunities by Stage"]
        assert chart["type"] == "GRAPH" and chart["objectMetadataId"] == opp["id"]
        assert chart["configuration"]["primaryAxisGroupByFieldMetadataId"] == stage
        table = widgets["Opportunities: Late stage"]
        view = api.meta(VIEW, {"id": table["configuration"]["viewId"]})["getView"]
        assert view["type"] == "TABLE_WIDGET" and [f["operand"] for f in view["viewFilters"]] == ["IS"]

        ids = sorted(w["id"] for w in widgets.values())
        views_before = len(api.meta("{ getViews { id } }")["getViews"])
        fake_twenty.requests.clear()
        again = answer_of(await client.call_tool("twenty_generate_dashboard", {"max_widgets": 4}))
        rest_writes = [r for r in fake_twenty.requests if r.method != "GET" and r.path.startswith("/rest")]
        assert again["dashboard_id"] == first["dashboard_id"] and not again["created"]
        assert again["changes"] == [] and again["writes"] == 0 and rest_writes == []
        layout = api.meta(PAGE_LAYOUT, {"id": first["page_layout_id"]})["getPageLayout"]
        assert sorted(w["id"] for tab in layout["tabs"] for w in tab["widgets"]) == ids, "no widget remade"
        assert len(api.meta("{ getViews { id } }")["getViews"]) == views_before, "no view made"

        # the saved view's filter changes: exactly the table built from it is replaced
        await client.call_tool(
            "twenty_update_view",
            {"id": view_id, "filters": [{"field": "stage", "operand": "IS", "value": ["PROPOSAL"]}]},
        )
        third = answer_of(await client.call_tool("twenty_generate_dashboard", {"max_widgets": 4}))
        assert third["changes"] == ["replace 'Opportunities: Late stage' (usage changed)"]
        assert third["writes"] == 2  # its widget removed (with its view) and made again
        layout = api.meta(PAGE_LAYOUT, {"id": first["page_layout_id"]})["getPageLayout"]
        assert sorted(w["title"] for tab in layout["tabs"] for w in tab["widgets"]) == sorted(
            first["widgets"]
        )


async def test_the_object_scope_and_read_only_mode(fake_twenty: Any, tmp_path: Path) -> None:
    api = Api(fake_twenty)
    async with in_process(fake_twenty, tmp_path) as client:
        await _usage(client, api)
        big = {"field": "employees", "operand": "GREATER_THAN_OR_EQUAL", "value": 100}
        await client.call_tool("twenty_create_view", {"object": "companies", "name": "Big", "filters": [big]})
    async with in_process(fake_twenty, tmp_path, mcp_allowed_objects="dashboards,companies,people") as client:
        a = answer_of(await client.call_tool("twenty_generate_dashboard", {}))
        assert [r["object"] for r in a["ranking"]] == ["companies"], a["ranking"]
        assert a["widgets"] == ["Companies: count", "Companies: Big"]
        assert not any(w.startswith("Opportunities") for w in a["widgets"])
        assert any("record changes not read" in n for n in a["notes"]), "timelineActivities is out of scope"
    async with in_process(fake_twenty, tmp_path, mcp_allowed_objects="opportunities") as client:
        r = await client.call_tool("twenty_generate_dashboard", {})
        assert r.is_error and "allowed" in r.content[0].text.lower(), r.content[0].text
    async with in_process(fake_twenty, tmp_path, mcp_read_only=True) as client:
        names = {t.name for t in (await client.list_tools()).tools}
        assert "twenty_generate_dashboard" not in names and "twenty_get_dashboard" in names


# --- fake and (marker `live`) a real 2.21.0 ---------------------------------------------------------------


async def test_for_the_seeds_user_twice(twenty_target: Any, tmp_path: Path) -> None:
    api = Api(twenty_target)
    tim = api.member_id("tim@apple.dev")
    async with in_process(twenty_target, tmp_path) as client:
        # a saved view of the run's own (the fake's seed has no member's record changes to rank by)
        late = {"field": "stage", "operand": "IS", "value": ["PROPOSAL"]}
        made = answer_of(
            await client.call_tool(
                "twenty_create_view", {"object": "opportunities", "name": f"Late {RUN}", "filters": [late]}
            )
        )["view"]
        first = answer_of(
            await client.call_tool(
                "twenty_generate_dashboard", {"for_member": tim, "title": f"Most used {RUN}"}
            )
        )
        try:
            layout = api.meta(PAGE_LAYOUT, {"id": first["page_layout_id"]})["getPageLayout"]
            widgets = [w for tab in layout["tabs"] for w in tab["widgets"]]
            objects = {o["id"]: o["namePlural"] for o in [api.object(r["object"]) for r in first["ranking"]]}
            read_back = sorted((w["title"], w["type"], objects.get(w["objectMetadataId"])) for w in widgets)
            assert [t for t, _, _ in read_back] == sorted(first["widgets"]) and all(
                o for _, _, o in read_back
            )
            again = answer_of(
                await client.call_tool(
                    "twenty_generate_dashboard", {"for_member": tim, "title": f"Most used {RUN}"}
                )
            )
            assert not [n for n in first["notes"] if "not read" in n], first["notes"]
            assert again["dashboard_id"] == first["dashboard_id"]
            # 0 writes, unless the member's own usage moved between the runs (a shared live workspace)
            assert again["writes"] == 0 or again["changes"], again
            # the saved view's filter changes: its table is replaced, nothing else unless usage moved
            table = f"Opportunities: Late {RUN}"
            third: dict[str, Any] = {"writes": "-", "changes": "-"}
            if table in first["widgets"]:
                later = {"field": "stage", "operand": "IS", "value": ["MEETING"]}
                await client.call_tool("twenty_update_view", {"id": made["id"], "filters": [later]})
                args = {"for_member": tim, "title": f"Most used {RUN}"}
                third = answer_of(await client.call_tool("twenty_generate_dashboard", args))
                assert f"replace '{table}' (usage changed)" in third["changes"], third
                assert third["writes"] == sum(2 if c.startswith("replace") else 1 for c in third["changes"])
            print(
                f"\nusage dashboard for Tim: {len(widgets)} widgets {read_back}; "
                f"first run {first['writes']} writes, "
                f"second {again['writes']} ({again['changes']}); after a filter change {third['writes']} "
                f"({third['changes']}); signals {first['signals']}; "
                f"ranking {[(r['object'], r['score']) for r in first['ranking'][:5]]}"
            )
        finally:
            api.remove_dashboard(first)
            api.meta("mutation($id: String!) { destroyView(id: $id) }", {"id": made["id"]})


# --- the monthly job --------------------------------------------------------------------------------------


async def test_the_monthly_job_refreshes_in_place(fake_twenty: Any, tmp_path: Path) -> None:
    from mcp_server.settings import ServerSettings
    from mcp_server.usage_job import refresh
    from twenty_api.settings import TwentySettings

    api = Api(fake_twenty)
    async with in_process(fake_twenty, tmp_path) as client:
        await _usage(client, api)
    settings = ServerSettings(
        twenty=TwentySettings(api_url=fake_twenty.base_url + "/rest/", api_key=fake_twenty.api_key),
        mcp_primer_path=str(tmp_path / "primer.md"),
    )
    member = str(uuid.uuid4())
    (ws, mine) = await refresh(settings, [None, member], max_widgets=3)
    assert ws["created"] and mine["created"] and ws["dashboard_id"] != mine["dashboard_id"]
    assert ws["writes"] == 3 + len(ws["widgets"])  # layout, tab, record and each widget
    (ws2, mine2) = await refresh(settings, [None, member], max_widgets=3)
    assert (ws2["dashboard_id"], ws2["writes"], mine2["writes"]) == (ws["dashboard_id"], 0, 0)
    read_only = settings.model_copy(update={"mcp_read_only": True})
    (refused,) = await refresh(read_only, [None])
    assert "error" in refused and "twenty_generate_dashboard" in refused["error"]


def test_the_monthly_job_skips_a_workspace_with_no_usage_yet(
    fake_twenty_empty: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A new workspace has no saved views, favorites or record changes: the scheduled run has
    nothing to build from, says so and exits 0 (a failed Cloud Run execution would be retried and
    alarm someone every month until people use the CRM)."""
    from mcp_server import usage_job

    monkeypatch.setenv("TWENTY_API_URL", fake_twenty_empty.base_url + "/rest/")
    monkeypatch.setenv("TWENTY_API_KEY", fake_twenty_empty.api_key)
    monkeypatch.setenv("MCP_PRIMER_PATH", str(tmp_path / "primer.md"))
    assert usage_job.main(["--workspace"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line) == {
        "target": "workspace",
        "skipped": "No usage to build from: no saved views, favorites or record changes in scope.",
    }


async def test_a_user_session_adds_that_users_own_favorites(fake_twenty: Any, tmp_path: Path) -> None:
    """navigationMenuItems through the user session returns the user's own favorites too; they count
    for the workspace's dashboard and that user's own, not for another member's."""
    from mcp_server.settings import ServerSettings
    from mcp_server.usage_job import refresh
    from tests.fake_twenty.user_session import TIM_USER_WORKSPACE_ID
    from twenty_api.settings import TwentySettings

    companies = Api(fake_twenty).object("companies")["id"]
    as_tim = Api(SimpleNamespace(base_url=fake_twenty.base_url, api_key=fake_twenty.user_token))
    favorite = {
        "type": "OBJECT",
        "targetObjectMetadataId": companies,
        "userWorkspaceId": TIM_USER_WORKSPACE_ID,
    }
    as_tim.meta(
        "mutation($i: CreateNavigationMenuItemInput!) { createNavigationMenuItem(input: $i) { id } }",
        {"i": favorite},
    )
    twenty = TwentySettings(
        api_url=fake_twenty.base_url + "/rest/",
        api_key=fake_twenty.api_key,
        user_email=fake_twenty.user_email,
        user_password=fake_twenty.user_password,
    )
    settings = ServerSettings(twenty=twenty, mcp_primer_path=str(tmp_path / "primer.md"))
    tim = Api(fake_twenty).member_id(fake_twenty.user_email)
    ws, mine, other = await refresh(settings, [None, tim, str(uuid.uuid4())], max_widgets=2)
    for answer in (ws, mine):
        assert answer["signals"]["own_favorites"] == 1, answer
        assert (
            answer["ranking"][0]["object"] == "companies"
            and "favorite object" in answer["ranking"][0]["reasons"]
        )
    assert "skipped" in other or other["signals"]["own_favorites"] == 0  # no usage of its own may be left
    no_user = ServerSettings(
        twenty=TwentySettings(api_url=twenty.api_url, api_key=fake_twenty.api_key),
        mcp_primer_path=str(tmp_path / "primer.md"),
    )
    (shared,) = await refresh(no_user, [str(uuid.uuid4())], max_widgets=2)
    assert "skipped" in shared or shared["signals"]["own_favorites"] == 0


async def test_a_copied_view_that_fails_the_checks_becomes_a_plain_table(
    fake_twenty: Any, tmp_path: Path
) -> None:
    """A saved view may hold a filter the dashboard tools refuse (IS on a TEXT field, which the
    front cannot turn into a query for a widget): the table keeps the view's columns only."""
    api = Api(fake_twenty)
    name_id = next(f["id"] for f in api.object("opportunities")["fields"] if f["name"] == "name")
    async with in_process(fake_twenty, tmp_path) as client:
        view = answer_of(
            await client.call_tool("twenty_create_view", {"object": "opportunities", "name": "Odd"})
        )
        api.meta(
            "mutation($input: CreateViewFilterInput!) { createViewFilter(input: $input) { id } }",
            {
                "input": {
                    "viewId": view["view"]["id"],
                    "fieldMetadataId": name_id,
                    "operand": "IS",
                    "value": '"x"',
                }
            },
        )
        a = answer_of(await client.call_tool("twenty_generate_dashboard", {"max_widgets": 2}))
        assert a["widgets"] == ["Opportunities by Stage", "Opportunities: Odd"], a["widgets"]
        assert any(
            "'Opportunities: Odd': the view's filters and sorts failed the checks" in n for n in a["notes"]
        )
        again = answer_of(await client.call_tool("twenty_generate_dashboard", {"max_widgets": 2}))
        assert again["writes"] == 0, again["changes"]
