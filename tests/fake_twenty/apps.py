"""Logic functions, app registrations, development apps, file uploads, sync and route triggers.

The fake cannot run the uploaded JavaScript. A route (``/s/<path>``) answers with the Python
handler registered for it in ``Apps.route_handlers`` (tests install one to stand in for the
app's code); without one it answers the default template's output, as 2.21 did for a function
created from a template (example 184b).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import secrets
import uuid
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from . import contract_data
from .errors import GraphQLError, TwentyHttpError
from .metadata import CUSTOM_APPLICATION_ID
from .store import now_iso

TEMPLATE_OUTPUT = {"message": "Hello, input: undefined and undefined"}
RouteHandler = Callable[[dict[str, Any]], Any]
LF_KEYS_CREATE = (
    "universalIdentifier",
    "applicationUniversalIdentifier",
    "name",
    "description",
    "runtime",
    "timeoutSeconds",
    "sourceHandlerPath",
    "builtHandlerPath",
    "handlerName",
    "checksum",
    "cronTriggerSettings",
    "databaseEventTriggerSettings",
    "httpRouteTriggerSettings",
    "serverRouteTriggerSettings",
    "toolTriggerSettings",
    "workflowActionTriggerSettings",
    "isBuildUpToDate",
    "executionMode",
    "createdAt",
    "updatedAt",
    "deletedAt",
)
TRIGGER_KEYS = (
    "cronTriggerSettings",
    "databaseEventTriggerSettings",
    "httpRouteTriggerSettings",
    "serverRouteTriggerSettings",
    "toolTriggerSettings",
    "workflowActionTriggerSettings",
)


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def _seed(example: str, field: str) -> list[dict[str, Any]]:
    body = contract_data.load_example(example)["response_body"]
    return copy.deepcopy(body["data"][field])


class Apps:
    def __init__(self) -> None:
        self.route_handlers: dict[str, RouteHandler] = {}
        self.reset()

    def reset(self) -> None:
        self.functions: dict[str, dict[str, Any]] = {}
        for fn in _seed("181-metadata-findManyLogicFunctions", "findManyLogicFunctions"):
            if fn["name"] != "helloCapture2":  # created during the capture (example 180b), not seed
                self.functions[fn["id"]] = self._complete_function(fn)
        self.registrations: dict[str, dict[str, Any]] = {}
        self.applications: dict[str, dict[str, Any]] = {}
        for app in _seed("199u-registration-survives-uninstall", "findManyApplications"):
            self.applications[app["universalIdentifier"]] = self._new_app(
                app["universalIdentifier"], app["name"], app_id=app["id"]
            )
        self.files: dict[str, bytes] = {}

    # ---- standalone logic functions -------------------------------------------------------------
    def _complete_function(self, fn: dict[str, Any]) -> dict[str, Any]:
        stamp = now_iso()
        base = {key: None for key in TRIGGER_KEYS}
        base.update(
            {
                "description": None,
                "timeoutSeconds": 300,
                "runtime": "nodejs22.x",
                "executionMode": "LIVE",
                "handlerName": "main",
                "applicationId": CUSTOM_APPLICATION_ID,
                "universalIdentifier": str(uuid.uuid4()),
                "createdAt": stamp,
                "updatedAt": stamp,
            }
        )
        base.update(fn)
        return base

    def create_function(self, data: dict[str, Any]) -> dict[str, Any]:
        if not data.get("name"):
            raise GraphQLError("Logic function name is required", code="BAD_USER_INPUT")
        if data.get("source") and any(data.get(k) for k in TRIGGER_KEYS):
            # 2.21 refuses source + trigger in one create (example 180); create, then update.
            raise GraphQLError(
                "Multiple validation errors occurred while creating logic function",
                code="INTERNAL_SERVER_ERROR",
            )
        fn_id = str(uuid.uuid4())
        fn = self._complete_function(
            {
                "id": fn_id,
                "name": data["name"],
                "description": data.get("description"),
                "sourceHandlerPath": f"{fn_id}/src/index.ts",
            }
        )
        for key in TRIGGER_KEYS:
            if data.get(key) is not None:
                fn[key] = data[key]
        self.functions[fn_id] = fn
        return fn

    def get_function(self, fn_id: str) -> dict[str, Any]:
        fn = self.functions.get(str(fn_id))
        if fn is None:
            raise GraphQLError(
                "Logic function not found",
                code="NOT_FOUND",
                sub_code="LOGIC_FUNCTION_NOT_FOUND",
                friendly="Logic function not found.",
            )
        return fn

    def update_function(self, fn_id: str, update: dict[str, Any]) -> bool:
        fn = self.get_function(fn_id)
        for key, value in update.items():
            if key in TRIGGER_KEYS or key in ("name", "description", "timeoutSeconds"):
                fn[key] = value
            if key == "sourceHandlerCode" and value:  # uploadSourceFile (logic-function-from-source)
                fn["_source"] = value
        fn["updatedAt"] = now_iso()
        return True

    def delete_function(self, fn_id: str) -> dict[str, Any]:
        fn = self.get_function(fn_id)
        del self.functions[fn["id"]]
        return fn

    def execute(self, fn_id: str, payload: Any) -> dict[str, Any]:
        fn = self.get_function(fn_id)
        handler = self.route_handlers.get(fn["name"])
        data = handler({"payload": payload, "env": {}}) if handler else dict(TEMPLATE_OUTPUT)
        return {
            "__typename": "LogicFunctionExecutionResult",
            "data": data,
            "logs": "",
            "duration": 1,
            "status": "SUCCESS",
            "error": None,
        }

    # ---- app registrations and installs -----------------------------------------------------------
    def create_registration(self, data: dict[str, Any]) -> dict[str, Any]:
        uid = str(data.get("universalIdentifier") or uuid.uuid4())
        if uid in self.registrations:
            raise GraphQLError(
                f"Universal identifier {uid} is already claimed",
                code="BAD_USER_INPUT",
                sub_code="UNIVERSAL_IDENTIFIER_ALREADY_CLAIMED",
                friendly="This universal identifier is already claimed by another registration.",
            )
        stamp = now_iso()
        registration = {
            "__typename": "ApplicationRegistration",
            "id": str(uuid.uuid4()),
            "universalIdentifier": uid,
            "name": data.get("name") or uid,
            "oAuthClientId": str(uuid.uuid4()),
            "oAuthRedirectUris": [],
            "oAuthScopes": [],
            "ownerWorkspaceId": contract_data.workspace_id(),
            "sourceType": "LOCAL",
            "sourcePackage": None,
            "latestAvailableVersion": None,
            "isListed": False,
            "isVetted": False,
            "isPreInstalled": False,
            "logoUrl": None,
            "createdAt": stamp,
            "updatedAt": stamp,
            "isConfigured": True,
        }
        self.registrations[uid] = registration
        return {"applicationRegistration": registration, "clientSecret": secrets.token_hex(32)}

    def _new_app(self, uid: str, name: str, app_id: str | None = None) -> dict[str, Any]:
        return {
            "__typename": "Application",
            "id": app_id or str(uuid.uuid4()),
            "name": name,
            "universalIdentifier": uid,
            "description": None,
            "version": None,
            "canBeUninstalled": True,
            "availablePackages": {},
            "variables": {},
            "functions": {},
            "installed": False,
        }

    def create_development_app(self, uid: str, name: str) -> dict[str, Any]:
        if uid not in self.registrations:
            raise GraphQLError(
                f'No registration found for "{uid}". Create one first with createApplicationRegistration.',
                code="NOT_FOUND",
                sub_code="APPLICATION_NOT_FOUND",
                friendly="Application not found.",
            )
        app = self.applications.get(uid)
        if app is None:
            app = self.applications[uid] = self._new_app(uid, name)
            app["applicationRegistrationId"] = self.registrations[uid]["id"]
        return {"__typename": "DevelopmentApplication", "id": app["id"], "universalIdentifier": uid}

    def app_by_id(self, app_id: str | None = None, uid: str | None = None) -> dict[str, Any]:
        for app in self.applications.values():
            if app["id"] == app_id or (uid and app["universalIdentifier"] == uid):
                return app
        raise GraphQLError(
            "Application not found",
            code="NOT_FOUND",
            sub_code="APPLICATION_NOT_FOUND",
            friendly="Application not found.",
        )

    def upload(self, uid: str, folder: str, path: str, content: bytes) -> dict[str, Any]:
        stored = f"{_kebab(folder)}/{path}"
        self.files[f"{uid}/{stored}"] = content
        return {
            "__typename": "File",
            "id": str(uuid.uuid4()),
            "path": stored,
            "size": len(content),
            "createdAt": now_iso(),
        }

    def sync(self, manifest: dict[str, Any], dry_run: bool) -> dict[str, Any]:
        application = manifest.get("application") or {}
        uid = str(application.get("universalIdentifier") or "")
        if not uid:
            raise GraphQLError("Manifest has no application.universalIdentifier", code="BAD_USER_INPUT")
        app = self.applications.get(uid) or self._new_app(uid, str(application.get("displayName") or uid))
        actions = self._plan(app, manifest)
        if not dry_run:
            self.applications[uid] = app
            self._apply(app, manifest)
        return {"__typename": "WorkspaceMigration", "applicationUniversalIdentifier": uid, "actions": actions}

    def _plan(self, app: dict[str, Any], manifest: dict[str, Any]) -> list[dict[str, Any]]:
        uid = app["universalIdentifier"]
        actions: list[dict[str, Any]] = []
        wanted = {f["universalIdentifier"]: f for f in manifest.get("logicFunctions") or []}
        for fuid, spec in wanted.items():
            current = app["functions"].get(fuid)
            entity = self._flat_function(uid, spec, current)
            if current is None:
                keys = [k for k in LF_KEYS_CREATE if k != "checksum" or spec.get("builtHandlerChecksum")]
                actions.append(
                    {
                        "type": "create",
                        "metadataName": "logicFunction",
                        "flatEntity": {k: entity.get(k) for k in keys},
                    }
                )
            elif current["checksum"] != spec.get("builtHandlerChecksum"):
                before, after = current["checksum"], spec.get("builtHandlerChecksum")
                actions.append(
                    {
                        "type": "update",
                        "metadataName": "logicFunction",
                        "universalIdentifier": fuid,
                        "update": {"checksum": after},
                        "flatEntity": {**entity, "checksum": after},
                        "diff": {"checksum": {"before": before, "after": after}},
                    }
                )
        for fuid, current in app["functions"].items():
            if fuid not in wanted:
                actions.append(
                    {
                        "type": "delete",
                        "metadataName": "logicFunction",
                        "universalIdentifier": fuid,
                        "flatEntity": current,
                    }
                )
        if not app["installed"]:
            stamp = now_iso()
            role_uid = application_role(manifest)
            if role_uid:
                role = next(
                    (r for r in manifest.get("roles") or [] if r.get("universalIdentifier") == role_uid), {}
                )
                actions.append(
                    {
                        "type": "create",
                        "metadataName": "role",
                        "flatEntity": _flat_role(uid, role_uid, role, stamp),
                    }
                )
            for key, var in ((manifest.get("application") or {}).get("applicationVariables") or {}).items():
                actions.append(
                    {
                        "type": "create",
                        "metadataName": "applicationVariable",
                        "flatEntity": _flat_variable(uid, key, var, stamp),
                    }
                )
        return actions

    def _flat_function(
        self, app_uid: str, spec: dict[str, Any], current: dict[str, Any] | None
    ) -> dict[str, Any]:
        stamp = now_iso()
        entity: dict[str, Any] = {key: spec.get(key) for key in TRIGGER_KEYS}
        entity.update(
            {
                "universalIdentifier": spec["universalIdentifier"],
                "applicationUniversalIdentifier": app_uid,
                "name": spec.get("name"),
                "description": spec.get("description"),
                "runtime": "nodejs22.x",
                "timeoutSeconds": spec.get("timeoutSeconds", 300),
                "sourceHandlerPath": spec.get("sourceHandlerPath"),
                "builtHandlerPath": spec.get("builtHandlerPath"),
                "handlerName": spec.get("handlerName"),
                "checksum": spec.get("builtHandlerChecksum"),
                "isBuildUpToDate": True,
                "executionMode": "LIVE",
                "createdAt": (current or {}).get("createdAt", stamp),
                "updatedAt": stamp,
                "deletedAt": None,
            }
        )
        if current is not None:
            entity.update(
                {
                    "id": current["id"],
                    "workspaceId": contract_data.workspace_id(),
                    "applicationId": current.get("applicationId"),
                }
            )
        return entity

    def _apply(self, app: dict[str, Any], manifest: dict[str, Any]) -> None:
        uid = app["universalIdentifier"]
        wanted = {f["universalIdentifier"]: f for f in manifest.get("logicFunctions") or []}
        functions = {}
        for fuid, spec in wanted.items():
            entity = self._flat_function(uid, spec, app["functions"].get(fuid))
            entity.setdefault("id", str(uuid.uuid4()))
            entity["applicationId"] = app["id"]
            functions[fuid] = entity
        app["functions"] = functions
        for key, var in ((manifest.get("application") or {}).get("applicationVariables") or {}).items():
            current = app["variables"].get(key)
            value = current["value"] if current and current.get("adminSet") else var.get("value", "")
            app["variables"][key] = {
                "id": (current or {}).get("id", str(uuid.uuid4())),
                "key": key,
                "value": value or "",
                "description": var.get("description") or "",
                "isSecret": bool(var.get("isSecret")),
                "type": var.get("type") or "string",
                "options": None,
                "adminSet": bool(current and current.get("adminSet")),
            }
        app["installed"] = True

    def set_variable(self, app_id: str, key: str, value: str) -> bool:
        app = self.app_by_id(app_id)
        var = app["variables"].get(key)
        if var is None:
            raise GraphQLError(f"Application variable {key} not found", code="NOT_FOUND")
        var.update({"value": value, "adminSet": True})
        return True

    def uninstall(self, uid: str) -> bool:
        app = self.applications.get(uid)
        if app is None:
            raise GraphQLError(
                "Application not found",
                code="NOT_FOUND",
                sub_code="APPLICATION_NOT_FOUND",
                friendly="Application not found.",
            )
        del self.applications[uid]  # the registration stays (example 199u)
        return True

    def public_app(self, app: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in app.items() if k not in ("variables", "functions", "installed")}
        out["applicationVariables"] = [
            {
                "__typename": "ApplicationVariable",
                **{k: v for k, v in var.items() if k != "adminSet"},
                "value": _mask(var["value"]) if var["isSecret"] else var["value"],
            }
            for var in app["variables"].values()
        ]
        out["logicFunctions"] = list(app["functions"].values())
        out.update({"agents": [], "frontComponents": [], "commandMenuItems": [], "objects": []})
        return out

    # ---- routes --------------------------------------------------------------------------------
    def all_functions(self) -> list[tuple[dict[str, Any] | None, dict[str, Any]]]:
        out: list[tuple[dict[str, Any] | None, dict[str, Any]]] = [(None, f) for f in self.functions.values()]
        for app in self.applications.values():
            out.extend((app, f) for f in app["functions"].values())
        return out

    def route_call(self, method: str, path: str, request: Request) -> Any:
        for app, fn in self.all_functions():
            route = fn.get("httpRouteTriggerSettings") or {}
            if route.get("path") == path and str(route.get("httpMethod", "GET")).upper() == method:
                handler = self.route_handlers.get(path) or self.route_handlers.get(str(fn.get("name")))
                if handler is None:
                    return dict(TEMPLATE_OUTPUT)
                env = {k: v["value"] for k, v in (app or {}).get("variables", {}).items()}
                return handler(
                    {
                        "method": method,
                        "path": path,
                        "query": dict(request.query_params),
                        "env": env,
                        "function": fn,
                    }
                )
        raise TwentyHttpError.rest(404, "Error", "No Route trigger found", code="TRIGGER_NOT_FOUND")


ROLE_FLAGS = (
    "canUpdateAllSettings",
    "canAccessAllTools",
    "canReadAllObjectRecords",
    "canUpdateAllObjectRecords",
    "canSoftDeleteAllObjectRecords",
    "canDestroyAllObjectRecords",
)


def _flat_role(app_uid: str, role_uid: str, role: dict[str, Any], stamp: str) -> dict[str, Any]:
    """A role create in a sync plan, with the keys 2.21 answers (examples 186, 192)."""
    flat: dict[str, Any] = {
        "universalIdentifier": role_uid,
        "applicationUniversalIdentifier": app_uid,
        "label": role.get("label"),
        "description": role.get("description"),
        "icon": role.get("icon"),
    }
    flat.update({flag: bool(role.get(flag, False)) for flag in ROLE_FLAGS})
    flat.update(
        {
            "isEditable": True,
            "canBeAssignedToUsers": role.get("canBeAssignedToUsers", True),
            "canBeAssignedToAgents": role.get("canBeAssignedToAgents", True),
            "canBeAssignedToApiKeys": role.get("canBeAssignedToApiKeys", True),
            "createdAt": stamp,
            "updatedAt": stamp,
        }
    )
    return flat


def _flat_variable(app_uid: str, key: str, var: dict[str, Any], stamp: str) -> dict[str, Any]:
    """An application variable create in a sync plan (example 192): 2.21 stores a set value
    encrypted (``enc:v2:<key id>:<ciphertext>``) and an unset one as ``""``."""
    value = str(var.get("value") or "")
    if value:
        digest = hashlib.sha256(value.encode()).digest()
        value = f"enc:v2:{digest[:4].hex()}:{base64.b64encode(digest).decode()}"
    return {
        "universalIdentifier": var.get("universalIdentifier"),
        "applicationUniversalIdentifier": app_uid,
        "key": key,
        "value": value,
        "description": var.get("description"),
        "isSecret": bool(var.get("isSecret", False)),
        "type": var.get("type", "TEXT"),
        "options": var.get("options"),
        "createdAt": stamp,
        "updatedAt": stamp,
    }


def application_role(manifest: dict[str, Any]) -> str | None:
    return (manifest.get("application") or {}).get("defaultRoleUniversalIdentifier")


def _mask(value: str) -> str:
    return (value[:1] + "********") if value else ""
