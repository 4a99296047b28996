"""``agents/<name>.yaml``: one AI agent each (prompt, model, least-privileged role)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from deploy.manifests.common import (
    AGENT_NAME_PREFIX,
    _check_stack_refs_only,
    _Named,
    _Strict,
    resolve_stack_refs,
    stable_uuid,
)


class AgentRole(_Strict):
    """The role created for the agent (CreateRoleInput); agents never manage settings or hard-delete."""

    label: str
    description: str = ""
    read_only: bool = Field(False, alias="readOnly")
    canReadAllObjectRecords: bool = True
    canUpdateAllObjectRecords: bool = False
    canSoftDeleteAllObjectRecords: bool = False
    canDestroyAllObjectRecords: Literal[False] = False
    canUpdateAllSettings: Literal[False] = False
    canAccessAllTools: bool = False

    @model_validator(mode="after")
    def _least_privilege(self) -> AgentRole:
        if self.read_only and (self.canUpdateAllObjectRecords or self.canSoftDeleteAllObjectRecords):
            raise ValueError(
                "readOnly role cannot set canUpdateAllObjectRecords or canSoftDeleteAllObjectRecords; "
                "remove them or drop readOnly"
            )
        if not self.canReadAllObjectRecords and self.canUpdateAllObjectRecords:
            raise ValueError("canUpdateAllObjectRecords needs canReadAllObjectRecords")
        return self

    def create_role_input(self) -> dict[str, Any]:
        """CreateRoleInput for /metadata (metadata-introspection.json)."""
        return {
            "label": self.label,
            "description": self.description,
            "canReadAllObjectRecords": self.canReadAllObjectRecords,
            "canUpdateAllObjectRecords": self.canUpdateAllObjectRecords,
            "canSoftDeleteAllObjectRecords": self.canSoftDeleteAllObjectRecords,
            "canDestroyAllObjectRecords": False,
            "canUpdateAllSettings": False,
            "canAccessAllTools": self.canAccessAllTools,
            "canBeAssignedToAgents": True,
            "canBeAssignedToUsers": False,
            "canBeAssignedToApiKeys": False,
        }


class ResponseFormat(_Strict):
    type: Literal["text", "json"] = "text"
    schema_: dict[str, Any] | None = Field(None, alias="schema")

    @model_validator(mode="after")
    def _schema_for_json(self) -> ResponseFormat:
        if self.type == "json" and not self.schema_:
            raise ValueError("responseFormat type json needs a `schema` (an object JSON schema)")
        return self


class ToolSwitch(_Strict):
    enabled: bool
    configuration: dict[str, Any] | None = None


class ModelConfiguration(_Strict):
    """2.21's agent modelConfiguration (twenty-shared ModelConfiguration). There is no per-agent
    reasoning setting in 2.21: reasoning options are set per model, and only for Anthropic and
    Bedrock (ai-model-config.service.ts); an OpenAI-compatible deployment uses its own default."""

    webSearch: ToolSwitch | None = None
    twitterSearch: ToolSwitch | None = None


class AgentManifest(_Named):
    label: str
    description: str = ""
    icon: str = "IconRobot"
    model: str = Field(description="model id, or `${stack.<key>}` to take it from the stack settings")
    prompt: str = Field(min_length=20)
    role: AgentRole
    responseFormat: ResponseFormat = Field(default_factory=ResponseFormat)
    modelConfiguration: ModelConfiguration = Field(default_factory=ModelConfiguration)


    @field_validator("model")
    @classmethod
    def _model(cls, value: str) -> str:
        return _check_stack_refs_only(value, "model")

    @property
    def universal_identifier(self) -> str:
        return stable_uuid("agent", self.name)

    @property
    def twenty_name(self) -> str:
        """The agent's key inside Twenty. 2.21 ships a standard agent named `helper` and agent names
        are unique per workspace, so ours carry a prefix; manifests and workflows use `name`."""
        return AGENT_NAME_PREFIX + self.name

    def create_agent_input(self, stack: Mapping[str, str], role_id: str | None) -> dict[str, Any]:
        """CreateAgentInput (metadata-introspection.json; example 141); `name` is the agent's key."""
        body: dict[str, Any] = {
            "name": self.twenty_name,
            "label": self.label,
            "icon": self.icon,
            "description": self.description,
            "prompt": self.prompt,
            "modelId": resolve_stack_refs(self.model, stack),
            "responseFormat": self.responseFormat.model_dump(by_alias=True, exclude_none=True),
        }
        config = self.modelConfiguration.model_dump(exclude_none=True)
        if config:
            body["modelConfiguration"] = config
        if role_id:
            body["roleId"] = role_id
        return body
