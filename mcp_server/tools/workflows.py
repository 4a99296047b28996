"""Workflow tools: build (trigger + steps + edges), run, activate/deactivate, triggers and runs.

The step/trigger/graph model and its checks are twenty_api.workflow_steps' (the deploy manifests
share them); every call is twenty_api.workflows' (WorkflowCalls, sync_version). 2.21 keeps steps,
triggers, activation and runs from API keys (UserAuthGuard), so those run in the user session.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, ValidationError

from twenty_api.filters import F, and_
from twenty_api.workflow_shapes import step_from_twenty, trigger_from_twenty, trigger_to_twenty
from twenty_api.workflow_steps import (
    Trigger,
    WorkflowGraph,
    WorkflowStep,
    graph_objects,
)
from twenty_api.workflows import SyncResult, WorkflowCalls, sync_version

from ..models import RecordPage, WorkflowActionResult, WorkflowBuildResult
from ..registry import tool
from ..runtime import Connection, connection, jsonable
from ._common import Cursor, Limit, RecordId, _list, user_session_required

# --- building ----------------------------------------------------------------------------------

Steps = Annotated[
    list[WorkflowStep],
    Field(
        max_length=50,
        description="Steps, each {id, name, type, input, next}. id: short snake_case, unique; reference an "
        "earlier step's output as {{<id>.field}} and the trigger's as {{trigger.…}} (a database event: "
        "{{trigger.properties.after.<field>}}). input is the action's 2.21 settings.input, e.g. "
        "CREATE_RECORD {objectName: 'task', objectRecord: {title: '…'}}; UPDATE_RECORD adds objectRecordId; "
        "FIND_RECORDS {objectName, limit}; HTTP_REQUEST {url, method, headers, body}; AI_AGENT {prompt} "
        "(agentId optional); SEND_EMAIL {connectedAccountId, recipients: {to}, subject, body}; "
        "FILTER/IF_ELSE {stepFilterGroups, stepFilters} (IF_ELSE also `branches: [{next, filterGroupId}]`, "
        "the else branch without filterGroupId); ITERATOR {items} with `loop: [first body step]` (the body's "
        "last step lists the iterator in `next`); DELAY {delayType, duration}; CODE: `code` = source "
        "exporting main(params), input = params.",
    ),
]
Start = Annotated[
    list[str] | None,
    Field(default=None, description="Steps the trigger runs first; default: the first step"),
]


def _graph(trigger: Any, steps: list[WorkflowStep], start: list[str] | None) -> WorkflowGraph:
    try:
        return WorkflowGraph(trigger=trigger, steps=steps, start=start or [steps[0].id])
    except ValidationError as err:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
        raise ToolError(f"The workflow is not valid, nothing was written: {problems}") from None


async def _check_scope(conn: Connection, trigger: Any, steps: list[WorkflowStep]) -> None:
    """Every object the trigger or a step touches must be allowed (and the workflow objects)."""
    for name in ("workflows", "workflowVersions", *sorted(graph_objects(trigger, steps))):
        await conn.resolve(name)


async def _user_calls(
    conn: Connection, what: str, workflow_id: str | None = None
) -> tuple[Any, WorkflowCalls]:
    client = await conn.ensure_user_client()
    if client is None:
        hint = "Alternatively build it in Twenty's workflow editor."
        if workflow_id is not None:
            ws = await conn.client.workspace_id()
            base = conn.base_url.rstrip("/").removesuffix("/rest")
            hint = (
                "Alternatively give the workflow a Webhook trigger in Twenty and POST its payload to "
                f"{base}/webhooks/workflows/{ws}/{workflow_id} (no API key needed)."
            )
        raise user_session_required(what, hint)
    return client, WorkflowCalls(client)


def _id_map(workflow_id: str, steps: list[WorkflowStep]) -> dict[str, str]:
    """Short step ids → UUIDs derived from the workflow, so an edit finds the same step again."""
    return {s.id: _step_uuid(workflow_id, s.id) for s in steps}


async def _build(
    conn: Connection,
    client: Any,
    calls: WorkflowCalls,
    workflow_id: str,
    version_id: str,
    graph: WorkflowGraph,
    new_code_needed: set[str],
    done: SyncResult,
) -> dict[str, str]:
    ids = _id_map(workflow_id, list(graph.steps))
    desired = graph.to_twenty(ids.__getitem__)
    code = {ids[s.id]: s.code for s in graph.steps if s.type == "CODE" and s.code is not None}
    missing = sorted(
        s.id for s in graph.steps if s.type == "CODE" and s.code is None and ids[s.id] in new_code_needed
    )
    if missing:
        raise ToolError(
            f"CODE steps {missing} need `code`: the source exporting main(params). Nothing was written."
        )
    versions = await conn.resolve("workflowVersions")

    async def read_version() -> dict[str, Any]:
        return jsonable(await client.get_record(versions.name_plural, version_id)) or {}

    async def set_trigger(trigger: dict[str, Any]) -> None:
        await client.update_record(versions.name_plural, version_id, {"trigger": trigger})

    await sync_version(calls, version_id, read_version, set_trigger, desired, code, done=done)
    return ids


def _result(
    record: dict[str, Any], version_id: str, ids: dict[str, str], done: SyncResult, activated: bool
) -> WorkflowBuildResult:
    return WorkflowBuildResult(
        record=record,
        workflow_version_id=version_id,
        step_ids=ids,
        created=done.created,
        updated=done.updated,
        deleted=done.deleted,
        code_set=done.code_set,
        trigger_set=done.trigger_set,
        activated=activated,
    )


@tool("workflows", writes=True, idempotent=False, open_world=True)
async def twenty_create_workflow(
    name: Annotated[str, Field(min_length=1, max_length=200)],
    trigger: Annotated[
        Trigger | None,
        Field(
            default=None,
            description="DATABASE_EVENT {object, action, fields?}, CRON {pattern}, MANUAL "
            "{objectType?}, WEBHOOK {httpMethod, expectedBody?}",
        ),
    ] = None,
    steps: Steps = [],  # noqa: B006 - pydantic copies defaults
    start: Start = None,
    activate: Annotated[bool, Field(default=False, description="Publish it so its trigger fires")] = False,
) -> WorkflowBuildResult:
    """Create a workflow with its trigger, steps and edges in one call; optionally activate it.
    Everything is checked before the first write (2.21's step shapes, edges, reachability, each
    object against this connection's scope); on a failure part-way the workflow is deleted again.
    Steps, trigger and activation need a user session in 2.21."""
    conn = await connection()
    graph = _graph(trigger, steps, start) if steps else None
    if steps and trigger is None:
        raise ToolError("Steps need a `trigger` to start them; nothing was written.")
    if activate and graph is None:
        raise ToolError("Activating needs a trigger and at least one step; nothing was written.")
    await _check_scope(conn, trigger, steps)
    client, calls = (None, None) if trigger is None else await _user_calls(conn, "Building workflow steps")
    workflows = await conn.resolve("workflows")
    writer = client or conn.client
    rec = jsonable(await writer.create_record(workflows.name_plural, {"name": name})) or {}
    wid = str(rec.get("id"))
    if trigger is None or calls is None:
        draft = await _draft_of(conn, wid)
        return _result(rec, draft, {}, SyncResult(), False)
    done = SyncResult()
    try:
        version_id = await _draft_of(conn, wid)
        if graph is None:
            await client.update_record("workflowVersions", version_id, {"trigger": _trigger_only(trigger)})
            done.trigger_set = True
            return _result(rec, version_id, {}, done, False)
        ids = await _build(
            conn, client, calls, wid, version_id, graph, set(_id_map(wid, steps).values()), done
        )
        if activate:
            await calls.activate(version_id)
    except Exception as err:
        undone = await _undo(conn, client, calls, wid, done)
        raise ToolError(f"Creating workflow '{name}' failed: {_reason(err)}. {undone}") from err
    return _result(rec, version_id, ids, done, activate)


def _trigger_only(trigger: Any) -> dict[str, Any]:
    return trigger_to_twenty(trigger, [])


def _reason(err: Exception) -> str:
    return str(err).strip().rstrip(".") or type(err).__name__


async def _undo(
    conn: Connection, client: Any, calls: WorkflowCalls, workflow_id: str, done: SyncResult
) -> str:
    """Remove what this call created: its steps first (2.21 then deletes their logic functions and
    step agents: runWorkflowVersionStepDeletionSideEffects), then the workflow record itself."""
    problems = []
    version_id = None
    try:
        version_id = await _draft_of(conn, workflow_id)
        for sid in done.created:
            try:
                await calls.delete_step(version_id, sid)
            except Exception as err:
                problems.append(f"step {sid}: {_reason(err)}")
    except ToolError:
        pass
    try:
        await client.destroy_record("workflows", workflow_id, confirm=True)
    except Exception as err:
        problems.append(f"workflow {workflow_id}: {_reason(err)}")
    if problems:
        return f"Undo was incomplete, remove these by hand: {'; '.join(problems)}"
    return (
        f"Nothing was left behind: the workflow {workflow_id} and its {len(done.created)} new step(s) "
        "were deleted."
    )


async def _draft_of(conn: Connection, workflow_id: str) -> str:
    versions = await conn.resolve("workflowVersions")
    page = await conn.client.list_records(
        versions.name_plural,
        filter=str(F("workflowId").eq(workflow_id)),
        order_by="createdAt[DescNullsLast]",
        limit=20,
    )
    draft = next((v for v in page.records if v.get("status") == "DRAFT"), None)
    if draft is None:
        raise ToolError(f"Workflow {workflow_id} has no DRAFT version.")
    return str(draft["id"])


@tool("workflows", writes=True, idempotent=False, open_world=True)
async def twenty_update_workflow(
    workflow_id: RecordId,
    steps: Annotated[
        list[WorkflowStep],
        Field(
            max_length=50,
            description="Steps to add or replace (same id = replace; ids from twenty_create_workflow's "
            "step_ids or a step's UUID). Same shapes as twenty_create_workflow's steps.",
        ),
    ] = [],  # noqa: B006
    remove_steps: Annotated[list[str], Field(max_length=50, description="ids of steps to delete")] = [],  # noqa: B006
    trigger: Annotated[Trigger | None, Field(default=None, description="A new trigger")] = None,
    start: Start = None,
    activate: Annotated[bool, Field(default=False, description="Publish the edited draft")] = False,
) -> WorkflowBuildResult:
    """Edit a workflow's DRAFT version: add, replace or remove steps, change the trigger or its first
    steps; the edited whole is checked before any write. An active workflow gets a new draft copied
    from its published version first. Needs a user session in 2.21."""
    conn = await connection()
    wid = str(workflow_id)
    if not (steps or remove_steps or trigger or start or activate):
        raise ToolError("Nothing to change: give steps, remove_steps, trigger, start or activate.")
    await _check_scope(conn, trigger, steps)
    client, calls = await _user_calls(conn, "Editing workflow steps", wid)
    workflows = await conn.resolve("workflows")
    record = jsonable(await conn.client.get_record(workflows.name_plural, wid)) or {}
    version_id = await _editable_draft(conn, calls, record, wid)
    version = jsonable(await client.get_record("workflowVersions", version_id)) or {}
    live_steps = [step_from_twenty(s) for s in version.get("steps") or []]
    ids = _id_map(wid, [*live_steps, *steps])
    by_uuid = {ids[s.id]: s for s in live_steps}
    for name in _mentioned(steps, start or []):  # an existing step named by its short id
        if name not in ids and _step_uuid(wid, name) in by_uuid:
            ids[name] = _step_uuid(wid, name)
    gone_of = {r: ids.get(r) or _step_uuid(wid, r) for r in remove_steps}
    unknown = sorted(r for r, u in gone_of.items() if u not in by_uuid)
    if unknown:
        raise ToolError(f"remove_steps {unknown} are not steps of this draft; nothing was written.")
    gone = set(gone_of.values())
    children = {u: list(by_uuid[u].next) for u in gone}  # 2.21 links a removed step's parents to its children
    for s in steps:
        by_uuid[ids[s.id]] = s
    merged = [_spliced(s, children, ids) for u, s in by_uuid.items() if u not in gone]
    new_trigger = trigger or trigger_from_twenty(version.get("trigger"))
    if new_trigger is None:
        raise ToolError("The draft has no trigger yet: give `trigger`. Nothing was written.")
    await _check_scope(conn, new_trigger, merged)
    old_start = _splice_ids((version.get("trigger") or {}).get("nextStepIds") or [], children, ids)
    merged = _to_uuid_ids(merged, ids)
    graph = _graph(new_trigger, merged, [ids.get(n, n) for n in start] if start else (old_start or None))
    done = SyncResult()
    live_ids = {ids[s.id] for s in live_steps}
    try:
        step_ids = await _build(
            conn, client, calls, wid, version_id, graph, {ids[s.id] for s in steps} - live_ids, done
        )
        if activate:
            await calls.activate(version_id)
    except ToolError:
        raise
    except Exception as err:
        raise ToolError(
            f"Editing workflow {wid} failed part-way: {_reason(err)}. Written so far: "
            f"{done.writes} change(s) to draft {version_id} (created {done.created}, "
            f"replaced {done.updated}, deleted {done.deleted}); the published version is "
            "untouched and the draft can be edited again."
        ) from err
    short = {s.id: ids[s.id] for s in steps}
    return _result(record, version_id, {**{u: u for u in step_ids.values()}, **short}, done, activate)


def _mentioned(steps: list[WorkflowStep], start: list[str]) -> set[str]:
    """Every step id the given steps name: edges, loops, branches and `{{id.…}}` references."""
    from twenty_api.workflow_steps import STEP_REF_RE

    names = set(start)
    for step in steps:
        names |= set(step.edges()) | set(STEP_REF_RE.findall(repr(step.input)))
    return names - {"trigger"}


def _step_uuid(workflow_id: str, step_id: str) -> str:
    try:
        return str(UUID(step_id))
    except ValueError:
        return str(uuid.uuid5(UUID(workflow_id), f"step/{step_id}"))


def _splice_ids(edges: list[str], children: dict[str, list[str]], ids: dict[str, str]) -> list[str]:
    """Each removed step in `edges` replaced by its children (remove-step.ts,
    computeUpdatedNextStepIds), repeatedly when those were removed too."""
    out: list[str] = []
    todo = list(edges)
    seen: set[str] = set()
    while todo:
        edge = todo.pop(0)
        full = ids.get(edge, edge)
        if full in seen:
            continue
        seen.add(full)
        if full in children:
            todo = children[full] + todo
        else:
            out.append(edge)
    return out


def _spliced(step: WorkflowStep, children: dict[str, list[str]], ids: dict[str, str]) -> WorkflowStep:
    """The step with its edges to removed steps replaced by those steps' children."""
    if not {ids.get(e, e) for e in step.edges()} & set(children):
        return step
    data = step.model_dump(exclude_none=True)
    data["next"] = _splice_ids(list(step.next), children, ids)
    if step.loop is not None:
        data["loop"] = _splice_ids(list(step.loop), children, ids)
    if step.branches is not None:
        data["branches"] = [
            {**b.model_dump(exclude_none=True), "next": _splice_ids(list(b.next), children, ids)}
            for b in step.branches
        ]
    return WorkflowStep.model_validate(data)


def _to_uuid_ids(steps: list[WorkflowStep], ids: dict[str, str]) -> list[WorkflowStep]:
    """Every step under its UUID (edges and `{{id.…}}` references too), so new and stored steps
    form one graph."""
    import re

    def sub(value: Any) -> Any:
        if isinstance(value, str):
            for short, full in ids.items():
                if short != full:
                    value = re.sub(r"\{\{\s*" + re.escape(short) + r"(?=\s*[.}])", "{{" + full, value)
            return value
        if isinstance(value, list):
            return [sub(v) for v in value]
        if isinstance(value, dict):
            return {k: sub(v) for k, v in value.items()}
        return value

    out = []
    for s in steps:
        data = s.model_dump(exclude_none=True)
        data["id"] = ids[s.id]
        data["next"] = [ids.get(n, n) for n in s.next]
        if s.loop is not None:
            data["loop"] = [ids.get(n, n) for n in s.loop]
        if s.branches is not None:
            data["branches"] = [
                {**b.model_dump(exclude_none=True), "next": [ids.get(n, n) for n in b.next]}
                for b in s.branches
            ]
        data["input"] = sub(data.get("input", {}))
        out.append(WorkflowStep.model_validate(data))
    return out


async def _editable_draft(conn: Connection, calls: WorkflowCalls, record: dict[str, Any], wid: str) -> str:
    try:
        return await _draft_of(conn, wid)
    except ToolError:
        published = record.get("lastPublishedVersionId")
        if not published:
            raise
    made = await calls.draft_from(wid, str(published))
    return str(made.get("id") or await _draft_of(conn, wid))


# --- running -----------------------------------------------------------------------------------


async def _version_id(conn: Connection, workflow_id: UUID, version_id: UUID | None, published: bool) -> str:
    """The version to act on, always inside the scope: workflows and workflowVersions must both be
    allowed, and a given version must belong to the given workflow."""
    workflows = await conn.resolve("workflows")
    versions = await conn.resolve("workflowVersions")
    if version_id is not None:
        version = jsonable(await conn.client.get_record(versions.name_plural, str(version_id))) or {}
        if str(version.get("workflowId")) != str(workflow_id):
            raise ToolError(f"Workflow version {version_id} is not a version of workflow {workflow_id}.")
        return str(version_id)
    if published:
        wf = await conn.client.get_record(workflows.name_plural, str(workflow_id))
        published_id = (jsonable(wf) or {}).get("lastPublishedVersionId")
        if published_id:
            return str(published_id)
    page = await conn.client.list_records(
        versions.name_plural,
        filter=str(F("workflowId").eq(str(workflow_id))),
        order_by="createdAt[DescNullsLast]",
        limit=1,
    )
    if not page.records:
        raise ToolError(
            f"Workflow {workflow_id} has no version; check the id with twenty_list_records workflows."
        )
    return str(page.records[0]["id"])


async def _workflow_call(
    conn: Connection, workflow_id: UUID, version_id: str, action: str, payload: dict[str, Any] | None = None
) -> Any:
    from twenty_api import TwentyForbiddenError

    _, calls = await _user_calls(conn, f"Workflow {action}", str(workflow_id))
    try:
        if action == "run":
            return await calls.run(version_id, payload)
        return await (calls.activate if action == "activate" else calls.deactivate)(version_id)
    except TwentyForbiddenError as err:
        raise ToolError(f"Twenty refused to {action} workflow version {version_id}: {err}") from err


@tool("workflows", writes=True, idempotent=False, open_world=True)
async def twenty_run_workflow(
    workflow_id: RecordId,
    payload: Annotated[dict[str, Any], Field(default_factory=dict)],
    version_id: Annotated[
        UUID | None, Field(default=None, description="Defaults to the published version")
    ] = None,
) -> WorkflowActionResult:
    """Run a workflow now with a JSON payload (manual trigger). Needs a user session in Twenty 2.21;
    with only an API key, use the workflow's webhook trigger URL the error message gives."""
    conn = await connection()
    vid = await _version_id(conn, workflow_id, version_id, published=True)
    run_id = await _workflow_call(conn, workflow_id, vid, "run", payload)
    return WorkflowActionResult(
        workflow_version_id=vid, action="run", ok=bool(run_id), workflow_run_id=run_id
    )


@tool("workflows", writes=True, idempotent=True, open_world=True)
async def twenty_activate_workflow(
    workflow_id: RecordId,
    version_id: Annotated[
        UUID | None, Field(default=None, description="Defaults to the newest version")
    ] = None,
) -> WorkflowActionResult:
    """Activate (publish) a workflow version so its trigger fires. Needs a user session in 2.21."""
    return await _set_workflow_active(workflow_id, version_id, "activate")


@tool("workflows", writes=True, idempotent=True, open_world=True)
async def twenty_deactivate_workflow(
    workflow_id: RecordId,
    version_id: Annotated[
        UUID | None, Field(default=None, description="Defaults to the published version")
    ] = None,
) -> WorkflowActionResult:
    """Deactivate a workflow version (its trigger stops firing). Needs a user session in 2.21."""
    return await _set_workflow_active(workflow_id, version_id, "deactivate")


async def _set_workflow_active(
    workflow_id: RecordId, version_id: UUID | None, action: Literal["activate", "deactivate"]
) -> WorkflowActionResult:
    """Activation picks the newest draft by default, deactivation the published version."""
    conn = await connection()
    vid = await _version_id(conn, workflow_id, version_id, published=action == "deactivate")
    ok = await _workflow_call(conn, workflow_id, vid, action)
    return WorkflowActionResult(workflow_version_id=vid, action=action, ok=bool(ok))


@tool("workflows")
async def twenty_list_workflow_triggers(
    workflow_id: Annotated[UUID | None, Field(default=None)] = None, limit: Limit = 20
) -> RecordPage:
    """List automated triggers (database events, cron) of active workflows, optionally of one workflow."""
    conn = await connection()
    flt = str(F("workflowId").eq(str(workflow_id))) if workflow_id else None
    return await _list(conn, "workflowAutomatedTriggers", filter=flt, limit=limit)


@tool("workflows")
async def twenty_get_workflow_runs(
    workflow_id: Annotated[UUID | None, Field(default=None)] = None,
    status: Annotated[
        Literal["NOT_STARTED", "RUNNING", "COMPLETED", "FAILED", "ENQUEUED", "STOPPING", "STOPPED"] | None,
        Field(default=None),
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> RecordPage:
    """Workflow runs, newest first, optionally of one workflow and/or one status."""
    conn = await connection()
    parts = [F("workflowId").eq(str(workflow_id))] if workflow_id else []
    parts += [F("status").eq(status)] if status else []
    flt = str(and_(*parts)) if len(parts) > 1 else (str(parts[0]) if parts else None)
    return await _list(
        conn, "workflowRuns", filter=flt, order_by="createdAt[DescNullsLast]", limit=limit, cursor=cursor
    )
