"""The seed's four workflow templates on a real Twenty 2.21.0 (marker `live`): deployed by the
reconciler (agents + workflows, with the deploy user's session for what 2.21 keeps from API keys),
a second run writes nothing, and template 1 runs when a company is created — its AI step answered
by the stub model (`STUB: …`), its CODE step deciding from the company's size."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_twenty import LiveTwenty

pytestmark = pytest.mark.live
REPO = Path(__file__).resolve().parents[2]
ENRICH_KEY = "sk_live_enrich_test"  # fixed: the key is part of the deployed step, a new one is a change


class Enrichment:
    """A Clearbit-style enrichment provider on loopback: answers any e-mail, records the calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.calls.append((self.path, self.headers.get("authorization", "")))
                body = json.dumps(
                    {
                        "employment": {"title": "VP Engineering"},
                        "geo": {"city": "Lisbon"},
                        "linkedin": {"handle": "in/ada-live"},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        # a fixed port: the URL is a stack setting, so a new port would be a change to deploy
        port = int(os.environ.get("TWENTY_LIVE_ENRICH_PORT", "8797"))
        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v2/people/find"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def rest(target: LiveTwenty, method: str, path: str, **kw: Any) -> Any:
    with httpx.Client(base_url=target.base_url, timeout=60) as http:
        answer = http.request(
            method, f"/rest/{path}", headers={"Authorization": f"Bearer {target.api_key}"}, **kw
        )
    assert answer.status_code < 300, answer.text
    return answer.json()


def where(target: LiveTwenty, plural: str, field: str, value: str) -> list[dict[str, Any]]:
    from twenty_api import F

    return rest(target, "GET", plural, params={"filter": str(F(field).eq(value)), "limit": 200})["data"][
        plural
    ]


def cleanup(target: LiveTwenty, made: list[tuple[str, str]]) -> None:
    """Delete what a test made (each once; one already gone is fine)."""
    with httpx.Client(base_url=target.base_url, timeout=60) as http:
        for plural, rid in reversed(list(dict.fromkeys(made))):
            http.delete(f"/rest/{plural}/{rid}", headers={"Authorization": f"Bearer {target.api_key}"})


def delete_digest_notes(target: LiveTwenty, since: str) -> None:
    from twenty_api import F, and_

    flt = str(and_(F("title").like("Daily activity:%"), F("createdAt").gte(since)))
    with httpx.Client(base_url=target.base_url, timeout=60) as http:
        auth = {"Authorization": f"Bearer {target.api_key}"}
        for _ in range(50):
            page = http.get("/rest/notes", params={"filter": flt, "limit": 60}, headers=auth)
            if page.status_code == 429:
                time.sleep(5)
                continue
            notes = page.json()["data"]["notes"]
            if not notes:
                return
            for note in notes:
                http.delete(f"/rest/notes/{note['id']}", headers=auth)
            time.sleep(1)


@pytest.fixture(scope="module")
def enrichment() -> Iterator[Enrichment]:
    e = Enrichment()
    yield e
    e.server.shutdown()


def settings(enrichment: Enrichment) -> dict[str, str]:
    return {
        "ai_model": os.environ.get("TWENTY_LIVE_AI_MODEL", "stub/stub-model"),
        "workflow_email_account_id": os.environ.get("TWENTY_LIVE_EMAIL_ACCOUNT_ID", str(uuid.UUID(int=0))),
        "enrichment_api_url": enrichment.url,
    }


def deploy(target: LiveTwenty, enrichment: Enrichment) -> Any:
    from deploy.manifests import load_manifests
    from deploy.reconcile import reconcile
    from deploy.secrets import DictSecretSource
    from twenty_api import TwentyClient

    async def go() -> Any:
        async with TwentyClient(target.base_url, api_key=target.api_key) as client:
            return await reconcile(
                client, load_manifests(REPO / "apps"), stack=settings(enrichment),
                secrets=DictSecretSource({"twenty-workflow-enrichment-api-key": ENRICH_KEY}),
                server_url=target.base_url, apply=True, only=["agents", "workflows"],
                user_session=lambda: TwentyClient.login(
                    target.base_url, target.user_email, target.user_password),
            )  # fmt: skip

    started = time.perf_counter()
    outcome = asyncio.run(go())
    outcome.seconds = time.perf_counter() - started
    return outcome


def summary(outcome: Any) -> str:
    ops = [f"{i.kind}/{i.name}: {i.op} {i.status}" for i in outcome.items]
    return (f"{outcome.gateway.calls} calls, {outcome.gateway.write_count} writes "
            f"({dict(outcome.gateway.writes)}), {outcome.seconds:.1f} s; " + "; ".join(ops))  # fmt: skip


@pytest.fixture(scope="module")
def deployed(enrichment: Enrichment) -> LiveTwenty:
    target = LiveTwenty()
    first = deploy(target, enrichment)
    print(f"\nfirst deploy: {summary(first)}")
    failed = [(i.kind, i.name, i.notes) for i in first.items if i.status in ("failed", "blocked")]
    assert not failed, failed
    return target


def test_the_four_templates_deploy_and_a_second_run_writes_nothing(
    deployed: LiveTwenty, enrichment: Enrichment
) -> None:
    from deploy.kinds.workflows import workflow_id
    from deploy.manifests import load_manifests

    again = deploy(deployed, enrichment)
    print(f"\nsecond deploy: {summary(again)}")
    assert again.gateway.write_count == 0, summary(again)
    assert {i.op for i in again.items} == {"unchanged"}
    for wf in load_manifests(REPO / "apps").workflows:
        record = where(deployed, "workflows", "id", workflow_id(wf))[0]
        version = where(deployed, "workflowVersions", "id", record["lastPublishedVersionId"])[0]
        assert version["status"] == "ACTIVE" and len(version["steps"]) == len(wf.steps), wf.name


def run_of(target: LiveTwenty, workflow: str, needle: str, seconds: float = 180) -> dict[str, Any]:
    """The finished run of a deployed template whose state mentions `needle` (a record id)."""
    from deploy.kinds.workflows import workflow_id
    from deploy.manifests import load_manifests

    wf = next(w for w in load_manifests(REPO / "apps").workflows if w.name == workflow)

    def finished() -> dict[str, Any] | None:
        runs = where(target, "workflowRuns", "workflowId", workflow_id(wf))
        mine = [r for r in runs if needle in json.dumps((r.get("state") or {}).get("stepInfos"))]
        return next((r for r in mine if r["status"] in ("COMPLETED", "FAILED")), None)

    started = time.perf_counter()
    run = target.wait(f"the {workflow} run", finished, seconds)
    print(f"\n{workflow} run {run['status']} in {time.perf_counter() - started:.1f} s")
    return run


def manifest(name: str) -> Any:
    from deploy.manifests import load_manifests

    return next(w for w in load_manifests(REPO / "apps").workflows if w.name == name)


def test_template_one_runs_when_a_company_is_created_and_its_stage_change_runs_template_three(
    deployed: LiveTwenty,
) -> None:
    wf, stage_wf = manifest("new-company"), manifest("opportunity-stage-change")
    name = f"Globex live {uuid.uuid4().hex[:6]}"
    company = rest(deployed, "POST", "companies", json={"name": name, "employees": 2500})["data"][
        "createCompany"
    ]
    made: list[tuple[str, str]] = [("companies", company["id"])]
    try:
        run = run_of(deployed, "new-company", company["id"])
        infos = run["state"]["stepInfos"]
        assert run["status"] == "COMPLETED", json.dumps(infos)[:3000]
        assert str(infos[wf.step_uuid("analyse")]["result"]["response"]).startswith("STUB:")
        assigned = infos[wf.step_uuid("assign")]["result"]
        assert (assigned["segment"], assigned["potential"], assigned["stage"]) == (
            "ENTERPRISE",
            "HIGH",
            "MEETING",
        )
        deal = where(deployed, "opportunities", "companyId", company["id"])[0]
        made.append(("opportunities", deal["id"]))
        assert deal["stage"] == "MEETING" and deal["name"].startswith(name)
        tasks = where(deployed, "tasks", "title", f"Initial outreach: {name}")
        assert len(tasks) == 1, tasks
        made.append(("tasks", tasks[0]["id"]))
        links = where(deployed, "taskTargets", "taskId", tasks[0]["id"])
        assert [t["targetCompanyId"] for t in links] == [company["id"]]
        print(f"task {tasks[0]['title']!r}, deal {deal['name']!r} at {deal['stage']}: {assigned['reason']}")

        # set_stage moved the deal NEW → MEETING: template 3 ran on that update
        staged = run_of(deployed, "opportunity-stage-change", deal["id"])
        sinfos = staged["state"]["stepInfos"]
        assert staged["status"] == "COMPLETED", json.dumps(sinfos)[:3000]
        assert sinfos[stage_wf.step_uuid("stage_changed")]["result"]["matchesFilter"] is True
        planned = sinfos[stage_wf.step_uuid("plan_tasks")]["result"]
        titles = [t["title"] for t in planned["tasks"]]
        assert titles == [f"Prepare the demo for {deal['name']}", f"Send the meeting recap to {deal['name']}"]
        for title in titles:
            found = where(deployed, "tasks", "title", title)
            assert len(found) == 1, title
            made.append(("tasks", found[0]["id"]))
            assert [
                t["targetOpportunityId"] for t in where(deployed, "taskTargets", "taskId", found[0]["id"])
            ] == [deal["id"]]
        notify = sinfos[stage_wf.step_uuid("notify")]
        print(f"stage-change tasks {titles}; SEND_EMAIL {notify['status']}: {str(notify.get('error'))[:160]}")
    finally:
        cleanup(deployed, made)


def test_template_two_enriches_a_new_person(deployed: LiveTwenty, enrichment: Enrichment) -> None:
    wf = manifest("new-person")
    email = f"ada.{uuid.uuid4().hex[:6]}@live-enrich.example"
    data = {"name": {"firstName": "Ada", "lastName": "Live"}, "emails": {"primaryEmail": email}}
    person = rest(deployed, "POST", "people", json=data)["data"]["createPerson"]
    made: list[tuple[str, str]] = [("people", person["id"])]
    try:
        run = run_of(deployed, "new-person", person["id"])
        infos = run["state"]["stepInfos"]
        assert run["status"] == "COMPLETED", json.dumps(infos)[:3000]
        assert any(email.replace("@", "%40") in path or email in path for path, _ in enrichment.calls)
        assert (f"Bearer {ENRICH_KEY}") in {auth for _, auth in enrichment.calls}
        assert infos[wf.step_uuid("merge")]["result"]["filled"] == ["jobTitle", "linkedinUrl"]
        got = rest(deployed, "GET", f"people/{person['id']}")["data"]["person"]
        assert got["jobTitle"] == "VP Engineering"
        assert got["linkedinLink"]["primaryLinkUrl"] == "https://www.linkedin.com/in/ada-live"
        task = where(deployed, "tasks", "title", "Review new contact: Ada Live")
        mine = [
            t for t in task if person["id"] in json.dumps(where(deployed, "taskTargets", "taskId", t["id"]))
        ]
        assert len(mine) == 1
        made.append(("tasks", mine[0]["id"]))
        print(
            f"enriched {got['jobTitle']!r}, {got['linkedinLink']['primaryLinkUrl']}; "
            f"provider called {len(enrichment.calls)}x"
        )
    finally:
        cleanup(deployed, made)


def test_template_four_run_now_notes_each_account_with_activity(deployed: LiveTwenty) -> None:
    """The 09:00 CRON template, run once now (runWorkflowVersion as the user): a company created a
    moment ago has activity in the last 24 h, so it gets its note."""
    from deploy.kinds.workflows import workflow_id
    from twenty_api import TwentyClient
    from twenty_api.workflows import WorkflowCalls

    wf = manifest("daily-digest")
    name = f"Digest live {uuid.uuid4().hex[:6]}"
    company = rest(deployed, "POST", "companies", json={"name": name})["data"]["createCompany"]
    made: list[tuple[str, str]] = [("companies", company["id"])]
    record = where(deployed, "workflows", "id", workflow_id(wf))[0]

    async def run_now() -> str | None:
        async with await TwentyClient.login(
            deployed.base_url, deployed.user_email, deployed.user_password
        ) as user:
            return await WorkflowCalls(user).run(record["lastPublishedVersionId"], {})

    started = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - 5))
    try:
        time.sleep(3)  # the worker writes the company's timeline activity
        run_id = asyncio.run(run_now())
        assert run_id
        # one note per account with activity: on this shared workspace, where other sessions touch
        # dozens of accounts a day, the loop ran 7 to 71 accounts (~9 s each on a busy worker)
        run = run_of(deployed, "daily-digest", company["id"], seconds=900)
        infos = run["state"]["stepInfos"]
        assert run["status"] == "COMPLETED", json.dumps(infos)[:3000]
        grouped = infos[wf.step_uuid("group")]["result"]
        mine = [a for a in grouped["accounts"] if a["companyId"] == company["id"]]
        assert len(mine) == 1 and mine[0]["activityCount"] >= 1, grouped["accounts"][:3]
        notes = where(deployed, "notes", "title", f"Daily activity: {name}")
        assert len(notes) == 1
        targets = where(deployed, "noteTargets", "noteId", notes[0]["id"])
        assert [t["targetCompanyId"] for t in targets] == [company["id"]]
        owners = len(grouped["owners"])
        print(f"daily digest: {grouped['accountCount']} account(s) noted, {owners} owner digest(s)")
    finally:
        cleanup(deployed, made)
        delete_digest_notes(deployed, since=started)  # every account's note this run made
