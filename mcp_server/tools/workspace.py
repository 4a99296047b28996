"""Workspace tools (group `workspace`): favorites, members, the signed-in user's connected accounts."""

from __future__ import annotations

from mcp.server.mcpserver.exceptions import ToolError

from twenty_api import favorites, messaging

from ..models import (
    RecordPage,
    RecordResult,
)
from ..registry import tool
from ..runtime import connection, jsonable
from ._common import (
    Cursor,
    Limit,
    ObjectName,
    RecordId,
    _list,
    user_session_required,
)


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
