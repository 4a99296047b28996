"""twenty_predict and twenty_forecast_revenue (issue 16) against the fake Twenty: the fields and
the revenueForecast object are created from the deal-intelligence app's own definitions (as its
sync creates them), then the tools read them back — gated by the object scope, read-only, with a
clear answer when the app is not deployed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.mcp.conftest import answer_of
from tests.mcp.test_tool_findings import in_process

pytestmark = pytest.mark.anyio

APP = Path(__file__).resolve().parents[2] / "apps" / "deal-intelligence" / "src"


def app_fields() -> dict[str, list[tuple[str, str, str]]]:
    """(type, name, label) per object, read from the app's defineField / defineObject sources."""
    out: dict[str, list[tuple[str, str, str]]] = {"opportunity": [], "company": [], "revenueForecast": []}
    for source in sorted((APP / "fields").glob("*.ts")):
        text = source.read_text()
        obj = re.search(r"STANDARD_OBJECT_UNIVERSAL_IDENTIFIERS\.(\w+)\.", text).group(1)
        kind = re.search(r"type: FieldType\.(\w+)", text).group(1)
        name = re.search(r"name: '(\w+)'", text).group(1)
        label = re.search(r'label: "([^"]+)"', text).group(1)
        out[obj].append((kind, name, label))
    text = (APP / "objects" / "revenue-forecast.ts").read_text()
    out["revenueForecast"] = [
        m.groups() for m in re.finditer(r"type: FieldType\.(\w+),\s*name: '(\w+)',\s*label: '([^']+)'", text)
    ]
    return out


async def deploy_app_schema(fake: Any) -> None:
    from twenty_api import TwentyClient

    fields = app_fields()
    opportunity = {n for _, n, _ in fields["opportunity"]}
    company = {n for _, n, _ in fields["company"]}
    assert {"winProbability", "winProbabilityReasons", "winProbabilityAt"} <= opportunity
    assert {"churnRisk", "churnRiskReasons", "churnRiskAt", "seatsPeak"} <= company
    assert {"nextBestAction", "nextBestActionAt"} <= opportunity & company
    assert {"month", "groupBy", "expectedAmount", "dealCount"} <= {n for _, n, _ in fields["revenueForecast"]}
    # As the workspace's user (not an API key): the OAuth every-tool run reuses this setup and
    # checks that no call used an API key.
    async with TwentyClient(fake.base_url, access_token=fake.user_token) as raw:
        forecast = await raw.create_object(
            "revenueForecast", "revenueForecasts", "Revenue forecast", "Revenue forecasts"
        )
        for obj_name in ("opportunities", "companies"):
            obj = await raw.get_object(obj_name)
            for kind, name, label in fields["opportunity" if obj_name == "opportunities" else "company"]:
                await raw.create_field(obj.id, name, kind, label)
        for kind, name, label in fields["revenueForecast"]:
            if name == "name":
                continue
            extra: dict[str, Any] = {}
            if kind == "SELECT":
                extra["options"] = [
                    {"value": v, "label": v.title(), "position": i, "color": "blue"}
                    for i, v in enumerate(("TOTAL", "OWNER", "STAGE"))
                ]
            await raw.create_field(forecast.id, name, kind, label, **extra)


def months_ahead(n: int) -> str:
    now = datetime.now(UTC)
    y, m = divmod(now.month - 1 + n, 12)
    return f"{now.year + y:04d}-{m + 1:02d}"


def usd(v: float) -> dict[str, Any]:
    return {"amountMicros": int(v * 1_000_000), "currencyCode": "USD"}


async def seed_predictions(fake: Any) -> tuple[str, str, str]:
    from twenty_api import TwentyClient

    opp = fake.records("opportunities")[0]["id"]
    lost = fake.records("opportunities")[1]["id"]
    company = fake.records("companies")[0]["id"]
    changed = (datetime.now(UTC) - timedelta(hours=5)).isoformat().replace("+00:00", "Z")
    async with TwentyClient(fake.base_url, api_key=fake.api_key) as raw:
        await raw.update_record(
            "opportunities",
            opp,
            {
                "winProbability": 62,
                "winProbabilityReasons": "Model trained on this workspace's closed deals. "
                "Top factors: + stage PROPOSAL.",
                "winProbabilityAt": changed,
                "nextBestAction": "Send the proposal to the buyer.",
                "nextBestActionAt": (datetime.now(UTC) - timedelta(hours=30)).isoformat(),
            },
        )
        await raw.update_record(
            "opportunities",
            lost,
            {
                "winProbability": 35,
                "winProbabilityReasons": "Stage prior for MEETING: too few closed deals to train a model.",
                "winProbabilityAt": changed,
            },
        )
        rows = [
            (months_ahead(0), "OWNER", "o1", "Tim Apple", 5000, 7000, 3000, 9000, 2),
            (months_ahead(0), "OWNER", "o2", "Phil Schiller", 8000, 9000, 6000, 10000, 1),
            (months_ahead(1), "OWNER", "o1", "Tim Apple", 1000, 2000, 0, 4000, 1),
            (months_ahead(1), "OWNER", "gone", "Jony Ive", 0, 0, 0, 0, 0),  # zeroed by the job
            (months_ahead(0), "TOTAL", "all", "All deals", 13000, 15000, 10000, 19000, 3),
            (months_ahead(3), "OWNER", "o1", "Tim Apple", 500, 900, 100, 1000, 1),  # beyond 2 months
        ]
        for month, group_by, key, label, exp, best, worst, pipe, count in rows:
            await raw.create_record(
                "revenueForecasts",
                {
                    "name": f"{month} · {label}",
                    "forecastKey": f"{month}|{group_by}|{key}",
                    "month": month,
                    "groupBy": group_by,
                    "groupKey": key,
                    "groupLabel": label,
                    "expectedAmount": usd(exp),
                    "bestAmount": usd(best),
                    "worstAmount": usd(worst),
                    "pipelineAmount": usd(pipe),
                    "dealCount": count,
                },
            )
    return opp, lost, company


async def test_without_the_app_both_tools_say_to_deploy_it(fake_twenty: Any, tmp_path: Path) -> None:
    opp = fake_twenty.records("opportunities")[0]["id"]
    async with in_process(fake_twenty, tmp_path) as client:
        r = await client.call_tool("twenty_predict", {"object": "opportunity", "id": opp})
        assert (
            r.is_error
            and "deal-intelligence app" in r.content[0].text
            and "winProbability" in r.content[0].text
        )
        r = await client.call_tool("twenty_forecast_revenue", {})
        assert r.is_error and "revenueForecast object" in r.content[0].text


async def test_predict_returns_the_stored_value_reasons_and_freshness(
    fake_twenty: Any, tmp_path: Path
) -> None:
    await deploy_app_schema(fake_twenty)
    opp, lost, company = await seed_predictions(fake_twenty)
    async with in_process(fake_twenty, tmp_path) as client:
        fake_twenty.requests.clear()
        a = answer_of(await client.call_tool("twenty_predict", {"object": "Opportunity", "id": opp}))
        writes = [r for r in fake_twenty.requests if r.method != "GET" and r.path.startswith("/rest")]
        assert writes == [], "read-only"
        (p,) = a["predictions"]
        assert a["object"] == "opportunities" and p["kind"] == "win_probability"
        assert p["value"] == 62 and p["basis"] == "model" and "stage PROPOSAL" in p["reasons"]
        assert 4.9 < p["age_hours"] < 5.5 and p["refresh"].startswith("nightly at 03:15 UTC")
        nba = a["next_best_action"]
        assert nba["action"] == "Send the proposal to the buyer." and 29.9 < nba["age_hours"] < 30.5
        assert nba["changed_at"].startswith(str((datetime.now(UTC) - timedelta(hours=30)).year))
        assert "04:15 UTC" in nba["refresh"] and "material change" in nba["refresh"]
        b = answer_of(await client.call_tool("twenty_predict", {"object": "opportunities", "id": lost}))
        assert b["predictions"][0]["basis"] == "stage_prior"
        c = answer_of(await client.call_tool("twenty_predict", {"object": "company", "id": company}))
        assert c["predictions"][0] | {"refresh": ""} == {
            "kind": "churn_risk",
            "value": None,
            "reasons": None,
            "basis": "not_scored",
            "changed_at": None,
            "age_hours": None,
            "refresh": "",
        }
        assert c["next_best_action"] | {"refresh": ""} == {
            "action": None,
            "changed_at": None,
            "age_hours": None,
            "refresh": "",
        }, "a company the job has not reached yet: the field is there, empty"
        person = fake_twenty.records("people")[0]["id"]
        r = await client.call_tool("twenty_predict", {"object": "people", "id": person})
        assert r.is_error and "No predictions are stored on people" in r.content[0].text


async def test_forecast_table_by_owner_skips_zeroed_keys_and_other_months(
    fake_twenty: Any, tmp_path: Path
) -> None:
    await deploy_app_schema(fake_twenty)
    await seed_predictions(fake_twenty)
    async with in_process(fake_twenty, tmp_path) as client:
        a = answer_of(await client.call_tool("twenty_forecast_revenue", {"months": 2, "group_by": "owner"}))
        assert a["months"] == [months_ahead(0), months_ahead(1)] and a["currency"] == "USD"
        assert [(r["month"], r["group"], r["expected"], r["deal_count"]) for r in a["rows"]] == [
            (months_ahead(0), "Phil Schiller", 8000, 1),
            (months_ahead(0), "Tim Apple", 5000, 2),
            (months_ahead(1), "Tim Apple", 1000, 1),
        ]
        assert a["totals"] == {"expected": 14000, "best": 18000, "worst": 9000, "pipeline": 23000}
        total = answer_of(await client.call_tool("twenty_forecast_revenue", {"months": 1}))
        assert [(r["group"], r["best"], r["worst"]) for r in total["rows"]] == [("All deals", 15000, 10000)]
        bad = await client.call_tool("twenty_forecast_revenue", {"months": 0})
        assert bad.is_error


async def test_the_object_scope_applies(fake_twenty: Any, tmp_path: Path) -> None:
    await deploy_app_schema(fake_twenty)
    opp, _, _ = await seed_predictions(fake_twenty)
    async with in_process(fake_twenty, tmp_path, mcp_allowed_objects="people") as client:
        r = await client.call_tool("twenty_predict", {"object": "opportunities", "id": opp})
        assert r.is_error and "allowed" in r.content[0].text.lower(), r.content[0].text
        r = await client.call_tool("twenty_forecast_revenue", {})
        assert r.is_error and "allowed" in r.content[0].text.lower(), r.content[0].text
    async with in_process(fake_twenty, tmp_path, mcp_allowed_objects="opportunities") as client:
        assert not (await client.call_tool("twenty_predict", {"object": "opportunities", "id": opp})).is_error
        r = await client.call_tool("twenty_forecast_revenue", {})
        assert r.is_error, "the forecast object is outside an opportunities-only scope"
