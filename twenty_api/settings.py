"""How to reach Twenty, from the environment: the one settings model every caller reads.

``TWENTY_API_URL`` (with or without ``/rest``), ``TWENTY_API_KEY`` or ``TWENTY_ACCESS_TOKEN``, a
user for what 2.21 refuses to API keys (``TWENTY_USER_EMAIL`` / ``TWENTY_USER_PASSWORD``), and
optional tuning: ``TWENTY_TIMEOUT``, ``TWENTY_MAX_RETRIES``, ``TWENTY_RATE_LIMIT`` (``0``/``off``
disables the pacer), ``TWENTY_RATE_WINDOW``, ``TWENTY_SCHEMA_TTL``. Read by the MCP server
(mcp_server/settings.py), ``inv deploy`` (deploy/target.py) and ``TwentyClient.from_settings``.

A plain pydantic model that reads ``os.environ`` itself: pydantic-settings' import alone costs
~60 ms of the MCP server's cold start. Keyword arguments win over the environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from twenty_api.urls import normalize_base_url

ENV_PREFIX = "TWENTY_"


class TwentySettings(BaseModel):
    model_config = ConfigDict(extra="ignore")

    api_url: str | None = Field(default=None, description="Twenty's base URL, e.g. https://crm.example.com")
    api_key: SecretStr | None = Field(default=None, description="Twenty API key (Bearer)")
    access_token: SecretStr | None = Field(default=None, description="A user session's access token")
    user_email: str | None = Field(default=None, description="A user, for calls 2.21 refuses to API keys")
    user_password: SecretStr | None = None
    timeout: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=20)
    rate_limit: int | None = Field(default=100, description="Requests per window; None/0 disables")
    rate_window: float = Field(default=60.0, gt=0)
    schema_ttl: float = Field(default=300.0, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, data: Any) -> Any:
        given = dict(data) if isinstance(data, dict) else {}
        env = given.pop("_env", None)
        env = os.environ if env is None else env
        for name in cls.model_fields:
            value = env.get(ENV_PREFIX + name.upper())
            if name not in given and value is not None:
                given[name] = value
        return given

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> TwentySettings:
        """From ``env`` (default ``os.environ``); ``overrides`` win."""
        return cls(_env=env, **overrides)

    @field_validator("api_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        return normalize_base_url(value) if value else None

    @field_validator("rate_limit", mode="before")
    @classmethod
    def _rate_limit_off(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("", "0", "none", "off", "false"):
            return None
        if value == 0:
            return None
        return value

    @model_validator(mode="after")
    def _blank_is_unset(self) -> TwentySettings:
        for name in ("api_key", "access_token", "user_password"):
            secret = getattr(self, name)
            if secret is not None and not secret.get_secret_value().strip():
                setattr(self, name, None)
        if self.user_email is not None and not self.user_email.strip():
            self.user_email = None
        return self

    @property
    def has_user(self) -> bool:
        return bool(self.user_email and self.user_password)
