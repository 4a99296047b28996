"""What Twenty 2.21 stores that says what users look at and filter (issue 16's usage dashboards).

Read from the source at 6f3c158; what 2.21 keeps and an API key or user token can read:

- **Views** (``getViews`` on /metadata, core.view): every saved view with its filters, sorts,
  kanban group-by (``mainGroupByFieldMetadataId``), ``visibility`` and ``createdByUserWorkspaceId``
  (view.entity.ts). WORKSPACE views are everyone's; an UNLISTED view only its creator's
  (view.service.ts ``isViewVisibleToUser``). Each object has its INDEX view; any other TABLE /
  KANBAN / CALENDAR view is one somebody made. TABLE_WIDGET and FIELDS_WIDGET views belong to
  dashboards and record pages, not to anyone's browsing.
- **Favorites** = navigation menu items (``navigationMenuItems``, core.navigationMenuItem): OBJECT,
  VIEW, RECORD, FOLDER, LINK, PAGE_LAYOUT items. Items with a ``userWorkspaceId`` are that user's
  own favorites; 2.21 returns the workspace items plus the *caller's* own
  (navigation-menu-item.service.ts ``findAll`` scope 'all'), so an API key sees only the shared
  sidebar and a user token also that user's favorites — nobody can read another user's.
- **Timeline activities** (``timelineActivities``, workspace data): one row per record created /
  updated / deleted / linked, with the ``workspaceMemberId`` who did it and ``happensAt``; names
  are ``<object>.<action>`` (``opportunity.updated``) or ``linked-<object>.<action>``.

What 2.21 does **not** store: which records or views a user opened. The front keeps the last
visited view per object and the last visited object in the browser's local storage
(twenty-front navigation/states/lastVisitedViewPerObjectMetadataItemState.ts,
lastVisitedObjectMetadataItemIdState.ts); no server table, no "recently viewed" list.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from twenty_api.filters import F, and_
from twenty_api.operations import query

_FILTER = "id fieldMetadataId operand value subFieldName"
USAGE_VIEWS = query(
    "getViews",
    "query UsageViews { getViews { id name type key objectMetadataId visibility createdByUserWorkspaceId "
    "mainGroupByFieldMetadataId calendarFieldMetadataId updatedAt "
    "viewFields { fieldMetadataId position isVisible } "
    f"viewFilters {{ {_FILTER} }} viewSorts {{ fieldMetadataId direction }} }} }}",
)
NAVIGATION_MENU_ITEMS = query(
    "navigationMenuItems",
    "query UsageNavigationMenuItems { navigationMenuItems { id type userWorkspaceId viewId "
    "targetObjectMetadataId targetRecordId pageLayoutId position } }",
)
# The browsing views (widget views are the dashboards' and record pages' own).
BROWSING_VIEW_TYPES = ("TABLE", "KANBAN", "CALENDAR")


def dashboard_of_layout(page_layout_id: str) -> str:
    """The dashboards record pointing at a page layout."""
    return str(F("pageLayoutId").eq(page_layout_id))


# Newest first, so a capped read keeps the most recent changes.
ACTIVITY_ORDER = "happensAt[DescNullsLast]"


def activity_filter(since: datetime, member_id: str | None = None) -> str:
    """timelineActivities since a moment done by one workspace member, or by any member (rows
    without one are writes by API keys, apps and workflows, not by people). 2.21's REST filter
    takes a DATE_TIME only as 'YYYY-MM-DDTHH:mm:ssZ' (met live: an ISO offset is refused, 400)."""
    who = F("workspaceMemberId").eq(member_id) if member_id else F("workspaceMemberId").is_not_null()
    stamp = since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(and_(F("happensAt").gte(stamp), who))


def activity_object(name: Any) -> str | None:
    """The object (singular name) a timeline activity is about: ``opportunity.updated`` →
    ``opportunity``, ``linked-note.created`` → ``note``."""
    if not isinstance(name, str) or "." not in name:
        return None
    head = name.split(".", 1)[0]
    return head.removeprefix("linked-") or None
