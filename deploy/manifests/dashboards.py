"""``dashboards/<name>.yaml``: a dashboard `inv deploy` builds and keeps as declared — one tab of
widgets on Twenty's 12-column grid: charts (a measure of an object grouped by a field), record
tables (columns, filters, sorts of an object) and rich text. Every widget names its place on the
grid, so a deploy is deterministic; titles are unique in a dashboard (they identify the widgets)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from deploy.manifests.common import _Named, _Strict
from twenty_api.dashboards import GRID_COLUMNS, GRID_ROWS
from twenty_api.views import FILTER_OPERANDS

Title = Annotated[str, Field(min_length=1, max_length=200)]
FieldName = Annotated[str, Field(min_length=1, max_length=100)]


class Cell(_Strict):
    row: int = Field(ge=0, lt=GRID_ROWS)
    column: int = Field(ge=0, lt=GRID_COLUMNS)
    row_span: int = Field(ge=1, le=GRID_ROWS)
    column_span: int = Field(ge=1, le=GRID_COLUMNS)

    @model_validator(mode="after")
    def _fits(self) -> Cell:
        if self.column + self.column_span > GRID_COLUMNS:
            raise ValueError(
                f"column {self.column} + column_span {self.column_span} goes past the grid's "
                f"{GRID_COLUMNS} columns"
            )
        return self

    def overlaps(self, other: Cell) -> bool:
        return (
            self.row < other.row + other.row_span
            and other.row < self.row + self.row_span
            and self.column < other.column + other.column_span
            and other.column < self.column + self.column_span
        )


class FilterSpec(_Strict):
    field: FieldName = Field(description="field name; a part of a composite field as field.part")
    operand: str
    value: Any = None

    @field_validator("operand")
    @classmethod
    def _operand(cls, value: str) -> str:
        if value not in FILTER_OPERANDS:
            raise ValueError(f"operand {value!r} is not one of {', '.join(FILTER_OPERANDS)}")
        return value


class SortSpec(_Strict):
    field: FieldName
    direction: Literal["ASC", "DESC"] = "ASC"


class ChartWidget(_Strict):
    kind: Literal["chart"]
    title: Title
    chart: Literal["aggregate", "bar", "line", "pie"]
    object: FieldName = Field(description="singular API name, e.g. opportunity or revenueForecast")
    operation: Literal[
        "COUNT", "SUM", "AVG", "MIN", "MAX", "COUNT_EMPTY", "COUNT_NOT_EMPTY", "COUNT_UNIQUE_VALUES"
    ] = "COUNT"
    field: FieldName | None = Field(None, description="the measured field; COUNT needs none")
    group_by: FieldName | None = Field(
        None, description="bar/line/pie: the field of the groups (a relation: rel.name)"
    )
    date_granularity: Literal["DAY", "WEEK", "MONTH", "QUARTER", "YEAR"] | None = None
    layout: Literal["VERTICAL", "HORIZONTAL"] = "VERTICAL"
    filters: list[FilterSpec] = Field(default_factory=list, max_length=20)
    position: Cell

    @model_validator(mode="after")
    def _shape(self) -> ChartWidget:
        if self.chart == "aggregate" and self.group_by:
            raise ValueError("an aggregate chart is one number; group_by is for bar, line and pie charts")
        if self.chart != "aggregate" and not self.group_by:
            raise ValueError(f"a {self.chart} chart needs group_by (e.g. stage)")
        if not self.operation.startswith("COUNT") and not self.field:
            raise ValueError(f"operation {self.operation} needs a field (e.g. field: amount)")
        return self


class RecordTableWidget(_Strict):
    kind: Literal["record_table"]
    title: Title
    object: FieldName
    fields: list[FieldName] = Field(min_length=1, max_length=60, description="columns, in order")
    filters: list[FilterSpec] = Field(default_factory=list, max_length=20)
    sorts: list[SortSpec] = Field(default_factory=list, max_length=10)
    position: Cell


class RichTextWidget(_Strict):
    kind: Literal["rich_text"]
    title: Title
    text: str = Field(
        min_length=1, max_length=20000, description="markdown: # headings, - bullets, paragraphs"
    )
    position: Cell


Widget = Annotated[ChartWidget | RecordTableWidget | RichTextWidget, Field(discriminator="kind")]


class DashboardManifest(_Named):
    title: Title = Field(description="the dashboard's title in Twenty")
    tab: Annotated[str, Field(min_length=1, max_length=100)] = "Main"
    widgets: list[Widget] = Field(min_length=1, max_length=30)

    @model_validator(mode="after")
    def _grid(self) -> DashboardManifest:
        seen: dict[str, Cell] = {}
        for widget in self.widgets:
            if widget.title in seen:
                raise ValueError(f"widget title {widget.title!r} is used twice; titles identify the widgets")
            for other, cell in seen.items():
                if widget.position.overlaps(cell):
                    raise ValueError(f"widgets {other!r} and {widget.title!r} overlap on the grid")
            seen[widget.title] = widget.position
        return self

    def objects(self) -> set[str]:
        return {w.object for w in self.widgets if not isinstance(w, RichTextWidget)}
