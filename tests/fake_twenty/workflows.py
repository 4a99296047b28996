"""A minimal workflow runner: activation, manual/webhook/database-event runs, step editing.

Runs complete synchronously. Only CREATE_RECORD steps have an effect (they create the record
their settings describe). The results of the other steps have 2.21's shapes (example 072 and
workflow-actions/* at 6f3c158): FILTER → ``matchesFilter`` (no filters: ``shouldEndWorkflowRun``),
IF_ELSE → ``matchingBranchId`` (the first branch without a filter group, as if no filter matched),
FIND_RECORDS → ``all``/``totalCount`` (nothing found); CODE and HTTP_REQUEST (whose result is the called
code's or server's answer, which the fake does not call) answer ``{}``.
"""

from __future__ import annotations

import copy
import uuid
from typing import TYPE_CHECKING, Any

from . import contract_data
from .errors import GraphQLError, TwentyHttpError
from .runtime import Principal, Runtime
from .schema import ObjectMeta
from .store import API_KEY_ACTOR, now_iso

if TYPE_CHECKING:
    from .events import Events

SYSTEM_ACTOR = {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": None}
STEP_NAMES = {
    "CREATE_RECORD": "Create Record",
    "UPDATE_RECORD": "Update Record",
    "DELETE_RECORD": "Delete Record",
    "FIND_RECORDS": "Search Records",
    "SEND_EMAIL": "Send Email",
    "CODE": "Code - Serverless Function",
    "HTTP_REQUEST": "HTTP Request",
    "FORM": "Form",
    "FILTER": "Filter",
}
MAX_DEPTH = 3


class Workflows:
    def __init__(self, runtime: Runtime, events: Events) -> None:
        self.rt = runtime
        self.events = events
        self._depth = 0

    @property
    def _objs(self) -> tuple[ObjectMeta, ObjectMeta, ObjectMeta]:
        schema = self.rt.store.schema
        return schema.objects["workflow"], schema.objects["workflowVersion"], schema.objects["workflowRun"]

    def _version(self, version_id: str) -> dict[str, Any]:
        return self.rt.store.get(self._objs[1], str(version_id))

    # ---- GraphQL mutations (user sessions only; the caller checks) ----------------------------
    def mutation(self, name: str, args: dict[str, Any], principal: Principal) -> Any:
        handler = getattr(self, f"_m_{name}", None)
        if handler is None:
            raise TwentyHttpError.bad_request(f"{name} is not supported by the fake")
        return handler(args.get("input") or args, principal)

    def _m_activateWorkflowVersion(self, args: dict[str, Any], principal: Principal) -> bool:
        """2.21 modules/workflow/workflow-trigger/workspace-services/workflow-trigger.workspace-service.ts
        (activateWorkflowVersion → performActivationSteps, lines ~254-345): the workflow's previously
        published version is deactivated, then ARCHIVED, and lastPublishedVersionId moves to this one;
        utils/assert-version-can-be-activated.util.ts: only a DRAFT, or the last published version
        when DEACTIVATED, can be activated (INVALID_INPUT → UserInputError, filters/
        workflow-trigger-graphql-api-exception.filter.ts)."""
        version = self._version(args["workflowVersionId"])
        workflow = self.rt.store.get(self._objs[0], version["workflowId"])
        previous = workflow.get("lastPublishedVersionId")
        is_last = previous == version["id"]
        if not (version.get("trigger") or {}).get("type"):  # assertVersionIsValid, same util
            raise GraphQLError(
                "Workflow version does not contain trigger",
                code="BAD_USER_INPUT",
                friendly="Workflow version does not contain trigger",
            )
        if version.get("status") != "DRAFT" and not (version.get("status") == "DEACTIVATED" and is_last):
            raise GraphQLError(
                "Cannot activate non-draft or non-last-published version",
                code="BAD_USER_INPUT",
                friendly="Cannot activate non-draft or non-last-published version",
            )
        stamp = now_iso()
        if previous and not is_last:
            old = self.rt.store.table(self._objs[1]).get(previous)
            if old is not None:
                old.update({"status": "ARCHIVED", "updatedAt": stamp})
        version.update({"status": "ACTIVE", "updatedAt": stamp})
        workflow.update({"statuses": ["ACTIVE"], "lastPublishedVersionId": version["id"], "updatedAt": stamp})
        return True

    def _m_deactivateWorkflowVersion(self, args: dict[str, Any], principal: Principal) -> bool:
        version = self._version(args["workflowVersionId"])
        version.update({"status": "DEACTIVATED", "updatedAt": now_iso()})
        workflow = self.rt.store.get(self._objs[0], version["workflowId"])
        workflow.update({"statuses": ["DEACTIVATED"], "updatedAt": now_iso()})
        return True

    def _m_runWorkflowVersion(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        version = self._version(args["workflowVersionId"])
        workflow = self.rt.store.get(self._objs[0], version["workflowId"])
        actor = {
            "source": "MANUAL",
            "workspaceMemberId": principal.actor.workspace_member_id,
            "name": principal.actor.name,
            "context": {},
        }
        run = self.run(workflow, version, args.get("payload") or {}, actor)
        return {"__typename": "RunWorkflowVersionOutput", "workflowRunId": run["id"]}

    def _m_createWorkflowVersionStep(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        version = self._version(args["workflowVersionId"])
        step_type = args.get("stepType") or "CODE"
        step = {
            "id": args.get("id") or str(uuid.uuid4()),
            "valid": False,
            "name": STEP_NAMES.get(step_type, step_type.title()),
            "type": step_type,
            "settings": _default_settings(step_type),
        }
        old_steps = copy.deepcopy(version.get("steps"))
        version["steps"] = [*(version.get("steps") or []), step]
        trigger_diff = []
        if args.get("parentStepId") == "trigger" and isinstance(version.get("trigger"), dict):
            next_ids = version["trigger"].setdefault("nextStepIds", [])
            trigger_diff.append(
                {"type": "CREATE", "path": ["trigger", "nextStepIds", len(next_ids)], "value": step["id"]}
            )
            next_ids.append(step["id"])
        version["updatedAt"] = now_iso()
        return {
            "__typename": "WorkflowVersionStepChanges",
            "triggerDiff": trigger_diff,
            "stepsDiff": [
                {"path": ["steps"], "type": "CHANGE", "value": version["steps"], "oldValue": old_steps}
            ],
        }

    def _m_updateWorkflowVersionStep(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        version = self._version(args["workflowVersionId"])
        step = args.get("step") or {}
        steps = version.get("steps") or []
        version["steps"] = [step if s.get("id") == step.get("id") else s for s in steps]
        version["updatedAt"] = now_iso()
        return step

    def _m_deleteWorkflowVersionStep(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        version = self._version(args["workflowVersionId"])
        version["steps"] = [s for s in version.get("steps") or [] if s.get("id") != args.get("stepId")]
        version["updatedAt"] = now_iso()
        return {"__typename": "WorkflowVersionStepChanges", "triggerDiff": [], "stepsDiff": []}

    def create_draft(self, workflow: dict[str, Any]) -> dict[str, Any]:
        """2.21 creates a DRAFT version (trigger and steps null) with every new workflow (example 152)."""
        store = self.rt.store
        versions = self._objs[1]
        draft = store.new_record(
            versions, {"name": "v1", "status": "DRAFT", "workflowId": workflow["id"]}, API_KEY_ACTOR
        )
        draft.update(
            {"createdBy": dict(SYSTEM_ACTOR), "updatedBy": dict(SYSTEM_ACTOR), "trigger": None, "steps": None}
        )
        store.table(versions)[draft["id"]] = draft
        return draft

    # ---- triggers ------------------------------------------------------------------------------
    def webhook_trigger(self, workspace_id: str, workflow_id: str, payload: Any) -> dict[str, Any]:
        store = self.rt.store
        workflow = store.table(self._objs[0]).get(workflow_id)
        if workspace_id != contract_data.workspace_id() or workflow is None or workflow.get("deletedAt"):
            raise TwentyHttpError.rest(
                404,
                "Error",
                f"[Webhook trigger] Workflow {workflow_id} not found in workspace {workspace_id}",
                code="NOT_FOUND",
            )
        version = self._published_version(workflow)
        actor = {"source": "WEBHOOK", "workspaceMemberId": None, "name": "Webhook", "context": {}}
        run = self.run(workflow, version, payload if isinstance(payload, dict) else {}, actor)
        return {"workflowName": workflow.get("name"), "success": True, "workflowRunId": run["id"]}

    def _published_version(self, workflow: dict[str, Any]) -> dict[str, Any]:
        store = self.rt.store
        versions = [v for v in store.table(self._objs[1]).values() if v.get("workflowId") == workflow["id"]]
        published = store.table(self._objs[1]).get(workflow.get("lastPublishedVersionId") or "")
        if published is not None:
            return published
        if not versions:
            raise TwentyHttpError.rest(404, "Error", "No workflow version found", code="NOT_FOUND")
        return versions[-1]

    def on_database_event(self, obj: ObjectMeta, event: str, record: dict[str, Any]) -> None:
        if self._depth >= MAX_DEPTH or obj.plural in ("workflowRuns", "timelineActivities"):
            return
        store = self.rt.store
        upserted = f"{obj.singular}.upserted"
        for workflow in list(store.table(self._objs[0]).values()):
            if "ACTIVE" not in (workflow.get("statuses") or []) or workflow.get("deletedAt"):
                continue
            version = store.table(self._objs[1]).get(workflow.get("lastPublishedVersionId") or "")
            trigger = (version or {}).get("trigger") or {}
            if trigger.get("type") != "DATABASE_EVENT":
                continue
            if (trigger.get("settings") or {}).get("eventName") in (event, upserted):
                actor = {
                    "source": "WORKFLOW",
                    "workspaceMemberId": None,
                    "name": workflow.get("name"),
                    "context": {},
                }
                self.run(workflow, version or {}, {"properties": {"after": record}}, actor)

    # ---- running -----------------------------------------------------------------------------
    def run(
        self,
        workflow: dict[str, Any],
        version: dict[str, Any],
        payload: dict[str, Any],
        actor: dict[str, Any],
    ) -> dict[str, Any]:
        store = self.rt.store
        _, _, run_obj = self._objs
        count = sum(1 for r in store.table(run_obj).values() if r.get("workflowId") == workflow["id"])
        stamp = now_iso()
        step_infos: dict[str, Any] = {"trigger": {"result": payload, "status": "SUCCESS"}}
        step_logs: dict[str, Any] = {}
        self._depth += 1
        try:
            for step in version.get("steps") or []:
                step_infos[step.get("id")] = {"status": "SUCCESS", "result": self._execute(step)}
                if step.get("type") == "CODE":  # 2.21 keeps logs for code steps only (example 072)
                    step_logs[step.get("id")] = {
                        "details": {"type": "CODE", "error": None, "status": "SUCCESS", "durationMs": 1},
                        "entries": [],
                        "sizeBytes": 100,
                    }
        finally:
            self._depth -= 1
        run = store.new_record(run_obj, {}, API_KEY_ACTOR)
        run.update(
            {
                "name": f"#{count + 1} - {workflow.get('name')}",
                "status": "COMPLETED",
                "enqueuedAt": stamp,
                "startedAt": stamp,
                "endedAt": now_iso(),
                "createdBy": actor,
                "updatedBy": dict(SYSTEM_ACTOR),
                "state": {
                    "flow": {
                        "trigger": copy.deepcopy(version.get("trigger")),
                        "steps": copy.deepcopy(version.get("steps") or []),
                    },
                    "stepInfos": step_infos,
                },
                "stepLogs": step_logs or None,
                "workflowId": workflow["id"],
                "workflowVersionId": version.get("id"),
            }
        )
        store.table(run_obj)[run["id"]] = run
        return run

    def _execute(self, step: dict[str, Any]) -> Any:
        kind = step.get("type")
        settings_input = (step.get("settings") or {}).get("input") or {}
        if kind == "FILTER":  # filter.workflow-action.ts
            if not settings_input.get("stepFilterGroups") or not settings_input.get("stepFilters"):
                return {"shouldEndWorkflowRun": False}
            return {"matchesFilter": True}
        if kind == "IF_ELSE":  # if-else.workflow-action.ts + find-matching-branch.util.ts
            branches = settings_input.get("branches") or []
            fallback = next(
                (b for b in branches if not b.get("filterGroupId")), branches[-1] if branches else {}
            )
            return {"matchingBranchId": fallback.get("id")}
        if kind == "FIND_RECORDS":  # find-records.workflow-action.ts
            # nothing found: `first` is undefined (absent); the count is a string (bigint), as captured
            return {"all": [], "totalCount": "0"}
        if kind != "CREATE_RECORD":
            return {}
        spec = (step.get("settings") or {}).get("input") or {}
        obj = self.rt.store.schema.objects.get(str(spec.get("objectName")))
        if obj is None:
            return {}
        data = {k: v for k, v in (spec.get("objectRecord") or {}).items() if k in obj.writable_names()}
        record = self.rt.store.create(obj, data, API_KEY_ACTOR)
        record["createdBy"] = record["updatedBy"] = {
            "source": "WORKFLOW",
            "workspaceMemberId": None,
            "name": "Workflow",
            "context": {},
        }
        self.events.created(obj, record, None)
        return record


def _default_settings(step_type: str) -> dict[str, Any]:
    base: dict[str, Any] = {
        "outputSchema": {},
        "errorHandlingOptions": {"continueOnFailure": {"value": False}, "retryOnFailure": {"value": False}},
    }
    if step_type in ("CREATE_RECORD", "UPDATE_RECORD", "DELETE_RECORD", "FIND_RECORDS"):
        base["input"] = {"objectName": "company", "objectRecord": {}}
    else:
        base["input"] = {}
    return base
