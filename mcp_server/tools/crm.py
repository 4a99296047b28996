"""Named CRM tools: thin, documented shortcuts over the same gated core."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from twenty_api import favorites, messaging
from twenty_api.filters import F, all_of

from ..models import (
    AggregateResult,
    PipelineStages,
    RecordPage,
    RecordResult,
    SearchHit,
    SearchResult,
    SendEmailResult,
    StageOption,
)
from ..registry import tool
from ..runtime import Connection, connection, jsonable
from ._common import (
    Cursor,
    FilterStr,
    Limit,
    ObjectName,
    RecordId,
    _list,
    page_result,
    user_session_required,
)

# --- pipeline ------------------------------------------------------------------------------------


async def _stages(conn: Connection, object: str, field: str) -> tuple[str, list[StageOption]]:
    obj = await conn.resolve(object)
    full = await conn.client.get_object(obj.name_plural)
    match = next((f for f in full.fields if f.name == field), None)
    if match is None or str(match.type) not in ("SELECT", "FieldType.SELECT"):
        raise ToolError(f"'{obj.name_plural}.{field}' is not a SELECT field; pipeline stages live in one.")
    options = [jsonable(o) for o in (getattr(match, "options", None) or [])]
    stages = [
        StageOption(
            value=o["value"],
            label=o.get("label", o["value"]),
            position=o.get("position"),
            color=o.get("color"),
        )
        for o in options
    ]
    stages.sort(key=lambda s: (s.position is None, s.position or 0))
    return obj.name_plural, stages


@tool("pipeline")
async def twenty_list_pipeline_stages(
    object: ObjectName = "opportunities",
    field: Annotated[str, Field(default="stage", min_length=1, max_length=63)] = "stage",
) -> PipelineStages:
    """The pipeline's stages in order (the options of opportunities.stage, or another SELECT field).
    Use the stage `value` (capitals, e.g. MEETING) when writing."""
    conn = await connection()
    plural, stages = await _stages(conn, object, field)
    return PipelineStages(object=plural, field=field, stages=stages)


@tool("pipeline", writes=True, idempotent=True)
async def twenty_move_opportunity_stage(
    id: RecordId,
    stage: Annotated[str, Field(min_length=1, max_length=100, description="Stage value or label")],
) -> RecordResult:
    """Move an opportunity to another pipeline stage. Accepts the stage value (PROPOSAL) or its
    label (Proposal); unknown stages are refused with the list of valid ones."""
    conn = await connection()
    plural, stages = await _stages(conn, "opportunities", "stage")
    wanted = stage.strip().lower()
    match = next((s for s in stages if wanted in (s.value.lower(), s.label.lower())), None)
    if match is None:
        raise ToolError(f"Unknown stage '{stage}'. Valid stages: {', '.join(s.value for s in stages)}.")
    rec = await conn.client.update_record(plural, str(id), {"stage": match.value})
    return RecordResult(object=plural, record=jsonable(rec))


# --- search and analytics ---------------------------------------------------------------------


def _hit(item: Any) -> SearchHit:
    d = jsonable(item)
    d = d.get("node", d) if isinstance(d, dict) else {}
    return SearchHit(
        record_id=str(d.get("recordId") or d.get("record_id") or d.get("id") or ""),
        object=str(d.get("objectNameSingular") or d.get("object_name_singular") or d.get("object") or ""),
        label=str(d.get("label") or ""),
        object_label=d.get("objectLabelSingular") or d.get("object_label_singular"),
    )


@tool("core")
async def twenty_search(
    query: Annotated[str, Field(min_length=1, max_length=200, description="Words to look for")],
    objects: Annotated[
        list[str] | None,
        Field(default=None, max_length=30, description="Restrict to these objects (any name form)"),
    ] = None,
    limit: Annotated[int, Field(default=20, ge=1, le=100)] = 20,
) -> SearchResult:
    """Full-text search across objects (people, companies, opportunities, notes, custom objects...)
    by name, email, domain... Use it to resolve a named entity to its id before acting on it."""
    conn = await connection()
    included: list[str] | None = None
    if objects:
        included = [(await conn.resolve(o)).name_singular for o in objects]
    elif conn.scope.restricted:
        included = [o.name_singular for o in await conn.objects()]
        if not included:
            return SearchResult(query=query, hits=[])
    raw = await conn.client.search(query, limit=limit, included_objects=included)
    raw_d = jsonable(raw)
    items = raw_d.get("edges", raw_d.get("results", [])) if isinstance(raw_d, dict) else raw_d
    hits = [_hit(i) for i in items or []]
    allowed = {o.name_singular for o in await conn.objects()} if conn.scope.restricted else None
    if allowed is not None:
        hits = [h for h in hits if h.object in allowed]
    page_info = raw_d.get("pageInfo", {}) if isinstance(raw_d, dict) else {}
    return SearchResult(
        query=query,
        hits=hits,
        has_next_page=bool(page_info.get("hasNextPage")),
        end_cursor=page_info.get("endCursor"),
    )


@tool("analytics")
async def twenty_aggregate(
    object: ObjectName,
    operation: Literal["count", "sum", "avg", "min", "max"],
    field: Annotated[
        str | None, Field(default=None, max_length=100, description="Needed except for count")
    ] = None,
    group_by: Annotated[
        str | None, Field(default=None, max_length=100, description="A field to group by")
    ] = None,
    filter: FilterStr = None,
) -> AggregateResult:
    """count / sum / avg / min / max over an object, optionally grouped by a field (e.g. pipeline value
    by stage: object=opportunities, operation=sum, field=amount, group_by=stage). CURRENCY fields are
    aggregated in amountMicros (divide by 1,000,000)."""
    if operation != "count" and not field:
        raise ToolError(f"operation '{operation}' needs a 'field' (e.g. field='amount').")
    conn = await connection()
    obj = await conn.resolve(object)
    full = await conn.client.get_object(obj.name_plural)
    names = {f.name for f in full.fields}
    for label, value in (("field", field), ("group_by", group_by)):
        if value and value.split(".")[0] not in names:
            raise ToolError(
                f"{label} '{value}' is not a field of {obj.name_plural}; see twenty_get_object_schema."
            )
    agg_filter: Any = filter
    if filter and not group_by:
        from twenty_api.filters import parse_twenty_filter

        agg_filter = parse_twenty_filter(filter)  # the ungrouped aggregate runs on /graphql
    result = jsonable(
        await conn.client.aggregate(
            obj.name_plural,
            operation,
            field=field,
            group_by=[group_by] if group_by else None,
            filter=agg_filter,
        )
    )
    if isinstance(result, list):
        return AggregateResult(object=obj.name_plural, operation=operation, field=field, groups=result)
    if isinstance(result, dict) and "groups" in result:
        return AggregateResult(
            object=obj.name_plural,
            operation=operation,
            field=field,
            value=result.get("value"),
            groups=result.get("groups"),
        )
    return AggregateResult(object=obj.name_plural, operation=operation, field=field, value=result)


@tool("analytics")
async def twenty_get_timeline(
    object: ObjectName, id: RecordId, limit: Limit = 20, cursor: Cursor = None
) -> RecordPage:
    """A record's timeline (created/updated events, linked notes, tasks, emails), newest first."""
    conn = await connection()
    obj = await conn.resolve(object)
    plural, page = await conn.client.timeline(obj, str(id), limit=limit, cursor=cursor)
    return page_result(plural, page)


Email = Annotated[str, Field(pattern=r"^[^@\s,;<>]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$", max_length=320)]

# --- messaging and calendar ----------------------------------------------------------------------


@tool("messaging")
async def twenty_list_message_threads(
    filter: FilterStr = None, limit: Limit = 20, cursor: Cursor = None
) -> RecordPage:
    """Email threads synced from connected mailboxes (subject, dates). Open one with
    twenty_get_messages_in_thread."""
    conn = await connection()
    return await _list(
        conn, "messageThreads", filter=filter, order_by="updatedAt[DescNullsLast]", limit=limit, cursor=cursor
    )


@tool("messaging")
async def twenty_get_messages_in_thread(
    thread_id: RecordId, limit: Limit = 50, cursor: Cursor = None
) -> RecordPage:
    """The messages of one thread, oldest first (subject, text, receivedAt, headerMessageId)."""
    conn = await connection()
    return await _list(
        conn,
        "messages",
        filter=F("messageThreadId").eq(thread_id),
        order_by="receivedAt[AscNullsLast]",
        limit=limit,
        cursor=cursor,
    )


@tool("messaging", writes=True, idempotent=False, open_world=True)
async def twenty_send_email(
    to: Annotated[list[Email], Field(min_length=1, max_length=50)],
    subject: Annotated[str, Field(min_length=1, max_length=998)],
    body: Annotated[str, Field(min_length=1, max_length=100_000)],
    cc: Annotated[list[Email], Field(default_factory=list, max_length=50)],
    bcc: Annotated[list[Email], Field(default_factory=list, max_length=50)],
    connected_account_id: Annotated[
        UUID | None, Field(default=None, description="Mailbox to send from")
    ] = None,
) -> SendEmailResult:
    """Send an email through a user's connected mailbox (Twenty's sendEmail on /metadata). Twenty 2.21
    sends only as a logged-in user with a connected account; with an API key alone this tool explains
    the alternatives instead of pretending. Always show the user the draft and get confirmation first."""
    conn = await connection()
    await conn.resolve("messages")
    # 2.21.0 send-email.resolver.ts verifies the connected account's ownership against the
    # caller's userWorkspaceId, which an API key does not have: only a user session can send.
    client = await conn.ensure_user_client()
    alternative = (
        "Or build a Twenty workflow with a 'Send Email' action and a webhook trigger, and POST to that "
        "webhook (twenty_run_workflow explains how)."
    )
    if client is None:
        raise user_session_required("Sending email", alternative)
    account = str(connected_account_id) if connected_account_id else None
    if account is None:
        accounts = await client.run(messaging.MY_CONNECTED_ACCOUNTS) or []
        if not accounts:
            raise ToolError(
                "The signed-in user has no connected mailbox; connect one in Twenty (Settings > Accounts)."
            )
        account = str(accounts[0]["id"])
    out = (
        await client.run(
            messaging.SEND_EMAIL,
            {
                "input": {
                    "connectedAccountId": account,
                    "to": ", ".join(to),
                    "cc": ", ".join(cc) or None,
                    "bcc": ", ".join(bcc) or None,
                    "subject": subject,
                    "body": body,
                }
            },
            what="Sending email",
        )
        or {}
    )
    if not out.get("success"):
        raise ToolError(f"Twenty did not send the email: {out.get('error') or 'no reason given'}")
    return SendEmailResult(sent=True, message_thread_id=out.get("messageThreadId"))


@tool("messaging", writes=True, idempotent=True)
async def twenty_add_to_blocklist(
    handle: Annotated[
        str,
        Field(
            min_length=3,
            max_length=320,
            pattern=r"^(@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|[^@\s]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})$",
            description="An email (spam@x.io) or a whole domain (@x.io)",
        ),
    ],
) -> RecordResult:
    """Stop syncing mail from an address or domain for the signed-in user. Twenty 2.21 needs a user
    session for blocklist writes (API keys get 'User id is required')."""
    conn = await connection()
    obj = await conn.resolve("blocklists")
    client = await conn.ensure_user_client()
    if client is None:
        raise user_session_required(
            "Adding to the blocklist", "Or add it in Twenty: Settings > Accounts > Blocklist."
        )
    email = conn.user_email or ""
    member = await client.own_workspace_member(email)
    if member is None:
        raise ToolError(f"No workspace member has the email {email!r}; check TWENTY_USER_EMAIL.")
    rec = await client.create_record(obj.name_plural, {"handle": handle, "workspaceMemberId": member["id"]})
    return RecordResult(object=obj.name_plural, record=jsonable(rec))


@tool("messaging")
async def twenty_list_blocklist(limit: Limit = 50, cursor: Cursor = None) -> RecordPage:
    """Blocked email addresses and domains (handle, workspaceMemberId)."""
    conn = await connection()
    return await _list(conn, "blocklists", limit=limit, cursor=cursor)


@tool("messaging")
async def twenty_list_calendar_events(
    starts_after: Annotated[str | None, Field(default=None, description="ISO date-time lower bound")] = None,
    starts_before: Annotated[str | None, Field(default=None, description="ISO date-time upper bound")] = None,
    filter: FilterStr = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> RecordPage:
    """Calendar events synced from connected calendars, by start time. Titles the API key may not
    read come back as FIELD_RESTRICTED_ADDITIONAL_PERMISSIONS_REQUIRED."""
    from datetime import datetime

    for label, value in (("starts_after", starts_after), ("starts_before", starts_before)):
        if value:
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError as err:
                raise ToolError(f"{label} '{value}' is not an ISO 8601 date-time.") from err
    conn = await connection()
    flt = all_of(
        F("startsAt").gte(starts_after) if starts_after else None,
        F("startsAt").lte(starts_before) if starts_before else None,
        filter,
    )
    return await _list(
        conn, "calendarEvents", filter=flt, order_by="startsAt[AscNullsLast]", limit=limit, cursor=cursor
    )


# --- favorites and workspace ---------------------------------------------------------------------


@tool("workspace", writes=True, idempotent=False)
async def twenty_add_favorite(object: ObjectName, id: RecordId) -> RecordResult:
    """Pin a record to the signed-in user's sidebar. In Twenty 2.21 favorites are navigation menu
    items of one workspace member (/metadata), so this needs a user session."""
    conn = await connection()
    obj = await conn.resolve(object)
    client = await conn.ensure_user_client()
    if client is None:
        raise user_session_required("Adding a favorite", "Or use the star button on the record in Twenty.")
    # With the caller's userWorkspaceId the item is their own favorite; without it 2.21 pins it to
    # everyone's sidebar (navigation-menu-item-access.service.ts).
    me = await client.run(favorites.CURRENT_USER_WORKSPACE)
    user_workspace_id = ((me or {}).get("currentUserWorkspace") or {}).get("id")
    if not user_workspace_id:
        raise ToolError("Twenty did not say which user is signed in (currentUser.currentUserWorkspace).")
    made = await client.run(
        favorites.CREATE_NAVIGATION_MENU_ITEM,
        {
            "input": {
                "type": "RECORD",
                "targetRecordId": str(id),
                "targetObjectMetadataId": str(obj.id),
                "userWorkspaceId": user_workspace_id,
            }
        },
        what="Adding a favorite",
    )
    return RecordResult(object="navigationMenuItems", record=made or {})


@tool("workspace")
async def twenty_list_workspace_members(limit: Limit = 50, cursor: Cursor = None) -> RecordPage:
    """The workspace's users (name, userEmail, locale). Their ids are what assigneeId/ownerId take."""
    conn = await connection()
    return await _list(conn, "workspaceMembers", limit=limit, cursor=cursor)


@tool("workspace")
async def twenty_get_workspace_member(id: RecordId) -> RecordResult:
    """One workspace member by id (name, userEmail, locale, timeZone); ids come from
    twenty_list_workspace_members and are what assigneeId takes."""
    conn = await connection()
    obj = await conn.resolve("workspaceMembers")
    return RecordResult(
        object=obj.name_plural, record=jsonable(await conn.client.get_record(obj.name_plural, str(id)))
    )


@tool("workspace")
async def twenty_list_connected_accounts() -> RecordPage:
    """The signed-in user's connected mailboxes/calendars (handle, provider). Twenty 2.21 exposes
    them only to the user themself (myConnectedAccounts on /metadata): needs a user session."""
    conn = await connection()
    if conn.scope.restricted:
        conn.scope.require_names("connectedAccount", "connectedAccounts")
    client = await conn.ensure_user_client()
    if client is None:
        raise user_session_required("Listing connected accounts", "Or see Settings > Accounts in Twenty.")
    accounts = await client.run(messaging.MY_CONNECTED_ACCOUNTS) or []
    return RecordPage(object="connectedAccounts", records=accounts, total_count=len(accounts))
