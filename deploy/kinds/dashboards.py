"""Dashboards (apps/dashboards/<name>.yaml), built with twenty_api.dashboards' calls in 2.21's order:
page layout → tab → widgets (a record table's TABLE_WIDGET view first) → the dashboards record
with that ``pageLayoutId`` (see twenty_api/dashboards.py).

Ours are the DASHBOARD page layouts whose name carries ``[twenty-gcp:dashboard:<name>]``; nothing
else is touched. Within our layout the widgets are identified by title: a missing one is created,
a changed one (type, object, grid cell, chart configuration, rich text, or its table view's
columns/filters/sorts) is replaced — destroyed and created again, with its view — and one the
manifest no longer has is removed, so a changed widget costs exactly its own writes and an
unchanged dashboard none. The record's title follows the manifest. A dashboard removed from
the manifests is reported as orphaned and left in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from deploy.engine import DeployContext, Item, contains, marker
from deploy.manifests.dashboards import ChartWidget, DashboardManifest, FilterSpec, RichTextWidget
from twenty_api import dashboards as api
from twenty_api import views as view_api
from twenty_api.object_fields import FieldProblem, FilterArgs, ObjectFields

KIND = "dashboards"
OWN_PREFIX = "[twenty-gcp:dashboard:"


@dataclass
class Wanted:
    """One widget as Twenty should hold it."""

    spec: Any
    type: str
    object_id: str | None
    grid: dict[str, int]
    configuration: dict[str, Any]  # a record table's without its viewId
    view: dict[str, Any] | None = None  # record table: {"fields": [ids], "filters": [...], "sorts": [...]}
    object_fields: ObjectFields | None = field(default=None, repr=False)


def _owner(layout: dict[str, Any]) -> str | None:
    name = str(layout.get("name") or "")
    return name.split(OWN_PREFIX, 1)[1].split("]", 1)[0] if OWN_PREFIX in name else None


def layout_name(board: DashboardManifest) -> str:
    return f"{board.title} {marker('dashboard', board.name)}"


class Dashboards:
    name = KIND

    async def plan(self, ctx: DeployContext) -> list[Item]:
        boards = ctx.manifests.dashboards
        layouts = await ctx.gw.read(api.GET_PAGE_LAYOUTS, {"pageLayoutType": "DASHBOARD"}) or []
        owned: dict[str, dict[str, Any]] = {}
        for layout in layouts:
            owner = _owner(layout)
            if owner:
                owned.setdefault(owner, layout)
        wanted_names = {b.name for b in boards}
        records = await ctx.gw.list_records("dashboards") if owned or boards else []
        objects: dict[str, ObjectFields] = {}
        if boards:  # fresh metadata: the apps kind may have just created the objects the charts measure
            ctx.gw.calls += 1
            await ctx.gw.client.schema(refresh=True)
        items = []
        for board in boards:
            try:
                wanted = [await self._wanted(ctx, w, objects) for w in board.widgets]
            except FieldProblem as problem:  # names what the workspace lacks: blocked, not half-built
                items.append(Item(KIND, board.name, "blocked", [f"blocked: {problem}"]))
                continue
            items.append(await self._item(ctx, board, wanted, owned.get(board.name), records))
        items += [
            Item(
                KIND,
                name,
                "orphaned",
                [
                    f"dashboard layout {layout.get('id')} is ours but no longer in "
                    "apps/dashboards/; left in place (delete the dashboard in Twenty)"
                ],
            )
            for name, layout in owned.items()
            if name not in wanted_names
        ]
        return items

    # ---- desired state -------------------------------------------------------------------------

    async def _fields(self, ctx: DeployContext, name: str, cache: dict[str, ObjectFields]) -> ObjectFields:
        if name not in cache:
            ctx.gw.calls += 1  # the object's metadata, through the client's own metadata call
            cache[name] = ObjectFields(await ctx.gw.client.get_object(name))
        return cache[name]

    async def _wanted(self, ctx: DeployContext, spec: Any, cache: dict[str, ObjectFields]) -> Wanted:
        p = spec.position
        grid = api.grid_position(p.row, p.column, p.row_span, p.column_span)
        what = f"widget {spec.title!r}"
        if isinstance(spec, RichTextWidget):
            return Wanted(spec, "STANDALONE_RICH_TEXT", None, grid, api.rich_text_configuration(spec.text))
        fields = await self._fields(ctx, spec.object, cache)
        if isinstance(spec, ChartWidget):
            config = api.resolve_chart(fields, spec, what)
            return Wanted(spec, "GRAPH", fields.obj.id, grid, config, object_fields=fields)
        names = [*([fields.label_name] if fields.label_name else []), *spec.fields]
        column_ids = list(dict.fromkeys(fields.get(n, f"{what} fields")[0].id for n in names))
        view = {
            "fields": column_ids,
            "filters": [_rule(fields, f, what) for f in spec.filters],
            "sorts": [(fields.get(s.field, f"{what} sorts")[0].id, s.direction) for s in spec.sorts],
        }
        config = {"configurationType": "RECORD_TABLE"}
        return Wanted(spec, "RECORD_TABLE", fields.obj.id, grid, config, view, fields)

    # ---- diff ----------------------------------------------------------------------------------

    async def _same(self, ctx: DeployContext, want: Wanted, live: dict[str, Any]) -> bool:
        if live.get("type") != want.type or (
            want.object_id and live.get("objectMetadataId") != want.object_id
        ):
            return False
        if not contains(live.get("gridPosition"), want.grid):
            return False
        config = live.get("configuration") or {}
        if want.type == "STANDALONE_RICH_TEXT":  # its BlockNote ids are fresh each time: the text decides
            return (config.get("body") or {}).get("markdown") == want.configuration["body"]["markdown"]
        if want.type == "GRAPH":
            return contains(config, want.configuration)
        view_id = config.get("viewId")
        if not view_id:
            return False
        view = await ctx.gw.read(view_api.GET_VIEW, {"id": str(view_id)})
        return bool(view) and _view_shape(view) == _wanted_view_shape(want.view or {})

    async def _item(
        self,
        ctx: DeployContext,
        board: DashboardManifest,
        wanted: list[Wanted],
        layout: dict[str, Any] | None,
        records: list[dict[str, Any]],
    ) -> Item:
        if layout is None:

            async def create() -> list[str]:
                made = await ctx.gw.write(
                    api.CREATE_PAGE_LAYOUT, {"input": api.page_layout_input(layout_name(board))}
                )
                tab = await ctx.gw.write(
                    api.CREATE_PAGE_LAYOUT_TAB, {"input": api.tab_input(str(made["id"]), board.tab)}
                )
                for want in wanted:
                    await self._create_widget(ctx, str(tab["id"]), want)
                record = await ctx.gw.create_record(
                    "dashboards", {"title": board.title, "pageLayoutId": str(made["id"])}
                )
                return [f"dashboard {record.get('id')}, layout {made['id']}"]

            lines = [f"{w.type.lower()} {w.spec.title!r}" for w in wanted]
            calls = [
                "createPageLayout",
                "createPageLayoutTab",
                *["createPageLayoutWidget"] * len(wanted),
                "POST /rest/dashboards",
            ]
            return Item(KIND, board.name, "create", [f"title: {board.title}", *lines], create, calls=calls)

        full = await ctx.gw.read(api.GET_PAGE_LAYOUT, {"id": str(layout["id"])}) or {}
        tabs = sorted(full.get("tabs") or [], key=lambda t: t.get("position") or 0)
        live_widgets = {str(w.get("title")): w for w in api.layout_widgets(full)}
        record = next(
            (r for r in records if r.get("pageLayoutId") == layout["id"] and not r.get("deletedAt")), None
        )
        changes: list[str] = []
        to_create: list[Wanted] = []
        to_remove: list[dict[str, Any]] = []
        for want in wanted:
            live = live_widgets.get(want.spec.title)
            if live is None:
                changes.append(f"add {want.type.lower()} {want.spec.title!r}")
                to_create.append(want)
            elif not await self._same(ctx, want, live):
                changes.append(f"replace {want.type.lower()} {want.spec.title!r} (changed)")
                to_remove.append(live)
                to_create.append(want)
        titles = {w.spec.title for w in wanted}
        for title, live in live_widgets.items():
            if title not in titles:
                changes.append(f"remove widget {title!r} (not in the manifest)")
                to_remove.append(live)
        retitle = record is not None and record.get("title") != board.title
        if record is None:
            changes.append("create the dashboards record for the layout")
        elif retitle:
            changes.append(f"title: {record.get('title')} → {board.title}")
        if not tabs and wanted:
            changes.append("add the tab")
        if not changes:
            return Item(KIND, board.name, "unchanged")

        async def update() -> list[str]:
            tab_id = (
                str(tabs[0]["id"])
                if tabs
                else str(
                    (
                        await ctx.gw.write(
                            api.CREATE_PAGE_LAYOUT_TAB, {"input": api.tab_input(str(layout["id"]), board.tab)}
                        )
                    )["id"]
                )
            )
            for live in to_remove:
                await self._remove_widget(ctx, live)
            for want in to_create:
                await self._create_widget(ctx, tab_id, want)
            if record is None:
                await ctx.gw.create_record(
                    "dashboards", {"title": board.title, "pageLayoutId": str(layout["id"])}
                )
            elif retitle:
                await ctx.gw.update_record("dashboards", str(record["id"]), {"title": board.title})
            return []

        calls = [*["destroyPageLayoutWidget"] * len(to_remove), *["createPageLayoutWidget"] * len(to_create)]
        return Item(KIND, board.name, "update", changes, update, calls=calls)

    # ---- writes --------------------------------------------------------------------------------

    async def _create_widget(self, ctx: DeployContext, tab_id: str, want: Wanted) -> None:
        config = dict(want.configuration)
        if want.type == "RECORD_TABLE":
            config = api.record_table_configuration(await self._create_view(ctx, want))
        elif want.type == "STANDALONE_RICH_TEXT":
            config = api.rich_text_configuration(want.spec.text)
        await ctx.gw.write(
            api.CREATE_PAGE_LAYOUT_WIDGET,
            {
                "input": api.widget_input(
                    tab_id, want.spec.title, want.type, config, want.grid, want.object_id
                )
            },
        )

    async def _create_view(self, ctx: DeployContext, want: Wanted) -> str:
        assert want.view is not None and want.object_id is not None
        view = await ctx.gw.write(
            view_api.CREATE_VIEW,
            {"input": view_api.view_input(want.object_id, want.spec.title, "TABLE_WIDGET")},
        )
        view_id = str(view["id"])
        present = {str(f.get("fieldMetadataId")) for f in view.get("viewFields") or []}
        inputs = [
            view_api.view_field_input(view_id, fid, i)
            for i, fid in enumerate(want.view["fields"])
            if fid not in present
        ]
        if inputs:
            await ctx.gw.write(view_api.CREATE_VIEW_FIELDS, {"inputs": inputs})
        for fid, operand, value, sub in want.view["filters"]:
            await ctx.gw.write(
                view_api.CREATE_VIEW_FILTER,
                {"input": view_api.view_filter_input(view_id, fid, operand, value, sub)},
            )
        for fid, direction in want.view["sorts"]:
            await ctx.gw.write(
                view_api.CREATE_VIEW_SORT, {"input": view_api.view_sort_input(view_id, fid, direction)}
            )
        return view_id

    async def _remove_widget(self, ctx: DeployContext, live: dict[str, Any]) -> None:
        await ctx.gw.write(api.DESTROY_PAGE_LAYOUT_WIDGET, {"id": str(live["id"])})
        view_id = (live.get("configuration") or {}).get("viewId")
        if live.get("type") == "RECORD_TABLE" and view_id:
            view = await ctx.gw.read(view_api.GET_VIEW, {"id": str(view_id)})
            if view and view.get("type") == "TABLE_WIDGET":  # the widget's own view goes with it
                await ctx.gw.write(view_api.DESTROY_VIEW, {"id": str(view_id)})


def _rule(fields: ObjectFields, spec: FilterSpec, what: str) -> FilterArgs:
    return fields.filter_args(spec.field, spec.operand, spec.value, f"{what} filter")


def _view_shape(view: dict[str, Any]) -> dict[str, Any]:
    fields = sorted(
        (f for f in view.get("viewFields") or [] if f.get("isVisible")), key=lambda f: f.get("position") or 0
    )
    return {
        "fields": [str(f.get("fieldMetadataId")) for f in fields],
        "filters": view_api.stored_filters(view),
        "sorts": [
            (str(s.get("fieldMetadataId")), str(s.get("direction"))) for s in view.get("viewSorts") or []
        ],
    }


def _wanted_view_shape(view: dict[str, Any]) -> dict[str, Any]:
    return {
        "fields": list(view.get("fields") or []),
        "filters": view_api.wanted_filters(view.get("filters") or []),
        "sorts": [tuple(s) for s in view.get("sorts") or []],
    }
