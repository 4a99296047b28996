"""Favorites are navigation menu items of one workspace member in 2.21 (``/metadata``, a user
session). With the caller's userWorkspaceId the item is their own favorite; without it 2.21 pins
it to everyone's sidebar (navigation-menu-item-access.service.ts)."""

from __future__ import annotations

from twenty_api.operations import mutation, query

CURRENT_USER_WORKSPACE = query(
    "currentUser", "query CurrentUserWorkspace { currentUser { currentUserWorkspace { id } } }"
)
CREATE_NAVIGATION_MENU_ITEM = mutation(
    "createNavigationMenuItem",
    "mutation CreateNavigationMenuItem($input: CreateNavigationMenuItemInput!) { "
    "createNavigationMenuItem(input: $input) { id type userWorkspaceId targetRecordId "
    "targetObjectMetadataId position } }",
)
