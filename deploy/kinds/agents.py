"""AI agents (apps/agents/*.yaml) and the least-privileged role each one runs under.

Ownership: an agent is ours when it is custom and its description carries
`[twenty-gcp:agent:<name>]`; its role has a fixed id derived from the agent's name (CreateRoleInput
takes an `id`) and the same kind of mark. A live agent with our name but without our mark (e.g.
Twenty's own `helper`) is a conflict: reported, never changed.

Order: the agent first, then its role, then `assignRoleToAgent`. On a Twenty without an AI
provider `createOneAgent` fails ("The selected model is not available in this workspace",
captured in example 141) and nothing is left behind; a run killed in between is finished by the
next one (the agent is found by its mark, the role by its id, the assignment by `roleId`).
"""

from __future__ import annotations

from typing import Any

from deploy.engine import (
    DeployContext,
    Item,
    describe_changes,
    field_changes,
    marker,
    squash_ws,
    with_marker,
)
from deploy.manifests import AGENT_NAME_PREFIX, AgentManifest, stable_uuid
from twenty_api import agents as api

KIND = "agents"
# twenty-shared AutoSelectSmartModelId / AutoSelectFastModelId at 2.21.0
AUTO_MODELS = ("default-smart-model", "default-fast-model")
MODEL_SETTING = (
    "`twenty-gcp:aiProvider` + `twenty-gcp:aiApiKey` (pulumi config set --secret aiApiKey …; then pulumi up) "
    "give Twenty a model; `twenty-gcp:aiModel` picks it"
)


def model_problem(model_id: str, client_config: dict[str, Any], workspace: dict[str, Any]) -> str | None:
    """Why 2.21 would refuse `createOneAgent` with this model, or None. Mirrors
    AiModelRegistryService.validateModelAvailability (ai-model-registry.service.ts at 6f3c158):
    an auto-select id needs any enabled model; any other id must be recommended (when the
    workspace uses recommended models) or in the workspace's enabledAiModelIds."""
    models = [m for m in client_config.get("aiModels") or [] if m.get("modelId") not in AUTO_MODELS]
    if not models:
        return f"Twenty has no AI model (no AI provider is configured on the server): {MODEL_SETTING}"
    recommended = {m["modelId"] for m in models if m.get("isRecommended")}
    use_recommended = workspace.get("useRecommendedModels", True)
    enabled = recommended if use_recommended else set(workspace.get("enabledAiModelIds") or [])
    if (bool(enabled) if model_id in AUTO_MODELS else model_id in enabled):
        return None
    offered = ", ".join(sorted(enabled)) or "none"
    return (f"model {model_id!r} is not available in this workspace (available: {offered}); set "
            f"`twenty-gcp:aiModel` to one of them, or enable it in Twenty's AI settings")
SANITIZED = ("name", "label", "icon", "description", "prompt", "modelId")  # create-agent input util


def role_id(agent: AgentManifest) -> str:
    return stable_uuid("agent-role", agent.name)


class Agents:
    name = KIND

    async def preflight(self, ctx: DeployContext) -> list[str]:
        """Before any write: every agent's model must be one Twenty will accept. Without this a
        workspace with no AI provider got 5 failing createOneAgent calls on every run."""
        if not ctx.manifests.agents:
            return []
        config = await ctx.gw.client_config()
        workspace = await ctx.gw.workspace_ai_settings()
        problems = {}
        for agent in ctx.manifests.agents:
            model = str(agent.create_agent_input(ctx.stack, None).get("modelId") or "")
            problem = model_problem(model, config, workspace) if model else None
            if problem:
                problems.setdefault(problem, []).append(agent.name)
        return [f"agents ({', '.join(names)}): {problem}" for problem, names in problems.items()]

    async def plan(self, ctx: DeployContext) -> list[Item]:
        agents = await ctx.gw.read(api.FIND_AGENTS) or []
        roles = {r["id"]: r for r in await ctx.gw.read(api.GET_ROLES) or []}
        by_name = {a.get("name"): a for a in agents}
        wanted = {a.twenty_name for a in ctx.manifests.agents}
        items = []
        for agent in ctx.manifests.agents:
            items.append(self._item(ctx, agent, by_name.get(agent.twenty_name), roles.get(role_id(agent))))
        for a in agents:
            desc = a.get("description") or ""
            if "[twenty-gcp:agent:" in desc and a.get("name") not in wanted:
                items.append(Item(KIND, str(a.get("name")).removeprefix(AGENT_NAME_PREFIX), "orphaned",
                                  ["ours but no longer in apps/agents/; left in place"]))
        return items

    def _item(self, ctx: DeployContext, agent: AgentManifest, live: dict[str, Any] | None,
              live_role: dict[str, Any] | None) -> Item:
        mark = marker("agent", agent.name)
        if live is not None and (not live.get("isCustom") or mark not in (live.get("description") or "")):
            return Item(KIND, agent.name, "conflict",
                        [f"an agent named {agent.twenty_name!r} exists and is not ours (no {mark} in its "
                         "description); left untouched — rename ours or remove that one"])
        rid = role_id(agent)
        role_input = {**agent.role.create_role_input(),
                      "description": with_marker(agent.role.description, marker("agent-role", agent.name))}
        desired = agent.create_agent_input(ctx.stack, None)
        desired["description"] = with_marker(desired.get("description"), mark)
        desired = squash_ws(desired, SANITIZED)
        role_input = squash_ws(role_input, ("label", "description"))
        if live is not None:
            ctx.agent_ids[agent.name] = live["id"]

        role_changed = {} if live_role is None else field_changes(live_role, role_input)
        agent_changed = {} if live is None else field_changes(live, desired)
        assign = live is None or live.get("roleId") != rid
        if "label" in agent_changed:  # 2.21 recomputes `name` from a new label unless name is sent
            agent_changed["name"] = desired["name"]
        lines: list[str] = []
        if live_role is None:
            lines.append(f"role: create {role_input['label']!r}")
        elif role_changed:
            lines += [f"role {k}" for k in describe_changes(live_role, role_changed)]
        if live is None:
            lines.append(f"agent: create (model {desired['modelId']})")
        else:
            lines += describe_changes(live, agent_changed)
            if assign:
                lines.append(f"role: assign {role_input['label']!r}")
        if live is not None and live_role is not None and not (role_changed or agent_changed or assign):
            return Item(KIND, agent.name, "unchanged")

        async def apply() -> list[str]:
            agent_id = live["id"] if live else None
            if agent_id is None:
                made = await ctx.gw.write(api.CREATE_AGENT, {"input": desired})
                agent_id = made["id"]
            elif agent_changed:
                await ctx.gw.write(api.UPDATE_AGENT, {"input": {"id": agent_id, **agent_changed}})
            ctx.agent_ids[agent.name] = agent_id
            if live_role is None:
                await ctx.gw.write(api.CREATE_ROLE, {"input": {"id": rid, **role_input}})
            elif role_changed:
                await ctx.gw.write(api.UPDATE_ROLE, {"input": {"id": rid, "update": role_changed}})
            if assign:
                await ctx.gw.write(api.ASSIGN_ROLE_TO_AGENT, {"agentId": agent_id, "roleId": rid})
            return [f"id {agent_id}"]

        calls = (["createOneAgent"] if live is None else ["updateOneAgent"] if agent_changed else [])
        calls += ["createOneRole"] if live_role is None else ["updateOneRole"] if role_changed else []
        calls += ["assignRoleToAgent"] if assign else []
        return Item(KIND, agent.name, "create" if live is None else "update", lines, apply, calls=calls)
