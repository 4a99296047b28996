"""A workflow's steps and trigger between our models (twenty_api.workflow_steps) and the shape
2.21 stores in workflowVersion.trigger / .steps (examples 154/158, the seed; base-workflow-action-
schema.ts: step ids and nextStepIds are UUIDs; an IF_ELSE branch's and an ITERATOR's edges sit in
its settings.input)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from twenty_api.workflow_steps import (
    CronTrigger,
    DatabaseEventTrigger,
    ManualTrigger,
    WebhookTrigger,
    WorkflowStep,
    _is_uuid,
)


def trigger_to_twenty(trigger: Any, next_ids: list[str], name: str | None = None) -> dict[str, Any]:
    out = {
        "type": trigger.type,
        "settings": trigger.settings(),
        "nextStepIds": next_ids,
        "position": {"x": 0, "y": 0},
    }
    return {"name": name, **out} if name else out


def step_to_twenty(
    step: WorkflowStep,
    index: int,
    id_of: Callable[[str], str],
    steps: Iterable[WorkflowStep],
    agent_ids: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One step in 2.21's stored shape: its short ids (in edges and `{{id.…}}` references) → UUIDs."""
    short = [s.id for s in steps if not _is_uuid(s.id)]

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            for sid in short:
                value = re.sub(r"\{\{\s*" + re.escape(sid) + r"(?=\s*[.}])", "{{" + id_of(sid), value)
            return value
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    sid = id_of(step.id)
    data: Any = walk(step.input)
    if step.type == "CODE":
        # logicFunctionId: the function Twenty made for the step (its id when created, a copy's in a
        # draft made from another version); sync_version keeps the stored one
        data = {"logicFunctionInput": data}
    elif step.type == "AI_AGENT" and "agent" in data:
        data = {"agentId": (agent_ids or {})[data.pop("agent")], **data}
    elif step.type == "UPDATE_RECORD" and "fieldsToUpdate" not in data:
        data = {**data, "fieldsToUpdate": sorted(data["objectRecord"])}
    elif step.type == "IF_ELSE":
        data = {
            **data,
            "branches": [
                {
                    "id": str(uuid.uuid5(uuid.UUID(sid), f"branch/{i}")),
                    "nextStepIds": [id_of(n) for n in b.next],
                    **({"filterGroupId": b.filterGroupId} if b.filterGroupId else {}),
                }
                for i, b in enumerate(step.branches or [])
            ],
        }
    elif step.type == "ITERATOR":
        data = {**data, "initialLoopStepIds": [id_of(n) for n in step.loop or []]}
    return {
        "id": sid,
        "name": step.name,
        "type": step.type,
        "valid": True,
        "settings": {
            "input": data,
            "outputSchema": {},
            "errorHandlingOptions": {
                "retryOnFailure": {"value": step.retryOnFailure},
                "continueOnFailure": {"value": step.continueOnFailure},
            },
        },
        "nextStepIds": [id_of(n) for n in step.next],
        "position": {"x": 0, "y": 200 * (index + 1)},
    }


def step_from_twenty(step: Mapping[str, Any]) -> WorkflowStep:
    """A stored step back as a WorkflowStep (its UUID kept), so an edit can re-check the whole graph.
    A CODE step's source stays with its logic function (`code` None: unchanged)."""
    settings = step.get("settings") or {}
    data: Any = settings.get("input") if settings.get("input") is not None else {}
    kind = step.get("type")
    extra: dict[str, Any] = {}
    if kind == "CODE" and isinstance(data, dict):
        data = data.get("logicFunctionInput") or {}
    elif kind == "IF_ELSE" and isinstance(data, dict):
        extra["branches"] = [
            {
                "next": b.get("nextStepIds") or [],
                **({"filterGroupId": b["filterGroupId"]} if b.get("filterGroupId") else {}),
            }
            for b in data.get("branches") or []
        ]
        data = {k: v for k, v in data.items() if k != "branches"}
    elif kind == "ITERATOR" and isinstance(data, dict):
        extra["loop"] = list(data.get("initialLoopStepIds") or [])
        data = {k: v for k, v in data.items() if k != "initialLoopStepIds"}
    errors = settings.get("errorHandlingOptions") or {}
    return WorkflowStep.model_validate(
        {
            "id": str(step.get("id")),
            "name": step.get("name") or str(kind),
            "type": kind,
            "input": data,
            "next": list(step.get("nextStepIds") or []),
            **extra,
            "continueOnFailure": bool((errors.get("continueOnFailure") or {}).get("value")),
            "retryOnFailure": bool((errors.get("retryOnFailure") or {}).get("value")),
        }
    )


def trigger_from_twenty(trigger: Mapping[str, Any] | None) -> Any:
    """A stored trigger as one of the trigger models (None when the version has none yet)."""
    if not trigger or not trigger.get("type"):
        return None
    s = trigger.get("settings") or {}
    kind = trigger["type"]
    if kind == "DATABASE_EVENT":
        return DatabaseEventTrigger(type=kind, eventName=s.get("eventName"), fields=s.get("fields") or [])
    if kind == "CRON":
        if s.get("type") != "CUSTOM":
            raise ValueError(
                f"the stored CRON trigger is a {s.get('type')} schedule; give a `pattern` to replace it"
            )
        return CronTrigger(type=kind, pattern=s.get("pattern"))
    if kind == "MANUAL":
        return ManualTrigger(type=kind, objectType=s.get("objectType"))
    return WebhookTrigger(
        type=kind,
        httpMethod=s.get("httpMethod") or "POST",
        authentication=s.get("authentication"),
        expectedBody=s.get("expectedBody") or {},
    )
