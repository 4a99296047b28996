"""Client configuration from the environment (pydantic-settings)."""

from __future__ import annotations

from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from twenty_api.urls import normalize_base_url


class TwentySettings(BaseSettings):
    """``TWENTY_API_URL`` (with or without ``/rest``), ``TWENTY_API_KEY`` or ``TWENTY_ACCESS_TOKEN``,
    and optional tuning: ``TWENTY_TIMEOUT``, ``TWENTY_MAX_RETRIES``, ``TWENTY_RATE_LIMIT``
    (``0``/``off`` disables the pacer), ``TWENTY_RATE_WINDOW``, ``TWENTY_SCHEMA_TTL``."""

    model_config = SettingsConfigDict(env_prefix="TWENTY_", extra="ignore", populate_by_name=True)

    api_url: str = Field(description="Base URL of the Twenty server, e.g. https://crm.example.com")
    api_key: SecretStr | None = Field(default=None, description="Twenty API key (Bearer)")
    access_token: SecretStr | None = Field(default=None, description="A user session's access token")
    timeout: float = Field(default=30.0, gt=0)
    max_retries: int = Field(default=4, ge=0, le=20)
    rate_limit: int | None = Field(default=100, description="Requests per window; None/0 disables")
    rate_window: float = Field(default=60.0, gt=0)
    schema_ttl: float = Field(default=300.0, ge=0)

    @field_validator("api_url")
    @classmethod
    def _normalise_url(cls, value: str) -> str:
        return normalize_base_url(value)

    @field_validator("rate_limit", mode="before")
    @classmethod
    def _rate_limit_off(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in ("", "0", "none", "off", "false"):
            return None
        if value == 0:
            return None
        return value

    @model_validator(mode="after")
    def _one_credential(self) -> TwentySettings:
        if self.api_key is not None and not self.api_key.get_secret_value().strip():
            self.api_key = None
        if self.access_token is not None and not self.access_token.get_secret_value().strip():
            self.access_token = None
        return self
