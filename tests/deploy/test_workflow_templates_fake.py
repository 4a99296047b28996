"""The seed's four workflow templates and the follow-up sequence (apps/workflows/*.yaml), deployed by
the reconciler against the fake Twenty over real HTTP: created and activated, a second run writes
nothing, a change is exactly its own writes, and template 1 runs when a company is created."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from deploy.kinds.workflows import workflow_id
from deploy.manifests import load_manifests
from deploy.reconcile import reconcile
from deploy.secrets import DictSecretSource
from tests.deploy.test_reconcile_fake import twenty  # noqa: F401  (fixture)
from tests.deploy.wire import CountingTransport
from twenty_api import TwentyClient

pytestmark = pytest.mark.anyio
APPS = Path(__file__).resolve().parents[2] / "apps"
STACK = {
    "ai_model": "gpt-4o-mini",
    "workflow_email_account_id": "0d9a3f44-1b9e-4c55-8f6b-2b5a0c1d2e3f",
    "enrichment_api_url": "https://enrich.example.com/v2/people/find",
}
SECRETS = {"twenty-workflow-enrichment-api-key": "sk_enrich_test_42", "twenty-deploy-user": ""}
TEMPLATES = ("daily-digest", "follow-up-sequence", "new-company", "new-person", "opportunity-stage-change")


def apps_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "apps"
    dest.mkdir()
    shutil.copytree(APPS / "agents", dest / "agents")
    shutil.copytree(APPS / "workflows", dest / "workflows")
    return dest


async def run(fake: Any, apps: Path) -> tuple[Any, CountingTransport]:
    wire = CountingTransport()
    client = TwentyClient(fake.base_url, api_key=fake.api_key, transport=wire, rate_limit=None)
    user = TwentyClient(fake.base_url, access_token=fake.user_token, transport=wire, rate_limit=None)
    try:
        outcome = await reconcile(
            client, load_manifests(apps), stack=STACK, secrets=DictSecretSource(SECRETS),
            server_url="https://crm.example.com", apply=True, user_client=user, only=["agents", "workflows"],
        )  # fmt: skip
    finally:
        await client.aclose()
        await user.aclose()
    return outcome, wire


def rows(fake: Any, kind: str) -> dict[str, str]:
    return {i.name: i.op for i in fake if i.kind == kind}


def version_of(fake: Any, name: str) -> dict[str, Any]:
    wid = workflow_id(next(w for w in load_manifests(APPS).workflows if w.name == name))
    workflow = next(w for w in fake.records("workflows") if w["id"] == wid)
    return next(v for v in fake.records("workflowVersions") if v["id"] == workflow["lastPublishedVersionId"])


async def test_the_four_templates_deploy_and_a_second_run_writes_nothing(twenty: Any, tmp_path: Path) -> None:  # noqa: F811
    apps = apps_copy(tmp_path)
    first, wire = await run(twenty, apps)
    assert rows(first.items, "workflows") == dict.fromkeys(TEMPLATES, "create"), first.items
    assert all(i.status == "done" for i in first.items), [(i.name, i.status, i.notes) for i in first.items]
    for name in TEMPLATES:
        wf = next(w for w in load_manifests(apps).workflows if w.name == name)
        version = version_of(twenty, name)
        assert version["status"] == "ACTIVE" and len(version["steps"]) == len(wf.steps)
        for step in version["steps"]:  # each CODE step's logic function holds the file beside the manifest
            if step["type"] == "CODE":
                fn = twenty.runtime.apps.functions[step["settings"]["input"]["logicFunctionId"]]
                assert fn["_source"] == wf.code()[step["id"]]
    enrich = next(s for s in version_of(twenty, "new-person")["steps"] if s["type"] == "HTTP_REQUEST")
    assert enrich["settings"]["input"]["headers"]["Authorization"] == "Bearer sk_enrich_test_42"
    assert enrich["settings"]["input"]["url"].startswith(STACK["enrichment_api_url"] + "?email={{")
    assert not any("sk_enrich_test_42" in line for i in first.items for line in i.changes + i.notes)
    assert wire.writes.count("activateWorkflowVersion") == len(TEMPLATES)

    moved = version_of(twenty, "new-company")  # someone arranges the diagram in Twenty's editor
    moved["trigger"]["position"] = {"x": 40, "y": -80}
    for i, step in enumerate(moved["steps"]):
        step["position"] = {"x": 300 * i, "y": 7}
    again, wire = await run(twenty, apps)
    assert wire.writes == []
    assert set(rows(again.items, "workflows").values()) == {"unchanged"}


async def test_a_changed_code_file_or_step_is_exactly_its_writes(twenty: Any, tmp_path: Path) -> None:  # noqa: F811
    apps = apps_copy(tmp_path)
    await run(twenty, apps)
    code = apps / "workflows" / "code" / "stage-tasks.mjs"
    code.write_text(code.read_text().replace("Qualify {name}", "Qualify {name} today"))
    changed, wire = await run(twenty, apps)
    assert rows(changed.items, "workflows")["opportunity-stage-change"] == "update"
    assert [
        op for name, op in rows(changed.items, "workflows").items() if name != "opportunity-stage-change"
    ] == ["unchanged"] * (len(TEMPLATES) - 1)
    # a copy of the live version (its CODE function copied), the new source, activation: nothing else
    assert wire.writes == [
        "createDraftFromWorkflowVersion",
        "updateOneLogicFunction",
        "activateWorkflowVersion",
    ]
    step = next(s for s in version_of(twenty, "opportunity-stage-change")["steps"] if s["type"] == "CODE")
    assert "today" in twenty.runtime.apps.functions[step["settings"]["input"]["logicFunctionId"]]["_source"]

    manifest = apps / "workflows" / "new-person.yaml"
    manifest.write_text(
        manifest.read_text().replace('title: "Review new contact:', 'title: "Review the new contact:')
    )
    changed, wire = await run(twenty, apps)
    assert rows(changed.items, "workflows")["new-person"] == "update"
    assert wire.writes == [
        "createDraftFromWorkflowVersion",
        "updateWorkflowVersionStep",
        "activateWorkflowVersion",
    ]
    _, wire = await run(twenty, apps)
    assert wire.writes == []


async def test_template_one_runs_when_a_company_is_created(twenty: Any, tmp_path: Path) -> None:  # noqa: F811
    """The fake's AI answers `STUB: …` like the live stub model: the CODE step decides from size."""
    await run(twenty, apps_copy(tmp_path))
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as c:
        company = await c.create_record("companies", {"name": "Globex", "employees": 2500})
    runs = [r for r in twenty.records("workflowRuns") if r["name"].endswith("New company → auto pipeline")]
    assert [r["status"] for r in runs] == ["COMPLETED"], [
        r.get("state", {}).get("workflowRunError") for r in runs
    ]
    infos = runs[0]["state"]["stepInfos"]
    wf = next(w for w in load_manifests(APPS).workflows if w.name == "new-company")
    assigned = infos[wf.step_uuid("assign")]["result"]
    assert (assigned["segment"], assigned["stage"]) == ("ENTERPRISE", "MEETING")
    deal = next(o for o in twenty.records("opportunities") if o.get("companyId") == company["id"])
    assert deal["stage"] == "MEETING" and deal["name"].startswith("Globex")
    task = next(t for t in twenty.records("tasks") if t["title"] == "Initial outreach: Globex")
    assert any(t["taskId"] == task["id"] and t["targetCompanyId"] == company["id"]
               for t in twenty.records("taskTargets"))  # fmt: skip
    # the stage change then ran template 3: the MEETING playbook's tasks
    stage_runs = [r for r in twenty.records("workflowRuns") if r["name"].endswith("auto tasks")]
    assert [r["status"] for r in stage_runs] == ["COMPLETED"]
    assert any(t["title"] == f"Prepare the demo for {deal['name']}" for t in twenty.records("tasks"))
