"""The one workflow model (twenty_api.workflow_steps / workflow_shapes), as the MCP tools and the
deploy manifests both use it: what 2.21 would refuse is refused here, with a message naming the
step; the stored shape is 2.21's (twenty-shared workflow schemas, validate-workflow-graph.util.ts)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from pydantic import ValidationError

from twenty_api.workflow_shapes import step_from_twenty, trigger_from_twenty
from twenty_api.workflow_steps import WorkflowGraph

GROUP = str(uuid.uuid4())
FILTER = {"id": "f", "type": "TEXT", "stepOutputKey": "{{trigger.x}}", "operand": "IS", "value": "a",
          "stepFilterGroupId": GROUP}  # fmt: skip


def graph(steps: list[dict[str, Any]], trigger: dict[str, Any] | None = None, start: list[str] | None = None):
    return WorkflowGraph.model_validate(
        {"trigger": trigger or {"type": "MANUAL"}, "start": start or [steps[0]["id"]], "steps": steps}
    )


def refused(steps: list[dict[str, Any]], needle: str, **kw: Any) -> None:
    with pytest.raises(ValidationError) as err:
        graph(steps, **kw)
    assert needle in str(err.value), str(err.value)


def note(sid: str, nxt: list[str] | None = None) -> dict[str, Any]:
    return {"id": sid, "name": sid, "type": "CREATE_RECORD", "next": nxt or [],
            "input": {"objectName": "note", "objectRecord": {"title": sid}}}  # fmt: skip


LOOP = [
    {"id": "find", "name": "f", "type": "FIND_RECORDS", "input": {"objectName": "company"}, "next": ["each"]},
    {"id": "each", "name": "e", "type": "ITERATOR", "input": {"items": "{{find.all}}"}, "loop": ["body"],
     "next": ["after"]},
    note("body", ["each"]),  # the loop's way back to its iterator
    note("after"),
]  # fmt: skip


def test_an_iterator_loop_is_the_one_cycle_allowed_and_is_stored_as_2_21_does() -> None:
    g = graph(LOOP)
    out = g.to_twenty(lambda s: str(uuid.uuid5(uuid.NAMESPACE_OID, s)))
    ids = {s["name"]: s for s in out["steps"]}
    assert ids["e"]["settings"]["input"]["initialLoopStepIds"] == [ids["body"]["id"]]
    assert ids["e"]["nextStepIds"] == [ids["after"]["id"]] and ids["body"]["nextStepIds"] == [ids["e"]["id"]]
    assert ids["e"]["settings"]["input"]["items"] == "{{" + ids["f"]["id"] + ".all}}"
    assert out["trigger"]["nextStepIds"] == [ids["f"]["id"]]
    back = [step_from_twenty(s) for s in out["steps"]]
    assert next(s for s in back if s.type == "ITERATOR").loop == [ids["body"]["id"]]


def test_other_cycles_unreachable_steps_and_dangling_edges_are_refused() -> None:
    refused([note("a", ["b"]), note("b", ["a"])], "steps form a loop")
    refused([note("a"), note("b")], "not reachable from the trigger")
    refused([note("a", ["zz"])], "unknown steps ['zz']")
    refused([note("a"), note("a")], "duplicate step ids ['a']")
    refused(
        [{**note("a"), "input": {"objectName": "note", "objectRecord": {"t": "{{ghost.id}}"}}}],
        "no step 'ghost'",
    )


def test_if_else_branches_become_the_steps_branches() -> None:
    steps = [
        {"id": "check", "name": "c", "type": "IF_ELSE",
         "input": {"stepFilterGroups": [{"id": GROUP, "logicalOperator": "AND"}], "stepFilters": [FILTER]},
         "branches": [{"next": ["yes"], "filterGroupId": GROUP}, {"next": ["no"]}]},
        note("yes"), note("no"),
    ]  # fmt: skip
    out = graph(steps).to_twenty(lambda s: str(uuid.uuid5(uuid.NAMESPACE_OID, s)))
    branches = out["steps"][0]["settings"]["input"]["branches"]
    assert [b["nextStepIds"] for b in branches] == [[out["steps"][1]["id"]], [out["steps"][2]["id"]]]
    assert branches[0]["filterGroupId"] == GROUP and "filterGroupId" not in branches[1]
    refused([{**steps[0], "branches": None}, note("yes"), note("no")], "needs `branches`", start=["check"])


@pytest.mark.parametrize(
    ("step", "needle"),
    [
        ({"type": "HTTP_REQUEST", "input": {"url": "http://x", "method": "FETCH"}}, "FETCH"),
        (
            {"type": "HTTP_REQUEST", "input": {"url": "http://x", "method": "GET", "headers": {"a": 1}}},
            "headers",
        ),
        ({"type": "SEND_EMAIL", "input": {"connectedAccountId": "x", "recipients": "a@b"}}, "recipients"),
        ({"type": "UPDATE_RECORD", "input": {"objectName": "task", "objectRecord": {}}}, "objectRecordId"),
        (
            {"type": "CREATE_RECORD", "input": {"objectName": "workspaceMember", "objectRecord": {}}},
            "refuses",
        ),
        (
            {
                "type": "FIND_RECORDS",
                "input": {"objectName": "company", "filter": {"gqlOperationFilter": {}}},
            },
            "ignores gqlOperationFilter",
        ),
        (
            {"type": "FILTER", "input": {"stepFilterGroups": [], "stepFilters": [FILTER]}},
            "not one of stepFilterGroups",
        ),
        ({"type": "ITERATOR", "input": {"items": []}}, "loop body"),
        ({"type": "DELAY", "input": {"delayType": "SOON"}}, "SCHEDULED_DATE"),
        ({"type": "FORM", "input": [{"id": "1", "name": "n", "label": "N", "type": "COLOR"}]}, "COLOR"),
        ({"type": "CODE", "input": {}, "code": "console.log(1)"}, "export `main`"),
        ({"type": "CODE", "input": {"logicFunctionId": "x"}}, "params map"),
        ({"type": "NOTE", "input": {}}, "NOTE"),
    ],
)
def test_what_2_21_would_refuse_is_refused_naming_the_step(step: dict[str, Any], needle: str) -> None:
    refused([{"id": "s", "name": "s", **step}], needle)


def test_code_and_agent_and_update_shapes() -> None:
    steps = [
        {"id": "code", "name": "c", "type": "CODE", "code": "export const main = async (p) => p;",
         "input": {"x": "{{trigger.a}}"}, "next": ["ai"]},
        {"id": "ai", "name": "a", "type": "AI_AGENT", "input": {"prompt": "hi {{code.x}}"}, "next": ["up"]},
        {"id": "up", "name": "u", "type": "UPDATE_RECORD",
         "input": {"objectName": "task", "objectRecordId": "{{trigger.id}}", "objectRecord": {"title": "t"}}},
    ]  # fmt: skip
    out = graph(steps).to_twenty(lambda s: f"00000000-0000-4000-8000-00000000000{len(s)}")
    code, ai, up = out["steps"]
    assert code["settings"]["input"] == {
        "logicFunctionInput": {"x": "{{trigger.a}}"}
    }  # the function: Twenty's
    assert ai["settings"]["input"] == {
        "prompt": "hi {{" + code["id"] + ".x}}"
    }  # no agentId: Twenty gives one
    assert up["settings"]["input"]["fieldsToUpdate"] == ["title"]
    assert {s["settings"]["errorHandlingOptions"]["continueOnFailure"]["value"] for s in out["steps"]} == {
        False
    }


@pytest.mark.parametrize(
    ("trigger", "settings"),
    [
        (
            {"type": "DATABASE_EVENT", "object": "company", "action": "created"},
            {"eventName": "company.created", "outputSchema": {}},
        ),
        (
            {"type": "DATABASE_EVENT", "eventName": "opportunity.updated", "fields": ["stage"]},
            {"eventName": "opportunity.updated", "outputSchema": {}, "fields": ["stage"]},
        ),
        (
            {"type": "CRON", "pattern": "0 9 * * *"},
            {"type": "CUSTOM", "pattern": "0 9 * * *", "outputSchema": {}},
        ),
        (
            {"type": "WEBHOOK", "httpMethod": "GET"},
            {"httpMethod": "GET", "authentication": None, "outputSchema": {}},
        ),
    ],
)
def test_triggers_in_2_21_shape_and_back(trigger: dict[str, Any], settings: dict[str, Any]) -> None:
    out = graph([note("a")], trigger=trigger).to_twenty(lambda s: str(uuid.uuid5(uuid.NAMESPACE_OID, s)))
    assert out["trigger"]["settings"] == settings
    assert trigger_from_twenty(out["trigger"]).settings() == settings


@pytest.mark.parametrize(
    ("trigger", "needle"),
    [
        ({"type": "DATABASE_EVENT", "object": "company"}, "needs `object` and `action`"),
        ({"type": "DATABASE_EVENT", "object": "Company", "action": "created"}, "singular API name"),
        ({"type": "DATABASE_EVENT", "object": "company", "action": "destroyed"}, "action"),
        ({"type": "CRON", "pattern": "0 25 * * *"}, "outside 0-23"),
    ],
)
def test_bad_triggers(trigger: dict[str, Any], needle: str) -> None:
    refused([note("a")], needle, trigger=trigger)
