"""The shape of a Twenty 2.21 workflow — trigger, steps and the edges between them — checked
before anything is written.

One definition for every caller: the MCP tools (`twenty_create_workflow` / `twenty_update_workflow`)
take these models as their input, and the deploy manifests (`apps/workflows/*.yaml`) extend them.

Read from Twenty 2.21.0 (6f3c158):
- twenty-shared/src/workflow/schemas/*.ts — the zod schema of every trigger and action type (the
  `input` keys each needs, HTTP methods, FORM's list input, the CRON setting types);
- twenty-shared/src/workflow/validation/utils/validate-workflow-graph.util.ts — the trigger must
  point at a step, every edge must name a step, every step must be reachable from the trigger, each
  IF_ELSE branch needs a next step, an ITERATOR with items needs a loop body;
- get-step-outgoing-step-ids.util.ts — the edges are `nextStepIds`, each IF_ELSE branch's
  `nextStepIds` and an ITERATOR's `initialLoopStepIds`; the loop's last step points back at the
  iterator (workflow-executor: get-next-step-ids-for-iterator.util.ts), the only cycle allowed;
- step ids and `nextStepIds` are UUIDs (base-workflow-action-schema.ts). Here a step has a short
  snake_case id, turned into a UUID by the caller (`id_of`), or keeps the UUID it already has.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# fmt: off
STEP_TYPES: tuple[str, ...] = (
    "CODE", "LOGIC_FUNCTION", "SEND_EMAIL", "DRAFT_EMAIL", "CREATE_CALENDAR_EVENT",
    "CREATE_RECORD", "UPDATE_RECORD", "DELETE_RECORD", "UPSERT_RECORD", "FIND_RECORDS",
    "PICK_RECORD", "FORM", "FILTER", "IF_ELSE", "HTTP_REQUEST", "AI_AGENT", "ITERATOR", "DELAY",
    "EMPTY",
)  # WorkflowActionType, twenty-shared/src/workflow/types/WorkflowActionType.ts
StepType = Literal[
    "CODE", "LOGIC_FUNCTION", "SEND_EMAIL", "DRAFT_EMAIL", "CREATE_CALENDAR_EVENT",
    "CREATE_RECORD", "UPDATE_RECORD", "DELETE_RECORD", "UPSERT_RECORD", "FIND_RECORDS",
    "PICK_RECORD", "FORM", "FILTER", "IF_ELSE", "HTTP_REQUEST", "AI_AGENT", "ITERATOR", "DELAY",
    "EMPTY",
]
# The `input` keys 2.21's zod schema requires per action type (…-action-settings-schema.ts).
# CODE's input is the logic function's input map; its source is the step's `code`.
# AI_AGENT: 2.21 makes `agentId` optional (Twenty creates a step agent); a prompt is what it runs.
REQUIRED_STEP_INPUT: dict[str, tuple[str, ...]] = {
    "CREATE_RECORD": ("objectName", "objectRecord"),
    "UPDATE_RECORD": ("objectName", "objectRecordId", "objectRecord"),
    "DELETE_RECORD": ("objectName", "objectRecordId"),
    "UPSERT_RECORD": ("objectName", "objectRecord"),
    "FIND_RECORDS": ("objectName",),
    "PICK_RECORD": ("objectName", "strategy", "recordIds"),
    "AI_AGENT": ("prompt",),
    "SEND_EMAIL": ("connectedAccountId", "recipients"),
    "DRAFT_EMAIL": ("connectedAccountId", "recipients"),
    "CREATE_CALENDAR_EVENT": ("connectedAccountId", "title", "startsAt", "endsAt"),
    "HTTP_REQUEST": ("url", "method"),
    "LOGIC_FUNCTION": ("logicFunctionId",),
    "FILTER": ("stepFilterGroups", "stepFilters"),
    "IF_ELSE": ("stepFilterGroups", "stepFilters"),
    "DELAY": ("delayType",),
}
RECORD_STEPS = frozenset({"CREATE_RECORD", "UPDATE_RECORD", "DELETE_RECORD", "UPSERT_RECORD",
                          "FIND_RECORDS", "PICK_RECORD"})
WRITE_STEPS = frozenset({"CREATE_RECORD", "UPDATE_RECORD", "DELETE_RECORD", "UPSERT_RECORD"})
# ObjectsBlockedFromAutomation.ts: 2.21 refuses a workflow's writes to these
BLOCKED_FROM_AUTOMATION = frozenset({
    "workflow", "workflowVersion", "workflowRun", "workflowAutomatedTrigger", "workspaceMember", "dashboard",
    "message", "messageThread", "messageChannelMessageAssociation", "messageParticipant", "calendarEvent",
    "calendarEventParticipant", "calendarChannelEventAssociation",
})
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
STEP_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
STEP_REF_RE = re.compile(r"\{\{\s*([A-Za-z0-9_-]+)\s*[.}]")
EVENT_RE = re.compile(
    r"^[a-z][a-zA-Z0-9_]*\.(created|updated|deleted|upserted)$"
)  # database-event-trigger-schema.ts
CODE_MAIN_RE = re.compile(r"export\s+(const|let|async\s+function|function)\s+main\b")
FILTER_KEYS = (
    "id",
    "type",
    "stepOutputKey",
    "operand",
    "value",
    "stepFilterGroupId",
)  # step-filter-schema.ts
OPERANDS = frozenset({
    "IS", "IS_NOT_NULL", "IS_NOT", "LESS_THAN_OR_EQUAL", "GREATER_THAN_OR_EQUAL", "IS_BEFORE",
    "IS_AFTER", "CONTAINS", "DOES_NOT_CONTAIN", "IS_EMPTY", "IS_NOT_EMPTY", "IS_RELATIVE",
    "IS_IN_PAST", "IS_IN_FUTURE", "IS_TODAY", "VECTOR_SEARCH",
    "GREATER_THAN", "LESS_THAN",  # ViewFilterOperandDeprecated, still accepted
})
# fmt: on
FORM_FIELD_TYPES = frozenset({"TEXT", "NUMBER", "DATE", "SELECT", "MULTI_SELECT", "RECORD"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --------------------------------------------------------------------------- cron


_CRON_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_CRON_NAMES = ("minute", "hour", "day of month", "month", "day of week")


def validate_cron(pattern: str) -> str:
    """Check a 5-field cron expression (numbers, `*`, ranges, steps, lists); return it unchanged."""
    fields = pattern.split()
    if len(fields) != 5:
        raise ValueError(
            f"cron {pattern!r} has {len(fields)} fields; write 5: minute hour day-of-month month day-of-week"
        )
    for text, (low, high), label in zip(fields, _CRON_RANGES, _CRON_NAMES, strict=True):
        for part in text.split(","):
            _check_cron_part(part, low, high, label, pattern)
    return pattern


def _check_cron_part(part: str, low: int, high: int, label: str, pattern: str) -> None:
    base, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        raise ValueError(f"cron {pattern!r}: step {step!r} in the {label} field must be a positive number")
    if base == "*":
        return
    bounds = base.split("-")
    if len(bounds) > 2 or not all(b.isdigit() for b in bounds):
        raise ValueError(f"cron {pattern!r}: {part!r} is not valid in the {label} field")
    numbers = [int(b) for b in bounds]
    for n in numbers:
        if not low <= n <= high:
            raise ValueError(f"cron {pattern!r}: {n} is outside {low}-{high} in the {label} field")
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        raise ValueError(f"cron {pattern!r}: range {part!r} in the {label} field runs backwards")


# --------------------------------------------------------------------------- triggers


class DatabaseEventTrigger(_Strict):
    """A record event: `object` + `action`, or Twenty's `eventName` (`company.created`)."""

    type: Literal["DATABASE_EVENT"]
    object: str | None = Field(default=None, description="singular API name, e.g. company")
    action: Literal["created", "updated", "deleted", "upserted"] | None = None
    eventName: str | None = Field(default=None, description="`<object>.<action>`, instead of object + action")
    fields: list[str] = Field(default_factory=list, description="updated fields that fire it (updates)")

    @model_validator(mode="after")
    def _event(self) -> DatabaseEventTrigger:
        if self.eventName is None and (self.object is None or self.action is None):
            raise ValueError("a DATABASE_EVENT trigger needs `object` and `action` (or `eventName`)")
        if (
            self.eventName is not None
            and (self.object or self.action)
            and self.eventName != (f"{self.object}.{self.action}")
        ):
            raise ValueError(f"eventName {self.eventName!r} contradicts object/action; give one of them")
        if not EVENT_RE.match(self.event_name):
            raise ValueError(
                f"event {self.event_name!r} must be `<object>.<created|updated|deleted|upserted>` with the "
                "object's singular API name, e.g. company.created"
            )
        return self

    @property
    def event_name(self) -> str:
        return self.eventName or f"{self.object}.{self.action}"

    @property
    def object_name(self) -> str:
        return self.event_name.split(".", 1)[0]

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {"eventName": self.event_name, "outputSchema": {}}
        if self.fields:
            out["fields"] = list(self.fields)
        return out


class CronTrigger(_Strict):
    type: Literal["CRON"]
    pattern: str = Field(description="5-field cron, e.g. `0 9 * * *` (server time)")

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return validate_cron(value)

    def settings(self) -> dict[str, Any]:
        # cron-trigger-schema.ts: CUSTOM + pattern covers every schedule

        return {"type": "CUSTOM", "pattern": self.pattern, "outputSchema": {}}


class ManualTrigger(_Strict):
    type: Literal["MANUAL"]
    objectType: str | None = Field(default=None, description="run on one record of this object")

    def settings(self) -> dict[str, Any]:
        if not self.objectType:
            return {"outputSchema": {}, "availability": {"type": "GLOBAL"}}
        return {
            "objectType": self.objectType,
            "outputSchema": {},
            "availability": {"type": "SINGLE_RECORD", "objectNameSingular": self.objectType},
        }


class WebhookTrigger(_Strict):
    type: Literal["WEBHOOK"]
    httpMethod: Literal["GET", "POST"] = "POST"
    authentication: Literal["API_KEY"] | None = None
    expectedBody: dict[str, Any] = Field(default_factory=dict)

    def settings(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "httpMethod": self.httpMethod,
            "authentication": self.authentication,
            "outputSchema": {},
        }
        if self.httpMethod == "POST":
            out["expectedBody"] = self.expectedBody
        return out


Trigger = Annotated[
    DatabaseEventTrigger | CronTrigger | ManualTrigger | WebhookTrigger, Field(discriminator="type")
]


# --------------------------------------------------------------------------- steps


class Branch(_Strict):
    """One IF_ELSE branch: the steps it runs, and the filter group that selects it (none: else)."""

    next: list[str] = Field(min_length=1, description="ids of the steps this branch runs")
    filterGroupId: str | None = Field(
        default=None, description="a stepFilterGroups id; omit for the else branch"
    )


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


class WorkflowStep(_Strict):
    id: str = Field(
        description="short snake_case id, unique in the workflow (`{{<id>.field}}` reads its "
        "output), or the UUID of an existing step"
    )
    name: str = Field(min_length=1, max_length=200)
    type: StepType
    input: dict[str, Any] | list[dict[str, Any]] = Field(
        default_factory=dict, description="the action's settings.input (2.21 shapes); FORM: a list of fields"
    )
    next: list[str] = Field(default_factory=list, description="ids of the steps that run after this one")
    branches: list[Branch] | None = Field(default=None, description="IF_ELSE only: its branches")
    loop: list[str] | None = Field(
        default=None,
        description="ITERATOR only: first steps of the loop body; "
        "the body's last step lists the iterator in `next`",
    )
    code: str | None = Field(
        default=None,
        max_length=100_000,
        description="CODE only: the source (exports `main(params)`; params = input)",
    )
    continueOnFailure: bool = Field(
        default=False,
        description="stored in errorHandlingOptions, but 2.21.0's executor does not act on it: a failing "
        "step fails the run unless it is inside an ITERATOR loop with shouldContinueOnIterationFailure",
    )
    retryOnFailure: bool = Field(default=False, description="stored; 2.21.0's executor does not act on it")

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value == "trigger" or not (STEP_ID_RE.match(value) or _is_uuid(value)):
            raise ValueError(f"step id {value!r} must be snake_case (or a step's UUID) and not `trigger`")
        return value

    @model_validator(mode="after")
    def _shape(self) -> WorkflowStep:
        check_step_input(self)
        return self

    def edges(self) -> list[str]:
        """Outgoing step ids, as get-step-outgoing-step-ids.util.ts counts them."""
        out = list(self.next)
        for branch in self.branches or []:
            out += branch.next
        return out + list(self.loop or [])


def check_step_input(step: WorkflowStep) -> None:
    """What 2.21's zod schema would refuse, said in one line naming the step and key."""
    where = f"step {step.id!r} ({step.type})"
    if step.branches is not None and step.type != "IF_ELSE":
        raise ValueError(f"{where}: `branches` is for IF_ELSE steps only")
    if step.loop is not None and step.type != "ITERATOR":
        raise ValueError(f"{where}: `loop` is for ITERATOR steps only")
    if step.code is not None and step.type != "CODE":
        raise ValueError(f"{where}: `code` is for CODE steps only")
    if step.code is not None and not CODE_MAIN_RE.search(step.code):
        raise ValueError(
            f"{where}: code must export `main`, e.g. `export const main = async (params) => {{…}}`"
        )
    if step.type == "FORM":
        _check_form(where, step.input)
        return
    if not isinstance(step.input, dict):
        raise ValueError(f"{where}: input must be an object (only FORM takes a list)")
    data = step.input
    missing = [k for k in REQUIRED_STEP_INPUT.get(step.type, ()) if k not in data]
    if missing:
        raise ValueError(f"{where} needs input keys {missing}")
    if step.type == "IF_ELSE" and not step.branches:
        raise ValueError(f"{where} needs `branches` (at least a condition branch and an else branch)")
    if step.type in ("FILTER", "IF_ELSE"):
        _check_filters(where, data)
    if step.type == "HTTP_REQUEST" and data["method"] not in HTTP_METHODS:
        raise ValueError(f"{where}: method {data['method']!r} is not one of {list(HTTP_METHODS)}")
    if (
        step.type == "HTTP_REQUEST"
        and "headers" in data
        and not (
            isinstance(data["headers"], dict) and all(isinstance(v, str) for v in data["headers"].values())
        )
    ):
        raise ValueError(f"{where}: headers must map names to strings")
    if step.type in ("SEND_EMAIL", "DRAFT_EMAIL") and not isinstance(data["recipients"], dict):
        raise ValueError(f"{where}: recipients must be {{to, cc, bcc}} (comma-separated strings)")
    if step.type in ("CREATE_RECORD", "UPDATE_RECORD", "UPSERT_RECORD") and not isinstance(
        data["objectRecord"], dict
    ):
        raise ValueError(f"{where}: objectRecord must be an object of field values")
    if (
        step.type == "UPDATE_RECORD"
        and "fieldsToUpdate" in data
        and not isinstance(data["fieldsToUpdate"], list)
    ):
        raise ValueError(f"{where}: fieldsToUpdate must be a list of field names")
    if step.type == "DELAY" and data["delayType"] not in ("SCHEDULED_DATE", "DURATION"):
        raise ValueError(f"{where}: delayType must be SCHEDULED_DATE or DURATION")
    if step.type == "ITERATOR" and "items" not in data:
        raise ValueError(f"{where} needs input `items` (a list, or a `{{{{step.field}}}}` reference to one)")
    if step.type == "ITERATOR" and not step.loop:
        raise ValueError(
            f"{where} has items but no loop body: give `loop` (2.21: ITERATOR_MISSING_LOOP_BODY)"
        )
    if step.type in RECORD_STEPS and not isinstance(data["objectName"], str):
        raise ValueError(f"{where}: objectName must be an object's singular API name")
    if step.type in WRITE_STEPS and data["objectName"] in BLOCKED_FROM_AUTOMATION:
        raise ValueError(
            f"{where}: 2.21 refuses workflow writes to {data['objectName']!r} (ObjectsBlockedFromAutomation)"
        )
    if step.type == "FIND_RECORDS" and "filter" in data:
        _check_record_filter(where, data["filter"])
    if step.type == "CODE" and set(data) & {"logicFunctionId", "logicFunctionInput"}:
        raise ValueError(f"{where}: a CODE step's input is its params map; the logic function is made for it")


def _check_record_filter(where: str, value: Any) -> None:
    """find-records.workflow-action.ts builds its query from recordFilters + recordFilterGroups by
    field metadata id (computeRecordGqlOperationFilter) and ignores gqlOperationFilter: a filter
    without them silently matches every record."""
    if not isinstance(value, dict) or not isinstance(value.get("recordFilters"), list):
        raise ValueError(f"{where}: filter needs a recordFilters list (2.21 ignores gqlOperationFilter here)")
    if not isinstance(value.get("recordFilterGroups"), list) or not value["recordFilterGroups"]:
        raise ValueError(f"{where}: filter needs recordFilterGroups (at least one group)")
    for i, item in enumerate(value["recordFilters"]):
        missing = [k for k in ("fieldMetadataId", "operand", "value", "recordFilterGroupId") if k not in item]
        if missing:
            raise ValueError(
                f"{where}: recordFilters[{i}] needs {missing}; field ids differ per workspace "
                "(twenty_get_object_schema lists them)"
            )


def _check_filters(where: str, data: dict[str, Any]) -> None:
    groups, filters = data.get("stepFilterGroups"), data.get("stepFilters")
    if not isinstance(groups, list) or not isinstance(filters, list):
        raise ValueError(f"{where}: stepFilterGroups and stepFilters must be lists")
    group_ids = set()
    for i, group in enumerate(groups):
        if (
            not isinstance(group, dict)
            or "id" not in group
            or group.get("logicalOperator") not in ("AND", "OR")
        ):
            raise ValueError(f"{where}: stepFilterGroups[{i}] needs an id and logicalOperator AND or OR")
        group_ids.add(group["id"])
    for i, item in enumerate(filters):
        missing = [k for k in FILTER_KEYS if not isinstance(item, dict) or k not in item]
        if missing:
            raise ValueError(f"{where}: stepFilters[{i}] needs {missing}")
        if item["operand"] not in OPERANDS:
            raise ValueError(
                f"{where}: stepFilters[{i}].operand {item['operand']!r} is not one of {sorted(OPERANDS)}"
            )
        if not isinstance(item["value"], str):
            raise ValueError(
                f"{where}: stepFilters[{i}].value must be a string (it may be a {{{{reference}}}})"
            )
        if item["stepFilterGroupId"] not in group_ids:
            raise ValueError(
                f"{where}: stepFilters[{i}] names group {item['stepFilterGroupId']!r}, "
                "not one of stepFilterGroups"
            )


def _check_form(where: str, data: Any) -> None:
    if not isinstance(data, list) or not data:
        raise ValueError(f"{where}: input must be a non-empty list of fields {{id, name, label, type}}")
    for i, field in enumerate(data):
        missing = [k for k in ("id", "name", "label", "type") if k not in field]
        if missing:
            raise ValueError(f"{where}: input[{i}] needs {missing}")
        if field["type"] not in FORM_FIELD_TYPES:
            raise ValueError(
                f"{where}: input[{i}].type {field['type']!r} is not one of {sorted(FORM_FIELD_TYPES)}"
            )


# --------------------------------------------------------------------------- the graph


class WorkflowGraph(_Strict):
    """A trigger, the steps it starts and the steps: checked as validate-workflow-graph.util.ts does."""

    trigger: Trigger
    start: list[str] = Field(min_length=1, description="ids of the steps the trigger runs first")
    steps: list[WorkflowStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _graph(self) -> WorkflowGraph:
        check_graph(self.start, self.steps)
        return self

    def objects(self) -> set[str]:
        """Every object the trigger or a step names (singular API names, as written)."""
        return graph_objects(self.trigger, self.steps)

    def to_twenty(
        self,
        id_of: Callable[[str], str],
        agent_ids: Mapping[str, str] | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        """`trigger` and `steps` as 2.21's workflowVersion stores them (examples 154/158, the seed)."""
        from twenty_api.workflow_shapes import step_to_twenty, trigger_to_twenty

        return {
            "trigger": trigger_to_twenty(self.trigger, [id_of(s) for s in self.start], name),
            "steps": [step_to_twenty(s, i, id_of, self.steps, agent_ids) for i, s in enumerate(self.steps)],
        }


def check_graph(start: Iterable[str], steps: list[WorkflowStep]) -> None:
    ids = [s.id for s in steps]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"duplicate step ids {dupes}: give each step its own id")
    known = set(ids)
    by_id = {s.id: s for s in steps}
    edges = [("start", list(start))] + [(f"step {s.id!r}", s.edges()) for s in steps]
    for source, targets in edges:
        unknown = [t for t in targets if t not in known]
        if unknown:
            raise ValueError(f"{source} points at unknown steps {unknown}; known: {sorted(known)}")
    reach = _reachable(list(start), by_id)
    lost = [i for i in ids if i not in reach]
    if lost:
        raise ValueError(
            f"steps {lost} are not reachable from the trigger (2.21: UNREACHABLE_STEP); "
            "list them in `start` or in a step's `next`"
        )
    for step in steps:
        for ref in STEP_REF_RE.findall(repr(step.input)):
            if ref != "trigger" and ref not in known:
                raise ValueError(f"step {step.id!r} uses `{{{{{ref}.…}}}}` but there is no step {ref!r}")
    _check_loops(by_id)


def _reachable(start: list[str], by_id: Mapping[str, WorkflowStep]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        node = todo.pop()
        if node in seen or node not in by_id:
            continue
        seen.add(node)
        todo += by_id[node].edges()
    return seen


def _check_loops(by_id: Mapping[str, WorkflowStep]) -> None:
    """No cycles, except a loop body's way back to its ITERATOR (the executor's loop)."""
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 1:
            cycle = [*path[path.index(node) :], node]
            if by_id[node].type == "ITERATOR" and cycle[1] in (by_id[node].loop or []):
                return
            raise ValueError(
                f"steps form a loop: {' -> '.join(cycle)}; use an ITERATOR step "
                "(its loop body's last step lists the iterator in `next`)"
            )
        if state.get(node) == 2:
            return
        state[node] = 1
        for nxt in by_id[node].edges():
            visit(nxt, [*path, node])
        state[node] = 2

    for sid in by_id:
        visit(sid, [])


def graph_objects(trigger: Any, steps: Iterable[WorkflowStep]) -> set[str]:
    names: set[str] = set()
    if isinstance(trigger, DatabaseEventTrigger):
        names.add(trigger.object_name)
    if isinstance(trigger, ManualTrigger) and trigger.objectType:
        names.add(trigger.objectType)
    for step in steps:
        obj = step.input.get("objectName") if isinstance(step.input, dict) else None
        if isinstance(obj, str) and "{{" not in obj:
            names.add(obj)
    return names
