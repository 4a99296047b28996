"""``apps.yaml``: the index of twenty-sdk app folders, their custom objects and secrets."""

from __future__ import annotations

import re

from pydantic import (
    Field,
    field_validator,
)

from deploy.manifests.common import ENV_KEY_RE, SECRET_NAME_RE, _check_stack_refs_only, _Named, _Strict


class AppEntry(_Named):
    path: str = Field(description="folder under apps/ holding the twenty-sdk app")
    description: str = ""
    objects: list[str] = Field(default_factory=list, description="custom objects (singular API name)")
    secrets: dict[str, str] = Field(
        default_factory=dict,
        description="secret application variable -> Secret Manager secret id",
    )
    settings: dict[str, str] = Field(
        default_factory=dict,
        description="plain application variable -> value, usually `${stack.<key>}`; deploy keeps it set "
        "(a reference to a setting the stack does not have leaves the app's value alone)",
    )


    @field_validator("objects")
    @classmethod
    def _objects(cls, value: list[str]) -> list[str]:
        for obj in value:
            if not re.match(r"^[a-z][A-Za-z0-9]*$", obj):
                raise ValueError(f"object {obj!r} must be a camelCase singular API name, e.g. websiteLead")
        return value

    @field_validator("secrets")
    @classmethod
    def _secrets(cls, value: dict[str, str]) -> dict[str, str]:
        for key, secret in value.items():
            if not ENV_KEY_RE.match(key):
                raise ValueError(f"variable {key!r} must be UPPER_SNAKE_CASE like the app declares it")
            if not SECRET_NAME_RE.match(secret):
                raise ValueError(
                    f"{key}: {secret!r} is not a Secret Manager secret id (letters, digits, - and _); "
                    "write the secret's NAME here, never its value"
                )
        return value

    @field_validator("settings")
    @classmethod
    def _settings(cls, value: dict[str, str]) -> dict[str, str]:
        for key, text in value.items():
            if not ENV_KEY_RE.match(key):
                raise ValueError(f"variable {key!r} must be UPPER_SNAKE_CASE like the app declares it")
            _check_stack_refs_only(text, key)
        return value


class AppsIndex(_Strict):
    apps: list[AppEntry]
