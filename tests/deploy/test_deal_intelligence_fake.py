"""`inv deploy`'s reconciler puts the deal-intelligence app (issue 16) into the fake Twenty: built
with the twenty-sdk tooling from apps/deal-intelligence, synced with its three nightly crons, its
two next-best-action database-event triggers, its application variables and its role; a second run
writes nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from deploy.manifests import load_manifests
from deploy.reconcile import reconcile
from deploy.secrets import DictSecretSource
from tests.deploy.wire import CountingTransport
from twenty_api import TwentyClient

pytestmark = pytest.mark.anyio

APPS = Path(__file__).resolve().parents[2] / "apps"
APP = "deal-intelligence"


@pytest.fixture(scope="module")
def built_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An apps/ tree holding only this app, built by the apps' own build script."""
    if shutil.which("node") is None or not (APPS / "node_modules" / ".bin" / "twenty").exists():
        pytest.skip("needs Node and the apps' node modules (run `npm ci` in apps/; `inv test` does it)")
    from tooling.node import NodeMissing, node_env

    try:
        env = {**os.environ, **node_env(install=False)}
    except NodeMissing as err:
        pytest.skip(str(err))
    result = subprocess.run(
        ["node", "scripts/build-apps.mjs", APP],
        cwd=APPS,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    root = tmp_path_factory.mktemp("apps")
    (root / "apps.yaml").write_text(
        f"apps:\n  - name: {APP}\n    path: {APP}\n    objects: [revenueForecast]\n"
    )
    shutil.copytree(APPS / APP, root / APP, ignore=shutil.ignore_patterns("node_modules"))
    return root


async def _deploy(fake, apps: Path):
    wire = CountingTransport()
    client = TwentyClient(fake.base_url, api_key=fake.api_key, transport=wire, rate_limit=None)
    user = TwentyClient(fake.base_url, access_token=fake.user_token, transport=wire, rate_limit=None)
    try:
        outcome = await reconcile(
            client,
            load_manifests(apps),
            stack={},
            secrets=DictSecretSource({}),
            server_url="https://crm.example.com",
            apply=True,
            user_client=user,
        )
    finally:
        await client.aclose()
        await user.aclose()
    return outcome, wire


async def test_deploy_creates_the_app_then_a_second_run_writes_nothing(fake_twenty_empty, built_app):
    first, wire = await _deploy(fake_twenty_empty, built_app)
    assert [(i.kind, i.name, i.op, i.status) for i in first.items if i.status == "failed"] == []
    assert {f"{i.kind}/{i.name}": i.op for i in first.items} == {f"apps/{APP}": "create"}
    assert Counter(wire.writes)["upload"] >= 3  # two function bundles + package.json
    (app,) = [
        a for a in fake_twenty_empty.runtime.apps.applications.values() if a["name"] == "Deal intelligence"
    ]
    crons = sorted(
        (f["name"], (f.get("cronTriggerSettings") or {}).get("pattern"))
        for f in app["functions"].values()
        if f.get("cronTriggerSettings")
    )
    assert crons == [
        ("churn-risk-nightly", "45 3 * * *"),
        ("next-best-action-nightly", "15 4 * * *"),
        ("win-probability-nightly", "15 3 * * *"),
    ]
    events = sorted(
        (f["name"], f["databaseEventTriggerSettings"]["eventName"])
        for f in app["functions"].values()
        if f.get("databaseEventTriggerSettings")
    )
    assert events == [
        ("next-best-action-on-company-update", "company.updated"),
        ("next-best-action-on-opportunity-update", "opportunity.updated"),
    ]
    assert set(app["variables"]) == {
        "WON_STAGES",
        "LOST_STAGES",
        "FORECAST_MONTHS",
        "FORECAST_CURRENCY",
        "CALLS_PER_MINUTE",
        "AI_BASE_URL",
        "AI_MODEL",
        "AI_API_KEY",
        "AI_CALLS_PER_MINUTE",
        "NBA_REFRESH_DAYS",
        "NBA_MAX_PER_RUN",
    }

    second, wire2 = await _deploy(fake_twenty_empty, built_app)
    assert wire2.writes == []
    assert {i.op for i in second.items} == {"unchanged"}
