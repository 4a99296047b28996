"""The deal-intelligence app (issue 16) on a real Twenty 2.21.0 (marker `live`): deployed by the
reconciler (a second deploy writes nothing), both nightly jobs run once through
executeOneLogicFunction as Twenty's cron would, the fields and forecast rows read back, a second
run writes nothing, and the two MCP tools answer from what the jobs stored.

Run: `. /work/live/env && uv run pytest -m live tests/live/test_deal_intelligence_live.py -s`
(-s prints the numbers docs/live.md records).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.live_twenty import LiveTwenty
from twenty_api.settings import TwentySettings

pytestmark = pytest.mark.live

REPO = Path(__file__).resolve().parents[2]
APPS = REPO / "apps"
APP = "deal-intelligence"


Live = LiveTwenty


async def _deploy(target: Live, apps: Path) -> tuple[Any, list[str]]:
    from deploy.manifests import load_manifests
    from deploy.reconcile import reconcile
    from deploy.secrets import DictSecretSource
    from tests.deploy.wire import CountingTransport
    from twenty_api import TwentyClient

    wire = CountingTransport()
    async with TwentyClient(target.base_url, api_key=target.api_key, transport=wire) as client:
        outcome = await reconcile(
            client,
            load_manifests(apps),
            stack={},
            secrets=DictSecretSource({}),
            server_url=target.base_url,
            apply=True,
            only=["apps"],
        )
    return outcome, wire.writes


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Live:
    """The app built from apps/ and deployed alone (only the apps kind: nothing else is touched)."""
    from tooling.node import node_env

    env = {**os.environ, **node_env(install=False)}
    build = subprocess.run(
        ["node", "scripts/build-apps.mjs", APP],
        cwd=APPS,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    root = tmp_path_factory.mktemp("apps")
    (root / "apps.yaml").write_text(
        f"apps:\n  - name: {APP}\n    path: {APP}\n    objects: [revenueForecast]\n"
    )
    shutil.copytree(APPS / APP, root / APP, ignore=shutil.ignore_patterns("node_modules"))
    target = Live()
    first, _ = asyncio.run(_deploy(target, root))
    assert [(i.name, i.notes) for i in first.items if i.status == "failed"] == []
    second, writes = asyncio.run(_deploy(target, root))
    print(f"\ndeploy: first {[(i.name, i.op) for i in first.items]}, second {len(writes)} writes")
    assert writes == [] and {i.op for i in second.items} == {"unchanged"}
    return target


def test_win_probability_job_scores_the_seed_and_refreshes_the_forecast(live: Live) -> None:
    started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    first = live.run_function("win-probability-nightly")
    # Other sessions add deals to this shared workspace: those created during the run wait for the next one.
    opps = [o for o in live.all("opportunities") if o["createdAt"] < started]
    assert all(isinstance(o.get("winProbability"), int | float) for o in opps), "every deal scored"
    won = [o for o in opps if o["stage"] == "CUSTOMER"]
    assert won and all(o["winProbability"] == 100 for o in won)
    open_ = [o for o in opps if o["stage"] != "CUSTOMER"]
    if first["mode"] == "stage-prior":  # the seed has no lost stage: the fallback, said so
        assert all(o["winProbabilityReasons"].startswith("Stage prior for ") for o in open_)
    by_stage: dict[str, set[int]] = {}
    for o in open_:
        by_stage.setdefault(o["stage"], set()).add(o["winProbability"])
    print(f"winProbability by stage: {by_stage}")

    rows = live.all("revenueForecasts")
    current = [r for r in rows if r["dealCount"]]
    assert current, "forecast rows for the seed's dated open deals"
    totals = [r for r in current if r["groupBy"] == "TOTAL"]
    print(
        "forecast TOTAL rows: "
        + "; ".join(
            f"{r['month']}: expected {r['expectedAmount']['amountMicros'] / 1e6:,.0f} "
            f"[{r['worstAmount']['amountMicros'] / 1e6:,.0f}–{r['bestAmount']['amountMicros'] / 1e6:,.0f}] "
            f"from {r['dealCount']} deals"
            for r in sorted(totals, key=lambda r: r["month"])
        )
    )
    for row in totals:  # expected = Σ amount × p over the deals of that month (USD, dated, open)
        assert row["worstAmount"]["amountMicros"] <= row["expectedAmount"]["amountMicros"]
        assert row["expectedAmount"]["amountMicros"] <= row["bestAmount"]["amountMicros"]

    second_started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    again = live.run_function("win-probability-nightly")
    # Nothing changed is rewritten; only deals other sessions added since the first run get scored.
    newer = [o for o in live.all("opportunities") if started <= o["createdAt"] < second_started]
    assert again["updated"] == len(newer) and again["forecast"]["created"] == 0, again


def test_churn_job_scores_customers_then_writes_nothing(live: Live) -> None:
    started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    first = live.run_function("churn-risk-nightly")
    scored = [c for c in live.all("companies") if c.get("churnRisk") is not None]
    assert len(scored) >= first["customers"] > 0  # every customer company carries a score
    example = max(scored, key=lambda c: c["churnRisk"])
    print(
        f"churn: {len(scored)} companies scored; highest {example['churnRisk']}: "
        f"{example['churnRiskReasons']}"
    )
    second_started = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    again = live.run_function("churn-risk-nightly")
    newer = [c for c in live.all("companies") if started <= c["createdAt"] < second_started]
    assert again["updated"] <= len(newer), again  # only companies other sessions added meanwhile


def test_the_mcp_tools_answer_from_what_the_jobs_stored(live: Live, tmp_path: Path) -> None:
    from mcp import Client

    from mcp_server.server import build_server
    from mcp_server.settings import ServerSettings
    from tests.mcp.conftest import answer_of

    opp = next(o for o in live.all("opportunities") if o["stage"] != "CUSTOMER" and o.get("winProbability"))
    forecast_rows = [r for r in live.all("revenueForecasts") if r["dealCount"] and r["groupBy"] == "OWNER"]

    async def calls() -> tuple[dict[str, Any], dict[str, Any]]:
        server = build_server(
            ServerSettings(
                twenty=TwentySettings(api_url=live.base_url + "/rest/", api_key=live.api_key),
                mcp_primer_path=str(tmp_path / "primer.md"),
            )
        )
        try:
            async with Client(server, cache=None) as client:
                predicted = answer_of(
                    await client.call_tool("twenty_predict", {"object": "opportunity", "id": opp["id"]})
                )
                table = answer_of(
                    await client.call_tool("twenty_forecast_revenue", {"months": 6, "group_by": "owner"})
                )
                return predicted, table
        finally:
            await server.runtime.aclose()

    predicted, table = asyncio.run(calls())
    (p,) = predicted["predictions"]
    assert p["value"] == opp["winProbability"] and p["reasons"] == opp["winProbabilityReasons"]
    assert p["changed_at"] and p["age_hours"] is not None
    in_window = {r["id"] for r in forecast_rows if r["month"] in table["months"]}
    assert len(table["rows"]) == len(in_window)
    print(f"twenty_predict: {json.dumps(p)}")
    print(f"twenty_forecast_revenue(owner, 6): {len(table['rows'])} rows, totals {table['totals']}")
