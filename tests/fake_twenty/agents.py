"""Agents and roles on ``/metadata``: create/update/delete agents, create/update roles, assign a role.

Behaviour read in the 2.21.0 source (git mirror, commit 6f3c158, packages/twenty-server/src/):
- engine/metadata-modules/ai/ai-agent/agent.resolver.ts: createOneAgent/updateOneAgent call
  AiModelRegistryService.validateModelAvailability when `modelId` is non-empty; its error
  (ai-models/services/ai-model-registry.service.ts:316) is the one captured in example 141 —
  the fake answers it unless ``Runtime.ai_configured`` is on.
- ai-agent/utils/from-create-agent-input-to-flat-agent.util.ts: whitespace in name/label/icon/
  description/prompt/modelId is trimmed and collapsed; `name` defaults to the label's computed name;
  `responseFormat` defaults to `{type: "text"}`; `roleId` in the input creates the role target.
- ai-agent/utils/from-update-agent-input-to-flat-agent-to-update.util.ts: only the editable
  properties (flat-agent/constants/flat-agent-editable-properties.constant.ts) change; a `label`
  without a `name` recomputes the name from the label (computeMetadataNameFromLabelOrThrow).
- workspace-migration-builder/validators/utils/validate-agent-name-uniqueness.util.ts: names are
  unique per workspace, answered through workspace-migration-builder-graphql-api-exception-handler
  .util.ts (METADATA_VALIDATION_FAILED, "Multiple validation errors occurred while … agent").
- flat-agent-validator.service.ts: standard agents cannot be updated or deleted.
- flat-role/utils/from-create-role-input-to-flat-role-to-create.util.ts: role defaults.
- ai/ai-agent-role/ai-agent-role.service.ts:112-160: assignRoleToAgent checks agent, role and
  `canBeAssignedToAgents`; errors mapped by ai/utils/ai-graphql-api-exception-handler.util.ts.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Any

from . import metadata
from .errors import GraphQLError
from .gql import Request
from .store import now_iso

AGENTS_EXAMPLE, AGENTS_KEY = "140-metadata-findManyAgents", "findManyAgents"
ROLES_EXAMPLE, ROLES_KEY = "142-metadata-getRoles", "getRoles"
AGENT_SANITIZED = ("name", "label", "icon", "description", "prompt", "modelId")
AGENT_EDITABLE = (
    "name",
    "label",
    "icon",
    "description",
    "prompt",
    "modelId",
    "responseFormat",
    "modelConfiguration",
    "evaluationInputs",
)
ROLE_FLAGS_DEFAULT_FALSE = (
    "canUpdateAllSettings",
    "canAccessAllTools",
    "canReadAllObjectRecords",
    "canUpdateAllObjectRecords",
    "canSoftDeleteAllObjectRecords",
    "canDestroyAllObjectRecords",
)
ROLE_FLAGS_DEFAULT_TRUE = ("canBeAssignedToUsers", "canBeAssignedToAgents", "canBeAssignedToApiKeys")
ROLE_EDITABLE = ("label", "description", "icon", *ROLE_FLAGS_DEFAULT_FALSE, *ROLE_FLAGS_DEFAULT_TRUE)


def squash(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """twenty-shared trimAndRemoveDuplicatedWhitespacesFromObjectStringProperties."""
    return {k: " ".join(v.split()) if k in keys and isinstance(v, str) else v for k, v in data.items()}


def name_from_label(label: str) -> str:
    """twenty-shared computeMetadataNameFromLabel: slugify to [a-zA-Z0-9_], then lodash camelCase.

    Approximation: transliteration is NFKD + ASCII; the reserved-word suffix is not applied."""
    if not label:
        return ""
    text = f"n{label}" if label[0].isdigit() else label
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+", ascii_text)
    if not words:
        raise GraphQLError(f'Invalid label: "{label}"', code="INTERNAL_SERVER_ERROR")
    return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])


def _validation_error(
    action: str, metadata_name: str, code: str, message: str, friendly: str
) -> GraphQLError:
    """workspace-migration-builder-graphql-api-exception-handler.util.ts (one failed entity)."""
    failure = {
        "status": "fail",
        "errors": [{"code": code, "message": message, "userFriendlyMessage": friendly}],
        "metadataName": metadata_name,
        "type": action.split()[0],
    }
    return GraphQLError(
        f"Multiple validation errors occurred while {action} {metadata_name}",
        code="METADATA_VALIDATION_FAILED",
        friendly=friendly,
        extra={
            "code": "METADATA_VALIDATION_ERROR",
            "errors": {metadata_name: [failure]},
            "summary": {metadata_name: 1, "totalErrors": 1},
            "message": f"Validation failed for 1 {metadata_name}",
        },
    )


def _ai_error(message: str, sub_code: str, friendly: str) -> GraphQLError:
    """ai-graphql-api-exception-handler.util.ts: NOT_FOUND / FORBIDDEN by AiExceptionCode."""
    code = "NOT_FOUND" if sub_code.endswith("NOT_FOUND") else "FORBIDDEN"
    return GraphQLError(message, code=code, sub_code=sub_code, friendly=friendly)


class AgentRoleResolvers:
    """Mixed into MetadataResolvers (which provides ``rt`` and ``_seed``)."""

    rt: Any

    def _seed(self, example: str, key: str) -> list[dict[str, Any]]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _agents(self) -> dict[str, dict[str, Any]]:
        self._seed(AGENTS_EXAMPLE, AGENTS_KEY)
        return self.rt.store.entity_table(f"seed:{AGENTS_KEY}")

    def _roles(self) -> dict[str, dict[str, Any]]:
        self._seed(ROLES_EXAMPLE, ROLES_KEY)
        return self.rt.store.entity_table(f"seed:{ROLES_KEY}")

    def _check_model(self, model_id: Any) -> None:
        if isinstance(model_id, str) and model_id.strip() and not self.rt.ai_configured:
            # Captured in examples 141/141b (a server without an AI provider).
            raise GraphQLError(
                "The selected model is not available in this workspace.",
                code="INTERNAL_SERVER_ERROR",
                sub_code="AGENT_EXECUTION_FAILED",
                friendly="Agent execution failed.",
            )

    def _unique_name(self, name: str, action: str, agent_id: str | None = None) -> None:
        if any(a["name"] == name and a["id"] != agent_id for a in self._agents().values()):
            raise _validation_error(
                action,
                "agent",
                "AGENT_ALREADY_EXISTS",
                f'Agent with name "{name}" already exists',
                "An agent with this name already exists",
            )

    def _agent_or_404(self, agent_id: Any) -> dict[str, Any]:
        agent = self._agents().get(str(agent_id))
        if agent is None:
            raise _ai_error("Agent not found", "AGENT_NOT_FOUND", "Agent not found.")
        return agent

    def _role_or_404(self, role_id: Any) -> dict[str, Any]:
        role = self._roles().get(str(role_id))
        if role is None:
            raise _ai_error(
                f"Role with id {role_id} not found in workspace", "ROLE_NOT_FOUND", "Role not found."
            )
        return role

    # ---- agents ------------------------------------------------------------------------------
    def q_findManyAgents(self, req: Request) -> Any:
        return list(self._agents().values())

    def q_findOneAgent(self, req: Request) -> Any:
        return self._agent_or_404((req.args.get("input") or {}).get("id"))

    def m_createOneAgent(self, req: Request) -> Any:
        data = squash(dict(req.args.get("input") or {}), (*AGENT_SANITIZED, "roleId"))
        self._check_model(data.get("modelId"))
        name = data.get("name") or name_from_label(data["label"])
        self._unique_name(name, "creating")
        role_id = data.get("roleId")
        if role_id is not None:
            self._role_or_404(role_id)
        stamp = now_iso()
        agent = {
            "__typename": "Agent",
            "id": str(uuid.uuid4()),
            "name": name,
            "label": data["label"],
            "icon": data.get("icon"),
            "description": data.get("description"),
            "prompt": data["prompt"],
            "modelId": data["modelId"],
            "responseFormat": data.get("responseFormat") or {"type": "text"},
            "roleId": role_id,
            "isCustom": True,
            "applicationId": metadata.CUSTOM_APPLICATION_ID,
            "createdAt": stamp,
            "updatedAt": stamp,
            "modelConfiguration": data.get("modelConfiguration"),
            "evaluationInputs": data.get("evaluationInputs") or [],
        }
        self._agents()[agent["id"]] = agent
        return agent

    def m_updateOneAgent(self, req: Request) -> Any:
        raw = dict(req.args.get("input") or {})
        self._check_model(raw.get("modelId"))
        agent = self._agent_or_404(raw.get("id"))
        if not agent.get("isCustom"):
            raise _validation_error(
                "updating",
                "agent",
                "AGENT_IS_STANDARD",
                "Cannot update standard agent",
                "Standard agents cannot be modified.",
            )
        update = squash({k: v for k, v in raw.items() if k in AGENT_EDITABLE}, AGENT_SANITIZED)
        if update.get("label") is not None and update.get("name") is None:
            update["name"] = name_from_label(update["label"])
        if update.get("name") is not None:
            self._unique_name(update["name"], "updating", agent["id"])
        if "roleId" in raw:  # undefined: untouched; null: role target removed; id: set
            if raw["roleId"] is not None:
                self._role_or_404(raw["roleId"])
            agent["roleId"] = raw["roleId"]
        agent.update({k: v for k, v in update.items() if v is not None})
        agent["updatedAt"] = now_iso()
        return agent

    def m_deleteOneAgent(self, req: Request) -> Any:
        agent = self._agent_or_404((req.args.get("input") or {}).get("id"))
        if not agent.get("isCustom"):
            raise _validation_error(
                "deleting",
                "agent",
                "AGENT_IS_STANDARD",
                "Cannot delete standard agent",
                "Standard agents cannot be modified.",
            )
        return self._agents().pop(agent["id"])

    # ---- roles ---------------------------------------------------------------------------------
    def q_getRoles(self, req: Request) -> Any:
        return list(self._roles().values())

    def _role(self, role_id: str) -> dict[str, Any]:
        role = self._roles().get(role_id)
        if role is None:
            raise GraphQLError(f"Role {role_id} not found", code="NOT_FOUND")
        return role

    def m_createOneRole(self, req: Request) -> Any:
        data = squash(dict(req.args.get("createRoleInput") or {}), ("description", "icon", "id", "label"))
        role_id = data.get("id") or str(uuid.uuid4())
        # validate-role-label-uniqueness.util.ts; permissions.exception.ts:184
        if any(r["label"] == data["label"] for r in self._roles().values()):
            raise _validation_error(
                "creating",
                "role",
                "ROLE_LABEL_ALREADY_EXISTS",
                "A role with this label already exists",
                "A role with this label already exists.",
            )
        stamp = now_iso()
        role: dict[str, Any] = {
            "__typename": "Role",
            "id": role_id,
            "universalIdentifier": str(uuid.uuid4()),
            "label": data["label"],
            "description": data.get("description"),
            "icon": data.get("icon"),
            "isEditable": True,
            **{k: bool(data.get(k, False)) for k in ROLE_FLAGS_DEFAULT_FALSE},
            **{k: bool(data[k]) if data.get(k) is not None else True for k in ROLE_FLAGS_DEFAULT_TRUE},
            "workspaceMembers": [],
            "agents": [],
            "apiKeys": [],
            "permissionFlags": [],
            "objectPermissions": [],
            "fieldPermissions": [],
            "createdAt": stamp,
            "updatedAt": stamp,
        }
        self._roles()[role_id] = role
        return role

    def m_updateOneRole(self, req: Request) -> Any:
        data = req.args.get("updateRoleInput") or {}
        role = self._role_or_404(data.get("id"))
        if role.get("isEditable") is False:
            # permissions.exception.ts:29/188 (user-friendly wording is the fake's)
            raise _validation_error(
                "updating", "role", "ROLE_NOT_EDITABLE", "Role is not editable", "Role is not editable"
            )
        update = squash(
            {k: v for k, v in (data.get("update") or {}).items() if k in ROLE_EDITABLE},
            ("label", "description", "icon"),
        )
        role.update({k: v for k, v in update.items() if v is not None or k in ("description", "icon")})
        role["updatedAt"] = now_iso()
        return role

    def m_assignRoleToAgent(self, req: Request) -> Any:
        agent_id, role_id = str(req.args.get("agentId")), str(req.args.get("roleId"))
        if agent_id not in self._agents():
            raise _ai_error(
                f"Agent with id {agent_id} not found in workspace", "AGENT_NOT_FOUND", "Agent not found."
            )
        role = self._role_or_404(role_id)
        if role.get("canBeAssignedToAgents") is False:  # seeded roles lack the (uncaptured) flag
            raise _ai_error(
                f'Role "{role["label"]}" cannot be assigned to agents',
                "ROLE_CANNOT_BE_ASSIGNED_TO_AGENTS",
                "This role cannot be assigned to agents.",
            )
        self._agents()[agent_id]["roleId"] = role_id
        return True
