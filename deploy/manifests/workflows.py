"""``workflows/<name>.yaml``: one workflow template each (trigger + steps, Twenty 2.21 shapes)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from deploy.manifests.common import (
    REQUIRED_STEP_INPUT,
    STEP_ID_RE,
    STEP_REF_RE,
    STEP_TYPES,
    _check_stack_refs_only,
    _Named,
    _Strict,
    _strings,
    resolve_stack_refs,
    stable_uuid,
    validate_cron,
)


class DatabaseEventTrigger(_Strict):
    type: Literal["DATABASE_EVENT"]
    eventName: str
    fields: list[str] = Field(default_factory=list, description="updated fields that fire it (updates)")


class CronTrigger(_Strict):
    type: Literal["CRON"]
    pattern: str

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        return validate_cron(value)

    def settings(self) -> dict[str, Any]:
        # 2.21's CRON trigger (twenty-shared cron-trigger-schema.ts): CUSTOM + pattern covers every schedule.
        return {"type": "CUSTOM", "pattern": self.pattern, "outputSchema": {}}


class ManualTrigger(_Strict):
    type: Literal["MANUAL"]
    objectType: str | None = None


class WebhookTrigger(_Strict):
    type: Literal["WEBHOOK"]
    httpMethod: Literal["GET", "POST"] = "POST"
    authentication: Literal["API_KEY"] | None = None
    expectedBody: dict[str, Any] = Field(default_factory=dict)


Trigger = Annotated[
    DatabaseEventTrigger | CronTrigger | ManualTrigger | WebhookTrigger, Field(discriminator="type")
]


class Step(_Strict):
    id: str = Field(description="short id, unique in the workflow; `{{<id>.field}}` refers to its output")
    name: str
    type: Literal[STEP_TYPES]  # type: ignore[valid-type]
    input: dict[str, Any] = Field(default_factory=dict)
    next: list[str] = Field(default_factory=list)
    continueOnFailure: bool = False
    retryOnFailure: bool = False

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if value == "trigger" or not STEP_ID_RE.match(value):
            raise ValueError(f"step id {value!r} must be snake_case and not `trigger`")
        return value

    @model_validator(mode="after")
    def _required_input(self) -> Step:
        missing = [k for k in REQUIRED_STEP_INPUT.get(self.type, ()) if k not in self.input]
        if missing:
            raise ValueError(f"step {self.id!r} ({self.type}) needs input keys {missing}")
        for text in _strings(self.input):
            _check_stack_refs_only(text, f"step {self.id!r} input value")
        if self.type == "FIND_RECORDS" and "filter" in self.input:
            _check_record_filter(self.id, self.input["filter"])
        return self


def _check_record_filter(step_id: str, value: Any) -> None:
    """2.21 turns recordFilters into a query by field metadata id (find-records.workflow-action.ts):
    a filter without ids, or without its groups, silently matches every record."""
    if not isinstance(value, dict) or not isinstance(value.get("recordFilters"), list):
        raise ValueError(f"step {step_id!r}: filter needs a recordFilters list")
    if not isinstance(value.get("recordFilterGroups"), list) or not value["recordFilterGroups"]:
        raise ValueError(f"step {step_id!r}: filter needs recordFilterGroups (at least one group)")
    for i, item in enumerate(value["recordFilters"]):
        missing = [k for k in ("fieldMetadataId", "operand", "value", "recordFilterGroupId") if k not in item]
        if missing:
            raise ValueError(
                f"step {step_id!r}: recordFilters[{i}] needs {missing}; field ids differ per workspace, so "
                "prefer an AI_AGENT step or a trigger value over a hard-coded filter"
            )


class WorkflowManifest(_Named):
    label: str
    description: str = ""
    trigger: Trigger
    start: list[str] = Field(description="ids of the steps the trigger runs first")
    steps: list[Step] = Field(min_length=1)
    activate: bool = True


    @model_validator(mode="after")
    def _graph(self) -> WorkflowManifest:
        ids = [s.id for s in self.steps]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate step ids {dupes}: give each step its own id")
        known = set(ids)
        edges = [("start", self.start), *((f"step {s.id!r} next", s.next) for s in self.steps)]
        for source, targets in edges:
            unknown = [t for t in targets if t not in known]
            if unknown:
                raise ValueError(f"{source} points at unknown steps {unknown}; known: {sorted(known)}")
        for step in self.steps:
            for ref in STEP_REF_RE.findall(repr(step.input)):
                if ref != "trigger" and ref not in known:
                    raise ValueError(f"step {step.id!r} uses `{{{{{ref}.…}}}}` but there is no step {ref!r}")
        self._check_acyclic()
        return self

    def _check_acyclic(self) -> None:
        edges = {s.id: s.next for s in self.steps}
        state: dict[str, int] = {}

        def visit(node: str, path: list[str]) -> None:
            if state.get(node) == 1:
                raise ValueError(f"steps form a loop: {' -> '.join([*path, node])}; use an ITERATOR step")
            if state.get(node) == 2:
                return
            state[node] = 1
            for nxt in edges[node]:
                visit(nxt, [*path, node])
            state[node] = 2

        for sid in edges:
            visit(sid, [])

    def step_uuid(self, step_id: str) -> str:
        return stable_uuid("workflow", self.name, "step", step_id)

    def to_twenty(self, stack: Mapping[str, str], agent_ids: Mapping[str, str]) -> dict[str, Any]:
        """`trigger` and `steps` in the shape 2.21's workflowVersion stores (examples 154/158, seed)."""
        id_map = {s.id: self.step_uuid(s.id) for s in self.steps}
        trigger_settings: dict[str, Any]
        t = self.trigger
        if isinstance(t, DatabaseEventTrigger):
            trigger_settings = {"eventName": t.eventName, "outputSchema": {}}
            if t.fields:
                trigger_settings["fields"] = t.fields
        elif isinstance(t, CronTrigger):
            trigger_settings = t.settings()
        elif isinstance(t, WebhookTrigger):
            trigger_settings = {
                "httpMethod": t.httpMethod, "authentication": t.authentication,
                "expectedBody": t.expectedBody, "outputSchema": {},
            }
        else:
            trigger_settings = {"outputSchema": {}, "availability": {"type": "GLOBAL"}}
            if t.objectType:
                trigger_settings["objectType"] = t.objectType
                trigger_settings["availability"] = {
                    "type": "SINGLE_RECORD", "objectNameSingular": t.objectType,
                }
        trigger = {
            "name": self.label, "type": t.type, "settings": trigger_settings,
            "nextStepIds": [id_map[s] for s in self.start], "position": {"x": 0, "y": 0},
        }
        steps = [
            {
                "id": id_map[s.id], "name": s.name, "type": s.type, "valid": True,
                "settings": {
                    "input": _step_input(s, id_map, stack, agent_ids),
                    "outputSchema": {},
                    "errorHandlingOptions": {
                        "retryOnFailure": {"value": s.retryOnFailure},
                        "continueOnFailure": {"value": s.continueOnFailure},
                    },
                },
                "nextStepIds": [id_map[n] for n in s.next],
                "position": {"x": 0, "y": 200 * (i + 1)},
            }
            for i, s in enumerate(self.steps)
        ]
        return {"trigger": trigger, "steps": steps}


def _step_input(
    step: Step, id_map: Mapping[str, str], stack: Mapping[str, str], agent_ids: Mapping[str, str]
) -> Any:
    def walk(value: Any) -> Any:
        if isinstance(value, str):
            value = resolve_stack_refs(value, stack)
            for short, full in id_map.items():
                value = re.sub(r"\{\{\s*" + re.escape(short) + r"\.", "{{" + full + ".", value)
            return value
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    data = walk(step.input)
    if step.type == "AI_AGENT":
        data = {"agentId": agent_ids[data.pop("agent")], **data}
    return data
