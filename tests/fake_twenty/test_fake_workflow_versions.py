"""activateWorkflowVersion as 2.21 does it (workflow-trigger.workspace-service.ts performActivationSteps;
utils/assert-version-can-be-activated.util.ts): the previously published version is archived."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fake_twenty import FakeTwenty

ACTIVATE = "mutation($id: UUID!){ activateWorkflowVersion(workflowVersionId:$id) }"
CREATE_STEP = (
    "mutation($input: CreateWorkflowVersionStepInput!) "
    "{ createWorkflowVersionStep(input:$input){ stepsDiff } }"
)
TRIGGER = {"type": "MANUAL", "settings": {"outputSchema": {}}}
STEP = {
    "id": "s1",
    "name": "note",
    "type": "CREATE_RECORD",
    "valid": True,
    "settings": {"input": {"objectName": "note", "objectRecord": {"title": "x"}}},
}


def _user(fake: FakeTwenty) -> dict[str, str]:
    return {"Authorization": f"Bearer {fake.user_token}"}


def _activate(client: httpx.Client, fake: FakeTwenty, version_id: str) -> dict[str, Any]:
    return client.post(
        "/graphql", json={"query": ACTIVATE, "variables": {"id": version_id}}, headers=_user(fake)
    ).json()


def _versions(client: httpx.Client, fake: FakeTwenty, workflow_id: str) -> dict[str, str]:
    rows = client.get(
        "/rest/workflowVersions", params={"filter": f'workflowId[eq]:"{workflow_id}"'}, headers=_user(fake)
    ).json()["data"]["workflowVersions"]
    return {v["id"]: v["status"] for v in rows}


def test_activating_a_new_version_archives_the_published_one(fake_twenty_empty: FakeTwenty) -> None:
    fake = fake_twenty_empty
    with httpx.Client(base_url=fake.base_url, timeout=10) as client:
        wf = client.post("/rest/workflows", json={"name": "wf"}, headers=_user(fake)).json()["data"][
            "createWorkflow"
        ]
        (v1,) = _versions(client, fake, wf["id"])
        # 2.21 refuses direct writes of `steps` (and without a trigger or a step, activation): set the
        # trigger, add a step through createWorkflowVersionStep
        patched = client.patch(f"/rest/workflowVersions/{v1}", json={"trigger": TRIGGER}, headers=_user(fake))
        assert patched.status_code == 200, patched.text
        step = client.post(
            "/graphql",
            headers=_user(fake),
            json={
                "query": CREATE_STEP,
                "variables": {"input": {"workflowVersionId": v1, "stepType": "CREATE_RECORD"}},
            },
        ).json()
        assert step["data"]["createWorkflowVersionStep"]["stepsDiff"], step
        assert _activate(client, fake, v1) == {"data": {"activateWorkflowVersion": True}}
        v2 = client.post(
            "/rest/workflowVersions",
            json={"workflowId": wf["id"], "name": "v2", "trigger": TRIGGER, "steps": [STEP]},
            headers=_user(fake),
        ).json()["data"]["createWorkflowVersion"]["id"]
        assert _versions(client, fake, wf["id"]) == {v1: "ACTIVE", v2: "DRAFT"}
        assert _activate(client, fake, v2) == {"data": {"activateWorkflowVersion": True}}
        assert _versions(client, fake, wf["id"]) == {v1: "ARCHIVED", v2: "ACTIVE"}
        workflow = client.get(f"/rest/workflows/{wf['id']}", headers=_user(fake)).json()["data"]["workflow"]
        assert workflow["lastPublishedVersionId"] == v2
        # an archived (non-draft, not last published) version cannot be activated again
        refused = _activate(client, fake, v1)
        assert refused["data"] is None
        assert refused["errors"][0]["message"] == "Cannot activate non-draft or non-last-published version"
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        # the last published one, deactivated, can be re-activated; nothing gets archived then
        client.post(
            "/graphql",
            json={"query": ACTIVATE.replace("activate", "deactivate"), "variables": {"id": v2}},
            headers=_user(fake),
        )
        assert _versions(client, fake, wf["id"]) == {v1: "ARCHIVED", v2: "DEACTIVATED"}
        assert _activate(client, fake, v2) == {"data": {"activateWorkflowVersion": True}}
        assert _versions(client, fake, wf["id"]) == {v1: "ARCHIVED", v2: "ACTIVE"}


def test_step_results_have_the_captured_shape_per_step_type() -> None:
    """An independent replay found the fake's workflow runs answering `{}` for filter and branch
    steps where 2.21 answers matchesFilter / matchingBranchId (example 072)."""
    from tests.fake_twenty import contract_data
    from tests.fake_twenty.workflows import Workflows

    runs = contract_data.load_example("072-rest-list-workflowRuns")["response_body"]["data"]["workflowRuns"]
    from types import SimpleNamespace

    from tests.fake_twenty.workflow_runner import resolve

    class AnyObject(dict):  # every objectName names an empty table: the captured runs found nothing
        def get(self, key: Any, default: Any = None) -> Any:
            return SimpleNamespace(plural=key)

    runner = Workflows.__new__(Workflows)
    store = SimpleNamespace(schema=SimpleNamespace(objects=AnyObject()), table=lambda obj: {})
    runner.rt = SimpleNamespace(store=store)
    checked = set()
    for run in runs:
        steps = {s["id"]: s for s in run["state"]["flow"]["steps"]}
        for step_id, info in run["state"]["stepInfos"].items():
            step = steps.get(step_id)
            if step is None or step["type"] not in ("FILTER", "IF_ELSE", "FIND_RECORDS"):
                continue
            ours = runner._action(step, resolve(step["settings"]["input"], {}), {})
            assert set(ours) == set(info["result"]), step["type"]
            assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in info["result"].items()}
            checked.add(step["type"])
    assert checked == {"FILTER", "IF_ELSE", "FIND_RECORDS"}
