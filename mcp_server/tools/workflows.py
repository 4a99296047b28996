"""Workflow tools: create, run, activate/deactivate, triggers and runs."""

from __future__ import annotations

from typing import Annotated, Any, Literal, LiteralString
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..models import RecordPage, RecordResult, WorkflowActionResult
from ..registry import tool
from ..runtime import Connection, connection, jsonable
from ._common import Cursor, Limit, RecordId, _and, _list, quote, user_session_required

# --- workflows ---------------------------------------------------------------------------------


@tool("workflows", writes=True, idempotent=False)
async def twenty_create_workflow(
    name: Annotated[str, Field(min_length=1, max_length=200)],
) -> RecordResult:
    """Create a workflow (Twenty adds an empty DRAFT version). Its trigger and steps are edited in
    Twenty's workflow editor: 2.21 refuses workflowVersion writes with an API key."""
    conn = await connection()
    obj = await conn.resolve("workflows")
    rec = await conn.client.create_record(obj.name_plural, {"name": name})
    return RecordResult(object=obj.name_plural, record=jsonable(rec))


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
        filter=f"workflowId[eq]:{quote(str(workflow_id))}",
        order_by="createdAt[DescNullsLast]",
        limit=1,
    )
    if not page.records:
        raise ToolError(
            f"Workflow {workflow_id} has no version; check the id with twenty_list_records workflows."
        )
    return str(page.records[0]["id"])


_WORKFLOW_MUTATIONS: dict[str, LiteralString] = {
    "run": "mutation($input: RunWorkflowVersionInput!){ runWorkflowVersion(input:$input){ workflowRunId } }",
    "activate": "mutation($id: UUID!){ activateWorkflowVersion(workflowVersionId:$id) }",
    "deactivate": "mutation($id: UUID!){ deactivateWorkflowVersion(workflowVersionId:$id) }",
}


async def _workflow_mutation(
    conn: Connection, workflow_id: UUID, version_id: str, action: str, variables: dict[str, Any]
) -> dict[str, Any]:
    from twenty_api import TwentyForbiddenError

    client = await conn.ensure_user_client()
    if client is None:
        ws = await conn.client.workspace_id()
        base = conn.base_url.rstrip("/").removesuffix("/rest")
        raise user_session_required(
            f"Workflow {action}",
            "Alternatively give the workflow a Webhook trigger in Twenty and POST its payload to "
            f"{base}/webhooks/workflows/{ws}/{workflow_id} (no API key needed).",
        )
    try:
        return await client.server_graphql(_WORKFLOW_MUTATIONS[action], variables)
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
    data = await _workflow_mutation(
        conn,
        workflow_id,
        vid,
        "run",
        {"input": {"workflowVersionId": vid, "payload": payload}},
    )
    run = (data or {}).get("runWorkflowVersion") or {}
    return WorkflowActionResult(
        workflow_version_id=vid, action="run", ok=bool(run), workflow_run_id=run.get("workflowRunId")
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
    root = f"{action}WorkflowVersion"
    data = await _workflow_mutation(conn, workflow_id, vid, action, {"id": vid})
    return WorkflowActionResult(workflow_version_id=vid, action=action, ok=bool((data or {}).get(root)))


@tool("workflows")
async def twenty_list_workflow_triggers(
    workflow_id: Annotated[UUID | None, Field(default=None)] = None, limit: Limit = 20
) -> RecordPage:
    """List automated triggers (database events, cron) of active workflows, optionally of one workflow."""
    conn = await connection()
    flt = f"workflowId[eq]:{quote(str(workflow_id))}" if workflow_id else None
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
    flt = _and(
        f"workflowId[eq]:{quote(str(workflow_id))}" if workflow_id else None,
        f"status[eq]:{quote(status)}" if status else None,
    )
    return await _list(
        conn, "workflowRuns", filter=flt, order_by="createdAt[DescNullsLast]", limit=limit, cursor=cursor
    )
