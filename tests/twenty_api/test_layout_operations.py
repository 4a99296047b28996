"""The named operations for dashboards, views and relation fields are valid documents of 2.21's
/metadata schema (the captured introspection), and the input builders give 2.21's shapes."""

from __future__ import annotations

import json

import pytest
from graphql import build_client_schema, parse, validate

from tests.fake_twenty import contract_data
from twenty_api import dashboards, fields, views
from twenty_api.operations import Operation

OPERATIONS = [
    (module.__name__, name, op)
    for module in (dashboards, views, fields)
    for name, op in vars(module).items()
    if isinstance(op, Operation)
]


@pytest.mark.parametrize(("module", "name", "op"), OPERATIONS, ids=[f"{m}.{n}" for m, n, _ in OPERATIONS])
def test_every_operation_is_valid_on_the_captured_metadata_schema(
    module: str, name: str, op: Operation
) -> None:
    schema = build_client_schema(contract_data.load_json("metadata-introspection.json")["data"])
    assert op.endpoint == "metadata"
    errors = validate(schema, parse(op.document))
    assert not errors, f"{module}.{name}: {[e.message for e in errors]}"


def test_there_are_operations_for_each_family() -> None:
    roots = {op.root for _, _, op in OPERATIONS}
    assert {"createPageLayout", "createPageLayoutTab", "createPageLayoutWidget", "destroyPageLayout"} <= roots
    assert {
        "createView",
        "createManyViewFields",
        "createViewFilter",
        "createViewSort",
        "destroyView",
    } <= roots
    assert {"createOneField"} <= roots


def test_chart_configurations_have_2_21_field_names() -> None:
    bar = dashboards.chart_configuration("BAR_CHART", "a", "SUM", group_by_field_id="g", layout="HORIZONTAL")
    assert bar == {
        "configurationType": "BAR_CHART",
        "aggregateFieldMetadataId": "a",
        "aggregateOperation": "SUM",
        "primaryAxisGroupByFieldMetadataId": "g",
        "layout": "HORIZONTAL",
    }
    pie = dashboards.chart_configuration(
        "PIE_CHART", "a", "COUNT", group_by_field_id="g", group_by_sub_field="name"
    )
    assert pie["groupByFieldMetadataId"] == "g" and pie["groupBySubFieldName"] == "name"
    flt = dashboards.chart_record_filter("s", "IS", ["WON"])
    kpi = dashboards.chart_configuration("AGGREGATE_CHART", "a", "COUNT", filters=[flt])
    assert kpi["filter"] == {"recordFilters": [{"fieldMetadataId": "s", "operand": "IS", "value": '["WON"]'}]}
    with pytest.raises(ValueError, match="group-by"):
        dashboards.chart_configuration("LINE_CHART", "a", "SUM")
    with pytest.raises(ValueError, match="not one of"):
        dashboards.chart_configuration("AGGREGATE_CHART", "a", "MEDIAN")


def test_grid_cells_stay_inside_the_12_column_grid() -> None:
    assert dashboards.grid_position(0, 6, 4, 6) == {"row": 0, "column": 6, "rowSpan": 4, "columnSpan": 6}
    with pytest.raises(ValueError, match="12 columns"):
        dashboards.grid_position(0, 8, 4, 6)
    with pytest.raises(ValueError, match="100 rows"):
        dashboards.grid_position(100, 0, 1, 1)


def test_rich_text_goes_as_markdown_and_blocknote() -> None:
    body = dashboards.rich_text_configuration("# Title\n- one\n2. two\nplain")["body"]
    blocks = json.loads(body["blocknote"])
    assert [b["type"] for b in blocks] == ["heading", "bulletListItem", "numberedListItem", "paragraph"]
    assert blocks[0]["props"]["level"] == 1 and blocks[1]["content"][0]["text"] == "one"


def test_view_inputs() -> None:
    with pytest.raises(ValueError, match="KANBAN"):
        views.view_input("o", "v", "KANBAN")
    with pytest.raises(ValueError, match="CALENDAR"):
        views.view_input("o", "v", "CALENDAR", calendar_field_id="d")
    kanban = views.view_input("o", "v", "KANBAN", main_group_by_field_id="s")
    assert kanban["icon"] == "IconLayoutKanban" and kanban["mainGroupByFieldMetadataId"] == "s"
    assert views.view_filter_input("v", "f", "IS_EMPTY", "x")["value"] == ""
    assert views.view_filter_input("v", "f", "IS", ["A", "B"])["value"] == '["A", "B"]'
    with pytest.raises(ValueError, match="operand"):
        views.view_filter_input("v", "f", "LIKE", "x")


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("Proto things", "protoThings"),
        ("Website leads", "websiteLeads"),
        ("HTTPServer", "httpServer"),
        ("2nd owner", "n2ndOwner"),
        ("Company", "company"),
    ],
)
def test_the_other_side_is_named_from_its_label_as_2_21_does(label: str, name: str) -> None:
    assert fields.name_from_label(label) == name


def test_relation_input_carries_both_sides() -> None:
    data = fields.relation_field_input("src", "company", "Company", "MANY_TO_ONE", "tgt", "Leads")
    payload = data["field"]["relationCreationPayload"]
    assert data["field"]["type"] == "RELATION"
    assert payload == {
        "type": "MANY_TO_ONE",
        "targetObjectMetadataId": "tgt",
        "targetFieldLabel": "Leads",
        "targetFieldIcon": "IconBuildingSkyscraper",
    }


def test_filter_operands_follow_what_the_front_can_query() -> None:
    assert views.operands_for("CURRENCY") == (
        "GREATER_THAN_OR_EQUAL",
        "LESS_THAN_OR_EQUAL",
        "IS",
        "IS_NOT",
        "IS_EMPTY",
        "IS_NOT_EMPTY",
    )
    assert "IS_RELATIVE" in (views.operands_for("DATE_TIME") or ())
    assert "CONTAINS" not in (views.operands_for("SELECT") or ())
    assert views.operands_for("POSITION") is None
