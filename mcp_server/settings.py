"""Server settings, read from the environment (pydantic-settings)."""

from __future__ import annotations

import os
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from twenty_api.settings import TwentySettings

ALL_GROUPS = (
    "core",
    "records",
    "workflows",
    "pipeline",
    "dashboards",
    "views",
    "analytics",
    "activities",
    "messaging",
    "workspace",
    "schema",
    "webhooks",
)


def split_list(value: str | list[str] | None) -> list[str]:
    """Comma- or whitespace-separated env value -> clean list."""
    if value is None:
        return []
    items = value if isinstance(value, list) else value.replace(",", " ").split()
    return [item.strip() for item in items if item.strip()]


class ServerSettings(BaseModel):
    """Everything the MCP server reads from its environment (field name upper-cased, e.g.
    MCP_READ_ONLY). How to reach Twenty is `twenty`: the one model of it (twenty_api.settings,
    TWENTY_API_URL, TWENTY_API_KEY, TWENTY_USER_EMAIL/PASSWORD). Keyword arguments win over the
    environment. Secrets stay SecretStr.

    A plain model rather than pydantic-settings: its import alone costs ~60 ms of cold start.
    """

    model_config = ConfigDict(extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        given = dict(data) if isinstance(data, dict) else {}
        for name in cls.model_fields:
            value = os.environ.get(name.upper())
            if name not in given and value is not None:
                given[name] = value
        return given

    twenty: TwentySettings = Field(default_factory=TwentySettings)

    mcp_read_only: bool = False
    mcp_allowed_objects: str = ""
    mcp_tool_groups: str = "all"
    mcp_schema_ttl: float = Field(default=3600.0, gt=0)

    mcp_public_url: str | None = None
    mcp_sealing_key: SecretStr | None = None
    mcp_sealing_keys_old: SecretStr | None = None
    mcp_admin_token: SecretStr | None = None
    mcp_primer_path: str | None = None
    mcp_state_bucket: str | None = None  # the durable store: primer + OAuth state (GCS bucket)
    mcp_access_token_ttl: int = Field(default=3600, gt=0)
    mcp_twenty_oauth: bool = True  # OAuth on: offer "Sign in with Twenty" (we are its OAuth client)
    mcp_twenty_client_id: str | None = None  # Twenty OAuth client_id; unset: registered at first use
    mcp_call_deadline: float = Field(default=60.0, gt=0)  # seconds per tool call: pacing + attempts + backoff
    mcp_first_request_timeout: float = Field(default=10.0, gt=0)  # a silent connection is closed after it
    mcp_max_connections: int = Field(default=200, gt=0)  # connections + requests; beyond: 503
    mcp_forwarded_for: bool = False  # trust the last X-Forwarded-For entry (behind Cloud Run's front end)
    mcp_webhooks_allow_private: bool = False  # allow webhooks to loopback/private/link-local targets

    @field_validator("mcp_tool_groups")
    @classmethod
    def _known_groups(cls, value: str) -> str:
        groups = split_list(value)
        unknown = [g for g in groups if g != "all" and g not in ALL_GROUPS]
        if unknown:
            raise ValueError(
                f"MCP_TOOL_GROUPS names unknown group(s) {unknown}; known: all, {', '.join(ALL_GROUPS)}"
            )
        return value

    @property
    def allowed_objects(self) -> frozenset[str] | None:
        names = split_list(self.mcp_allowed_objects)
        return frozenset(n.lower() for n in names) if names else None

    @property
    def tool_groups(self) -> frozenset[str]:
        groups = split_list(self.mcp_tool_groups)
        if not groups or "all" in groups:
            return frozenset(ALL_GROUPS)
        return frozenset(groups) | {"core"}
