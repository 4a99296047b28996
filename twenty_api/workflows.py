"""Workflows: the calls that build, activate and run a workflow version, as named typed calls.

2.21 lets an API key create the workflow record, but every step, edge, trigger and activation call
is guarded by UserAuthGuard (engine/core-modules/workflow/resolvers/*.resolver.ts): run them over a
user session. The logic-function calls a CODE step uses (getLogicFunctionSourceCode,
updateOneLogicFunction) sit on /metadata behind the WORKFLOWS permission
(engine/metadata-modules/logic-function/logic-function.resolver.ts).

`WorkflowCalls` runs these named operations (``twenty_api.operations``) over anything with
``run(op, variables)`` — a TwentyClient, the MCP server's ScopedClient, or the deploy gateway —
so every caller sends the same documents. `sync_version` brings one DRAFT version to a desired
trigger + steps with the fewest writes (nothing when it already matches), for both the MCP tools
and `inv deploy`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from twenty_api.agents import DELETE_AGENT
from twenty_api.compare import contains
from twenty_api.operations import Operation, mutation, query

# The workflow builder's documents (engine/core-modules/workflow/resolvers/*.resolver.ts, on
# /graphql, UserAuthGuard) and the logic-function calls of a CODE step (/metadata).
CREATE_STEP = mutation(
    "createWorkflowVersionStep",
    "mutation CreateWorkflowVersionStep($input: CreateWorkflowVersionStepInput!) { "
    "createWorkflowVersionStep(input: $input) { triggerDiff stepsDiff } }",
    "graphql",
)
UPDATE_STEP = mutation(
    "updateWorkflowVersionStep",
    "mutation UpdateWorkflowVersionStep($input: UpdateWorkflowVersionStepInput!) { "
    "updateWorkflowVersionStep(input: $input) { id } }",
    "graphql",
)
DELETE_STEP = mutation(
    "deleteWorkflowVersionStep",
    "mutation DeleteWorkflowVersionStep($input: DeleteWorkflowVersionStepInput!) { "
    "deleteWorkflowVersionStep(input: $input) { triggerDiff stepsDiff } }",
    "graphql",
)
CREATE_EDGE = mutation(
    "createWorkflowVersionEdge",
    "mutation CreateWorkflowVersionEdge($input: CreateWorkflowVersionEdgeInput!) { "
    "createWorkflowVersionEdge(input: $input) { triggerDiff stepsDiff } }",
    "graphql",
)
DELETE_EDGE = mutation(
    "deleteWorkflowVersionEdge",
    "mutation DeleteWorkflowVersionEdge($input: CreateWorkflowVersionEdgeInput!) { "
    "deleteWorkflowVersionEdge(input: $input) { triggerDiff stepsDiff } }",
    "graphql",
)
ACTIVATE = mutation(
    "activateWorkflowVersion",
    "mutation ActivateWorkflowVersion($id: UUID!) { activateWorkflowVersion(workflowVersionId: $id) }",
    "graphql",
)
DEACTIVATE = mutation(
    "deactivateWorkflowVersion",
    "mutation DeactivateWorkflowVersion($id: UUID!) { deactivateWorkflowVersion(workflowVersionId: $id) }",
    "graphql",
)
RUN = mutation(
    "runWorkflowVersion",
    "mutation RunWorkflowVersion($input: RunWorkflowVersionInput!) { "
    "runWorkflowVersion(input: $input) { workflowRunId } }",
    "graphql",
)
DRAFT_FROM = mutation(
    "createDraftFromWorkflowVersion",
    "mutation CreateDraftFromWorkflowVersion($input: CreateDraftFromWorkflowVersionInput!) { "
    "createDraftFromWorkflowVersion(input: $input) { id status } }",
    "graphql",
)
CODE_SOURCE = query(
    "getLogicFunctionSourceCode",
    "query GetLogicFunctionSourceCode($input: LogicFunctionIdInput!) { "
    "getLogicFunctionSourceCode(input: $input) }",
)
SET_CODE = mutation(
    "updateOneLogicFunction",
    "mutation UpdateOneLogicFunction($input: UpdateLogicFunctionFromSourceInput!) { "
    "updateOneLogicFunction(input: $input) }",
)


class OperationRunner(Protocol):
    """Runs a named operation and answers the value under its root field: a TwentyClient, the
    MCP server's ScopedClient, or the deploy gateway (counting writes)."""

    async def run(self, op: Operation, variables: dict[str, Any] | None = None) -> Any: ...


class WorkflowCalls:
    """The named workflow calls over one runner (a user session for all but the record)."""

    def __init__(self, runner: OperationRunner) -> None:
        self.runner = runner

    async def create_step(self, version_id: str, step_type: str, step_id: str) -> dict[str, Any]:
        """An empty step of `step_type` with our id; Twenty fills defaults and side effects (a CODE
        step gets a logic function with the step's id, an AI_AGENT step its own agent, an ITERATOR
        or IF_ELSE EMPTY placeholders: workflow-version-step-operations.workspace-service.ts)."""
        inp = {"workflowVersionId": version_id, "stepType": step_type, "id": step_id}
        return await self.runner.run(CREATE_STEP, {"input": inp}) or {}

    async def update_step(self, version_id: str, step: Mapping[str, Any]) -> dict[str, Any]:
        """Replace the whole step (settings, name, nextStepIds)."""
        return (
            await self.runner.run(
                UPDATE_STEP, {"input": {"workflowVersionId": version_id, "step": dict(step)}}
            )
            or {}
        )

    async def delete_step(self, version_id: str, step_id: str) -> dict[str, Any]:
        return (
            await self.runner.run(
                DELETE_STEP, {"input": {"workflowVersionId": version_id, "stepId": step_id}}
            )
            or {}
        )

    async def create_edge(
        self, version_id: str, source: str, target: str, options: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """`source` is a step id or "trigger"; `options` e.g. an IF_ELSE branch or the iterator loop."""
        inp: dict[str, Any] = {"workflowVersionId": version_id, "source": source, "target": target}
        if options:
            inp["sourceConnectionOptions"] = dict(options)
        return await self.runner.run(CREATE_EDGE, {"input": inp}) or {}

    async def delete_edge(self, version_id: str, source: str, target: str) -> dict[str, Any]:
        inp = {"workflowVersionId": version_id, "source": source, "target": target}
        return await self.runner.run(DELETE_EDGE, {"input": inp}) or {}

    async def activate(self, version_id: str) -> bool:
        return bool(await self.runner.run(ACTIVATE, {"id": version_id}))

    async def deactivate(self, version_id: str) -> bool:
        return bool(await self.runner.run(DEACTIVATE, {"id": version_id}))

    async def run(self, version_id: str, payload: Mapping[str, Any] | None = None) -> str | None:
        inp = {"workflowVersionId": version_id, "payload": dict(payload or {})}
        return (await self.runner.run(RUN, {"input": inp}) or {}).get("workflowRunId")

    async def draft_from(self, workflow_id: str, version_id: str) -> dict[str, Any]:
        """A new DRAFT copied from `version_id` (workflow-version.workspace-service.ts: a CODE step
        gets its own copy of its logic function)."""
        inp = {"workflowId": workflow_id, "workflowVersionIdToCopy": version_id}
        return await self.runner.run(DRAFT_FROM, {"input": inp}) or {}

    async def code_source(self, logic_function_id: str) -> str | None:
        return await self.runner.run(CODE_SOURCE, {"input": {"id": logic_function_id}})

    async def set_code_source(self, logic_function_id: str, source: str) -> bool:
        update = {"id": logic_function_id, "update": {"sourceHandlerCode": source}}
        return bool(await self.runner.run(SET_CODE, {"input": update}))

    async def delete_agent(self, agent_id: str) -> None:
        await self.runner.run(DELETE_AGENT, {"input": {"id": agent_id}})


def unplaced(item: Mapping[str, Any]) -> dict[str, Any]:
    """A step or trigger without its canvas position (which Twenty's editor may move)."""
    return {k: v for k, v in item.items() if k != "position"}


@dataclass
class SyncHooks:
    """Side effects a caller adds around 2.21's own: before a step is deleted, and after a step was
    replaced — `after_set(before, step, created_now)` — e.g. drop the agent Twenty made for an
    AI_AGENT step that now points at another agent."""

    before_delete: Callable[[dict[str, Any]], Awaitable[None]] | None = None
    after_set: Callable[[dict[str, Any], dict[str, Any], bool], Awaitable[None]] | None = None


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    code_set: list[str] = field(default_factory=list)
    trigger_set: bool = False

    @property
    def writes(self) -> int:
        return (
            len(self.created) + len(self.updated) + len(self.deleted) + len(self.code_set) + self.trigger_set
        )


async def sync_version(
    calls: WorkflowCalls,
    version_id: str,
    read_version: Callable[[], Awaitable[dict[str, Any]]],
    set_trigger: Callable[[dict[str, Any]], Awaitable[Any]],
    desired: Mapping[str, Any],
    code: Mapping[str, str] | None = None,
    hooks: SyncHooks | None = None,
    done: SyncResult | None = None,
) -> SyncResult:
    """Bring a DRAFT version to `desired` ({trigger, steps} in 2.21's shape; `code` maps a CODE
    step's id to its source): delete the steps not wanted, create the missing ones, replace each
    that differs, set each CODE source that differs, delete the placeholders Twenty made with new
    ITERATOR / IF_ELSE steps (workflow-version-step-operations.workspace-service.ts), set the
    trigger if it differs.
    A step matches when every key we set has the value we set (Twenty may add keys).
    `done` collects what was written so far, also when a call fails half-way."""
    hooks = hooks or SyncHooks()
    out = done if done is not None else SyncResult()
    wanted = {s["id"] for s in desired["steps"]}

    async def prune(live: dict[str, Any]) -> dict[str, Any]:
        """Delete the steps not wanted; deleting may make new ones (an IF_ELSE branch left empty
        gets an EMPTY node: remove-step.ts), so look again, a few times at most."""
        for _ in range(3):
            unwanted = [s for s in live.get("steps") or [] if s.get("id") not in wanted]
            if not unwanted:
                break
            for step in unwanted:
                if hooks.before_delete is not None:
                    await hooks.before_delete(step)
                await calls.delete_step(version_id, str(step.get("id")))
                out.deleted.append(str(step.get("id")))
            live = await read_version()  # 2.21 linked each deleted step's parents to its children
        return live

    live = await prune(await read_version())
    live_steps = {s.get("id"): s for s in live.get("steps") or []}
    created: dict[str, dict[str, Any]] = {}
    for step in desired["steps"]:
        if step["id"] not in live_steps:
            await calls.create_step(version_id, step["type"], step["id"])
            out.created.append(step["id"])
            created[step["id"]] = {}
    if created:  # read back what Twenty built (a CODE step's logic function, an AI_AGENT's agent)
        fresh = {s.get("id"): s for s in (await read_version()).get("steps") or []}
        for sid in created:
            created[sid] = live_steps[sid] = fresh.get(sid) or {}
    for step in desired["steps"]:
        target = _with_made(step, live_steps.get(step["id"]))
        if not contains(live_steps.get(step["id"]), target):
            await calls.update_step(version_id, target)
            if step["id"] not in created:
                out.updated.append(step["id"])
            if hooks.after_set is not None:
                await hooks.after_set(live_steps.get(step["id"]) or {}, target, step["id"] in created)
    for sid, source in (code or {}).items():
        logic_id = _logic_function_id(live_steps.get(sid))
        if logic_id is None:
            raise ValueError(f"CODE step {sid} has no logic function in Twenty")
        if sid in created or await calls.code_source(logic_id) != source:
            await calls.set_code_source(logic_id, source)
            out.code_set.append(sid)
    if created:  # an ITERATOR or IF_ELSE came with EMPTY placeholder steps, now unlinked: remove them
        live = await prune(await read_version())
    trigger = dict(desired["trigger"])
    if (live.get("trigger") or {}).get("position"):  # where the editor put it stays
        trigger["position"] = live["trigger"]["position"]
    if not contains(live.get("trigger"), trigger):
        await set_trigger(trigger)
        out.trigger_set = True
    return out


def _logic_function_id(step: Mapping[str, Any] | None) -> str | None:
    inp = ((step or {}).get("settings") or {}).get("input")
    return str(inp["logicFunctionId"]) if isinstance(inp, dict) and inp.get("logicFunctionId") else None


def _with_made(step: dict[str, Any], live: Mapping[str, Any] | None) -> dict[str, Any]:
    """What Twenty made for a step stays in it: a CODE step's logic function, the agent of an
    AI_AGENT step given none, and the step's place on the canvas."""
    placed = (live or {}).get("position")
    if placed and step.get("position") != placed:  # a layout made in Twenty's editor stays
        step = {**step, "position": placed}
    inp = (step.get("settings") or {}).get("input")
    live_inp = ((live or {}).get("settings") or {}).get("input") or {}
    if not isinstance(inp, dict) or not isinstance(live_inp, dict):
        return step
    if step.get("type") == "CODE" and not inp.get("logicFunctionId") and live_inp.get("logicFunctionId"):
        inp = {"logicFunctionId": live_inp["logicFunctionId"], **inp}
    elif step.get("type") == "AI_AGENT" and not inp.get("agentId") and live_inp.get("agentId"):
        inp = {"agentId": live_inp["agentId"], **inp}
    else:
        return step
    return {**step, "settings": {**step["settings"], "input": inp}}
