"""Workflow templates (apps/workflows/*.yaml) → a workflow record + its version, activated.

2.21 lets an API key create the workflow record but refuses it every workflowVersion write,
step mutation and activation (contract examples 150–162), so those run in the deploy user's
session. Ownership: the workflow record's id is derived from the manifest name (REST create takes
an `id`), so a re-run — also after a kill — finds it instead of making another; step ids are
derived the same way (WorkflowManifest.step_uuid), and a CODE step's logic function has its step's id.

Protocol, per workflow that differs: create the record if missing → a DRAFT version (the one
Twenty made with the workflow, else a new empty version record) → twenty_api.workflows.sync_version
(steps created / replaced / deleted, CODE sources set, the trigger PATCHed) → activateWorkflowVersion
(example 160; Twenty archives the previous active version). Every GraphQL document is
twenty_api.workflows'; the gateway counts the writes.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from deploy.engine import DeployContext, Item, canonical, contains, gather, marker, secrets_missing
from deploy.gateway import Gateway
from deploy.manifests import AGENT_NAME_PREFIX, WorkflowManifest, stable_uuid
from twenty_api import agents as agents_api
from twenty_api.filters import F
from twenty_api.operations import Operation
from twenty_api.workflows import SyncHooks, WorkflowCalls, sync_version, unplaced

KIND = "workflows"
NEEDS_USER = (
    "needs the deploy user's session (2.21 refuses workflow versions and activation to API "
    'keys): put {"email":…,"password":…} in the Secret Manager secret '
    "`twenty-deploy-user` (docs/deploy.md › deploy user)"
)


class GatewayRunner:
    """twenty_api.workflows' runner over the deploy gateway: each write counted under its root
    field, in the deploy user's session (2.21 keeps workflow calls from API keys)."""

    def __init__(self, gw: Gateway, *, as_user: bool = True) -> None:
        self.gw = gw
        self.as_user = as_user

    async def run(self, op: Operation, variables: dict[str, Any] | None = None) -> Any:
        if op.writes:
            return await self.gw.write(op, variables, as_user=self.as_user)
        return await self.gw.read(op, variables, as_user=self.as_user)


def workflow_id(wf: WorkflowManifest) -> str:
    return stable_uuid("workflow", wf.name)


def steps_match(live: list[dict[str, Any]] | None, desired: list[dict[str, Any]]) -> bool:
    by_id = {s.get("id"): s for s in live or []}
    return set(by_id) == {s["id"] for s in desired} and all(
        contains(by_id[s["id"]], unplaced(s)) for s in desired
    )


def version_matches(version: dict[str, Any] | None, desired: dict[str, Any]) -> bool:
    return (
        version is not None
        and contains(version.get("trigger"), unplaced(desired["trigger"]))
        and steps_match(version.get("steps"), desired["steps"])
    )


class Workflows:
    name = KIND

    async def plan(self, ctx: DeployContext) -> list[Item]:
        await self._known_agents(ctx)
        return await gather(ctx.concurrency, [partial(self._item, ctx, wf) for wf in ctx.manifests.workflows])

    async def _known_agents(self, ctx: DeployContext) -> None:
        """With `--only workflows` the agents kind did not run: find our agents' ids ourselves."""
        used = {
            str(s.input.get("agent"))
            for wf in ctx.manifests.workflows
            for s in wf.steps
            if s.type == "AI_AGENT" and isinstance(s.input, dict)
        }
        if not used - set(ctx.agent_ids):
            return
        for agent in await ctx.gw.read(agents_api.FIND_AGENTS) or []:
            name = str(agent.get("name")).removeprefix(AGENT_NAME_PREFIX)
            if (
                name in used
                and name not in ctx.agent_ids
                and agent.get("isCustom")
                and marker("agent", str(name)) in (agent.get("description") or "")
            ):
                ctx.agent_ids[str(name)] = str(agent["id"])

    async def _item(self, ctx: DeployContext, wf: WorkflowManifest) -> Item:
        wid = workflow_id(wf)
        used = sorted(
            {
                str(s.input.get("agent"))
                for s in wf.steps
                if s.type == "AI_AGENT" and isinstance(s.input, dict)
            }
        )
        missing = [a for a in used if a not in ctx.agent_ids]
        if missing and ctx.applying:
            return Item(
                KIND,
                wf.name,
                "blocked",
                [f"agent(s) {missing} not deployed (see the agents rows); the workflow waits for them"],
            )
        lacking = secrets_missing(ctx, wf.secret_ids())
        if lacking:
            return Item(KIND, wf.name, "blocked", lacking)
        agent_ids = {**{a: f"<agent {a}, not created yet>" for a in missing}, **ctx.agent_ids}
        try:
            desired = wf.to_twenty(ctx.stack, agent_ids, {s: ctx.secrets.get(s) for s in wf.secret_ids()})
        except KeyError as e:
            return Item(
                KIND,
                wf.name,
                "blocked",
                [
                    f"cannot build it: {e} (an agent it uses is missing "
                    "or in conflict, or a stack setting is unset)"
                ],
            )
        code = wf.code()
        found = await ctx.gw.list_records("workflows", filter=str(F("id").eq(wid)))
        record = found[0] if found else None
        versions = (
            []
            if record is None
            else await ctx.gw.list_records("workflowVersions", filter=str(F("workflowId").eq(wid)))
        )
        actives = [v for v in versions if v.get("status") == "ACTIVE"]
        published = (record or {}).get("lastPublishedVersionId")
        active = next(
            (v for v in actives if v.get("id") == published),
            max(actives, key=lambda v: str(v.get("createdAt")), default=None),
        )
        draft = next((v for v in versions if v.get("status") == "DRAFT"), None)
        target = active if wf.activate else (draft or active)
        notes = []
        if desired["trigger"]["type"] == "WEBHOOK":
            ws = await ctx.gw.workspace_id()
            notes.append(
                f"trigger {desired['trigger']['settings'].get('httpMethod', 'POST')} "
                f"{ctx.server_url.rstrip('/')}/webhooks/workflows/{ws}/{wid}"
            )
        rename = record is not None and record.get("name") != wf.label
        content = record is None or not version_matches(target, desired)
        stale_code = [] if content else await self._stale_code(ctx, code, target)
        content = content or bool(stale_code)
        if not rename and not content:
            return Item(KIND, wf.name, "unchanged", notes=notes)
        if not content:  # only the label changed: one PATCH, no new version

            async def patch_name() -> list[str]:
                await ctx.gw.update_record("workflows", wid, {"name": wf.label})
                return []

            return Item(
                KIND,
                wf.name,
                "update",
                [f"name: {record['name']!r} → {wf.label!r}"],  # type: ignore[index]
                patch_name,
                notes=notes,
                calls=["PATCH /rest/workflows"],
            )

        lines = ["workflow: create" if record is None else ""]
        if rename:
            lines.append(f"name: {record['name']!r} → {wf.label!r}")  # type: ignore[index]
        if draft is None and record is not None:
            lines.append("version: new draft")
        lines.append(f"version: set trigger {desired['trigger']['type']} and {len(desired['steps'])} steps")
        if stale_code:
            lines.append(f"code: {len(stale_code)} CODE step source(s) differ")
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
            await self._fill(ctx, version_id, desired, code)
            if wf.activate:
                await WorkflowCalls(GatewayRunner(gw)).activate(version_id)
            return [f"version {version_id}"]

        op = "create" if record is None else "update"
        calls = ["POST /rest/workflows"] if record is None else []
        calls += [] if draft is not None else ["POST /rest/workflowVersions (if Twenty made no draft)"]
        calls += [
            "createWorkflowVersionStep / updateWorkflowVersionStep per step (user)",
            "updateOneLogicFunction per CODE source that differs (user)",
            "PATCH /rest/workflowVersions trigger (user)",
        ]
        calls += ["activateWorkflowVersion (user)"] if wf.activate else []
        item = Item(KIND, wf.name, op, lines, apply, notes=notes, calls=calls)
        if ctx.user_session is None and ctx.gw.user_client is None:
            item.notes.append(NEEDS_USER)
        return item

    async def _stale_code(
        self, ctx: DeployContext, code: dict[str, str], version: dict[str, Any] | None
    ) -> list[str]:
        """CODE steps whose logic function holds other source than the manifest's (a read: a
        changed CODE file shows in the function, the step itself does not change)."""
        if not code or version is None:
            return []
        gw = await ctx.user_gateway() or ctx.gw
        calls = WorkflowCalls(GatewayRunner(gw))
        functions = {
            s.get("id"): ((s.get("settings") or {}).get("input") or {}).get("logicFunctionId")
            for s in version.get("steps") or []
        }
        return [
            sid
            for sid, source in code.items()
            if not functions.get(sid) or await calls.code_source(str(functions[sid])) != source
        ]

    async def _draft(
        self,
        ctx: DeployContext,
        wf: WorkflowManifest,
        wid: str,
        versions: list[dict[str, Any]],
        draft: dict[str, Any] | None,
        desired: dict[str, Any],
    ) -> str:
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
        source = next((v for v in fresh if v.get("status") == "ACTIVE"), None) or max(
            fresh, key=lambda v: str(v.get("createdAt")), default=None
        )
        if source is not None:
            # a copy of the live version (createDraftFromWorkflowVersion): only what differs is then
            # written, and each CODE step gets its own copy of its logic function (createDraftStep)
            copied = await WorkflowCalls(GatewayRunner(gw)).draft_from(wid, str(source["id"]))
            if copied.get("id"):
                return str(copied["id"])
        vid = stable_uuid("workflow", wf.name, "version", canonical(desired))
        rec = await gw.create_record(
            "workflowVersions", {"id": vid, "workflowId": wid, "name": f"v{len(fresh) + 1}"}, as_user=True
        )
        return str(rec["id"])

    async def _fill(
        self, ctx: DeployContext, version_id: str, desired: dict[str, Any], code: dict[str, str] | None = None
    ) -> None:
        gw = ctx.gw
        calls = WorkflowCalls(GatewayRunner(gw))
        ours = set(ctx.agent_ids.values())

        async def before_delete(step: dict[str, Any]) -> None:
            """2.21 deletes the agent an AI_AGENT step points at when the step is deleted
            (runWorkflowVersionStepDeletionSideEffects): point it at no agent first, so deleting
            our step never deletes one of our shared agents."""
            settings = step.get("settings") or {}
            agent_id = (settings.get("input") or {}).get("agentId")
            if step.get("type") == "AI_AGENT" and agent_id in ours:
                inputs = {**settings.get("input", {}), "agentId": None}
                await calls.update_step(version_id, {**step, "settings": {**settings, "input": inputs}})

        async def after_set(made: dict[str, Any], step: dict[str, Any], created_now: bool) -> None:
            """Creating an AI_AGENT step makes Twenty create a 'Workflow Agent <id[:4]>' for it
            (runStepCreationSideEffectsAndBuildStep); once our step points at our agent, that one
            is an orphan: delete it — when this run created the step, or when it is the agent
            Twenty made for this very step (a run that failed before pointing it at ours). Never an
            agent someone chose by hand."""
            if step["type"] != "AI_AGENT":
                return
            old = ((made.get("settings") or {}).get("input") or {}).get("agentId")
            new = step["settings"]["input"].get("agentId")
            if not old or old == new or old in ours:
                return
            if not created_now:
                agents = await gw.read(agents_api.FIND_AGENTS) or []
                label = f"Workflow Agent {step['id'][:4]}"
                if not any(a.get("id") == old and a.get("label") == label for a in agents):
                    return
            await calls.delete_agent(old)

        async def read_version() -> dict[str, Any]:
            found = await gw.list_records(
                "workflowVersions", filter=str(F("id").eq(version_id)), as_user=True
            )
            return found[0] if found else {}

        async def set_trigger(trigger: dict[str, Any]) -> None:
            await gw.update_record("workflowVersions", version_id, {"trigger": trigger}, as_user=True)

        await sync_version(
            calls,
            version_id,
            read_version,
            set_trigger,
            desired,
            code,
            SyncHooks(before_delete=before_delete, after_set=after_set),
        )
