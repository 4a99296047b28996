"""Views on ``/metadata`` (Twenty 2.21): a view, its fields (columns), filters, sorts and groups.

Names and inputs are the /metadata introspection's (contract/twenty-2.21.0): ``createView``
(``CreateViewInput``), ``createManyViewFields``, ``createViewFilter``, ``createViewSort`` and their
update/destroy forms; view groups are made by 2.21 itself. Behaviour from the source at 6f3c158:

- ``createView`` with ``mainGroupByFieldMetadataId`` creates one view group per option of that
  field, plus an empty group when the field is nullable (compute-flat-view-groups-on-view-create.util.ts).
- A KANBAN view must have a main group-by field, a SELECT or a many-to-one relation
  (flat-view-validator.service.ts); a CALENDAR view names its date field and a layout
  (view-tools.factory.ts: calendarFieldMetadataId + calendarLayout).
- A SELECT filter's value must name existing options (get-invalid-select-filter-option-values.util.ts);
  it may be a list or its JSON string.
- ``destroyView`` removes the view with its children; ``deleteView`` only soft-deletes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal, get_args

from twenty_api.compare import json_text
from twenty_api.operations import mutation, query

ViewType = Literal["TABLE", "KANBAN", "CALENDAR", "TABLE_WIDGET"]
CalendarLayout = Literal["DAY", "WEEK", "MONTH"]
SortDirection = Literal["ASC", "DESC"]
# twenty-shared/src/types/ViewFilterOperand.ts, less VECTOR_SEARCH (the search bar's own) and
# IS_NOT_NULL, which the front cannot turn into a query (turnRecordFilterIntoGqlOperationFilter.ts
# throws "Unknown operand" when the view or chart is opened). One list for the MCP tools' schema
# and the dashboard manifests.
FilterOperand = Literal[
    "IS",
    "IS_NOT",
    "LESS_THAN_OR_EQUAL",
    "GREATER_THAN_OR_EQUAL",
    "IS_BEFORE",
    "IS_AFTER",
    "CONTAINS",
    "DOES_NOT_CONTAIN",
    "IS_EMPTY",
    "IS_NOT_EMPTY",
    "IS_RELATIVE",
    "IS_IN_PAST",
    "IS_IN_FUTURE",
    "IS_TODAY",
]
FILTER_OPERANDS: tuple[str, ...] = get_args(FilterOperand)
OPERANDS_WITHOUT_VALUE = ("IS_EMPTY", "IS_NOT_EMPTY", "IS_IN_PAST", "IS_IN_FUTURE", "IS_TODAY")

# The operands the front can turn into a query per field type (twenty-shared
# utils/filter/turnRecordFilterIntoGqlOperationFilter.ts; any other throws "Unknown operand" when the
# view is opened). IS_EMPTY / IS_NOT_EMPTY work on every type (checkIfShouldComputeEmptinessFilter).
_TEXTUAL = ("CONTAINS", "DOES_NOT_CONTAIN")
_COMPARABLE = ("GREATER_THAN_OR_EQUAL", "LESS_THAN_OR_EQUAL", "IS", "IS_NOT")
_DATES = ("IS", "IS_BEFORE", "IS_AFTER", "IS_RELATIVE", "IS_IN_PAST", "IS_IN_FUTURE", "IS_TODAY")
OPERANDS_BY_TYPE: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "TEXT",
            "RAW_JSON",
            "FILES",
            "FULL_NAME",
            "ADDRESS",
            "MULTI_SELECT",
            "ARRAY",
            "PHONES",
            "LINKS",
            "EMAILS",
        ),
        _TEXTUAL,
    ),
    **dict.fromkeys(("NUMBER", "NUMERIC", "RATING", "CURRENCY"), _COMPARABLE),
    **dict.fromkeys(("DATE", "DATE_TIME"), _DATES),
    **dict.fromkeys(("SELECT", "RELATION", "MORPH_RELATION", "UUID"), ("IS", "IS_NOT")),
    "ACTOR": (*_TEXTUAL, "IS", "IS_NOT"),
    "BOOLEAN": ("IS",),
}


def operands_for(field_type: str) -> tuple[str, ...] | None:
    """The operands a view or chart filter may use on a field of this type (None: not known)."""
    own = OPERANDS_BY_TYPE.get(field_type)
    return None if own is None else (*own, "IS_EMPTY", "IS_NOT_EMPTY")


_FIELD = "id fieldMetadataId position isVisible size viewId"
_FILTER = "id fieldMetadataId operand value subFieldName viewId"
_SORT = "id fieldMetadataId direction viewId"
_VIEW = (
    "id name type key icon position objectMetadataId mainGroupByFieldMetadataId calendarFieldMetadataId "
    "calendarLayout visibility "
    f"viewFields {{ {_FIELD} }} viewFilters {{ {_FILTER} }} viewSorts {{ {_SORT} }} "
    "viewGroups { id fieldValue position isVisible }"
)

GET_VIEW = query("getView", "query GetView($id: String!) { getView(id: $id) { " + _VIEW + " } }")
GET_VIEWS = query(
    "getViews",
    "query GetViews($objectMetadataId: String) { getViews(objectMetadataId: $objectMetadataId) "
    "{ id name type key objectMetadataId } }",
)
CREATE_VIEW = mutation(
    "createView",
    "mutation CreateView($input: CreateViewInput!) { createView(input: $input) { " + _VIEW + " } }",
)
UPDATE_VIEW = mutation(
    "updateView",
    "mutation UpdateView($id: String!, $input: UpdateViewInput!) { updateView(id: $id, input: $input) "
    "{ id name type } }",
)
DESTROY_VIEW = mutation("destroyView", "mutation DestroyView($id: String!) { destroyView(id: $id) }")
CREATE_VIEW_FIELDS = mutation(
    "createManyViewFields",
    "mutation CreateManyViewFields($inputs: [CreateViewFieldInput!]!) { "
    "createManyViewFields(inputs: $inputs) { " + _FIELD + " } }",
)
UPDATE_VIEW_FIELD = mutation(
    "updateViewField",
    "mutation UpdateViewField($input: UpdateViewFieldInput!) { updateViewField(input: $input) { "
    + _FIELD
    + " } }",
)
DESTROY_VIEW_FIELD = mutation(
    "destroyViewField",
    "mutation DestroyViewField($input: DestroyViewFieldInput!) { destroyViewField(input: $input) { id } }",
)
CREATE_VIEW_FILTER = mutation(
    "createViewFilter",
    "mutation CreateViewFilter($input: CreateViewFilterInput!) { createViewFilter(input: $input) "
    "{ " + _FILTER + " } }",
)
DESTROY_VIEW_FILTER = mutation(
    "destroyViewFilter",
    "mutation DestroyViewFilter($input: DestroyViewFilterInput!) { destroyViewFilter(input: $input) { id } }",
)
CREATE_VIEW_SORT = mutation(
    "createViewSort",
    "mutation CreateViewSort($input: CreateViewSortInput!) { createViewSort(input: $input) { "
    + _SORT
    + " } }",
)
DESTROY_VIEW_SORT = mutation(
    "destroyViewSort",
    "mutation DestroyViewSort($input: DestroyViewSortInput!) { destroyViewSort(input: $input) }",
)


def view_input(
    object_metadata_id: str,
    name: str,
    type: ViewType = "TABLE",
    *,
    icon: str | None = None,
    main_group_by_field_id: str | None = None,
    calendar_field_id: str | None = None,
    calendar_layout: CalendarLayout | None = None,
) -> dict[str, Any]:
    """``CreateViewInput`` (``icon`` is required by 2.21; a type's usual icon is the default)."""
    if type == "KANBAN" and not main_group_by_field_id:
        raise ValueError("a KANBAN view needs its group-by field (a SELECT field)")
    if type == "CALENDAR" and not (calendar_field_id and calendar_layout):
        raise ValueError("a CALENDAR view needs its date field and a layout (DAY, WEEK or MONTH)")
    default_icon = {"KANBAN": "IconLayoutKanban", "CALENDAR": "IconCalendarEvent"}.get(type, "IconTable")
    data: dict[str, Any] = {
        "objectMetadataId": object_metadata_id,
        "name": name,
        "type": type,
        "icon": icon or default_icon,
    }
    if main_group_by_field_id:
        data["mainGroupByFieldMetadataId"] = main_group_by_field_id
    if calendar_field_id:
        data["calendarFieldMetadataId"] = calendar_field_id
        data["calendarLayout"] = calendar_layout
    return data


def view_field_input(
    view_id: str, field_metadata_id: str, position: int, *, visible: bool = True
) -> dict[str, Any]:
    """``CreateViewFieldInput`` (150 px wide, as Twenty's own view tools make them)."""
    return {
        "viewId": view_id,
        "fieldMetadataId": field_metadata_id,
        "position": position,
        "isVisible": visible,
        "size": 150,
    }


def view_filter_input(
    view_id: str, field_metadata_id: str, operand: str, value: Any, sub_field_name: str | None = None
) -> dict[str, Any]:
    """``CreateViewFilterInput``; ``value`` is JSON and required (an empty string for operands that
    take none); lists (SELECT options) go as their JSON string, as the front stores them."""
    if operand not in FILTER_OPERANDS:
        raise ValueError(f"filter operand {operand!r} is not one of {', '.join(FILTER_OPERANDS)}")
    if value is None or operand in OPERANDS_WITHOUT_VALUE:
        value = ""
    elif not isinstance(value, str):
        value = json.dumps(value)
    data: dict[str, Any] = {
        "viewId": view_id,
        "fieldMetadataId": field_metadata_id,
        "operand": operand,
        "value": value,
    }
    if sub_field_name:
        data["subFieldName"] = sub_field_name
    return data


FilterKey = tuple[str, str, str, str | None]  # (fieldMetadataId, operand, value as JSON text, subFieldName)


def stored_filters(view: dict[str, Any]) -> list[FilterKey]:
    """A view's filters as Twenty reads them back, comparable with :func:`wanted_filters`."""
    return sorted(
        (
            str(f.get("fieldMetadataId")),
            str(f.get("operand")),
            json_text(f.get("value")),
            f.get("subFieldName") or None,
        )
        for f in view.get("viewFilters") or []
    )


def wanted_filters(rules: Iterable[tuple[str, str, Any, str | None]]) -> list[FilterKey]:
    """(fieldMetadataId, operand, value, subFieldName) rules as :func:`view_filter_input` stores them."""
    return sorted(
        (fid, operand, json_text(view_filter_input("v", fid, operand, value)["value"]), sub or None)
        for fid, operand, value, sub in rules
    )


def view_sort_input(view_id: str, field_metadata_id: str, direction: SortDirection = "ASC") -> dict[str, Any]:
    """``CreateViewSortInput``."""
    return {"viewId": view_id, "fieldMetadataId": field_metadata_id, "direction": direction}
