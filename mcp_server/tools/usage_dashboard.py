"""A dashboard built from what people look at and filter most (issue 16).

2.21 stores no page views (twenty_api/usage.py says what it does keep), so "most used" is read
from what users *made*: their saved views (filters, sorts, kanban group-bys), favorites and
sidebar items, and — per member — the records they create and change (timeline activities).
:func:`rank` turns that into a score per object and per field; :func:`plan` into widgets (per
object, a bar chart counted by its most filtered / grouped SELECT or date field, and a record
table copying its most used view); the tool then refreshes its own marked dashboard: widgets are
matched by title, an unchanged one is left alone, a changed one replaced, so a second run over
the same usage writes nothing. Every widget goes through the dashboards tools' checks, and an
object outside the connection's allowed objects is never ranked.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from twenty_api import dashboards as api
from twenty_api import usage
from twenty_api import views as view_api
from twenty_api.compare import contains
from twenty_api.object_fields import FieldProblem

from ..registry import tool
from ..runtime import Connection, connection, jsonable
from ..scoped_args import RELATION_TYPES
from .dashboards import ChartWidget, RecordTableWidget, Undo, _create_widgets, _plan
from .views import FilterSpec, SortSpec

NO_USAGE = "No usage to build from"  # the monthly job skips such a target (mcp_server.usage_job)
MARK = "[twenty-gcp:usage-dashboard:{key}]"
GROUPABLE = ("SELECT", "DATE", "DATE_TIME")
MAX_ACTIVITIES = 1000  # newest first; enough to rank objects, quick on a busy workspace
SKIP_OBJECTS = ("dashboards", "timelineActivities", "workspaceMembers", "revenueForecasts")
# Weights (documented in docs/mcp.md): a user's own favorite says most, a saved view and its
# filters next, the shared sidebar least.
W_OWN_FAVORITE, W_SHARED_ITEM, W_VIEW, W_OWN_VIEW, W_FILTER, W_SORT, W_GROUP = 5, 1, 3, 4, 2, 1, 3


@dataclass
class Ranked:
    object_id: str
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    fields: Counter[str] = field(default_factory=Counter)  # field id -> score
    views: Counter[str] = field(default_factory=Counter)  # view id -> score

    def add(self, points: float, why: str) -> None:
        self.score += points
        self.reasons.append(why)


def rank(
    views: list[dict[str, Any]],
    items: list[dict[str, Any]],
    activity: dict[str, int],
    objects: dict[str, Any],
) -> list[Ranked]:
    """Objects (metadata id → ObjectInfo, those in scope) by usage score, best first; pure."""
    by_singular = {o.name_singular: oid for oid, o in objects.items()}
    out: dict[str, Ranked] = {}

    def get(oid: Any) -> Ranked | None:
        oid = str(oid or "")
        if oid not in objects:
            return None
        return out.setdefault(oid, Ranked(oid))

    browsing = {str(v["id"]): v for v in views if v.get("type") in usage.BROWSING_VIEW_TYPES}
    for view in browsing.values():
        r = get(view.get("objectMetadataId"))
        if r is None:
            continue
        vid, name = str(view["id"]), view.get("name")
        if view.get("key") != "INDEX":
            own = view.get("visibility") == "UNLISTED"
            r.add(W_OWN_VIEW if own else W_VIEW, f"{'own ' if own else ''}saved view '{name}'")
            r.views[vid] += W_OWN_VIEW if own else W_VIEW
        for flt in view.get("viewFilters") or []:
            r.add(1, f"filter in '{name}'")
            r.fields[str(flt.get("fieldMetadataId"))] += W_FILTER
            r.views[vid] += W_FILTER
        for srt in view.get("viewSorts") or []:
            r.fields[str(srt.get("fieldMetadataId"))] += W_SORT
            r.views[vid] += W_SORT
        if view.get("mainGroupByFieldMetadataId"):
            r.add(1, f"grouped in '{name}'")
            r.fields[str(view["mainGroupByFieldMetadataId"])] += W_GROUP
    for item in items:
        own = bool(item.get("userWorkspaceId"))
        points = W_OWN_FAVORITE if own else W_SHARED_ITEM
        kind = str(item.get("type"))
        if kind == "VIEW" and str(item.get("viewId")) in browsing:
            view = browsing[str(item["viewId"])]
            r = get(view.get("objectMetadataId"))
            if r:
                r.add(points + 1, f"{'favorite' if own else 'sidebar'} view '{view.get('name')}'")
                r.views[str(view["id"])] += points + 1
        elif kind in ("OBJECT", "RECORD"):
            r = get(item.get("targetObjectMetadataId"))
            if r:
                r.add(
                    points if kind == "OBJECT" else max(1, points - 3),
                    f"{'favorite' if own else 'sidebar'} {kind.lower()}",
                )
    for singular, count in activity.items():
        r = get(by_singular.get(singular))
        if r and count:
            r.add(round(2 * math.log2(1 + count), 2), f"{count} record changes")
    ranked = [r for r in out.values() if r.score > 0]
    ranked.sort(key=lambda r: (-r.score, objects[r.object_id].name_plural))
    return ranked


def plan(
    ranked: list[Ranked], views: dict[str, dict[str, Any]], objects: dict[str, Any], max_widgets: int
) -> list[ChartWidget | RecordTableWidget]:
    """Per object, best first: a bar chart of its records counted by the most used SELECT or date
    field (its first SELECT field when none is used; a KPI count without one), then a record table
    of its most used saved view (when it has one besides the plain INDEX view)."""
    widgets: list[ChartWidget | RecordTableWidget] = []
    for r in ranked:
        obj = objects[r.object_id]
        by_id = {f.id: f for f in obj.fields if f.is_active}
        label = obj.label_plural or obj.name_plural
        used = [
            by_id[fid] for fid, _ in sorted(r.fields.items(), key=lambda kv: (-kv[1], kv[0])) if fid in by_id
        ]
        group = next((f for f in used if f.type in GROUPABLE), None) or next(
            (f for f in obj.fields if f.type == "SELECT" and f.is_active and not f.is_system), None
        )
        if group is not None:
            widgets.append(
                ChartWidget(
                    kind="chart",
                    title=f"{label} by {group.label}",
                    chart="bar",
                    object=obj.name_plural,
                    group_by=group.name,
                    date_granularity="MONTH" if group.type != "SELECT" else None,
                )
            )
        else:
            widgets.append(
                ChartWidget(kind="chart", title=f"{label}: count", chart="aggregate", object=obj.name_plural)
            )
        best = next(
            (
                views[vid]
                for vid, _ in sorted(r.views.items(), key=lambda kv: (-kv[1], kv[0]))
                if vid in views and views[vid].get("type") != "CALENDAR"
            ),
            None,
        )
        if best is not None:
            widgets.append(_table(best, obj, by_id, label))
    return widgets[:max_widgets]


def _table(view: dict[str, Any], obj: Any, by_id: dict[str, Any], label: str) -> RecordTableWidget:
    shown = sorted(
        (f for f in view.get("viewFields") or [] if f.get("isVisible")), key=lambda f: f.get("position") or 0
    )
    columns = [
        by_id[str(f["fieldMetadataId"])].name
        for f in shown
        if str(f.get("fieldMetadataId")) in by_id
        and by_id[str(f["fieldMetadataId"])].type not in RELATION_TYPES
    ][:8]
    filters = []
    for flt in view.get("viewFilters") or []:
        f = by_id.get(str(flt.get("fieldMetadataId")))
        if f is None or f.type in RELATION_TYPES:
            continue  # a relation filter names records of another object ('Assigned to Me'): left out
        value = flt.get("value")
        if isinstance(value, str):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        path = f"{f.name}.{flt['subFieldName']}" if flt.get("subFieldName") else f.name
        filters.append(FilterSpec(field=path, operand=flt.get("operand"), value=value))
    sorts = [
        SortSpec(field=by_id[str(s["fieldMetadataId"])].name, direction=s.get("direction") or "ASC")
        for s in view.get("viewSorts") or []
        if str(s.get("fieldMetadataId")) in by_id
    ]
    return RecordTableWidget(
        kind="record_table",
        title=f"{label}: {view.get('name')}",
        object=obj.name_plural,
        fields=columns or None,
        filters=filters,
        sorts=sorts,
    )


# --- reading the signals -----------------------------------------------------------------------------


async def _favorites(
    conn: Connection, member: str | None, notes: list[str]
) -> tuple[list[dict[str, Any]], str | None]:
    """The sidebar items 2.21 shows this connection: the shared ones, plus — through a user session
    (TWENTY_USER_EMAIL/PASSWORD, or a user signed in over OAuth) — that user's own favorites, which
    count only for the workspace's dashboard or that user's own (2.21 shows nobody another's)."""
    try:
        user = await conn.ensure_user_client()
    except Exception as err:
        user, _ = None, notes.append(f"user session not opened: {str(err)[:200]}")
    try:
        items = await (user or conn.client).run(usage.NAVIGATION_MENU_ITEMS, {}) or []
    except Exception as err:  # a connection that may not read the sidebar
        notes.append(f"favorites not read: {str(err)[:200]}")
        return [], None
    if user is None:
        notes.append(
            "favorites: with an API key 2.21 returns the shared sidebar only; a user session adds that "
            "user's own favorites"
        )
        return items, None
    email = conn.user_email
    if member:
        try:
            who = jsonable(await conn.client.get_record("workspaceMembers", member))
        except Exception:  # unknown member, or workspaceMembers outside the allowed objects
            who = {}
        if not email or str(who.get("userEmail") or "").lower() != email.lower():
            notes.append(
                f"favorites: the session's ({email}) own are not this member's; only shared items count"
            )
            return [i for i in items if not i.get("userWorkspaceId")], email
    return items, email


async def read_usage(
    conn: Connection, member: str | None, days: int
) -> tuple[list, list, dict[str, int], list[str]]:
    notes: list[str] = []
    views = await conn.client.run(usage.USAGE_VIEWS, {}) or []
    items, _ = await _favorites(conn, member, notes)
    activity: Counter[str] = Counter()
    try:
        obj = await conn.resolve("timelineActivities")
        since = datetime.now(UTC) - timedelta(days=days)
        cursor, seen = None, 0
        while seen < MAX_ACTIVITIES:
            page = await conn.client.list_records(
                obj.name_plural,
                filter=usage.activity_filter(since, member),
                order_by=usage.ACTIVITY_ORDER,
                limit=200,
                cursor=cursor,
                depth=0,
            )
            for rec in page.records:
                name = usage.activity_object(jsonable(rec).get("name"))
                if name:
                    activity[name] += 1
            seen += len(page.records)
            if not page.has_next_page or not page.end_cursor:
                break
            cursor = page.end_cursor
    except Exception as err:  # timelineActivities outside the allowed objects
        notes.append(f"record changes not read: {str(err)[:200]}")
    return views, items, dict(activity), notes


# --- the tool ------------------------------------------------------------------------------------------


class RankedObject(BaseModel):
    object: str
    score: float
    reasons: list[str] = Field(description="The usage signals behind the score (first 8)")
    top_fields: list[str] = Field(description="Fields most filtered, sorted or grouped on")


class GeneratedDashboard(BaseModel):
    dashboard_id: str
    page_layout_id: str
    title: str
    created: bool = Field(description="True: made now; False: this member's existing one refreshed")
    changes: list[str] = Field(description="Widgets added / replaced / removed; empty when nothing changed")
    writes: int = Field(
        description="Widgets made plus widgets removed (a record table's own view goes with its widget), "
        "plus layout, tab and record when new, and a retitle; 0 when usage did not change"
    )
    widgets: list[str]
    ranking: list[RankedObject]
    signals: dict[str, int]
    notes: list[str]


def _same(plan_: Any, live: dict[str, Any], view: dict[str, Any] | None) -> bool:
    spec = plan_.spec
    wanted_type = "GRAPH" if isinstance(spec, ChartWidget) else "RECORD_TABLE"
    if live.get("type") != wanted_type or str(live.get("objectMetadataId")) != str(plan_.fields.obj.id):
        return False
    if not contains(live.get("gridPosition"), plan_.grid):
        return False
    if wanted_type == "GRAPH":
        return contains(live.get("configuration") or {}, plan_.configuration)
    if not view:
        return False
    fields = plan_.fields
    # 2.21 keeps the label identifier visible whatever was asked (see views.build_view): set it aside
    label = fields.by_name[fields.label_name].id if fields.label_name in fields.by_name else None
    visible = {str(f.get("fieldMetadataId")) for f in view.get("viewFields") or [] if f.get("isVisible")}
    if visible - {label} != {fields.by_name[n].id for n in plan_.visible if n in fields.by_name} - {label}:
        return False
    wanted_filters = view_api.wanted_filters(fields.rule(flt) for flt in spec.filters)
    live_sorts = [(str(s.get("fieldMetadataId")), s.get("direction")) for s in view.get("viewSorts") or []]
    wanted_sorts = [(fields.by_name[s.field].id, s.direction) for s in spec.sorts]
    return view_api.stored_filters(view) == wanted_filters and live_sorts == wanted_sorts


async def _checked(conn: Connection, widgets: list[Any], notes: list[str]) -> list[Any]:
    """Each widget through the dashboard tools' checks: a copied view whose filters or sorts fail
    them becomes a plain table of its columns; a widget that still fails is left out (noted)."""
    kept = []
    for widget in widgets:
        tries = [widget]
        if isinstance(widget, RecordTableWidget) and (widget.filters or widget.sorts):
            tries.append(widget.model_copy(update={"filters": [], "sorts": []}))
        for i, candidate in enumerate(tries):
            try:
                await _plan(conn, [candidate], [])
            except (ToolError, FieldProblem) as err:
                if i == len(tries) - 1:
                    notes.append(f"left out '{widget.title}': {str(err)[:200]}")
                continue
            if i:
                notes.append(f"'{widget.title}': the view's filters and sorts failed the checks; left out")
            kept.append(candidate)
            break
    if not kept:
        raise ToolError(f"No widget passed the checks: {'; '.join(notes[-3:])}")
    return kept


@tool("dashboards", writes=True, idempotent=True)
async def twenty_generate_dashboard(
    for_member: Annotated[
        str | None,
        Field(
            default=None,
            pattern=r"^[0-9a-fA-F-]{36}$",
            description="A workspace member id: rank by the records they change too; omitted: the workspace",
        ),
    ] = None,
    title: Annotated[str | None, Field(default=None, min_length=1, max_length=200)] = None,
    max_widgets: Annotated[int, Field(default=6, ge=1, le=12)] = 6,
    days: Annotated[int, Field(default=30, ge=1, le=365, description="Record changes counted over")] = 30,
) -> GeneratedDashboard:
    """Build (or refresh) a dashboard from what is used most: objects and fields ranked by saved
    views (their filters, sorts and kanban groupings), favorites and sidebar items, and the records
    a member changed in the last `days`. Per top object: a bar chart counted by its most filtered or
    grouped field, and a record table of its most used view. Twenty 2.21 does not record which
    records or views were opened, so views are what people saved, not what they visited. Refreshes
    the same dashboard each time (one per member, or the workspace's): unchanged widgets are kept,
    so a run with no usage change writes nothing."""
    conn = await connection()
    conn.scope.require_write("Generating a dashboard")
    dash_obj = await conn.resolve("dashboards")
    objects = {
        str(o.id): o
        for o in await conn.objects()
        if not o.is_system and o.is_active and o.name_plural not in SKIP_OBJECTS
    }
    views, items, activity, notes = await read_usage(conn, for_member, days)
    ranked = rank(views, items, activity, objects)
    by_view = {str(v["id"]): v for v in views if v.get("type") in usage.BROWSING_VIEW_TYPES}
    widgets = plan(ranked, by_view, objects, max_widgets)
    if not widgets:
        raise ToolError(f"{NO_USAGE}: no saved views, favorites or record changes in scope.")
    plans = await _plan(conn, await _checked(conn, widgets, notes), [])
    key = for_member or "workspace"
    mark = MARK.format(key=key)
    title = title or ("Most used" if not for_member else "Most used (mine)")
    layouts = await conn.client.run(api.GET_PAGE_LAYOUTS, {"pageLayoutType": "DASHBOARD"}) or []
    layout = next((lay for lay in layouts if mark in str(lay.get("name") or "")), None)
    writes, changes = 0, []
    undo = Undo(conn)
    if layout is None:
        layout = await conn.client.run(
            api.CREATE_PAGE_LAYOUT, {"input": api.page_layout_input(f"{title} {mark}")}
        )
        undo.add(f"page layout {layout['id']}", api.DESTROY_PAGE_LAYOUT, {"id": str(layout["id"])})
        try:
            tab = await conn.client.run(
                api.CREATE_PAGE_LAYOUT_TAB, {"input": api.tab_input(str(layout["id"]), "Main")}
            )
            await _create_widgets(conn, plans, str(tab["id"]), undo)
            record = jsonable(
                await conn.client.create_record(
                    dash_obj.name_plural, {"title": title, "pageLayoutId": str(layout["id"])}
                )
            )
        except Exception as err:
            raise await undo.run(err) from err
        writes = 3 + len(plans)  # layout, tab, record and each widget (a table's view with it)
        changes = [f"add '{p.spec.title}'" for p in plans]
        created = True
    else:
        created = False
        full = await conn.client.run(api.GET_PAGE_LAYOUT, {"id": str(layout["id"])}) or {}
        tabs = sorted(full.get("tabs") or [], key=lambda t: t.get("position") or 0)
        live = {str(w.get("title")): w for w in api.layout_widgets(full)}
        page = await conn.client.list_records(
            dash_obj.name_plural, filter=usage.dashboard_of_layout(str(layout["id"])), limit=1
        )
        record = jsonable(page.records[0]) if page.records else {}
        to_make, to_remove = [], []
        for p in plans:
            have = live.get(p.spec.title)
            view = None
            if (
                have is not None
                and have.get("type") == "RECORD_TABLE"
                and (have.get("configuration") or {}).get("viewId")
            ):
                view = await conn.client.run(view_api.GET_VIEW, {"id": str(have["configuration"]["viewId"])})
            if have is None:
                to_make.append(p)
                changes.append(f"add '{p.spec.title}'")
            elif not _same(p, have, view):
                to_make.append(p)
                to_remove.append(have)
                changes.append(f"replace '{p.spec.title}' (usage changed)")
        wanted = {p.spec.title for p in plans}
        for t, w in live.items():
            if t not in wanted:
                to_remove.append(w)
                changes.append(f"remove '{t}' (no longer among the most used)")
        for w in to_remove:
            await conn.client.run(api.DESTROY_PAGE_LAYOUT_WIDGET, {"id": str(w["id"])})
            writes += 1
            view_id = (w.get("configuration") or {}).get("viewId")
            if w.get("type") == "RECORD_TABLE" and view_id:
                v = await conn.client.run(view_api.GET_VIEW, {"id": str(view_id)})
                if v and v.get("type") == "TABLE_WIDGET":
                    await conn.client.run(view_api.DESTROY_VIEW, {"id": str(view_id)})
        if to_make:
            try:
                await _create_widgets(conn, to_make, str(tabs[0]["id"]), undo)
            except Exception as err:
                raise await undo.run(err) from err
            writes += len(to_make)
        if record and record.get("title") != title:
            record = jsonable(
                await conn.client.update_record(dash_obj.name_plural, str(record["id"]), {"title": title})
            )
            writes += 1
            changes.append(f"title → {title}")
    return GeneratedDashboard(
        dashboard_id=str(record.get("id")),
        page_layout_id=str(layout["id"]),
        title=title,
        created=created,
        changes=changes,
        writes=writes,
        widgets=[p.spec.title for p in plans],
        ranking=[
            RankedObject(
                object=objects[r.object_id].name_plural,
                score=round(r.score, 2),
                reasons=r.reasons[:8],
                top_fields=[
                    f.name
                    for fid, _ in r.fields.most_common(3)
                    for f in objects[r.object_id].fields
                    if f.id == fid
                ],
            )
            for r in ranked[:10]
        ],
        signals={
            "views": sum(1 for v in views if v.get("type") in usage.BROWSING_VIEW_TYPES),
            "favorites": len(items),
            "own_favorites": sum(1 for i in items if i.get("userWorkspaceId")),
            "record_changes": sum(activity.values()),
        },
        notes=notes,
    )
