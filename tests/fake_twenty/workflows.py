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
from .workflow_builder import (
    ACTION_TYPES,
    StepSideEffects,
    bad,
    check_activatable,
    check_draft,
    check_step,
    create_edge,
    delete_edge,
    placeholders,
    remove_step,
)
from .workflow_runner import Runner, StepFailed, matches, run_code

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
        check_activatable(version)  # assertVersionIsValid, same util (workflow_builder.py)
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
        check_draft(version)
        step_type = args.get("stepType") or "CODE"
        if step_type not in ACTION_TYPES:
            raise bad(f"Unknown step type {step_type!r}")
        step_id = args.get("id") or str(uuid.uuid4())
        if any(s.get("id") == step_id for s in version.get("steps") or []):
            raise bad(f"Step {step_id} already exists in workflow version")
        if step_type == "CODE" and step_id in self.rt.apps.functions:  # the function gets the step's id
            raise bad(f"Logic function {step_id} already exists")
        settings = _default_settings(step_type)
        settings["input"] = StepSideEffects(self.rt).on_create(step_type, step_id)
        step = {
            "id": step_id,
            "valid": False,
            "name": STEP_NAMES.get(step_type, step_type.title()),
            "type": step_type,
            "settings": settings,
        }
        # 2.21 builds the step without either key unless the input gives them (capture 157:
        # no nextStepIds, no position); insertStep adds nextStepIds for a nextStepId
        if args.get("position") is not None:
            step["position"] = args["position"]
        if args.get("nextStepId"):
            step["nextStepIds"] = [args["nextStepId"]]
        check_step(step)
        old_steps = copy.deepcopy(version.get("steps"))
        version["steps"] = [*(version.get("steps") or []), step, *placeholders(step)]
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
        check_draft(version)
        step = args.get("step") or {}
        check_step(step)
        steps = version.get("steps") or []
        if not any(s.get("id") == step.get("id") for s in steps):
            raise bad(f"Step {step.get('id')} not found in workflow version")
        version["steps"] = [step if s.get("id") == step.get("id") else s for s in steps]
        version["updatedAt"] = now_iso()
        return step

    def _m_deleteWorkflowVersionStep(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        version = self._version(args["workflowVersionId"])
        check_draft(version)
        gone = next((s for s in version.get("steps") or [] if s.get("id") == args.get("stepId")), None)
        if gone is None:
            raise bad(f"Step {args.get('stepId')} not found in workflow version")
        for removed in remove_step(version, str(args.get("stepId"))):
            StepSideEffects(self.rt).on_delete(removed)
        version["updatedAt"] = now_iso()
        return {"__typename": "WorkflowVersionStepChanges", "triggerDiff": [], "stepsDiff": []}

    def _m_createWorkflowVersionEdge(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        version = self._version(args["workflowVersionId"])
        return {
            "__typename": "WorkflowVersionStepChanges",
            **create_edge(version, str(args.get("source")), str(args.get("target"))),
        }

    def _m_deleteWorkflowVersionEdge(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        version = self._version(args["workflowVersionId"])
        return {
            "__typename": "WorkflowVersionStepChanges",
            **delete_edge(version, str(args.get("source")), str(args.get("target"))),
        }

    def _m_createDraftFromWorkflowVersion(self, args: dict[str, Any], principal: Principal) -> dict[str, Any]:
        """workflow-version.workspace-service.ts createDraftFromWorkflowVersion: copies trigger and
        steps into the workflow's DRAFT (made if missing)."""
        source = self._version(args["workflowVersionIdToCopy"])
        workflow = self.rt.store.get(self._objs[0], str(args.get("workflowId")))
        versions = self.rt.store.table(self._objs[1])
        draft = next(
            (
                v
                for v in versions.values()
                if v.get("workflowId") == workflow["id"] and v.get("status") == "DRAFT"
            ),
            None,
        )
        if draft is None:
            draft = self.create_draft(workflow)
            draft["name"] = f"v{sum(1 for v in versions.values() if v.get('workflowId') == workflow['id'])}"
        steps = copy.deepcopy(source.get("steps") or [])
        for step in steps:  # createDraftStep: a CODE step gets a copy of its logic function
            inp = (step.get("settings") or {}).get("input") or {}
            if step.get("type") == "CODE" and inp.get("logicFunctionId") in self.rt.apps.functions:
                copied = copy.deepcopy(self.rt.apps.functions[inp["logicFunctionId"]])
                copied["id"] = inp["logicFunctionId"] = str(uuid.uuid4())
                self.rt.apps.functions[copied["id"]] = copied
        draft.update({"trigger": copy.deepcopy(source.get("trigger")), "steps": steps})
        return {"__typename": "WorkflowVersion", **draft}

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

    def on_database_event(
        self,
        obj: ObjectMeta,
        event: str,
        record: dict[str, Any],
        before: dict[str, Any] | None = None,
        updated_fields: list[str] | None = None,
    ) -> None:
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
            watched = (trigger.get("settings") or {}).get("fields") or []
            if watched and updated_fields is not None and not set(watched) & set(updated_fields):
                continue  # eventMatchesWatchedFields (workflow-database-event-trigger.listener.ts)
            if (trigger.get("settings") or {}).get("eventName") in (event, upserted):
                actor = {
                    "source": "WORKFLOW",
                    "workspaceMemberId": None,
                    "name": workflow.get("name"),
                    "context": {},
                }
                props: dict[str, Any] = {"after": record}
                if before is not None:
                    props.update(before=before, updatedFields=updated_fields or [])
                self.run(workflow, version or {}, {"recordId": record.get("id"), "properties": props}, actor)

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
        runner = Runner(copy.deepcopy(version.get("steps") or []), {"trigger": payload}, self._action)
        self._depth += 1
        try:
            runner.run(list(((version.get("trigger") or {}).get("nextStepIds")) or []))
        finally:
            self._depth -= 1
        step_infos = runner.infos
        step_logs = {
            sid: {
                "details": {"type": "CODE", "error": None, "status": "SUCCESS", "durationMs": 1},
                "entries": [],
                "sizeBytes": 100,
            }
            for sid, info in step_infos.items()
            if (runner.by_id.get(sid) or {}).get("type")
            == "CODE"  # 2.21 keeps logs for code steps only (072)
        }
        run = store.new_record(run_obj, {}, API_KEY_ACTOR)
        run.update(
            {
                "name": f"#{count + 1} - {workflow.get('name')}",
                "status": "FAILED" if runner.failed else "COMPLETED",
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
                    **({"workflowRunError": runner.failed} if runner.failed else {}),
                },
                "stepLogs": step_logs or None,
                "workflowId": workflow["id"],
                "workflowVersionId": version.get("id"),
            }
        )
        store.table(run_obj)[run["id"]] = run
        return run

    def _action(self, step: dict[str, Any], inp: Any, context: dict[str, Any]) -> Any:
        """One action with its resolved input (workflow_runner.py has the sources)."""
        kind = step.get("type")
        if kind == "FILTER":  # filter.workflow-action.ts
            if not inp.get("stepFilterGroups") or not inp.get("stepFilters"):
                return {"shouldEndWorkflowRun": False}
            return {"matchesFilter": matches(inp["stepFilters"], inp["stepFilterGroups"], context)}
        if kind == "IF_ELSE":  # if-else.workflow-action.ts + find-matching-branch.util.ts
            branches = inp.get("branches") or []
            groups = {g.get("id"): g for g in inp.get("stepFilterGroups") or []}
            for branch in branches:
                group = groups.get(branch.get("filterGroupId"))
                if group is not None and matches(inp.get("stepFilters") or [], [group], context):
                    return {"matchingBranchId": branch.get("id")}
            fallback = next((b for b in branches if not b.get("filterGroupId")), {})
            return {"matchingBranchId": fallback.get("id")}
        if kind == "CODE":
            fn = self.rt.apps.functions.get(str(inp.get("logicFunctionId")))
            if fn is None:
                raise StepFailed("Logic function not found")
            return run_code(fn.get("_source") or "", inp.get("logicFunctionInput") or {})
        if kind == "AI_AGENT":
            return {"response": f"STUB: {str(inp.get('prompt') or '')[:80]}"}
        if kind == "SEND_EMAIL":  # send-email.tool.ts refuses an e-mail without recipients
            recipients = inp.get("recipients") or {}
            if not any(str(recipients.get(k) or "").strip() for k in ("to", "cc", "bcc")):
                raise StepFailed("No recipients specified")
            return {"success": True}
        if kind in ("HTTP_REQUEST", "DELAY", "EMPTY", "FORM"):
            return {}
        obj = self.rt.store.schema.objects.get(str(inp.get("objectName")))
        if obj is None:
            raise StepFailed(f"Object {inp.get('objectName')} not found")
        if kind == "FIND_RECORDS":  # find-records.workflow-action.ts: count is a string (bigint)
            rows = [r for r in self.rt.store.table(obj).values() if not r.get("deletedAt")]
            rows = rows[: int(inp.get("limit") or 100)]
            return {**({"first": rows[0]} if rows else {}), "all": rows, "totalCount": str(len(rows))}
        data = {k: v for k, v in (inp.get("objectRecord") or {}).items() if k in obj.writable_names()}
        if kind == "UPDATE_RECORD":
            fields = inp.get("fieldsToUpdate") or list(data)
            record = self.rt.store.get(obj, str(inp.get("objectRecordId")))
            before = copy.deepcopy(record)
            record.update({k: v for k, v in data.items() if k in fields})
            record["updatedAt"] = now_iso()
            self.events.updated(obj, before, record, None)
            return record
        if kind == "DELETE_RECORD":
            record = self.rt.store.get(obj, str(inp.get("objectRecordId")))
            record["deletedAt"] = now_iso()
            return record
        if kind not in ("CREATE_RECORD", "UPSERT_RECORD"):
            return {}
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
