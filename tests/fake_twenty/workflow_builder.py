"""Step and edge edits of a DRAFT workflow version, with the side effects and checks 2.21 has.

Read in Twenty 2.21.0 (6f3c158), packages/twenty-server/src/modules/workflow/workflow-builder/:
- workflow-version-step/workflow-version-step-operations.workspace-service.ts
  (runStepCreationSideEffectsAndBuildStep): a CODE step gets a logic function whose id is the
  step's id; an AI_AGENT step gets its own agent; deleting a step deletes both
  (runWorkflowVersionStepDeletionSideEffects);
- workflow-version-step-deletion: the deleted step leaves every `nextStepIds` (and the trigger's);
- workflow-version-edge.workspace-service.ts: an edge appends to the source's nextStepIds (trigger
  or step), refuses an unknown source/target, and only a DRAFT version may be edited;
- twenty-shared/src/workflow/schemas/base-workflow-action-schema.ts: step ids and nextStepIds are
  UUIDs, the type one of WorkflowActionType.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from .errors import GraphQLError

ACTION_TYPES = frozenset({
    "CODE", "LOGIC_FUNCTION", "SEND_EMAIL", "DRAFT_EMAIL", "CREATE_CALENDAR_EVENT", "CREATE_RECORD",
    "UPDATE_RECORD", "DELETE_RECORD", "UPSERT_RECORD", "FIND_RECORDS", "PICK_RECORD", "FORM", "FILTER",
    "IF_ELSE", "HTTP_REQUEST", "AI_AGENT", "ITERATOR", "DELAY", "EMPTY",
})  # fmt: skip
DEFAULT_CODE = "export const main = async (params: { a: string; b: number }) => {\n  return {};\n};\n"


def bad(message: str) -> GraphQLError:
    return GraphQLError(message, code="BAD_USER_INPUT", friendly=message)


def _uuid(value: Any) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def check_draft(version: dict[str, Any]) -> None:
    """assertWorkflowVersionIsDraft (workflow-version-step.workspace-service.ts)."""
    if version.get("status") != "DRAFT":
        raise bad("Workflow version is not in draft status")


def check_step(step: dict[str, Any]) -> None:
    """What 2.21's step schema refuses at the GraphQL boundary."""
    if not _uuid(step.get("id")):
        raise bad(f"Step id {step.get('id')!r} must be a UUID")
    if step.get("type") not in ACTION_TYPES:
        raise bad(f"Unknown step type {step.get('type')!r}")
    for nxt in step.get("nextStepIds") or []:
        if not _uuid(nxt):
            raise bad(f"nextStepIds entry {nxt!r} must be a UUID")
    if not isinstance((step.get("settings") or {}).get("input"), dict | list):
        raise bad("Step settings.input is required")


def seeded_agents(rt: Any) -> dict[str, dict[str, Any]]:
    """The fake's agent table (agents.py), seeded from the contract the first time."""
    from . import contract_data
    from .agents import AGENTS_EXAMPLE, AGENTS_KEY

    table = rt.store.entity_table(f"seed:{AGENTS_KEY}")
    if not table:
        for item in copy.deepcopy(
            contract_data.load_example(AGENTS_EXAMPLE)["response_body"]["data"][AGENTS_KEY]
        ):
            table[item["id"]] = item
    return table


class StepSideEffects:
    """Logic functions and agents a step brings with it (held by the fake's apps and agents)."""

    def __init__(self, rt: Any) -> None:
        self.rt = rt

    def on_create(self, step_type: str, step_id: str) -> dict[str, Any]:
        if step_type == "CODE":
            fn = self.rt.apps._complete_function(
                {"id": step_id, "name": "A Code Step", "sourceHandlerPath": f"{step_id}/src/index.ts"}
            )
            fn["_source"] = DEFAULT_CODE
            self.rt.apps.functions[step_id] = fn
            return {"logicFunctionId": step_id, "logicFunctionInput": {"a": None, "b": None}}
        if step_type == "AI_AGENT":
            agent_id = str(uuid.uuid4())
            agents = seeded_agents(self.rt)
            agents[agent_id] = {
                "id": agent_id, "name": f"workflow-agent-{agent_id[:8]}",
                "label": f"Workflow Agent {step_id[:4]}",
                "isCustom": True, "description": None, "prompt": "", "modelId": "default-smart-model",
            }  # fmt: skip
            return {"agentId": agent_id, "prompt": ""}
        if step_type in ("CREATE_RECORD", "UPSERT_RECORD"):
            return {"objectName": "company", "objectRecord": {}}
        if step_type in ("UPDATE_RECORD", "DELETE_RECORD", "FIND_RECORDS"):
            return {"objectName": "company", "objectRecord": {}, "objectRecordId": ""}
        return {}

    def on_delete(self, step: dict[str, Any]) -> None:
        inp = (step.get("settings") or {}).get("input") or {}
        if step.get("type") == "CODE" and isinstance(inp, dict):
            self.rt.apps.functions.pop(str(inp.get("logicFunctionId")), None)
        if step.get("type") == "AI_AGENT" and isinstance(inp, dict) and inp.get("agentId"):
            seeded_agents(self.rt).pop(str(inp["agentId"]), None)


def create_edge(version: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    check_draft(version)
    steps = version.get("steps") or []
    ids = {s.get("id") for s in steps}
    if target not in ids:
        raise bad(f"Target step {target} not found in workflow version")
    old = copy.deepcopy(steps)
    if source == "trigger":
        trigger = version.get("trigger")
        if not isinstance(trigger, dict):
            raise bad("Workflow version has no trigger")
        if target not in (trigger.setdefault("nextStepIds", []) or []):
            trigger["nextStepIds"] = [*(trigger.get("nextStepIds") or []), target]
        return {"triggerDiff": [{"type": "CHANGE", "path": ["nextStepIds"]}], "stepsDiff": []}
    step = next((s for s in steps if s.get("id") == source), None)
    if step is None:
        raise bad(f"Source step {source} not found in workflow version")
    if target not in (step.get("nextStepIds") or []):
        step["nextStepIds"] = [*(step.get("nextStepIds") or []), target]
    return {"triggerDiff": [], "stepsDiff": [{"type": "CHANGE", "path": ["steps"], "oldValue": old}]}


def delete_edge(version: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    check_draft(version)
    holder = (
        version.get("trigger")
        if source == "trigger"
        else next((s for s in version.get("steps") or [] if s.get("id") == source), None)
    )
    if not isinstance(holder, dict):
        raise bad(f"Source step {source} not found in workflow version")
    holder["nextStepIds"] = [n for n in holder.get("nextStepIds") or [] if n != target]
    return {"triggerDiff": [], "stepsDiff": []}


def _spliced(ids: list[str], gone: str, children: list[str]) -> list[str]:
    """computeUpdatedNextStepIds: the deleted step's parents are linked to its children."""
    return list(dict.fromkeys([*(i for i in ids if i != gone), *children]))


def _empty_node(position: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()), "name": "Add an Action", "type": "EMPTY", "valid": True,
        "settings": {"outputSchema": {}, "input": {}, "errorHandlingOptions": {
            "continueOnFailure": {"value": False}, "retryOnFailure": {"value": False}}},
        "position": position,
    }  # fmt: skip


def remove_step(version: dict[str, Any], step_id: str) -> list[dict[str, Any]]:
    """workflow-version-step/utils/remove-step.ts: the step leaves; each parent (trigger, a step's
    nextStepIds, an IF_ELSE branch, an ITERATOR's loop) gets the deleted step's children instead;
    an IF_ELSE's first or else branch left empty gets a new EMPTY node; deleting an IF_ELSE also
    deletes its EMPTY children. Returns the removed steps (for their side effects)."""
    steps = version.get("steps") or []
    gone = next(s for s in steps if s.get("id") == step_id)
    children = list(gone.get("nextStepIds") or [])
    removed_ids = [step_id]
    if gone.get("type") == "IF_ELSE":
        by_id = {s.get("id"): s for s in steps}
        for branch in (gone.get("settings") or {}).get("input", {}).get("branches") or []:
            removed_ids += [
                n for n in branch.get("nextStepIds") or [] if (by_id.get(n) or {}).get("type") == "EMPTY"
            ]
    kept, empties = [], []
    for step in steps:
        if step.get("id") in removed_ids:
            continue
        inp = (step.get("settings") or {}).get("input")
        if step.get("type") == "IF_ELSE" and isinstance(inp, dict):
            branches = inp.get("branches") or []
            out = []
            for i, branch in enumerate(branches):
                ids = branch.get("nextStepIds") or []
                if step_id in ids:
                    ids = _spliced(ids, step_id, children)
                ids = [n for n in ids if n not in removed_ids]
                first, last_else = i == 0, i == len(branches) - 1 and not branch.get("filterGroupId")
                if (first or last_else) and not ids:
                    empty = _empty_node(gone.get("position"))
                    empties.append(empty)
                    ids = [empty["id"]]
                elif not (first or last_else) and not ids:
                    continue
                out.append({**branch, "nextStepIds": ids})
            inp["branches"] = out
        elif step_id in (step.get("nextStepIds") or []):
            step["nextStepIds"] = _spliced(step["nextStepIds"], step_id, children)
        elif (
            step.get("type") == "ITERATOR"
            and isinstance(inp, dict)
            and step_id in (inp.get("initialLoopStepIds") or [])
        ):
            inp["initialLoopStepIds"] = _spliced(inp["initialLoopStepIds"], step_id, children)
        kept.append(step)
    version["steps"] = kept + empties
    trigger = version.get("trigger")
    if isinstance(trigger, dict) and step_id in (trigger.get("nextStepIds") or []):
        trigger["nextStepIds"] = _spliced(trigger["nextStepIds"], step_id, children)
    return [s for s in steps if s.get("id") in removed_ids]


def placeholders(step: dict[str, Any]) -> list[dict[str, Any]]:
    """runStepCreationSideEffectsAndBuildStep: a new ITERATOR gets an EMPTY node as its loop body
    (and shouldContinueOnIterationFailure), a new IF_ELSE an EMPTY node per branch (if + else)."""
    inp = step["settings"]["input"]
    if step["type"] == "ITERATOR":
        empty = _empty_node(step.get("position"))
        inp.update(items=[], initialLoopStepIds=[empty["id"]], shouldContinueOnIterationFailure=True)
        return [empty]
    if step["type"] == "IF_ELSE":
        if_node, else_node = _empty_node(step.get("position")), _empty_node(step.get("position"))
        group = str(uuid.uuid4())
        inp.update(
            stepFilterGroups=[{"id": group, "logicalOperator": "AND"}],
            stepFilters=[{"id": str(uuid.uuid4()), "type": "unknown", "stepOutputKey": "", "operand": "IS",
                          "value": "", "stepFilterGroupId": group}],
            branches=[{"id": str(uuid.uuid4()), "nextStepIds": [if_node["id"]], "filterGroupId": group},
                      {"id": str(uuid.uuid4()), "nextStepIds": [else_node["id"]]}],
        )  # fmt: skip
        return [if_node, else_node]
    return []


def check_activatable(version: dict[str, Any]) -> None:
    """assert-version-can-be-activated.util.ts (assertVersionIsValid)."""
    trigger = version.get("trigger") or {}
    if not trigger:
        raise bad("Workflow version does not contain trigger")
    if not trigger.get("type"):
        raise bad("No trigger type provided")
    if not version.get("steps"):
        raise bad("No steps provided in workflow version")
    settings = trigger.get("settings") or {}
    if trigger["type"] == "DATABASE_EVENT" and not settings.get("eventName"):
        raise bad("No event name provided in database event trigger")
    if trigger["type"] == "CRON":
        if not settings.get("type"):
            raise bad("No setting type provided in cron trigger")
        if settings["type"] == "CUSTOM" and not settings.get("pattern"):
            raise bad("No pattern provided in CUSTOM cron trigger")
