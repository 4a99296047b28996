"""The `dashboards` manifest kind against the fake Twenty: apps/dashboards/revenue-forecast.yaml is
built (page layout → tab → widgets, a record table's view → the dashboards record, as 2.21 does it);
a second deploy makes 0 writes; a changed widget costs exactly its own writes; a widget dropped from
the manifest is removed; someone else's dashboard is never touched; a widget naming a field the
object lacks blocks that dashboard before any write."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml

from deploy.manifests import ManifestError, load_manifests
from deploy.reconcile import reconcile
from deploy.secrets import DictSecretSource
from tests.deploy.wire import CountingTransport
from twenty_api import TwentyClient
from twenty_api import dashboards as api
from twenty_api import views as view_api

pytestmark = pytest.mark.anyio

REPO = Path(__file__).resolve().parents[2]
MANIFEST = REPO / "apps" / "dashboards" / "revenue-forecast.yaml"


async def _forecast_object(client: TwentyClient) -> None:
    """revenueForecast as the deal-intelligence app declares it (src/objects/revenue-forecast.ts)."""
    obj = await client.create_object(
        "revenueForecast", "revenueForecasts", "Revenue forecast", "Revenue forecasts"
    )
    for name, kind, label in [
        ("month", "TEXT", "Month"),
        ("groupKey", "TEXT", "Group key"),
        ("groupLabel", "TEXT", "Group"),
        ("expectedAmount", "CURRENCY", "Expected"),
        ("bestAmount", "CURRENCY", "Best case"),
        ("worstAmount", "CURRENCY", "Worst case"),
        ("pipelineAmount", "CURRENCY", "Pipeline"),
        ("dealCount", "NUMBER", "Deals"),
    ]:
        await client.create_field(obj.id, name, kind, label)
    options = [
        {"value": v, "label": v.title(), "position": i, "color": "blue"}
        for i, v in enumerate(["TOTAL", "OWNER", "STAGE"])
    ]
    await client.create_field(obj.id, "groupBy", "SELECT", "Group by", options=options)


@pytest.fixture
def apps_dir(tmp_path: Path) -> Path:
    (tmp_path / "forecast-app").mkdir()
    (tmp_path / "forecast-app" / "package.json").write_text("{}")
    (tmp_path / "apps.yaml").write_text(
        "apps:\n  - name: forecast-app\n    path: forecast-app\n    objects: [revenueForecast]\n"
    )
    (tmp_path / "dashboards").mkdir()
    shutil.copy(MANIFEST, tmp_path / "dashboards" / MANIFEST.name)
    return tmp_path


def _client(fake) -> TwentyClient:
    return TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None)


async def _deploy(fake, apps: Path):
    wire = CountingTransport()
    async with TwentyClient(fake.base_url, api_key=fake.api_key, transport=wire, rate_limit=None) as client:
        outcome = await reconcile(
            client,
            load_manifests(apps),
            stack={},
            secrets=DictSecretSource({}),
            server_url="https://crm.example.com",
            apply=True,
            only=["dashboards"],
        )
    return outcome, Counter(wire.writes)


async def _layout(fake) -> tuple[dict, dict]:
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as client:
        layouts = await client.run(api.GET_PAGE_LAYOUTS, {"pageLayoutType": "DASHBOARD"})
        (ours,) = [lay for lay in layouts if "[twenty-gcp:dashboard:revenue-forecast]" in lay["name"]]
        layout = await client.run(api.GET_PAGE_LAYOUT, {"id": ours["id"]})
        records = (await client.list_records("dashboards", limit=200)).records
        (record,) = [r for r in records if r.get("pageLayoutId") == ours["id"]]
        return layout, dict(record)


def _edit(apps: Path, change) -> None:
    path = apps / "dashboards" / MANIFEST.name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


async def test_deploy_builds_the_forecast_dashboard_then_writes_nothing(fake_twenty_empty, apps_dir):
    async with _client(fake_twenty_empty) as c:
        await _forecast_object(c)
        other = await c.run(api.CREATE_PAGE_LAYOUT, {"input": api.page_layout_input("Someone else's")})
    first, writes = await _deploy(fake_twenty_empty, apps_dir)
    assert [(i.name, i.op, i.status) for i in first.items] == [("revenue-forecast", "create", "done")]
    assert writes == Counter(
        {
            "createPageLayout": 1,
            "createPageLayoutTab": 1,
            "createPageLayoutWidget": 5,
            "createView": 1,
            "createManyViewFields": 1,
            "createViewFilter": 1,
            "createViewSort": 1,
            "POST /rest/dashboards": 1,
        }
    )
    layout, record = await _layout(fake_twenty_empty)
    assert record["title"] == "Revenue forecast"
    (tab,) = layout["tabs"]
    assert tab["title"] == "Forecast"
    widgets = {w["title"]: w for w in tab["widgets"]}
    assert {t: w["type"] for t, w in widgets.items()} == {
        "Expected revenue by month": "GRAPH",
        "Best case by month": "GRAPH",
        "Expected revenue by owner": "GRAPH",
        "Expected revenue by stage": "GRAPH",
        "Forecast by month": "RECORD_TABLE",
    }
    bar = widgets["Expected revenue by month"]["configuration"]
    assert bar["configurationType"] == "BAR_CHART" and bar["aggregateOperation"] == "SUM"
    assert bar["filter"]["recordFilters"][0]["value"] == '["TOTAL"]'
    assert widgets["Best case by month"]["configuration"]["configurationType"] == "LINE_CHART"
    assert widgets["Expected revenue by owner"]["configuration"]["layout"] == "HORIZONTAL"
    table = widgets["Forecast by month"]
    assert table["gridPosition"] == {"row": 12, "column": 0, "rowSpan": 8, "columnSpan": 12}
    async with _client(fake_twenty_empty) as c:
        view = await c.run(view_api.GET_VIEW, {"id": widgets["Forecast by month"]["configuration"]["viewId"]})
    assert view["type"] == "TABLE_WIDGET" and len([f for f in view["viewFields"] if f["isVisible"]]) == 8
    assert [s["direction"] for s in view["viewSorts"]] == ["ASC"] and len(view["viewFilters"]) == 1

    second, writes2 = await _deploy(fake_twenty_empty, apps_dir)
    assert writes2 == Counter() and [i.op for i in second.items] == ["unchanged"]
    assert second.gateway.write_count == 0

    # Someone else's dashboard layout was never touched.
    async with _client(fake_twenty_empty) as c:
        assert (await c.run(api.GET_PAGE_LAYOUT, {"id": other["id"]}))["name"] == "Someone else's"


async def test_a_changed_widget_is_exactly_its_writes(fake_twenty_empty, apps_dir):
    async with _client(fake_twenty_empty) as c:
        await _forecast_object(c)
    first, _ = await _deploy(fake_twenty_empty, apps_dir)
    assert [(i.op, i.status, i.notes) for i in first.items] == [("create", "done", first.items[0].notes)]

    def regroup(data):  # the owner chart becomes vertical
        data["widgets"][2]["layout"] = "VERTICAL"

    _edit(apps_dir, regroup)
    changed, writes = await _deploy(fake_twenty_empty, apps_dir)
    assert [i.op for i in changed.items] == ["update"]
    assert changed.items[0].changes == ["replace graph 'Expected revenue by owner' (changed)"]
    assert writes == Counter({"destroyPageLayoutWidget": 1, "createPageLayoutWidget": 1})

    def resort(data):  # the table sorts newest first: its widget and its own view are rebuilt
        data["widgets"][4]["sorts"] = [{"field": "month", "direction": "DESC"}]

    _edit(apps_dir, resort)
    _, writes = await _deploy(fake_twenty_empty, apps_dir)
    assert writes == Counter(
        {
            "destroyPageLayoutWidget": 1,
            "destroyView": 1,
            "createView": 1,
            "createManyViewFields": 1,
            "createViewFilter": 1,
            "createViewSort": 1,
            "createPageLayoutWidget": 1,
        }
    )

    def drop_and_retitle(data):
        del data["widgets"][3]
        data["title"] = "Revenue forecast (nightly)"

    _edit(apps_dir, drop_and_retitle)
    _, writes = await _deploy(fake_twenty_empty, apps_dir)
    layout, record = await _layout(fake_twenty_empty)
    assert writes == Counter({"destroyPageLayoutWidget": 1, f"PATCH /rest/dashboards/{record['id']}": 1})
    assert record["title"] == "Revenue forecast (nightly)"
    assert len(api.layout_widgets(layout)) == 4

    again, writes = await _deploy(fake_twenty_empty, apps_dir)
    assert writes == Counter() and [i.op for i in again.items] == ["unchanged"]


async def test_a_field_the_object_lacks_blocks_the_dashboard_before_any_write(fake_twenty_empty, apps_dir):
    async with _client(fake_twenty_empty) as c:
        await _forecast_object(c)

    def typo(data):
        data["widgets"][0]["field"] = "expectedAmont"
        data["widgets"][1]["filters"] = [{"field": "groupBy", "operand": "IS", "value": ["EVERYTHING"]}]

    _edit(apps_dir, typo)
    outcome, writes = await _deploy(fake_twenty_empty, apps_dir)
    assert writes == Counter()
    (item,) = outcome.items
    assert item.op == "blocked"
    (change,) = item.changes  # the first problem, with the names that would be right
    assert change.startswith(
        "blocked: widget 'Expected revenue by month' field names 'expectedAmont', "
        "which is not a field of revenueForecasts. Fields: "
    )
    assert "expectedAmount" in change


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            {"field": "groupLabel"},  # SUM of a TEXT field: the MCP tools' rule, now the manifests' too
            "blocked: widget 'Expected revenue by month': SUM needs a number field; 'groupLabel' is TEXT.",
        ),
        (
            {"filters": [{"field": "dealCount", "operand": "CONTAINS", "value": "3"}]},
            "blocked: widget 'Expected revenue by month' filter on 'dealCount' (NUMBER) cannot use CONTAINS",
        ),
    ],
)
async def test_the_chart_checks_are_the_mcp_tools_own(fake_twenty_empty, apps_dir, edit, problem):
    """twenty_api.dashboards.resolve_chart decides for both: a chart the MCP tool would refuse
    blocks the manifest's dashboard before any write."""
    async with _client(fake_twenty_empty) as c:
        await _forecast_object(c)
    _edit(apps_dir, lambda data: data["widgets"][0].update(edit))
    outcome, writes = await _deploy(fake_twenty_empty, apps_dir)
    assert writes == Counter()
    (item,) = outcome.items
    assert item.op == "blocked" and item.changes[0].startswith(problem), item.changes


def test_manifest_problems_are_named(apps_dir: Path) -> None:
    def overlap(data):
        data["widgets"][1]["position"] = {"row": 2, "column": 4, "row_span": 2, "column_span": 4}
        data["widgets"][2]["object"] = "forecast"

    _edit(apps_dir, overlap)
    with pytest.raises(ManifestError) as err:
        load_manifests(apps_dir)
    text = str(err.value)
    assert "widgets 'Expected revenue by month' and 'Best case by month' overlap on the grid" in text
    cell = {"row": 0, "column": 6, "row_span": 6, "column_span": 6}
    _edit(apps_dir, lambda d: d["widgets"][1].update(position=cell))
    with pytest.raises(ManifestError) as err:
        load_manifests(apps_dir)
    assert "widgets.2.object: unknown object 'forecast'" in str(err.value)
