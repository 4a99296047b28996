"""Metadata operations shared by REST ``/rest/metadata/*`` and GraphQL ``/metadata``.

Custom objects and fields (new objects become REST/GraphQL-listable at once), webhooks and
Twenty-shaped metadata validation errors.
"""

from __future__ import annotations

import copy
import re
import secrets
import uuid
from typing import Any
from urllib.parse import urlparse

from . import contract_data
from .errors import TwentyHttpError
from .schema import FieldMeta, ObjectMeta
from .store import CUSTOM_APPLICATION_ID, Store, now_iso

_UPPER_SNAKE = re.compile(r"^[A-Z0-9]+(_[A-Z0-9]+)*$")
_CAMEL = re.compile(r"^[a-z][a-zA-Z0-9]*$")


def _fail(
    metadata_name: str,
    code: str,
    message: str,
    info: dict[str, Any],
    friendly: str | None = None,
    value: Any = None,
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message, "userFriendlyMessage": friendly or message}
    if value is not None:
        error["value"] = value
    return {
        "status": "fail",
        "errors": [error],
        "flatEntityMinimalInformation": info,
        "metadataName": metadata_name,
        "type": "create",
    }


def validation_error(what: str, groups: dict[str, list[dict[str, Any]]]) -> TwentyHttpError:
    """2.21's METADATA_VALIDATION_ERROR body (examples 126b, 126c, 127b)."""
    summary: dict[str, int] = {"totalErrors": sum(len(v) for v in groups.values())}
    summary.update({k: len(v) for k, v in groups.items()})
    return TwentyHttpError(
        400,
        {
            "statusCode": 400,
            "error": "METADATA_VALIDATION_ERROR",
            "message": f"Multiple validation errors occurred while creating {what}",
            "errors": groups,
            "summary": summary,
            "userFriendlyMessage": "Many validation errors",
        },
    )


def _view_field_failures(field_uid: str) -> list[dict[str, Any]]:
    return [
        _fail(
            "viewField",
            "INVALID_VIEW_DATA",
            "Field metadata not found",
            {
                "universalIdentifier": str(uuid.uuid4()),
                "viewUniversalIdentifier": str(uuid.uuid4()),
                "fieldMetadataUniversalIdentifier": field_uid,
            },
        )
        for _ in range(2)
    ]


def _field_raw(obj: ObjectMeta, name: str, ftype: str, label: str, **extra: Any) -> dict[str, Any]:
    """Field metadata as 2.21 answers it: optional keys are absent unless given (examples 124-127)."""
    stamp = now_iso()
    raw: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "universalIdentifier": str(uuid.uuid4()),
        "applicationId": CUSTOM_APPLICATION_ID,
        "type": ftype,
        "name": name,
        "label": label,
        "isActive": True,
        "isSystem": extra.pop("isSystem", False),
        "isUIEditable": True,
        "isUIReadOnly": False,
        "isNullable": extra.pop("isNullable", True),
        "isUnique": extra.pop("isUnique", False),
        "workspaceId": contract_data.workspace_id(),
        "objectMetadataId": obj.id,
        "isLabelSyncedWithName": False,
        "createdAt": stamp,
        "updatedAt": stamp,
    }
    raw.update({k: v for k, v in extra.items() if v is not None or k in ("defaultValue", "options")})
    return raw


SYSTEM_FIELDS: list[tuple[str, str, str, dict[str, Any]]] = [
    ("name", "TEXT", "Name", {"isNullable": True, "icon": "IconAbc"}),
    ("id", "UUID", "Id", {"isSystem": True, "isNullable": False, "icon": "Icon123"}),
    (
        "createdAt",
        "DATE_TIME",
        "Creation date",
        {"isSystem": True, "isNullable": False, "icon": "IconCalendar"},
    ),
    (
        "createdBy",
        "ACTOR",
        "Created by",
        {"isSystem": True, "isNullable": False, "icon": "IconCreativeCommonsSa"},
    ),
    ("deletedAt", "DATE_TIME", "Deleted at", {"isSystem": True, "icon": "IconCalendarMinus"}),
    ("position", "POSITION", "Position", {"isSystem": True, "isNullable": False, "icon": "IconHierarchy2"}),
    (
        "updatedAt",
        "DATE_TIME",
        "Last update",
        {"isSystem": True, "isNullable": False, "icon": "IconCalendarClock"},
    ),
    ("updatedBy", "ACTOR", "Updated by", {"isSystem": True, "isNullable": False, "icon": "IconUserCircle"}),
    ("searchVector", "TS_VECTOR", "Search vector", {"isSystem": True, "icon": "IconUser"}),
    (
        "timelineActivities",
        "RELATION",
        "Timeline Activities",
        {"settings": {"relationType": "ONE_TO_MANY"}, "icon": "IconTimelineEvent"},
    ),
    (
        "attachments",
        "RELATION",
        "Attachments",
        {"settings": {"relationType": "ONE_TO_MANY"}, "icon": "IconFileImport"},
    ),
    ("noteTargets", "RELATION", "Notes", {"settings": {"relationType": "ONE_TO_MANY"}, "icon": "IconNotes"}),
    (
        "taskTargets",
        "RELATION",
        "Tasks",
        {"settings": {"relationType": "ONE_TO_MANY"}, "icon": "IconCheckbox"},
    ),
]


def create_object(store: Store, data: dict[str, Any]) -> ObjectMeta:
    missing = [k for k in ("nameSingular", "namePlural", "labelSingular", "labelPlural") if not data.get(k)]
    if missing:
        raise TwentyHttpError.bad_request(f"Missing required properties: {', '.join(missing)}")
    singular, plural = str(data["nameSingular"]), str(data["namePlural"])
    taken = store.schema.objects.get(singular) or store.schema.by_plural(plural)
    if taken is not None:
        raise _object_exists(singular, plural)
    if not _CAMEL.match(singular) or not _CAMEL.match(plural):
        raise TwentyHttpError.bad_request("Names must be in camelCase, e.g. websiteLead / websiteLeads")
    stamp = now_iso()
    raw: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "universalIdentifier": str(uuid.uuid4()),
        "applicationId": CUSTOM_APPLICATION_ID,
        "nameSingular": singular,
        "namePlural": plural,
        "labelSingular": data["labelSingular"],
        "labelPlural": data["labelPlural"],
        "description": data.get("description"),
        "icon": data.get("icon"),
        "isRemote": False,
        "isActive": True,
        "isSystem": False,
        "isUIEditable": True,
        "isUICreatable": True,
        "isUIReadOnly": False,
        "isSearchable": True,
        "isLabelSyncedWithName": bool(data.get("isLabelSyncedWithName")),
        "workspaceId": contract_data.workspace_id(),
        "labelIdentifierFieldMetadataId": None,
        "imageIdentifierFieldMetadataId": None,
        "createdAt": stamp,
        "updatedAt": stamp,
        "fields": [],
    }
    obj = store.schema.add_object(raw)
    for name, ftype, label, extra in SYSTEM_FIELDS:
        raw_field = _field_raw(obj, name, ftype, label, description=label, **copy.deepcopy(extra))
        fm = store.schema.add_field(obj, raw_field)
        if name == "name":
            raw["labelIdentifierFieldMetadataId"] = fm.id
    return obj


def _object_exists(singular: str, plural: str) -> TwentyHttpError:
    object_uid = str(uuid.uuid4())

    def entity(name: str) -> dict[str, Any]:
        return {
            "universalIdentifier": str(uuid.uuid4()),
            "name": name,
            "objectMetadataUniversalIdentifier": object_uid,
        }

    not_found = (
        "OBJECT_METADATA_NOT_FOUND",
        "Object metadata not found",
        "Field to create related object not found",
    )
    return validation_error(
        "object",
        {
            "fieldMetadata": [
                _fail("fieldMetadata", not_found[0], not_found[1], entity(n), not_found[2])
                for n, *_ in SYSTEM_FIELDS
            ],
            "objectMetadata": [
                _fail(
                    "objectMetadata",
                    "OBJECT_ALREADY_EXISTS",
                    "Object already exists",
                    {"universalIdentifier": object_uid, "namePlural": plural, "nameSingular": singular},
                )
            ],
            "view": [
                _fail(
                    "view",
                    "INVALID_VIEW_DATA",
                    "Object metadata not found",
                    {"universalIdentifier": str(uuid.uuid4())},
                )
            ],
            "viewField": _view_field_failures(str(uuid.uuid4())),
            "index": [
                _fail(
                    "index",
                    "INDEX_ALREADY_EXISTS",
                    "Index with same name already exists",
                    {"universalIdentifier": str(uuid.uuid4()), "name": f"IDX_{secrets.token_hex(13)[:25]}"},
                )
            ],
            "searchFieldMetadata": [
                _fail(
                    "searchFieldMetadata",
                    "FIELD_METADATA_NOT_FOUND",
                    "Field metadata not found",
                    {
                        "universalIdentifier": str(uuid.uuid4()),
                        "objectMetadataUniversalIdentifier": object_uid,
                    },
                )
            ],
        },
    )


def create_field(store: Store, data: dict[str, Any]) -> FieldMeta:
    if data.get("relationCreationPayload"):
        from .relations import create_relation

        return create_relation(store, data, _field_raw)
    obj = store.schema.by_id(str(data.get("objectMetadataId") or ""))
    if obj is None:
        raise TwentyHttpError.bad_request("Object metadata not found (objectMetadataId)")
    name, ftype = str(data.get("name") or ""), str(data.get("type") or "")
    field_uid = str(uuid.uuid4())
    info = {
        "universalIdentifier": field_uid,
        "name": name,
        "objectMetadataUniversalIdentifier": obj.raw.get("universalIdentifier"),
    }
    if name in obj.fields or name in obj.join_columns():
        message = f'Name "{name}" is not available as it is already used by another field'
        raise validation_error(
            "fields",
            {
                "fieldMetadata": [_fail("fieldMetadata", "NOT_AVAILABLE", message, info, value=name)],
                "viewField": _view_field_failures(field_uid),
            },
        )
    for option in data.get("options") or []:
        value = option.get("value") if isinstance(option, dict) else None
        if ftype in ("SELECT", "MULTI_SELECT") and (
            not isinstance(value, str) or not _UPPER_SNAKE.match(value)
        ):
            message = f'Value must be in UPPER_CASE and follow snake_case "{value}"'
            raise validation_error(
                "fields",
                {
                    "fieldMetadata": [
                        _fail("fieldMetadata", "INVALID_FIELD_INPUT", message, info, value=value)
                    ],
                    "viewField": _view_field_failures(field_uid),
                },
            )
    if not name or not _CAMEL.match(name) or not ftype or not data.get("label"):
        raise TwentyHttpError.bad_request(
            "A field needs objectMetadataId, a camelCase name, a type and a label"
        )
    options = [{"id": str(uuid.uuid4()), **o} for o in data.get("options") or []] or None
    extra = {k: data[k] for k in ("description", "icon", "isNullable", "isUnique", "settings") if k in data}
    raw = _field_raw(
        obj, name, ftype, str(data["label"]), options=options, defaultValue=data.get("defaultValue"), **extra
    )
    raw["universalIdentifier"] = field_uid
    fm = store.schema.add_field(obj, raw)
    default = fm.default()
    for record in store.table(obj).values():
        record.setdefault(name, copy.deepcopy(default))
    return fm


# ---- webhooks --------------------------------------------------------------------------------
def _valid_url(url: Any) -> bool:
    if not isinstance(url, str):
        return False
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def create_webhook(store: Store, data: dict[str, Any]) -> dict[str, Any]:
    if not _valid_url(data.get("targetUrl")) or not isinstance(data.get("operations"), list):
        raise TwentyHttpError.rest(
            400,
            "WorkspaceMigrationBuilderException",
            "Multiple validation errors occurred while creating webhook",
        )
    stamp = now_iso()
    hook = {
        "id": str(data.get("id") or uuid.uuid4()),
        "targetUrl": data["targetUrl"],
        "operations": list(data["operations"]),
        "description": data.get("description"),
        "secret": data.get("secret") or secrets.token_hex(32),
        "workspaceId": contract_data.workspace_id(),
        "applicationId": CUSTOM_APPLICATION_ID,
        "createdAt": stamp,
        "updatedAt": stamp,
        "deletedAt": None,
    }
    store.entity_table("webhooks")[hook["id"]] = hook
    return hook


def get_webhook(store: Store, hook_id: str) -> dict[str, Any]:
    hook = store.entity_table("webhooks").get(hook_id)
    if hook is None or hook.get("deletedAt"):
        raise TwentyHttpError.rest(404, "NotFoundException", f"Webhook with id {hook_id} not found")
    return hook


def update_webhook(store: Store, hook_id: str, update: dict[str, Any]) -> dict[str, Any]:
    hook = get_webhook(store, hook_id)
    if "targetUrl" in update and not _valid_url(update["targetUrl"]):
        raise TwentyHttpError.rest(
            400,
            "WorkspaceMigrationBuilderException",
            "Multiple validation errors occurred while updating webhook",
        )
    for key in ("targetUrl", "operations", "description", "secret"):
        if key in update:
            hook[key] = update[key]
    hook["updatedAt"] = now_iso()
    return hook


def delete_webhook(store: Store, hook_id: str) -> dict[str, Any]:
    hook = get_webhook(store, hook_id)
    del store.entity_table("webhooks")[hook_id]
    return hook


def list_webhooks(store: Store) -> list[dict[str, Any]]:
    return [h for h in store.entity_table("webhooks").values() if not h.get("deletedAt")]
