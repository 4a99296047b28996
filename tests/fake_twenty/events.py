"""What the 2.21 worker does after a record write: timeline rows, workflow runs, webhook calls.

The real server does this asynchronously; the fake does it synchronously (timeline, workflows)
or in a background thread (webhook deliveries, loopback targets only).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import secrets
import threading
import time
from typing import Any

import httpx

from . import contract_data
from .layouts import StoreLayouts
from .runtime import Principal, Runtime
from .schema import ObjectMeta
from .store import Actor, now_iso
from .workflows import Workflows

SYSTEM_ACTOR = {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": None}
LINKED = {"noteTargets": ("note", "noteId", "linked-note"), "taskTargets": ("task", "taskId", "linked-task")}
LOOPBACK_PREFIXES = ("http://127.0.0.1", "http://localhost", "http://[::1]")


class Events:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime
        self.workflows = Workflows(runtime, self)

    # ---- entry points --------------------------------------------------------------------------
    def created(self, obj: ObjectMeta, record: dict[str, Any], principal: Principal | None) -> None:
        if obj.plural == "workflows":
            self.workflows.create_draft(record)
        if obj.plural == "dashboards" and not record.get("pageLayoutId"):
            record["pageLayoutId"] = StoreLayouts(self.rt.store).for_new_dashboard()
        self._timeline(obj, record, f"{obj.singular}.created", {"after": record})
        if obj.plural in LINKED:
            self._linked_timeline(obj, record)
        self.workflows.on_database_event(obj, f"{obj.singular}.created", record)
        self._webhooks(obj, "created", record, None)

    def updated(
        self, obj: ObjectMeta, before: dict[str, Any], after: dict[str, Any], principal: Principal | None
    ) -> None:
        changed = [
            k for k, v in after.items() if before.get(k) != v and k not in ("updatedAt", "searchVector")
        ]
        diff = {k: {"before": before.get(k), "after": after.get(k)} for k in changed}
        self._timeline(obj, after, f"{obj.singular}.updated", {"diff": diff})
        self.workflows.on_database_event(obj, f"{obj.singular}.updated", after, before, changed)
        self._webhooks(obj, "updated", after, changed)

    def deleted(self, obj: ObjectMeta, record: dict[str, Any], *, destroyed: bool) -> None:
        if destroyed and obj.plural == "dashboards" and record.get("pageLayoutId"):
            StoreLayouts(self.rt.store).destroy_layout(str(record["pageLayoutId"]))
        self._webhooks(obj, "destroyed" if destroyed else "deleted", record, None)

    # ---- timeline ------------------------------------------------------------------------------
    def _timeline_target(self, obj: ObjectMeta) -> str | None:
        fm = obj.fields.get("timelineActivities")
        return fm.inverse_join if fm and fm.relation_type == "ONE_TO_MANY" else None

    def _timeline(
        self,
        obj: ObjectMeta,
        record: dict[str, Any],
        name: str,
        properties: dict[str, Any],
        linked: tuple[ObjectMeta, dict[str, Any]] | None = None,
    ) -> None:
        column = self._timeline_target(obj)
        store = self.rt.store
        timeline = store.schema.by_plural("timelineActivities")
        if column is None or timeline is None:
            return
        stamp = now_iso()
        row = store.new_record(timeline, {}, _system())
        row.update(
            {
                "createdBy": dict(SYSTEM_ACTOR),
                "updatedBy": dict(SYSTEM_ACTOR),
                "happensAt": stamp,
                "name": name,
                "properties": json.loads(json.dumps(properties, default=str)),
                column: record["id"],
                "linkedRecordCachedName": _label(linked[0], linked[1]) if linked else _label(obj, record),
                "linkedRecordId": linked[1]["id"] if linked else None,
                "linkedObjectMetadataId": linked[0].id if linked else None,
            }
        )
        store.table(timeline)[row["id"]] = row

    def _linked_timeline(self, obj: ObjectMeta, record: dict[str, Any]) -> None:
        """A new noteTarget/taskTarget shows as ``linked-note.created`` on the record it targets."""
        store = self.rt.store
        linked_singular, link_column, event = LINKED[obj.plural]
        linked_obj = store.schema.objects.get(linked_singular)
        linked_record = store.table(linked_obj).get(record.get(link_column) or "") if linked_obj else None
        if linked_obj is None or linked_record is None:
            return
        for fm in obj.fields.values():
            if fm.join_column and fm.name.startswith("target") and record.get(fm.join_column):
                target_obj = store.schema.objects.get(fm.relation_target or "")
                target = store.table(target_obj).get(record[fm.join_column]) if target_obj else None
                if target_obj is not None and target is not None:
                    self._timeline(target_obj, target, f"{event}.created", {}, (linked_obj, linked_record))

    # ---- webhooks ------------------------------------------------------------------------------
    def _webhooks(
        self, obj: ObjectMeta, action: str, record: dict[str, Any], changed: list[str] | None
    ) -> None:
        event = f"{obj.singular}.{action}"
        for hook in list(self.rt.store.entity_table("webhooks").values()):
            if hook.get("deletedAt") or not _operation_matches(
                hook.get("operations") or [], obj.singular, action
            ):
                continue
            url = str(hook.get("targetUrl") or "")
            if not url.startswith(LOOPBACK_PREFIXES):
                continue  # the fake never calls out beyond loopback
            payload: dict[str, Any] = {
                "targetUrl": url,
                "eventName": event,
                "objectMetadata": {"id": obj.id, "nameSingular": obj.singular},
                "workspaceId": contract_data.workspace_id(),
                "webhookId": hook["id"],
                "eventDate": now_iso(),
                "record": record,
            }
            if changed is not None:
                payload["updatedFields"] = changed
            threading.Thread(target=_deliver, args=(url, payload, hook.get("secret")), daemon=True).start()


def _operation_matches(operations: list[str], singular: str, action: str) -> bool:
    event = f"{singular}.{action}"
    if event == "workflowRun.updated":
        return event in operations
    return any(op in (event, f"*.{action}", f"{singular}.*", "*.*") for op in operations)


def _deliver(url: str, payload: dict[str, Any], secret: str | None) -> None:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, default=str)
    headers = {"Content-Type": "application/json"}
    if secret:
        stamp = str(int(time.time() * 1000))
        signature = hmac.new(secret.encode(), f"{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
        headers.update(
            {
                "X-Twenty-Webhook-Timestamp": stamp,
                "X-Twenty-Webhook-Signature": signature,
                "X-Twenty-Webhook-Nonce": secrets.token_hex(16),
            }
        )
    with contextlib.suppress(httpx.HTTPError):  # 2.21 only audits failed deliveries; no retry
        httpx.post(url, content=body.encode(), headers=headers, timeout=5)


def _system() -> Actor:
    return Actor("user", name="System")


def _label(obj: ObjectMeta, record: dict[str, Any]) -> str:
    name = obj.label_field()
    value = record.get(name) if name else None
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if isinstance(v, str) and v).strip()
    return str(value or "")
