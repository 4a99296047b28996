"""Filling a workflow version with AI_AGENT steps, against a double that reproduces the two 2.21
side effects read in the source (workflow-version-step-operations.workspace-service.ts):
creating an AI_AGENT step creates a "Workflow Agent …" for it, and deleting an AI_AGENT step
deletes the agent it points at. Our shared agents must survive both."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from deploy.engine import DeployContext
from deploy.gateway import Gateway
from deploy.kinds.workflows import Workflows
from deploy.manifests import load_manifests
from deploy.secrets import DictSecretSource
from tests.deploy.apps_fixture import STACK, make_apps_dir

pytestmark = pytest.mark.anyio
OURS = "11111111-1111-4111-8111-111111111111"


class StepDouble:
    def __init__(self, steps: list[dict[str, Any]] | None = None) -> None:
        self.version = {"id": "v1", "status": "DRAFT", "trigger": None, "steps": steps}
        self.agents = {OURS: "analyst"}
        self.calls: list[str] = []

    async def list_records(self, plural: str, *, filter: Any = None, limit: int = 60) -> Any:
        return SimpleNamespace(records=[dict(self.version)])

    async def update_record(self, plural: str, id: str, data: dict[str, Any]) -> dict[str, Any]:
        self.calls.append("PATCH trigger")
        self.version.update(data)
        return self.version

    async def run(self, op: Any, variables: dict[str, Any] | None = None) -> Any:
        """TwentyClient.run: the value under the operation's root field."""
        return (await self.graphql(op.document, variables, op.endpoint)).get(op.root)

    async def graphql(self, query: str, variables: dict[str, Any] | None = None,
                      endpoint: str = "graphql") -> Any:
        if "findManyAgents" in query:
            return {"findManyAgents": [{"id": k, "label": v} for k, v in self.agents.items()]}
        name = re.search(r"\{\s*(\w+)\(", query).group(1)  # type: ignore[union-attr]
        self.calls.append(name)
        inp = (variables or {}).get("input") or {}
        steps = self.version["steps"] or []
        if name == "createWorkflowVersionStep":
            agent = None
            if inp["stepType"] == "AI_AGENT":
                agent = f"auto-{len(self.agents)}"
                self.agents[agent] = f"Workflow Agent {inp['id'][:4]}"  # as 2.21 labels it
            steps.append({"id": inp["id"], "type": inp["stepType"], "name": "x", "valid": False,
                          "settings": {"input": {"agentId": agent} if agent else {}}})
            self.version["steps"] = steps
        elif name == "updateWorkflowVersionStep":
            self.version["steps"] = [inp["step"] if s["id"] == inp["step"]["id"] else s for s in steps]
        elif name == "deleteWorkflowVersionStep":
            gone = next(s for s in steps if s["id"] == inp["stepId"])
            agent = (gone.get("settings") or {}).get("input", {}).get("agentId")
            if gone["type"] == "AI_AGENT" and agent:
                self.agents.pop(agent, None)  # what 2.21 does
            self.version["steps"] = [s for s in steps if s["id"] != inp["stepId"]]
        elif name == "deleteOneAgent":
            self.agents.pop(inp["id"])
        return {name: {}}


def context(double: StepDouble, tmp_path) -> tuple[DeployContext, Any]:
    apps = make_apps_dir(tmp_path / "apps")
    gw = Gateway(double, user_client=double)
    ctx = DeployContext(gw=gw, manifests=load_manifests(apps), stack=STACK, secrets=DictSecretSource({}),
                        server_url="https://crm.example.com", agent_ids={"analyst": OURS})
    return ctx, ctx.manifests.workflows[0].to_twenty(STACK, ctx.agent_ids)


async def test_new_ai_step_points_at_our_agent_and_the_auto_agent_is_removed(tmp_path):
    double = StepDouble()
    ctx, desired = context(double, tmp_path)
    await Workflows()._fill(ctx, "v1", desired)
    ai = next(s for s in double.version["steps"] if s["type"] == "AI_AGENT")
    assert ai["settings"]["input"]["agentId"] == OURS
    assert double.agents == {OURS: "analyst"}  # Twenty's per-step agent cleaned, ours kept
    assert "deleteOneAgent" in double.calls


async def test_removing_an_ai_step_never_deletes_our_agent(tmp_path):
    double = StepDouble()
    ctx, desired = context(double, tmp_path)
    await Workflows()._fill(ctx, "v1", desired)
    plain = {**desired, "steps": [s for s in desired["steps"] if s["type"] != "AI_AGENT"]}
    double.calls.clear()
    await Workflows()._fill(ctx, "v1", plain)
    assert OURS in double.agents
    assert double.calls[:2] == ["updateWorkflowVersionStep", "deleteWorkflowVersionStep"]
    assert [s["type"] for s in double.version["steps"]] == ["CREATE_RECORD"]


async def test_an_agent_someone_chose_by_hand_is_not_deleted(tmp_path):
    theirs = {"id": "x", "type": "AI_AGENT", "settings": {"input": {"agentId": "their-agent"}}}
    double = StepDouble()
    double.agents["their-agent"] = "theirs"
    ctx, desired = context(double, tmp_path)
    ai = next(s for s in desired["steps"] if s["type"] == "AI_AGENT")
    double.version["steps"] = [{**theirs, "id": ai["id"]}]
    await Workflows()._fill(ctx, "v1", desired)
    assert "their-agent" in double.agents and "deleteOneAgent" not in double.calls


async def test_only_workflows_finds_our_agents_ids_itself(tmp_path):
    class Agents(StepDouble):
        async def graphql(self, query: str, variables: dict[str, Any] | None = None,
                          endpoint: str = "graphql") -> Any:
            if "findManyAgents" in query:
                return {"findManyAgents": [
                    {"id": OURS, "name": "analyst", "isCustom": True,
                     "description": "x [twenty-gcp:agent:analyst]"},
                    {"id": "std", "name": "writer", "isCustom": False, "description": "Twenty's"}]}
            return await super().graphql(query, variables, endpoint)

    double = Agents()
    ctx, _ = context(double, tmp_path)
    ctx.agent_ids.clear()
    await Workflows()._known_agents(ctx)
    assert ctx.agent_ids == {"analyst": OURS}
