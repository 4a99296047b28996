"""Notes and tasks, created with their links to people, companies and opportunities."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..models import ActivityResult
from ..registry import tool
from ..runtime import Connection, connection, jsonable
from ._common import IdList

# --- tasks and notes -----------------------------------------------------------------------------


async def _create_activity(
    kind: Literal["note", "task"], fields: dict[str, Any], links: dict[str, list[UUID]]
) -> ActivityResult:
    from twenty_api.composite import markdown_body

    conn = await connection()
    obj = await conn.resolve("notes" if kind == "note" else "tasks")
    targets = await conn.resolve("noteTargets" if kind == "note" else "taskTargets")
    for object_name, ids in links.items():
        if ids:
            await conn.resolve(object_name)
    body = fields.pop("body", None)
    data = {**fields, **(markdown_body(body) if body else {})}
    rec = jsonable(await conn.client.create_record(obj.name_plural, data))
    linked: list[dict[str, Any]] = []
    fk_key = {
        "people": "targetPersonId",
        "companies": "targetCompanyId",
        "opportunities": "targetOpportunityId",
    }
    for object_name, ids in links.items():
        for target_id in ids:
            link = {f"{kind}Id": rec["id"], fk_key[object_name]: str(target_id)}
            try:
                linked.append(jsonable(await conn.client.create_record(targets.name_plural, link)))
            except Exception as err:
                raise await _undo_activity(
                    conn,
                    kind,
                    obj.name_plural,
                    rec,
                    targets.name_plural,
                    linked,
                    f"{object_name} {target_id}",
                    err,
                ) from err
    return ActivityResult(object=obj.name_plural, record=rec, linked=linked)


async def _undo_activity(
    conn: Connection,
    kind: str,
    plural: str,
    rec: dict[str, Any],
    targets: str,
    linked: list[dict[str, Any]],
    failed_link: str,
    err: Exception,
) -> ToolError:
    """Nothing half-written if it can be helped: remove the links made so far and the record. The
    error says which link failed, and exactly what is left behind when removing failed too."""
    from twenty_api import TwentyError

    unknown = bool(getattr(err, "outcome_unknown", False))
    message = f"Linking the {kind} to {failed_link} failed: {err}."
    if unknown:
        message += " Twenty may have made that link before the connection broke."
    left: list[str] = []
    for link in linked:
        try:
            await conn.client.destroy_record(targets, link["id"], confirm=True)
        except TwentyError as undo_err:
            left.append(f"{targets} {link['id']} ({undo_err})")
    try:
        await conn.client.destroy_record(plural, rec["id"], confirm=True)
    except TwentyError as undo_err:
        left.insert(0, f"{kind} {rec['id']} ({undo_err})")
    if left:
        message += (
            f" Removing what was made failed too, so these still exist: {'; '.join(left)}. "
            "Delete them with twenty_delete_record (hard=true, confirm=true) or retry the links."
        )
    else:
        message += f" The {kind} and its {len(linked)} link(s) made so far were removed: nothing was created."
    return ToolError(message)


Markdown = Annotated[str | None, Field(default=None, max_length=100_000, description="Markdown body")]


@tool("activities", writes=True, idempotent=False)
async def twenty_create_note(
    title: Annotated[str, Field(min_length=1, max_length=500)],
    body: Markdown = None,
    personIds: IdList = [],  # noqa: B006 - pydantic copies defaults
    companyIds: IdList = [],  # noqa: B006
    opportunityIds: IdList = [],  # noqa: B006
) -> ActivityResult:
    """Create a note with a markdown body (stored as bodyV2.markdown) and link it to people,
    companies and opportunities in the same call (noteTargets). If a link fails the note is removed."""
    return await _create_activity(
        "note",
        {"title": title, "body": body},
        {"people": personIds, "companies": companyIds, "opportunities": opportunityIds},
    )


@tool("activities", writes=True, idempotent=False)
async def twenty_create_task(
    title: Annotated[str, Field(min_length=1, max_length=500)],
    body: Markdown = None,
    status: Literal["TODO", "IN_PROGRESS", "DONE"] = "TODO",
    dueAt: Annotated[
        str | None, Field(default=None, description="ISO 8601, e.g. 2026-12-01T09:00:00Z")
    ] = None,
    assigneeId: Annotated[UUID | None, Field(default=None, description="A workspaceMember id")] = None,
    personIds: IdList = [],  # noqa: B006
    companyIds: IdList = [],  # noqa: B006
    opportunityIds: IdList = [],  # noqa: B006
) -> ActivityResult:
    """Create a task (status TODO/IN_PROGRESS/DONE, optional due date and assignee = a
    workspaceMember id from twenty_list_workspace_members) with a markdown body, linked to people,
    companies and opportunities in the same call (taskTargets)."""
    if dueAt is not None:
        from datetime import datetime

        try:
            datetime.fromisoformat(dueAt.replace("Z", "+00:00"))
        except ValueError as err:
            raise ToolError(
                f"dueAt '{dueAt}' is not an ISO 8601 date-time (e.g. 2026-12-01T09:00:00Z)."
            ) from err
    fields: dict[str, Any] = {"title": title, "body": body, "status": status}
    if dueAt:
        fields["dueAt"] = dueAt
    if assigneeId:
        fields["assigneeId"] = str(assigneeId)
    return await _create_activity(
        "task", fields, {"people": personIds, "companies": companyIds, "opportunities": opportunityIds}
    )
