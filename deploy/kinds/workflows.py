"""Workflow templates (apps/workflows/*.yaml) → a workflow record + its version, activated.

2.21 lets an API key create the workflow record but refuses it every workflowVersion write,
step mutation and activation (contract examples 150–162), so those run in the deploy user's
session. Ownership: the workflow record's id is derived from the manifest name (REST create takes
an `id`), so a re-run — also after a kill — finds it instead of making another; step ids are
derived the same way (WorkflowManifest.step_uuid).

Protocol, per workflow that differs: create the record if missing → a DRAFT version (the one
Twenty made with the workflow, else a new empty version record) → each missing step created
(createWorkflowVersionStep with our id), every step that differs set (updateWorkflowVersionStep
replaces the whole step), steps we no longer declare deleted → the trigger set (PATCH, allowed for
users: example 155) → activateWorkflowVersion (example 160; Twenty archives the previous active
version).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from deploy.engine import DeployContext, Item, canonical, contains, gather, marker
from deploy.gateway import M_ACTIVATE, M_CREATE_STEP, M_UPDATE_STEP, Q_AGENTS
from deploy.manifests import AGENT_NAME_PREFIX, WorkflowManifest, stable_uuid
from twenty_api.filters import F

KIND = "workflows"
M_DELETE_AGENT = "mutation DeleteOneAgent($input: AgentIdInput!) { deleteOneAgent(input: $input) { id } }"
M_DELETE_STEP = ("mutation DeleteWorkflowVersionStep($input: DeleteWorkflowVersionStepInput!) { "
                 "deleteWorkflowVersionStep(input: $input) { triggerDiff stepsDiff } }")
NEEDS_USER = ("needs the deploy user's session (2.21 refuses workflow versions and activation to API "
              "keys): put {\"email\":…,\"password\":…} in the Secret Manager secret "
              "`twenty-deploy-user` (docs/deploy.md › deploy user)")


def workflow_id(wf: WorkflowManifest) -> str:
    return stable_uuid("workflow", wf.name)


def steps_match(live: list[dict[str, Any]] | None, desired: list[dict[str, Any]]) -> bool:
    by_id = {s.get("id"): s for s in live or []}
    return set(by_id) == {s["id"] for s in desired} and all(contains(by_id[s["id"]], s) for s in desired)


def version_matches(version: dict[str, Any] | None, desired: dict[str, Any]) -> bool:
    return (version is not None and contains(version.get("trigger"), desired["trigger"])
            and steps_match(version.get("steps"), desired["steps"]))


class Workflows:
    name = KIND

    async def plan(self, ctx: DeployContext) -> list[Item]:
        await self._known_agents(ctx)
        return await gather(ctx.concurrency, [partial(self._item, ctx, wf) for wf in ctx.manifests.workflows])

    async def _known_agents(self, ctx: DeployContext) -> None:
        """With `--only workflows` the agents kind did not run: find our agents' ids ourselves."""
        used = {str(s.input.get("agent")) for wf in ctx.manifests.workflows for s in wf.steps
                if s.type == "AI_AGENT"}
        if not used - set(ctx.agent_ids):
            return
        for agent in (await ctx.gw.query(Q_AGENTS)).get("findManyAgents") or []:
            name = str(agent.get("name")).removeprefix(AGENT_NAME_PREFIX)
            if name in used and name not in ctx.agent_ids and agent.get("isCustom") \
                    and marker("agent", str(name)) in (agent.get("description") or ""):
                ctx.agent_ids[str(name)] = str(agent["id"])

    async def _item(self, ctx: DeployContext, wf: WorkflowManifest) -> Item:
        wid = workflow_id(wf)
        used = sorted({str(s.input.get("agent")) for s in wf.steps if s.type == "AI_AGENT"})
        missing = [a for a in used if a not in ctx.agent_ids]
        if missing and ctx.applying:
            return Item(KIND, wf.name, "blocked", [f"agent(s) {missing} not deployed (see the agents rows); "
                                                   "the workflow waits for them"])
        agent_ids = {**{a: f"<agent {a}, not created yet>" for a in missing}, **ctx.agent_ids}
        try:
            desired = wf.to_twenty(ctx.stack, agent_ids)
        except KeyError as e:
            return Item(KIND, wf.name, "blocked", [f"cannot build it: {e} (an agent it uses is missing "
                                                   "or in conflict, or a stack setting is unset)"])
        found = await ctx.gw.list_records("workflows", filter=str(F("id").eq(wid)))
        record = found[0] if found else None
        versions = [] if record is None else await ctx.gw.list_records(
            "workflowVersions", filter=str(F("workflowId").eq(wid)))
        actives = [v for v in versions if v.get("status") == "ACTIVE"]
        published = (record or {}).get("lastPublishedVersionId")
        active = next((v for v in actives if v.get("id") == published),
                      max(actives, key=lambda v: str(v.get("createdAt")), default=None))
        draft = next((v for v in versions if v.get("status") == "DRAFT"), None)
        target = active if wf.activate else (draft or active)
        notes = []
        if desired["trigger"]["type"] == "WEBHOOK":
            ws = await ctx.gw.workspace_id()
            notes.append(f"trigger {desired['trigger']['settings'].get('httpMethod', 'POST')} "
                         f"{ctx.server_url.rstrip('/')}/webhooks/workflows/{ws}/{wid}")
        rename = record is not None and record.get("name") != wf.label
        content = record is None or not version_matches(target, desired)
        if not rename and not content:
            return Item(KIND, wf.name, "unchanged", notes=notes)
        if not content:  # only the label changed: one PATCH, no new version
            async def patch_name() -> list[str]:
                await ctx.gw.update_record("workflows", wid, {"name": wf.label})
                return []

            return Item(KIND, wf.name, "update", [f"name: {record['name']!r} → {wf.label!r}"],  # type: ignore[index]
                        patch_name, notes=notes, calls=["PATCH /rest/workflows"])

        lines = ["workflow: create" if record is None else ""]
        if rename:
            lines.append(f"name: {record['name']!r} → {wf.label!r}")  # type: ignore[index]
        if draft is None and record is not None:
            lines.append("version: new draft")
        lines.append(f"version: set trigger {desired['trigger']['type']} and {len(desired['steps'])} steps")
        if wf.activate:
            lines.append("version: activate")
        lines = [x for x in lines if x]

        async def apply() -> list[str]:
            gw = await ctx.user_gateway()
            if gw is None:
                raise PermissionError(NEEDS_USER)
            if record is None:
                await gw.create_record("workflows", {"id": wid, "name": wf.label})
            elif rename:
                await gw.update_record("workflows", wid, {"name": wf.label})
            version_id = await self._draft(ctx, wf, wid, versions, draft, desired)
            await self._fill(ctx, version_id, desired)
            if wf.activate:
                await gw.mutate("activateWorkflowVersion", M_ACTIVATE, {"id": version_id},
                                endpoint="graphql", as_user=True)
            return [f"version {version_id}"]

        op = "create" if record is None else "update"
        calls = ["POST /rest/workflows"] if record is None else []
        calls += [] if draft is not None else ["POST /rest/workflowVersions (if Twenty made no draft)"]
        calls += ["createWorkflowVersionStep / updateWorkflowVersionStep per step (user)",
                  "PATCH /rest/workflowVersions trigger (user)"]
        calls += ["activateWorkflowVersion (user)"] if wf.activate else []
        item = Item(KIND, wf.name, op, lines, apply, notes=notes, calls=calls)
        if ctx.user_session is None and ctx.gw.user_client is None:
            item.notes.append(NEEDS_USER)
        return item

    async def _draft(self, ctx: DeployContext, wf: WorkflowManifest, wid: str,
                     versions: list[dict[str, Any]], draft: dict[str, Any] | None,
                     desired: dict[str, Any]) -> str:
        """The DRAFT version to fill: the existing one (Twenty makes one with the workflow), else a
        new empty one — 2.21 lets a user create a version record as long as it is the only DRAFT
        (workflow-version-validation.workspace-service.ts, validateWorkflowVersionForCreateOne).
        Its id is derived from the desired content, so a killed run finds it again."""
        gw = ctx.gw
        if draft is not None:
            return str(draft["id"])
        fresh = await gw.list_records("workflowVersions", filter=str(F("workflowId").eq(wid)), as_user=True)
        made = next((v for v in fresh if v.get("status") == "DRAFT"), None)
        if made is not None:
            return str(made["id"])
        vid = stable_uuid("workflow", wf.name, "version", canonical(desired))
        rec = await gw.create_record("workflowVersions", {"id": vid, "workflowId": wid,
                                                          "name": f"v{len(fresh) + 1}"}, as_user=True)
        return str(rec["id"])

    async def _fill(self, ctx: DeployContext, version_id: str, desired: dict[str, Any]) -> None:
        gw = ctx.gw
        live_version = await self._version(ctx, version_id)
        live_steps = {s.get("id"): s for s in (live_version.get("steps") or [])}
        wanted = {s["id"] for s in desired["steps"]}
        for sid in [s for s in live_steps if s not in wanted]:
            await self._delete_step(ctx, version_id, live_steps[sid])
        created_now: set[str] = set()
        for step in desired["steps"]:
            if step["id"] not in live_steps:
                created_now.add(step["id"])
                await gw.mutate("createWorkflowVersionStep", M_CREATE_STEP,
                                {"input": {"workflowVersionId": version_id, "stepType": step["type"],
                                           "id": step["id"]}}, endpoint="graphql", as_user=True)
                if step["type"] == "AI_AGENT":  # Twenty made the step its own agent: note it
                    made = {s.get("id"): s for s in (await self._version(ctx, version_id)).get("steps") or []}
                    live_steps[step["id"]] = made.get(step["id"], {})
            if not contains(live_steps.get(step["id"]), step):
                await gw.mutate("updateWorkflowVersionStep", M_UPDATE_STEP,
                                {"input": {"workflowVersionId": version_id, "step": step}},
                                endpoint="graphql", as_user=True)
                if step["id"] in created_now:
                    await self._drop_step_agent(ctx, live_steps.get(step["id"]), step)
        if not contains(live_version.get("trigger"), desired["trigger"]):
            await gw.update_record("workflowVersions", version_id, {"trigger": desired["trigger"]},
                                   as_user=True)

    async def _version(self, ctx: DeployContext, version_id: str) -> dict[str, Any]:
        found = await ctx.gw.list_records("workflowVersions", filter=str(F("id").eq(version_id)),
                                          as_user=True)
        return found[0] if found else {}

    async def _delete_step(self, ctx: DeployContext, version_id: str, step: dict[str, Any]) -> None:
        """2.21 deletes the agent an AI_AGENT step points at when the step is deleted
        (runWorkflowVersionStepDeletionSideEffects): point it at no agent first, so deleting our
        step never deletes one of our shared agents."""
        agent_id = ((step.get("settings") or {}).get("input") or {}).get("agentId")
        if step.get("type") == "AI_AGENT" and agent_id in set(ctx.agent_ids.values()):
            settings = step.get("settings") or {}
            inputs = {**settings.get("input", {}), "agentId": None}
            detached = {**step, "settings": {**settings, "input": inputs}}
            await ctx.gw.mutate("updateWorkflowVersionStep", M_UPDATE_STEP,
                                {"input": {"workflowVersionId": version_id, "step": detached}},
                                endpoint="graphql", as_user=True)
        await ctx.gw.mutate("deleteWorkflowVersionStep", M_DELETE_STEP,
                            {"input": {"workflowVersionId": version_id, "stepId": step.get("id")}},
                            endpoint="graphql", as_user=True)

    async def _drop_step_agent(self, ctx: DeployContext, before: dict[str, Any] | None,
                               step: dict[str, Any]) -> None:
        """Creating an AI_AGENT step makes Twenty create a 'Workflow Agent …' for it
        (runStepCreationSideEffectsAndBuildStep); once the step we just created points at our
        agent, that one is an orphan our own call created: delete it (only for steps created in
        this run, never an agent someone chose by hand)."""
        if step["type"] != "AI_AGENT" or not before:
            return
        old = ((before.get("settings") or {}).get("input") or {}).get("agentId")
        new = step["settings"]["input"].get("agentId")
        if old and old != new and old not in set(ctx.agent_ids.values()):
            await ctx.gw.mutate("deleteOneAgent", M_DELETE_AGENT, {"input": {"id": old}})
