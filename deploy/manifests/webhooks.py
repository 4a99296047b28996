"""``webhooks.yaml``: outbound Twenty webhooks (target URL, operations)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import (
    Field,
    field_validator,
)

from deploy.manifests.common import (
    SECRET_NAME_RE,
    STACK_REF_RE,
    _check_stack_refs_only,
    _Named,
    _Strict,
    check_url,
    resolve_stack_refs,
)


class WebhookManifest(_Named):
    description: str = ""
    targetUrl: str
    operations: list[str] = Field(min_length=1)
    secret: str | None = Field(None, description="Secret Manager secret id holding the signing secret")


    @field_validator("targetUrl")
    @classmethod
    def _url(cls, value: str) -> str:
        _check_stack_refs_only(value, "targetUrl")
        if STACK_REF_RE.fullmatch(value):
            return value  # the whole URL comes from the stack; checked again once resolved
        check_url(STACK_REF_RE.sub("example.invalid", value), value)
        return value

    def resolved_url(self, stack: Mapping[str, str]) -> str:
        url = resolve_stack_refs(self.targetUrl, stack)
        check_url(url, f"{self.targetUrl} = {url}")
        return url

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: str | None) -> str | None:
        if value is not None and not SECRET_NAME_RE.match(value):
            raise ValueError(f"secret {value!r} must be a Secret Manager secret id, never the secret itself")
        return value

    def create_input(self, stack: Mapping[str, str], secret_value: str | None) -> dict[str, Any]:
        """Body for POST /rest/metadata/webhooks (example 130)."""
        body: dict[str, Any] = {
            "targetUrl": self.resolved_url(stack),
            "operations": list(self.operations),
            "description": self.description or f"[twenty-gcp:{self.name}]",
        }
        if secret_value is not None:
            body["secret"] = secret_value
        return body


class WebhooksFile(_Strict):
    webhooks: list[WebhookManifest] = Field(default_factory=list)
