"""Agent reconciliation logic. The fake Twenty answers createOneAgent as the captured server
without an AI provider did (always an error, example 141), so create/update/idempotence are
pinned here against an in-memory double of the four /metadata calls, answering with the Agent
and Role types of metadata-introspection.json and reproducing two 2.21 behaviours read in the
source: whitespace in name/label/description/prompt is collapsed before storing
(from-create-agent-input-to-flat-agent.util.ts → trimAndRemoveDuplicatedWhitespacesFromString),
and an update with a new label but no name recomputes the name
(from-update-agent-input-to-flat-agent-to-update.util.ts)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from deploy.manifests import load_manifests
from deploy.reconcile import reconcile
from deploy.secrets import DictSecretSource
from tests.deploy.apps_fixture import SECRETS, STACK, make_apps_dir
from tests.deploy.wire import Killed

pytestmark = pytest.mark.anyio
SQUASHED = ("name", "label", "icon", "description", "prompt", "modelId")


def squash(d: dict[str, Any]) -> dict[str, Any]:
    return {k: " ".join(v.split()) if k in SQUASHED and isinstance(v, str) else v for k, v in d.items()}


class MetadataDouble:
    def __init__(self) -> None:
        self.agents: dict[str, dict[str, Any]] = {}
        self.roles: dict[str, dict[str, Any]] = {"admin": {"id": "admin", "label": "Admin"}}
        self.writes: list[str] = []
        self.die_after: int | None = None

    async def client_config(self) -> dict[str, Any]:  # a server with an AI provider (GET /client-config)
        return {"aiModels": [{"modelId": "gpt-4o-mini", "isRecommended": True}]}

    async def workspace_ai_settings(self) -> dict[str, Any]:
        return {"useRecommendedModels": True, "enabledAiModelIds": []}

    async def graphql(self, query: str, variables: dict[str, Any] | None = None,
                      endpoint: str = "graphql") -> dict[str, Any]:
        v = variables or {}
        op = re.search(r"(findManyAgents|getRoles|createOneAgent|updateOneAgent|createOneRole|updateOneRole|"
                       r"assignRoleToAgent)", query)
        assert op, query
        name = op.group(1)
        if name == "findManyAgents":
            return {name: [dict(a) for a in self.agents.values()]}
        if name == "getRoles":
            return {name: [dict(r) for r in self.roles.values()]}
        if self.die_after is not None and len(self.writes) >= self.die_after:
            raise Killed("killed")
        self.writes.append(name)
        if name == "createOneAgent":
            data = squash(v["input"])
            agent = {"id": str(uuid.uuid4()), "isCustom": True, "roleId": None, "applicationId": "custom",
                     "icon": None, "responseFormat": {"type": "text"}, "modelConfiguration": None, **data}
            self.agents[agent["id"]] = agent
            return {name: agent}
        if name == "updateOneAgent":
            data = squash(v["input"])
            if "label" in data and "name" not in data:
                data["name"] = re.sub(r"\W+", "", data["label"][:1].lower() + data["label"][1:])
            self.agents[data["id"]].update(data)
            return {name: self.agents[data["id"]]}
        if name == "createOneRole":
            self.roles[v["input"]["id"]] = dict(v["input"])
            return {name: self.roles[v["input"]["id"]]}
        if name == "updateOneRole":
            self.roles[v["input"]["id"]].update(v["input"]["update"])
            return {name: self.roles[v["input"]["id"]]}
        self.agents[v["agentId"]]["roleId"] = v["roleId"]
        return {name: True}


async def run(double: MetadataDouble, apps, **kw: Any):
    return await reconcile(double, load_manifests(apps), stack=STACK, secrets=DictSecretSource(SECRETS),
                           server_url="https://crm.example.com", apply=True, only=["agents"], **kw)


async def test_create_then_noop(tmp_path):
    double, apps = MetadataDouble(), make_apps_dir(tmp_path / "apps")
    first = await run(double, apps)
    assert [(i.name, i.op, i.status) for i in first.items] == [("analyst", "create", "done"),
                                                               ("writer", "create", "done")]
    assert sorted(double.writes) == sorted(["createOneAgent", "createOneRole", "assignRoleToAgent"] * 2)
    # Twenty's key is prefixed (2.21's standard `helper` agent owns the bare name)
    analyst = next(a for a in double.agents.values() if a["name"] == "twenty-gcp-analyst")
    assert "\n" not in analyst["prompt"] and analyst["description"].endswith("[twenty-gcp:agent:analyst]")
    assert analyst["modelId"] == "gpt-4o-mini" and analyst["roleId"] in double.roles
    role = double.roles[analyst["roleId"]]
    assert role["canUpdateAllObjectRecords"] is False and role["canDestroyAllObjectRecords"] is False
    double.writes.clear()
    second = await run(double, apps)
    assert double.writes == [] and {i.op for i in second.items} == {"unchanged"}


async def test_prompt_change_is_one_update(tmp_path):
    double = MetadataDouble()
    await run(double, make_apps_dir(tmp_path / "v1"))
    double.writes.clear()
    out = await run(double, make_apps_dir(tmp_path / "v2", analyst_extra="Cite record ids."))
    assert double.writes == ["updateOneAgent"]
    item = next(i for i in out.items if i.name == "analyst")
    assert item.op == "update" and item.changes[0].startswith("prompt: ")


async def test_label_change_keeps_the_name(tmp_path):
    double = MetadataDouble()
    apps = make_apps_dir(tmp_path / "apps")
    await run(double, apps)
    f = apps / "agents" / "writer.yaml"
    f.write_text(f.read_text().replace("label: Writer", "label: Copy writer"))
    await run(double, apps)
    writer = next(a for a in double.agents.values() if a["label"] == "Copy writer")
    assert writer["name"] == "twenty-gcp-writer"
    double.writes.clear()
    await run(double, apps)
    assert double.writes == []


async def test_killed_between_agent_and_role_is_finished_next_run(tmp_path):
    double, apps = MetadataDouble(), make_apps_dir(tmp_path / "apps")
    (apps / "agents" / "writer.yaml").unlink()
    double.die_after = 1  # dies after createOneAgent reached the server
    with pytest.raises(BaseException) as died:  # Killed, maybe inside a task group's exception group
        await run(double, apps)
    assert died.type is Killed or died.group_contains(Killed)
    double.die_after = None
    assert double.writes == ["createOneAgent"]
    out = await run(double, apps)
    assert double.writes == ["createOneAgent", "createOneRole", "assignRoleToAgent"]
    assert out.items[0].op == "update" and len(double.agents) == 1


async def test_a_name_taken_by_an_agent_that_is_not_ours_is_left_alone(tmp_path):
    double, apps = MetadataDouble(), make_apps_dir(tmp_path / "apps")
    double.agents["std"] = {"id": "std", "name": "twenty-gcp-writer", "label": "Writer", "prompt": "standard",
                            "isCustom": False, "description": "Twenty's own", "roleId": None}
    out = await run(double, apps)
    writer = next(i for i in out.items if i.name == "writer")
    assert writer.op == "conflict" and "not ours" in writer.changes[0]
    assert double.agents["std"]["prompt"] == "standard"
    assert "updateOneAgent" not in double.writes


async def test_orphaned_agent_reported_not_deleted(tmp_path):
    double, apps = MetadataDouble(), make_apps_dir(tmp_path / "apps")
    await run(double, apps)
    (apps / "agents" / "writer.yaml").unlink()
    out = await run(double, apps)
    assert ("writer", "orphaned") in [(i.name, i.op) for i in out.items]
    assert len(double.agents) == 2


async def test_a_standard_agent_with_the_bare_name_does_not_block_ours(tmp_path):
    # 2.21 seeds a standard agent `helper`; our `helper` manifest must still deploy beside it.
    double, apps = MetadataDouble(), make_apps_dir(tmp_path / "apps")
    double.agents["std"] = {"id": "std", "name": "writer", "label": "Writer", "prompt": "standard",
                            "isCustom": False, "description": "Twenty's own", "roleId": None}
    out = await run(double, apps)
    assert ("writer", "create", "done") in [(i.name, i.op, i.status) for i in out.items]
    assert double.agents["std"]["prompt"] == "standard"
