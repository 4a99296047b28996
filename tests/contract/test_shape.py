"""The comparison itself: it must catch wrong envelopes, types and keys, and only those."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fake_twenty import FakeTwenty, rest_core

from .replay import Replayer, Target
from .shape import compare_response, compare_shapes


def test_same_shape_different_values_match() -> None:
    captured = {"data": {"people": [{"id": "a", "n": 1, "x": None}]}, "totalCount": 3}
    answer = {
        "data": {"people": [{"id": "b", "n": 2.5, "x": "set"}, {"id": "c", "n": 0, "x": None}]},
        "totalCount": 9,
    }
    assert compare_shapes(captured, answer) == []


@pytest.mark.parametrize(
    ("answer", "needle"),
    [
        ({"data": {"people": []}, "totalCount": 1}, "non-empty list"),
        ({"data": {"people": [{"id": 1}]}, "totalCount": 1}, "expected string, got number"),
        ({"data": {"people": [{"id": "a"}]}}, "missing keys ['totalCount']"),
        ({"data": {"people": [{"id": "a"}]}, "totalCount": 1, "extra": True}, "unexpected keys ['extra']"),
        ({"data": None, "totalCount": 1}, "expected object, got null"),
    ],
)
def test_wrong_shapes_are_reported(answer: dict[str, Any], needle: str) -> None:
    captured = {"data": {"people": [{"id": "a"}]}, "totalCount": 1}
    problems = compare_shapes(captured, answer)
    assert any(needle in p for p in problems), problems


def test_status_mismatch_is_reported() -> None:
    assert compare_response(201, {}, 200, {})[0].startswith("status: expected 201, got 200")


def test_free_form_json_compared_by_type_only() -> None:
    captured = {"data": {"r": [{"properties": {"diff": {}}}]}}
    answer = {"data": {"r": [{"properties": {"after": {}}}]}}
    assert compare_shapes(captured, answer, free_form=frozenset({"properties"})) == []
    assert compare_shapes(captured, answer) != []


def test_a_wrong_envelope_in_the_fake_turns_the_suite_red(monkeypatch: pytest.MonkeyPatch) -> None:
    """Break the fake's list envelope (drop totalCount) and replay example 001 against it."""

    def broken(plural: str, records: list[dict[str, Any]], page: Any) -> dict[str, Any]:
        return {"data": {plural: records}, "pageInfo": {}}

    monkeypatch.setattr(rest_core, "list_envelope", broken)
    with FakeTwenty() as fake:
        replayer = Replayer(
            Target(fake.base_url, fake.api_key, fake.user_token), ["001-list-companies-filter-limit2"]
        )
        try:
            outcome = replayer.outcome("001-list-companies-filter-limit2")
        finally:
            replayer.close()
    assert any("missing keys ['totalCount']" in p for p in outcome.problems), outcome.problems
    assert any("pageInfo" in p for p in outcome.problems), outcome.problems


def test_error_words_are_contract() -> None:
    from .shape import compare_error_texts

    captured = {
        "statusCode": 404,
        "error": "Error",
        "messages": ["Workflow OLD not found"],
        "code": "NOT_FOUND",
    }
    same = {"statusCode": 404, "error": "Error", "messages": ["Workflow NEW not found"], "code": "NOT_FOUND"}
    assert compare_error_texts(captured, same, lambda t: t.replace("OLD", "NEW")) == []
    worded = {**same, "messages": ["workflow not found"]}
    assert compare_error_texts(captured, worded, lambda t: t.replace("OLD", "NEW"))
    gql = {"errors": [{"message": "m", "extensions": {"code": "BAD_USER_INPUT", "subCode": "LIMIT_REACHED"}}]}
    other = {"errors": [{"message": "m", "extensions": {"code": "BAD_USER_INPUT", "subCode": "X"}}]}
    assert compare_error_texts(gql, other) == [
        "$.errors[0].extensions.subCode: expected 'LIMIT_REACHED', got 'X'"
    ]


def test_a_field_null_in_every_record_is_reported() -> None:
    captured = {"data": {"runs": [{"id": "a", "stepLogs": {"x": {}}}]}}
    answer = {"data": {"runs": [{"id": "b", "stepLogs": None}, {"id": "c", "stepLogs": None}]}}
    problems = compare_shapes(captured, answer, uniform_items=True)
    assert problems == ["$.data.runs[*].stepLogs: null in every item, the capture has a value"]
    answer["data"]["runs"][1]["stepLogs"] = {"y": {}}
    assert compare_shapes(captured, answer, uniform_items=True) == []


def test_null_in_place_of_a_captured_value_is_reported_near_the_envelope() -> None:
    captured = {"data": {"createDashboard": {"pageLayoutId": "x", "record": {"deep": "y"}}}}
    answer = {"data": {"createDashboard": {"pageLayoutId": None, "record": {"deep": None}}}}
    assert compare_shapes(captured, answer) == [
        "$.data.createDashboard.pageLayoutId: expected string, got null (None)"
    ]
