"""Page layouts, tabs and widgets on ``/metadata``, as 2.21 keeps them for dashboards.

Behaviour from the 2.21.0 source (6f3c158), seen on a real 2.21.0 too:
- createPageLayout / createPageLayoutTab / createPageLayoutWidget / destroy* (page-layout*.resolver.ts);
  destroyPageLayout takes its tabs and widgets with it.
- A widget's grid cell stays inside 12 columns and 100 rows (validate-widget-grid-position.util.ts).
- A GRAPH widget needs its object, and every field its configuration names must be a field of that
  object; a SELECT filter value must be an option: 'Chart "<title>": Filter on "<label>" uses
  option(s) "X" that do not exist. Allowed values: ...'
  (validate-chart-configuration-field-references.util.ts).
- A STANDALONE_RICH_TEXT widget needs a body object (validate-standalone-rich-text-body.util.ts).
- Dashboards seeded before the fake knew layouts get an empty one ("Dashboard Layout", "Tab 1") the
  first time it is read, as dashboard-to-page-layout-sync.service.ts makes for a new dashboard.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .errors import GraphQLError
from .gql import Request
from .store import now_iso

GRID_COLUMNS, GRID_ROWS = 12, 100
CHART_FIELDS = {
    "AGGREGATE_CHART": ("aggregateFieldMetadataId",),
    "BAR_CHART": ("aggregateFieldMetadataId", "primaryAxisGroupByFieldMetadataId"),
    "LINE_CHART": ("aggregateFieldMetadataId", "primaryAxisGroupByFieldMetadataId"),
    "PIE_CHART": ("aggregateFieldMetadataId", "groupByFieldMetadataId"),
}
TYPENAMES = {
    "AGGREGATE_CHART": "AggregateChartConfiguration",
    "BAR_CHART": "BarChartConfiguration",
    "LINE_CHART": "LineChartConfiguration",
    "PIE_CHART": "PieChartConfiguration",
    "RECORD_TABLE": "RecordTableConfiguration",
    "STANDALONE_RICH_TEXT": "StandaloneRichTextConfiguration",
    "IFRAME": "IframeConfiguration",
    "VIEW": "ViewConfiguration",
}


def invalid(message: str) -> GraphQLError:
    return GraphQLError(message, code="BAD_USER_INPUT", friendly=message)


def not_found(message: str) -> GraphQLError:
    return GraphQLError(message, code="NOT_FOUND", friendly=message)


class LayoutResolvers:
    """Mixed into MetadataResolvers (``self.rt`` is the fake's runtime)."""

    rt: Any

    def _layouts(self) -> dict[str, dict[str, Any]]:
        return self.rt.store.entity_table("pageLayouts")

    def _tabs(self) -> dict[str, dict[str, Any]]:
        return self.rt.store.entity_table("pageLayoutTabs")

    def _widgets(self) -> dict[str, dict[str, Any]]:
        return self.rt.store.entity_table("pageLayoutWidgets")

    def _layout_or_404(self, layout_id: str) -> dict[str, Any]:
        layout = self._layouts().get(layout_id)
        if layout is None:
            layout = self._seeded_dashboard_layout(layout_id)
        if layout is None:
            raise not_found(f'Page layout with ID "{layout_id}" not found.')
        return layout

    def _seeded_dashboard_layout(self, layout_id: str) -> dict[str, Any] | None:
        store = self.rt.store
        dashboards = store.table(store.object_for("dashboards")).values()
        if not any(d.get("pageLayoutId") == layout_id for d in dashboards):
            return None
        layout = self.new_layout({"name": "Dashboard Layout", "type": "DASHBOARD"}, layout_id)
        self.new_tab({"title": "Tab 1", "pageLayoutId": layout_id})
        return layout

    def new_layout(self, data: dict[str, Any], layout_id: str | None = None) -> dict[str, Any]:
        stamp = now_iso()
        layout = {
            "id": layout_id or str(uuid.uuid4()),
            "name": data.get("name"),
            "type": data.get("type") or "RECORD_PAGE",
            "objectMetadataId": data.get("objectMetadataId"),
            "universalIdentifier": str(uuid.uuid4()),
            "defaultTabToFocusOnMobileAndSidePanelId": None,
            "createdAt": stamp,
            "updatedAt": stamp,
            "deletedAt": None,
        }
        self._layouts()[layout["id"]] = layout
        return layout

    def new_tab(self, data: dict[str, Any]) -> dict[str, Any]:
        layout_id = str(data.get("pageLayoutId"))
        self._layout_or_404(layout_id)
        stamp = now_iso()
        siblings = [t for t in self._tabs().values() if t["pageLayoutId"] == layout_id]
        tab = {
            "id": str(uuid.uuid4()),
            "applicationId": str(uuid.uuid4()),
            "title": data.get("title"),
            "position": data.get("position", len(siblings)),
            "pageLayoutId": layout_id,
            "icon": None,
            "layoutMode": data.get("layoutMode") or "GRID",
            "createdAt": stamp,
            "updatedAt": stamp,
            "isActive": True,
            "deletedAt": None,
            "isOverridden": False,
        }
        self._tabs()[tab["id"]] = tab
        return tab

    def _tab_view(self, tab: dict[str, Any]) -> dict[str, Any]:
        widgets = [
            self._widget_view(w) for w in self._widgets().values() if w["pageLayoutTabId"] == tab["id"]
        ]
        return {**tab, "widgets": widgets}

    def _layout_view(self, layout: dict[str, Any]) -> dict[str, Any]:
        tabs = sorted(
            (t for t in self._tabs().values() if t["pageLayoutId"] == layout["id"]),
            key=lambda t: t["position"],
        )
        return {**layout, "tabs": [self._tab_view(t) for t in tabs]}

    @staticmethod
    def _widget_view(widget: dict[str, Any]) -> dict[str, Any]:
        config = dict(widget.get("configuration") or {})
        config["__typename"] = TYPENAMES.get(str(config.get("configurationType")), "ViewConfiguration")
        return {**widget, "configuration": config}

    # ---- resolvers -----------------------------------------------------------------------------
    def q_getPageLayouts(self, req: Request) -> Any:
        wanted_type, wanted_object = req.args.get("pageLayoutType"), req.args.get("objectMetadataId")
        return [
            self._layout_view(layout)
            for layout in self._layouts().values()
            if (not wanted_type or layout["type"] == wanted_type)
            and (not wanted_object or layout["objectMetadataId"] == wanted_object)
        ]

    def q_getPageLayout(self, req: Request) -> Any:
        return self._layout_view(self._layout_or_404(str(req.args.get("id"))))

    def m_createPageLayout(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        if not str(data.get("name") or "").strip():
            raise invalid("Page layout name is required")
        return self._layout_view(self.new_layout(data))

    def m_destroyPageLayout(self, req: Request) -> Any:
        self.destroy_layout(self._layout_or_404(str(req.args.get("id")))["id"])
        return True

    def destroy_layout(self, layout_id: str) -> None:
        for tab in [t for t in self._tabs().values() if t["pageLayoutId"] == layout_id]:
            for widget in [w for w in self._widgets().values() if w["pageLayoutTabId"] == tab["id"]]:
                del self._widgets()[widget["id"]]
            del self._tabs()[tab["id"]]
        self._layouts().pop(layout_id, None)

    def m_createPageLayoutTab(self, req: Request) -> Any:
        return self._tab_view(self.new_tab(req.args.get("input") or {}))

    def q_getPageLayoutWidgets(self, req: Request) -> Any:
        tab_id = str(req.args.get("pageLayoutTabId"))
        return [self._widget_view(w) for w in self._widgets().values() if w["pageLayoutTabId"] == tab_id]

    def m_createPageLayoutWidget(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        tab = self._tabs().get(str(data.get("pageLayoutTabId")))
        if tab is None:
            raise not_found(f'Page layout tab with ID "{data.get("pageLayoutTabId")}" not found.')
        title = str(data.get("title") or "")
        self._check_grid(data.get("gridPosition") or {}, title)
        self._check_configuration(data, title)
        stamp = now_iso()
        widget = {
            "id": str(uuid.uuid4()),
            "applicationId": tab["applicationId"],
            "pageLayoutTabId": tab["id"],
            "title": title,
            "type": data.get("type"),
            "objectMetadataId": data.get("objectMetadataId"),
            "gridPosition": dict(data.get("gridPosition") or {}),
            "position": data.get("position"),
            "configuration": dict(data.get("configuration") or {}),
            "conditionalDisplay": None,
            "conditionalAvailabilityExpression": None,
            "createdAt": stamp,
            "updatedAt": stamp,
            "isActive": True,
            "deletedAt": None,
            "isOverridden": False,
        }
        self._widgets()[widget["id"]] = widget
        return self._widget_view(widget)

    def m_destroyPageLayoutWidget(self, req: Request) -> Any:
        widget_id = str(req.args.get("id"))
        if self._widgets().pop(widget_id, None) is None:
            raise not_found(f'Page layout widget with ID "{widget_id}" not found.')
        return True

    def m_duplicateDashboard(self, req: Request) -> Any:
        """dashboard-duplication.service.ts: the record titled '<title> (Copy)' with a copy of its
        layout, tabs and widgets."""
        store = self.rt.store
        obj = store.object_for("dashboards")
        source = store.get(obj, str(req.args.get("id")))
        copy_id = None
        if source.get("pageLayoutId"):
            layout = self._layout_or_404(str(source["pageLayoutId"]))
            copy_id = self.new_layout(layout)["id"]
            for tab in [t for t in self._tabs().values() if t["pageLayoutId"] == layout["id"]]:
                new_tab = self.new_tab({**tab, "pageLayoutId": copy_id})
                for w in [w for w in self._widgets().values() if w["pageLayoutTabId"] == tab["id"]]:
                    clone = {
                        **json.loads(json.dumps(w)),
                        "id": str(uuid.uuid4()),
                        "pageLayoutTabId": new_tab["id"],
                    }
                    self._widgets()[clone["id"]] = clone
        from .store import API_KEY_ACTOR

        actor = req.context.principal.actor if req.context.principal else API_KEY_ACTOR
        record = store.create(
            obj, {"title": f"{source.get('title') or ''} (Copy)", "pageLayoutId": copy_id}, actor
        )
        return {"__typename": "DuplicatedDashboard", **record}

    # ---- 2.21's checks ---------------------------------------------------------------------------
    @staticmethod
    def _check_grid(grid: dict[str, Any], title: str) -> None:
        row, column = int(grid.get("row", 0)), int(grid.get("column", 0))
        row_span, column_span = int(grid.get("rowSpan", 1)), int(grid.get("columnSpan", 1))
        if column >= GRID_COLUMNS or column + column_span > GRID_COLUMNS:
            raise invalid(
                f'Invalid position for widget "{title}": widget extends beyond grid width '
                f"(column {column} + columnSpan {column_span} > {GRID_COLUMNS})"
            )
        if row >= GRID_ROWS or row_span < 1 or column_span < 1:
            raise invalid(f'Invalid position for widget "{title}": row {row} exceeds maximum allowed rows')

    def _check_configuration(self, data: dict[str, Any], title: str) -> None:
        config = data.get("configuration") or {}
        kind = config.get("configurationType")
        if data.get("type") == "STANDALONE_RICH_TEXT" and not isinstance(config.get("body"), dict):
            raise invalid(f'Body is required for standalone rich text widget "{title}"')
        if kind not in CHART_FIELDS:
            return
        object_id = data.get("objectMetadataId")
        if not object_id:
            raise invalid(f'Chart "{title}": objectMetadataId is required for graph widgets.')
        obj = self.rt.store.schema.by_id(str(object_id))
        if obj is None:
            raise invalid(f'Chart "{title}": objectMetadataId "{object_id}" not found.')
        by_id = {f.id: f for f in obj.fields.values()}
        for key in CHART_FIELDS[kind]:
            if config.get(key) not in by_id:
                raise invalid(f'Chart "{title}": {key} "{config.get(key)}" is not a field of {obj.singular}.')
        for flt in (config.get("filter") or {}).get("recordFilters") or []:
            field = by_id.get(str(flt.get("fieldMetadataId")))
            if field is None:
                raise invalid(f'Chart "{title}": filter field "{flt.get("fieldMetadataId")}" not found.')
            bad = invalid_select_values(field, flt.get("operand"), flt.get("value"), flt.get("subFieldName"))
            if bad:
                raise invalid(
                    f'Chart "{title}": Filter on "{field.raw.get("label")}" uses option(s) '
                    f"{', '.join(f'{chr(34)}{v}{chr(34)}' for v in bad)} that do not exist. Allowed values: "
                    f"{', '.join(f'{chr(34)}{v}{chr(34)}' for v in field.option_values)}."
                )


VALUELESS = {"IS_EMPTY", "IS_NOT_EMPTY", "IS_IN_PAST", "IS_IN_FUTURE", "IS_TODAY"}


def invalid_select_values(field: Any, operand: Any, value: Any, sub_field: Any = None) -> list[str]:
    """get-invalid-select-filter-option-values.util.ts: a list or its JSON string, or one value."""
    if (
        field.type not in ("SELECT", "MULTI_SELECT")
        or operand in VALUELESS
        or sub_field
        or value in (None, "")
    ):
        return []
    values = value
    if isinstance(value, str):
        try:
            values = json.loads(value)
        except ValueError:
            values = [value]
        if not isinstance(values, list):
            values = [value]
    return [str(v) for v in values if str(v) and str(v) not in field.option_values]


class StoreLayouts(LayoutResolvers):
    """The same layouts reached from record events: 2.21's dashboard hooks
    (dashboard-create-one.pre-query.hook.ts makes a layout "Dashboard Layout" with "Tab 1" for a
    dashboard created without one; dashboard-destroy-one.pre-query.hook.ts destroys it with the record)."""

    def __init__(self, store: Any) -> None:
        self.rt = type("Rt", (), {"store": store})()

    def for_new_dashboard(self) -> str:
        layout = self.new_layout({"name": "Dashboard Layout", "type": "DASHBOARD"})
        self.new_tab({"title": "Tab 1", "pageLayoutId": layout["id"]})
        return str(layout["id"])
