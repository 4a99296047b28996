"""Messaging and calendar tools (group `messaging`): threads and messages, sending e-mail as the
signed-in user, the blocklist, calendar events."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from twenty_api import messaging
from twenty_api.filters import F, all_of

from ..models import (
    RecordPage,
    RecordResult,
    SendEmailResult,
)
from ..registry import tool
from ..runtime import connection, jsonable
from ._common import (
    Cursor,
    FilterStr,
    Limit,
    RecordId,
    _list,
    user_session_required,
)

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
