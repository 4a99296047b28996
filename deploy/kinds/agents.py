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
from deploy.gateway import (
    M_ASSIGN_ROLE,
    M_CREATE_AGENT,
    M_CREATE_ROLE,
    M_UPDATE_AGENT,
    M_UPDATE_ROLE,
    Q_AGENTS,
    Q_ROLES,
)
from deploy.manifests import AGENT_NAME_PREFIX, AgentManifest, stable_uuid

KIND = "agents"
SANITIZED = ("name", "label", "icon", "description", "prompt", "modelId")  # create-agent input util


def role_id(agent: AgentManifest) -> str:
    return stable_uuid("agent-role", agent.name)


class Agents:
    name = KIND

    async def plan(self, ctx: DeployContext) -> list[Item]:
        agents = (await ctx.gw.query(Q_AGENTS)).get("findManyAgents") or []
        roles = {r["id"]: r for r in (await ctx.gw.query(Q_ROLES)).get("getRoles") or []}
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
                made = await ctx.gw.mutate("createOneAgent", M_CREATE_AGENT, {"input": desired})
                agent_id = made["createOneAgent"]["id"]
            elif agent_changed:
                await ctx.gw.mutate("updateOneAgent", M_UPDATE_AGENT,
                                    {"input": {"id": agent_id, **agent_changed}})
            ctx.agent_ids[agent.name] = agent_id
            if live_role is None:
                await ctx.gw.mutate("createOneRole", M_CREATE_ROLE, {"input": {"id": rid, **role_input}})
            elif role_changed:
                await ctx.gw.mutate("updateOneRole", M_UPDATE_ROLE,
                                    {"input": {"id": rid, "update": role_changed}})
            if assign:
                await ctx.gw.mutate("assignRoleToAgent", M_ASSIGN_ROLE, {"agentId": agent_id, "roleId": rid})
            return [f"id {agent_id}"]

        calls = (["createOneAgent"] if live is None else ["updateOneAgent"] if agent_changed else [])
        calls += ["createOneRole"] if live_role is None else ["updateOneRole"] if role_changed else []
        calls += ["assignRoleToAgent"] if assign else []
        return Item(KIND, agent.name, "create" if live is None else "update", lines, apply, calls=calls)
