"""Dashboards with widgets: charts over an object (a measure, a group-by, filters), record tables
(a view of their own) and rich text, laid out on the dashboard's 12-column grid.

2.21's model and order of writes are twenty_api.dashboards' (page layout → tab → widgets → the
dashboard record). Everything is checked before the first write; when Twenty refuses a step, what
this call made is removed again and the error says so.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field

from twenty_api import dashboards as api
from twenty_api import views as view_api

from ..models import RecordResult
from ..registry import tool
from ..runtime import Connection, connection, jsonable
from ._common import RecordId
from .views import (
    Fields,
    FilterSpec,
    SortSpec,
    _check_names,
    _check_specs,
    build_view,
    main_view_fields,
    object_by_id,
)

Title = Annotated[str, Field(min_length=1, max_length=200)]
WidgetObject = Annotated[
    str,
    Field(
        min_length=1, max_length=100, pattern=r"^[A-Za-z][A-Za-z0-9_ ]*$", description="e.g. opportunities"
    ),
]


class Cell(BaseModel):
    """A place on the dashboard's grid: 12 columns (0-11), rows from 0."""

    model_config = ConfigDict(extra="forbid")
    row: int = Field(ge=0, lt=api.GRID_ROWS)
    column: int = Field(ge=0, lt=api.GRID_COLUMNS)
    row_span: int = Field(ge=1, le=api.GRID_ROWS)
    column_span: int = Field(ge=1, le=api.GRID_COLUMNS)


Position = Annotated[Cell | None, Field(default=None, description="Omitted: placed after the others")]


class ChartWidget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["chart"]
    title: Title
    chart: Literal["aggregate", "bar", "line", "pie"] = Field(
        description="aggregate: one number (KPI); bar/line: a value per group; pie: shares per group"
    )
    object: WidgetObject
    operation: Literal[
        "COUNT", "SUM", "AVG", "MIN", "MAX", "COUNT_EMPTY", "COUNT_NOT_EMPTY", "COUNT_UNIQUE_VALUES"
    ] = "COUNT"
    field: str | None = Field(
        default=None, max_length=100, description="The measured field; COUNT needs none"
    )
    group_by: str | None = Field(
        default=None,
        max_length=100,
        description="bar/line/pie: the field the groups come from (stage, closeDate); a relation needs the "
        "related field to show: company.name",
    )
    date_granularity: Literal["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"] | None = None
    layout: Literal["VERTICAL", "HORIZONTAL"] = "VERTICAL"
    filters: list[FilterSpec] = Field(default_factory=list, max_length=20)
    position: Position = None


class RecordTableWidget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["record_table"]
    title: Title
    object: WidgetObject
    fields: list[str] | None = Field(default=None, max_length=60, description="Columns in order")
    filters: list[FilterSpec] = Field(default_factory=list, max_length=20)
    sorts: list[SortSpec] = Field(default_factory=list, max_length=10)
    position: Position = None


class RichTextWidget(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["rich_text"]
    title: Title
    text: str = Field(
        min_length=1, max_length=20000, description="Markdown: # headings, - bullets, paragraphs"
    )
    position: Position = None


Widget = Annotated[ChartWidget | RecordTableWidget | RichTextWidget, Field(discriminator="kind")]
Widgets = Annotated[
    list[Widget],
    Field(
        default_factory=list,
        max_length=30,
        description="Charts, record tables, rich text; position on a 12-column grid or omitted to flow",
    ),
]
DEFAULT_SIZE = {"aggregate": (3, 3), "bar": (6, 6), "line": (6, 6), "pie": (6, 6), "record_table": (12, 8)}


class DashboardResult(BaseModel):
    dashboard: dict[str, Any] = Field(description="The dashboards record (id, title, pageLayoutId)")
    page_layout: dict[str, Any] = Field(description="Its layout as Twenty reads it back: tabs and widgets")
    views_created: list[str] = Field(default_factory=list, description="Views made for record-table widgets")
    removed_widgets: list[str] = Field(default_factory=list)


# --- planning: every check before the first write -------------------------------------------------


class Planned:
    """One widget, checked, with what creating it needs."""

    def __init__(self, spec: Any, grid: dict[str, int], fields: Fields | None) -> None:
        self.spec = spec
        self.grid = grid
        self.fields = fields
        self.configuration: dict[str, Any] = {}
        self.visible: list[str] = []


def _size(spec: Any) -> tuple[int, int]:
    if isinstance(spec, ChartWidget):
        return DEFAULT_SIZE[spec.chart]
    if isinstance(spec, RecordTableWidget):
        return DEFAULT_SIZE["record_table"]
    return (6, 4)


Occupied = list[tuple[str, dict[str, int]]]


def _place(widgets: list[Any], occupied: Occupied) -> list[dict[str, int]]:
    """Grid cells: given positions as they are (overlapping each other or the widgets already on
    the tab is refused), the others flowing in rows below everything."""
    taken: Occupied = list(occupied)
    cells: list[dict[str, int] | None] = []
    for spec in widgets:
        if spec.position is None:
            cells.append(None)
            continue
        p = spec.position
        try:
            cell = api.grid_position(p.row, p.column, p.row_span, p.column_span)
        except ValueError as err:
            raise ToolError(f"Widget '{spec.title}': {err}.") from err
        for other_title, o in taken:
            if (
                cell["row"] < o["row"] + o["rowSpan"]
                and o["row"] < cell["row"] + cell["rowSpan"]
                and cell["column"] < o["column"] + o["columnSpan"]
                and o["column"] < cell["column"] + cell["columnSpan"]
            ):
                raise ToolError(f"Widgets '{spec.title}' and '{other_title}' overlap on the grid.")
        taken.append((spec.title, cell))
        cells.append(cell)
    row = max([0, *(c["row"] + c["rowSpan"] for _, c in taken)])
    column = line_height = 0
    out = []
    for spec, cell in zip(widgets, cells, strict=True):
        if cell is None:
            width, height = _size(spec)
            if column + width > api.GRID_COLUMNS:
                row, column, line_height = row + line_height, 0, 0
            cell = api.grid_position(row, column, height, width)
            column += width
            line_height = max(line_height, height)
        out.append(cell)
    return out


async def _plan(conn: Connection, widgets: list[Any], occupied: Occupied) -> list[Planned]:
    plans = []
    for spec, grid in zip(widgets, _place(widgets, occupied), strict=True):
        if isinstance(spec, RichTextWidget):
            plan = Planned(spec, grid, None)
            plan.configuration = api.rich_text_configuration(spec.text)
        elif isinstance(spec, ChartWidget):
            fields = await Fields.of(conn, spec.object)
            plan = Planned(spec, grid, fields)
            plan.configuration = api.resolve_chart(fields, spec, f"Chart '{spec.title}'")
        else:
            fields = await Fields.of(conn, spec.object)
            plan = Planned(spec, grid, fields)
            what = f"Widget '{spec.title}' fields"
            plan.visible = (
                _check_names(fields, spec.fields, what)
                if spec.fields
                else await main_view_fields(conn, fields)
            )
            _check_specs(fields, spec.filters, spec.sorts)
        plans.append(plan)
    return plans


# --- writing, with undo ----------------------------------------------------------------------------


class Undo:
    """What this call made, removed again (newest first) when a later step fails."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.steps: list[tuple[str, Any, dict[str, Any]]] = []

    def add(self, label: str, op: Any, variables: dict[str, Any]) -> None:
        self.steps.append((label, op, variables))

    async def run(self, err: Exception) -> ToolError:
        failed = []
        for label, op, variables in reversed(self.steps):
            try:
                await self.conn.client.run(op, variables)
            except Exception as undo_err:
                failed.append(f"{label} ({undo_err})")
        if failed:
            return ToolError(f"{err} Removing what this call made failed for: {'; '.join(failed)}.")
        made = ", ".join(label for label, _, _ in self.steps) or "nothing"
        return ToolError(f"{err} Nothing was left behind: removed {made}.")


async def _create_widgets(conn: Connection, plans: list[Planned], tab_id: str, undo: Undo) -> list[str]:
    """Each widget (a record table's view first); returns the views made."""
    views: list[str] = []
    for plan in plans:
        spec, object_id = plan.spec, plan.fields.obj.id if plan.fields else None
        if isinstance(spec, RecordTableWidget):
            assert plan.fields is not None
            view_input = view_api.view_input(plan.fields.obj.id, spec.title, "TABLE_WIDGET")
            view = await build_view(conn, plan.fields, view_input, plan.visible, spec.filters, spec.sorts)
            views.append(str(view["id"]))
            undo.add(f"view {view['id']}", view_api.DESTROY_VIEW, {"id": str(view["id"])})
            plan.configuration = api.record_table_configuration(str(view["id"]))
        widget_type = {"ChartWidget": "GRAPH", "RecordTableWidget": "RECORD_TABLE"}.get(
            type(spec).__name__, "STANDALONE_RICH_TEXT"
        )
        made = await conn.client.run(
            api.CREATE_PAGE_LAYOUT_WIDGET,
            {
                "input": api.widget_input(
                    tab_id, spec.title, widget_type, plan.configuration, plan.grid, object_id
                )
            },
        )
        undo.add(f"widget '{spec.title}'", api.DESTROY_PAGE_LAYOUT_WIDGET, {"id": str(made["id"])})
    return views


async def _dashboard(conn: Connection, id: UUID) -> tuple[str, dict[str, Any], dict[str, Any]]:
    obj = await conn.resolve("dashboards")
    record = jsonable(await conn.client.get_record(obj.name_plural, str(id)))
    layout_id = record.get("pageLayoutId")
    if not layout_id:
        raise ToolError(f"Dashboard {id} has no page layout.")
    layout = await conn.client.run(api.GET_PAGE_LAYOUT, {"id": str(layout_id)}) or {}
    return obj.name_plural, record, layout


async def _require_widget_objects(conn: Connection, layout: dict[str, Any]) -> None:
    if conn.scope.restricted:
        for widget in api.layout_widgets(layout):
            if widget.get("objectMetadataId"):
                await object_by_id(conn, str(widget["objectMetadataId"]), f"Widget '{widget.get('title')}'")


# --- tools -----------------------------------------------------------------------------------------


@tool("dashboards", writes=True, idempotent=False)
async def twenty_create_dashboard(
    title: Title,
    widgets: Widgets,
    tab_title: Annotated[str, Field(default="Main", min_length=1, max_length=100)] = "Main",
) -> DashboardResult:
    """Create a dashboard with its widgets, as a user builds one in Twenty. Charts measure an object
    (COUNT, or SUM/AVG/MIN/MAX of a field) grouped by a field, optionally filtered; record tables show
    chosen columns of filtered, sorted records; rich text shows markdown. Example widgets:
    [{kind: chart, title: 'Pipeline by stage', chart: bar, object: opportunities, operation: SUM,
    field: amount, group_by: stage}, {kind: chart, title: 'Open deals', chart: aggregate, object:
    opportunities, operation: COUNT, filters: [{field: stage, operand: IS_NOT, value: [CUSTOMER]}]}].
    All widgets are checked before anything is written; nothing half-built is left on failure."""
    conn = await connection()
    conn.scope.require_write("Creating a dashboard")
    obj = await conn.resolve("dashboards")
    plans = await _plan(conn, list(widgets), [])
    layout = await conn.client.run(api.CREATE_PAGE_LAYOUT, {"input": api.page_layout_input(title)})
    undo = Undo(conn)
    undo.add(f"page layout {layout['id']}", api.DESTROY_PAGE_LAYOUT, {"id": str(layout["id"])})
    try:
        tab = await conn.client.run(
            api.CREATE_PAGE_LAYOUT_TAB, {"input": api.tab_input(str(layout["id"]), tab_title)}
        )
        views = await _create_widgets(conn, plans, str(tab["id"]), undo)
        record = jsonable(
            await conn.client.create_record(
                obj.name_plural, {"title": title, "pageLayoutId": str(layout["id"])}
            )
        )
    except Exception as err:
        raise await undo.run(err) from err
    read = await conn.client.run(api.GET_PAGE_LAYOUT, {"id": str(layout["id"])}) or {}
    return DashboardResult(dashboard=record, page_layout=read, views_created=views)


@tool("dashboards")
async def twenty_get_dashboard(id: RecordId) -> DashboardResult:
    """A dashboard with its layout: tabs and widgets (id, title, type, object, grid position, chart
    configuration). Widget ids are what twenty_update_dashboard's remove_widget_ids takes."""
    conn = await connection()
    _, record, layout = await _dashboard(conn, id)
    await _require_widget_objects(conn, layout)
    return DashboardResult(dashboard=record, page_layout=layout)


@tool("dashboards", writes=True, idempotent=False)
async def twenty_update_dashboard(
    id: RecordId,
    add_widgets: Widgets,
    remove_widget_ids: Annotated[list[UUID], Field(default_factory=list, max_length=30)],
    title: Annotated[str | None, Field(default=None, min_length=1, max_length=200)] = None,
) -> DashboardResult:
    """Add widgets to a dashboard's first tab (same shapes as twenty_create_dashboard; unplaced ones
    go below the current ones), remove widgets by id (see twenty_get_dashboard), or rename it.
    Additions come first and are undone if one fails; removals come last (a removed record table's
    own view goes with it)."""
    conn = await connection()
    conn.scope.require_write("Updating a dashboard")
    plural, record, layout = await _dashboard(conn, id)
    tabs = sorted(layout.get("tabs") or [], key=lambda t: t.get("position") or 0)
    if not tabs:
        raise ToolError(f"Dashboard {id} has no tab to put widgets on.")
    existing = {str(w["id"]): w for w in api.layout_widgets(layout)}
    unknown = [str(w) for w in remove_widget_ids if str(w) not in existing]
    if unknown:
        raise ToolError(f"Not widgets of this dashboard: {', '.join(unknown)} (see twenty_get_dashboard).")
    removing = [existing[str(w)] for w in remove_widget_ids]
    for widget in removing:
        if widget.get("objectMetadataId"):
            await object_by_id(conn, str(widget["objectMetadataId"]), f"Widget '{widget.get('title')}'")
    gone = {str(x) for x in remove_widget_ids}
    occupied = [
        (str(w.get("title")), {k: int(v) for k, v in (w.get("gridPosition") or {}).items()})
        for w in tabs[0].get("widgets") or []
        if str(w["id"]) not in gone and w.get("gridPosition")
    ]
    plans = await _plan(conn, list(add_widgets), occupied)
    undo = Undo(conn)
    views: list[str] = []
    try:
        views = await _create_widgets(conn, plans, str(tabs[0]["id"]), undo)
        if title and title != record.get("title"):
            record = jsonable(await conn.client.update_record(plural, str(id), {"title": title}))
    except Exception as err:
        raise await undo.run(err) from err
    removed: list[str] = []
    try:
        for widget in removing:
            await conn.client.run(api.DESTROY_PAGE_LAYOUT_WIDGET, {"id": str(widget["id"])})
            removed.append(str(widget["id"]))
            view_id = (widget.get("configuration") or {}).get("viewId")
            if widget.get("type") == "RECORD_TABLE" and view_id:
                view = await conn.client.run(view_api.GET_VIEW, {"id": str(view_id)})
                if view and view.get("type") == "TABLE_WIDGET":
                    await conn.client.run(view_api.DESTROY_VIEW, {"id": str(view_id)})
    except Exception as err:
        # a removed widget cannot be put back as it was; say exactly where the dashboard stands
        added = [label for label, _, _ in undo.steps if label.startswith("widget")]
        raise ToolError(
            f"{err} The dashboard now has the added {', '.join(added) or 'nothing'}; removed so far: "
            f"{', '.join(removed) or 'none'}. Call twenty_get_dashboard to see it."
        ) from err
    read = await conn.client.run(api.GET_PAGE_LAYOUT, {"id": str(layout["id"])}) or {}
    return DashboardResult(dashboard=record, page_layout=read, views_created=views, removed_widgets=removed)


@tool("dashboards", writes=True, idempotent=False)
async def twenty_duplicate_dashboard(id: RecordId) -> RecordResult:
    """Copy a dashboard with its layout and widgets; the copy is titled '<title> (Copy)'."""
    conn = await connection()
    plural, _, layout = await _dashboard(conn, id)
    await _require_widget_objects(conn, layout)
    copy = await conn.client.run(api.DUPLICATE_DASHBOARD, {"id": str(id)}, what="Duplicating a dashboard")
    return RecordResult(object=plural, record=copy or {})
