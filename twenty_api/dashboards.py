"""Dashboards: page layouts, their tabs and widgets on ``/metadata`` (Twenty 2.21).

A 2.21 dashboard is a ``dashboards`` record whose ``pageLayoutId`` names a page layout of type
DASHBOARD; the layout has tabs, each tab a grid of widgets (12 columns, rows from 0). Twenty's
own AI tool builds one in this order (packages/twenty-server/src/modules/dashboard/tools/
create-complete-dashboard.tool.ts): createPageLayout → createPageLayoutTab → createPageLayoutWidget
per widget → the dashboard record with that ``pageLayoutId`` (the record's create hook then keeps
it instead of making an empty layout, dashboard-create-one.pre-query.hook.ts).
``destroyPageLayout`` removes the layout with its tabs and widgets (verified on a real 2.21.0).

Widget shapes: page-layout-widget/dtos/inputs/create-page-layout-widget.input.ts (``gridPosition``
required, ``position`` optional, ``configuration`` JSON) and the chart configuration DTOs
(aggregate/bar/line/pie-chart-configuration.dto.ts); chart filters are twenty-shared's
``ChartFilter`` (types/page-layout/chart-filter.type.ts). Every mutation here needs the LAYOUTS
permission (page-layout*.resolver.ts: SettingsPermissionGuard(LAYOUTS)), which an Admin API key has.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from typing import Any, Literal, Protocol

from twenty_api.models import RELATION_TYPES
from twenty_api.object_fields import FieldProblem, ObjectFields
from twenty_api.operations import mutation, query

GRID_COLUMNS = 12  # page-layout-widget/constants/widget-grid-max-columns.constant.ts
GRID_ROWS = 100  # widget-grid-max-rows.constant.ts

ChartKind = Literal["AGGREGATE_CHART", "BAR_CHART", "LINE_CHART", "PIE_CHART"]
CHART_KINDS: tuple[ChartKind, ...] = ("AGGREGATE_CHART", "BAR_CHART", "LINE_CHART", "PIE_CHART")
# twenty-shared/src/types/AggregateOperations.ts
AGGREGATE_OPERATIONS = (
    "MIN",
    "MAX",
    "AVG",
    "SUM",
    "COUNT",
    "COUNT_UNIQUE_VALUES",
    "COUNT_EMPTY",
    "COUNT_NOT_EMPTY",
    "COUNT_TRUE",
    "COUNT_FALSE",
    "PERCENTAGE_EMPTY",
    "PERCENTAGE_NOT_EMPTY",
)
# ObjectRecordGroupByDateGranularity in the /metadata introspection
DATE_GRANULARITIES = (
    "DAY",
    "WEEK",
    "MONTH",
    "QUARTER",
    "YEAR",
    "DAY_OF_THE_WEEK",
    "MONTH_OF_THE_YEAR",
    "QUARTER_OF_THE_YEAR",
    "NONE",
)

_CONFIGURATION = (
    "configuration { __typename "
    "... on AggregateChartConfiguration { configurationType aggregateFieldMetadataId aggregateOperation "
    "label filter } "
    "... on BarChartConfiguration { configurationType aggregateFieldMetadataId aggregateOperation "
    "primaryAxisGroupByFieldMetadataId primaryAxisGroupBySubFieldName primaryAxisDateGranularity "
    "layout filter } "
    "... on LineChartConfiguration { configurationType aggregateFieldMetadataId aggregateOperation "
    "primaryAxisGroupByFieldMetadataId primaryAxisGroupBySubFieldName primaryAxisDateGranularity filter } "
    "... on PieChartConfiguration { configurationType aggregateFieldMetadataId aggregateOperation "
    "groupByFieldMetadataId groupBySubFieldName dateGranularity filter } "
    "... on RecordTableConfiguration { configurationType viewId recordLimit } "
    "... on StandaloneRichTextConfiguration { configurationType body { markdown blocknote } } }"
)
_WIDGET = (
    "id title type objectMetadataId pageLayoutTabId "
    "gridPosition { row column rowSpan columnSpan } " + _CONFIGURATION
)

GET_PAGE_LAYOUT = query(
    "getPageLayout",
    "query GetPageLayout($id: String!) { getPageLayout(id: $id) { id name type objectMetadataId "
    "tabs { id title position widgets { " + _WIDGET + " } } } }",
)
# Every page layout of a type (page-layout.resolver.ts getPageLayouts(objectMetadataId?, pageLayoutType?)),
# without tabs: the deploy's dashboards kind finds its own by name, then reads that one in full.
GET_PAGE_LAYOUTS = query(
    "getPageLayouts",
    "query GetPageLayouts($pageLayoutType: PageLayoutType) { getPageLayouts(pageLayoutType: $pageLayoutType) "
    "{ id name type objectMetadataId } }",
)
CREATE_PAGE_LAYOUT = mutation(
    "createPageLayout",
    "mutation CreatePageLayout($input: CreatePageLayoutInput!) { createPageLayout(input: $input) "
    "{ id name type } }",
)
DESTROY_PAGE_LAYOUT = mutation(
    "destroyPageLayout",
    "mutation DestroyPageLayout($id: String!) { destroyPageLayout(id: $id) }",
)
CREATE_PAGE_LAYOUT_TAB = mutation(
    "createPageLayoutTab",
    "mutation CreatePageLayoutTab($input: CreatePageLayoutTabInput!) { createPageLayoutTab(input: $input) "
    "{ id title position pageLayoutId } }",
)
CREATE_PAGE_LAYOUT_WIDGET = mutation(
    "createPageLayoutWidget",
    "mutation CreatePageLayoutWidget($input: CreatePageLayoutWidgetInput!) { "
    "createPageLayoutWidget(input: $input) { " + _WIDGET + " } }",
)
DESTROY_PAGE_LAYOUT_WIDGET = mutation(
    "destroyPageLayoutWidget",
    "mutation DestroyPageLayoutWidget($id: String!) { destroyPageLayoutWidget(id: $id) }",
)
# Copies the record, its layout, tabs and widgets (contract example 095).
DUPLICATE_DASHBOARD = mutation(
    "duplicateDashboard",
    "mutation DuplicateDashboard($id: UUID!) { duplicateDashboard(id: $id) "
    "{ id title pageLayoutId position createdAt updatedAt } }",
)


def page_layout_input(name: str) -> dict[str, Any]:
    """``CreatePageLayoutInput`` of a dashboard's layout."""
    return {"name": name, "type": "DASHBOARD"}


def tab_input(page_layout_id: str, title: str, position: int = 0) -> dict[str, Any]:
    """``CreatePageLayoutTabInput``."""
    return {"title": title, "pageLayoutId": page_layout_id, "position": position}


def grid_position(row: int, column: int, row_span: int, column_span: int) -> dict[str, int]:
    """A widget's cell on the 12-column grid; raises ValueError where 2.21 would refuse it
    (validate-widget-grid-position.util.ts)."""
    if row < 0 or column < 0 or row_span < 1 or column_span < 1:
        raise ValueError("row and column start at 0; row_span and column_span are at least 1")
    if column + column_span > GRID_COLUMNS:
        raise ValueError(
            f"column {column} + column_span {column_span} goes past the grid's {GRID_COLUMNS} columns"
        )
    if row >= GRID_ROWS:
        raise ValueError(f"row {row} is past the grid's {GRID_ROWS} rows")
    return {"row": row, "column": column, "rowSpan": row_span, "columnSpan": column_span}


def widget_input(
    tab_id: str,
    title: str,
    type: str,
    configuration: dict[str, Any],
    grid: dict[str, int],
    object_metadata_id: str | None = None,
) -> dict[str, Any]:
    """``CreatePageLayoutWidgetInput``: the grid cell goes as ``gridPosition`` and as the newer
    ``position`` (layoutMode GRID) the front writes (createDefaultRecordTableWidget.ts)."""
    data: dict[str, Any] = {
        "pageLayoutTabId": tab_id,
        "title": title,
        "type": type,
        "gridPosition": grid,
        "position": {"layoutMode": "GRID", **grid},
        "configuration": configuration,
    }
    if object_metadata_id:
        data["objectMetadataId"] = object_metadata_id
    return data


def chart_record_filter(
    field_metadata_id: str, operand: str, value: Any, sub_field_name: str | None = None
) -> dict[str, Any]:
    """One ``ChartRecordFilter``. Its value is a string (chart-filter.type.ts); a list of SELECT
    options goes JSON-encoded ('["WON"]'), as the front stores it."""
    entry: dict[str, Any] = {"fieldMetadataId": field_metadata_id, "operand": operand}
    if value is not None:
        entry["value"] = value if isinstance(value, str) else json.dumps(value)
    if sub_field_name:
        entry["subFieldName"] = sub_field_name
    return entry


def chart_configuration(
    kind: ChartKind,
    aggregate_field_id: str,
    operation: str,
    *,
    group_by_field_id: str | None = None,
    group_by_sub_field: str | None = None,
    date_granularity: str | None = None,
    layout: Literal["VERTICAL", "HORIZONTAL"] = "VERTICAL",
    filters: Sequence[dict[str, Any]] = (),
    label: str | None = None,
) -> dict[str, Any]:
    """A GRAPH widget's configuration. BAR and LINE group their primary axis, PIE groups its
    slices (``groupByFieldMetadataId``, a different name); AGGREGATE is one number."""
    if operation not in AGGREGATE_OPERATIONS:
        raise ValueError(f"aggregate operation {operation!r} is not one of {', '.join(AGGREGATE_OPERATIONS)}")
    config: dict[str, Any] = {
        "configurationType": kind,
        "aggregateFieldMetadataId": aggregate_field_id,
        "aggregateOperation": operation,
    }
    if kind != "AGGREGATE_CHART" and not group_by_field_id:
        raise ValueError(f"a {kind} needs a group-by field")
    if kind in ("BAR_CHART", "LINE_CHART"):
        config["primaryAxisGroupByFieldMetadataId"] = group_by_field_id
        if group_by_sub_field:
            config["primaryAxisGroupBySubFieldName"] = group_by_sub_field
        if date_granularity:
            config["primaryAxisDateGranularity"] = date_granularity
        if kind == "BAR_CHART":
            config["layout"] = layout
    elif kind == "PIE_CHART":
        config["groupByFieldMetadataId"] = group_by_field_id
        if group_by_sub_field:
            config["groupBySubFieldName"] = group_by_sub_field
        if date_granularity:
            config["dateGranularity"] = date_granularity
    elif label:
        config["label"] = label
    if filters:
        config["filter"] = {"recordFilters": list(filters)}
    return config


NUMERIC = ("NUMBER", "NUMERIC", "CURRENCY", "RATING")  # what SUM and AVG measure
COMPOSITE = ("FULL_NAME", "ADDRESS", "CURRENCY", "LINKS", "EMAILS", "PHONES", "ACTOR")
ChartName = Literal["aggregate", "bar", "line", "pie"]


class FilterRule(Protocol):
    field: str
    operand: str
    value: Any


class ChartSpec(Protocol):
    """A chart as a manifest or an MCP tool call names it (both widget models have these)."""

    chart: ChartName
    operation: str
    field: str | None
    group_by: str | None
    date_granularity: str | None
    layout: Literal["VERTICAL", "HORIZONTAL"]

    @property
    def filters(self) -> Sequence[FilterRule]: ...


def resolve_chart(fields: ObjectFields, spec: ChartSpec, what: str = "A chart") -> dict[str, Any]:
    """A GRAPH widget's configuration from names: the measured ``field`` (COUNT needs none),
    ``group_by`` (a relation names the related field to show, ``company.name``; a composite its
    part) and the filters. Raises FieldProblem naming what is wrong."""
    chart, operation, field, group_by = spec.chart, spec.operation, spec.field, spec.group_by
    name = field or ("id" if operation.startswith("COUNT") else None)
    if name is None:
        raise FieldProblem(f"{what}: operation {operation} needs a field (e.g. field='amount').")
    measured, _ = fields.get(name, f"{what} field")
    if operation in ("SUM", "AVG") and measured.type not in NUMERIC:
        raise FieldProblem(f"{what}: {operation} needs a number field; '{measured.name}' is {measured.type}.")
    group_id = group_sub = None
    if chart == "aggregate" and group_by:
        raise FieldProblem(
            f"{what}: an aggregate chart is one number; group_by is for bar, line and pie charts."
        )
    if chart != "aggregate":
        if not group_by:
            raise FieldProblem(f"{what}: a {chart} chart needs group_by (e.g. 'stage').")
        group, group_sub = fields.get(group_by, f"{what} group_by", relation_part=True)
        if group.type in RELATION_TYPES and not group_sub:
            raise FieldProblem(
                f"{what}: group_by '{group.name}' is a relation; name the related field to show: "
                f"'{group.name}.name'."
            )
        if group.type in COMPOSITE and not group_sub:
            raise FieldProblem(
                f"{what}: group_by '{group.name}' is a {group.type}; name its part, "
                f"e.g. '{group.name}.<subfield>'."
            )
        group_id = group.id
    record_filters = [
        chart_record_filter(*fields.filter_args(f.field, f.operand, f.value, f"{what} filter"))
        for f in spec.filters
    ]
    try:
        return chart_configuration(
            f"{chart.upper()}_CHART",  # type: ignore[arg-type]
            measured.id,
            operation,
            group_by_field_id=group_id,
            group_by_sub_field=group_sub,
            date_granularity=spec.date_granularity,
            layout=spec.layout,
            filters=record_filters,
        )
    except ValueError as err:
        raise FieldProblem(f"{what}: {err}") from err


def record_table_configuration(view_id: str, record_limit: int | None = None) -> dict[str, Any]:
    """A RECORD_TABLE widget shows the records of its own view (a TABLE_WIDGET view, as the front
    makes one: buildRecordTableWidgetViewSnapshot.ts)."""
    config: dict[str, Any] = {"configurationType": "RECORD_TABLE", "viewId": view_id}
    if record_limit:
        config["recordLimit"] = record_limit
    return config


def rich_text_configuration(markdown: str) -> dict[str, Any]:
    """A STANDALONE_RICH_TEXT widget's body (rich-text-body.dto.ts). The front renders only the
    ``blocknote`` part (StandaloneRichTextEditorContent.tsx: parseInitialBlocknote(body)), so the
    markdown goes as both: the text, and BlockNote blocks made from its lines."""
    return {
        "configurationType": "STANDALONE_RICH_TEXT",
        "body": {"markdown": markdown, "blocknote": json.dumps(markdown_to_blocknote(markdown))},
    }


def markdown_to_blocknote(markdown: str) -> list[dict[str, Any]]:
    """Simple markdown lines as BlockNote blocks: '#'..'###' headings, '-'/'*' bullets, '1.'
    numbered items, anything else a paragraph (inline marks stay as typed)."""
    blocks = []
    for line in markdown.splitlines():
        text = line.strip()
        if not text:
            continue
        props: dict[str, Any] = {
            "textColor": "default",
            "backgroundColor": "default",
            "textAlignment": "left",
        }
        kind = "paragraph"
        heading = re.match(r"^(#{1,3})\s+(.*)$", text)
        if heading:
            kind, text = "heading", heading.group(2)
            props["level"] = len(heading.group(1))
        elif re.match(r"^[-*]\s+", text):
            kind, text = "bulletListItem", re.sub(r"^[-*]\s+", "", text)
        elif re.match(r"^\d+[.)]\s+", text):
            kind, text = "numberedListItem", re.sub(r"^\d+[.)]\s+", "", text)
        blocks.append(
            {
                "id": str(uuid.uuid4()),
                "type": kind,
                "props": props,
                "content": [{"type": "text", "text": text, "styles": {}}],
                "children": [],
            }
        )
    return blocks


def layout_widgets(layout: dict[str, Any]) -> list[dict[str, Any]]:
    """Every widget of a page layout read with GET_PAGE_LAYOUT, tab by tab."""
    return [w for tab in layout.get("tabs") or [] for w in tab.get("widgets") or []]
