"""Webhooks (``/rest/metadata/webhooks``): TwentyClient's webhooks family."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from twenty_api.args import _id
from twenty_api.errors import TwentyError
from twenty_api.operations import mutation
from twenty_api.transport import ClientCore

# GraphQL: 2.21's REST webhook PATCH does not take every field the metadata mutation does
UPDATE_WEBHOOK = mutation(
    "updateWebhook",
    "mutation UpdateWebhook($input: UpdateWebhookInput!) { updateWebhook(input: $input) "
    "{ id targetUrl operations description } }",
)


class WebhooksMixin(ClientCore):
    """List, register and delete webhooks."""

    async def list_webhooks(self) -> list[dict[str, Any]]:
        body = await self._rest("GET", "/rest/metadata/webhooks", safe=True)
        if isinstance(body, dict) and isinstance(body.get("data"), list):
            return body["data"]
        if not isinstance(body, list):
            raise TwentyError(f"Twenty's webhook list has an unexpected shape: {str(body)[:300]}")
        return body

    async def create_webhook(
        self,
        target_url: str,
        operations: Sequence[str],
        description: str | None = None,
        secret: str | None = None,
    ) -> dict[str, Any]:
        """Register a webhook (``operations`` like ``["person.created", "company.*"]``). The answer
        carries the signing ``secret`` (Twenty generates one when none is given)."""
        ops = [operations] if isinstance(operations, str) else list(operations)
        if not ops:
            raise ValueError(
                "create_webhook needs at least one operation, e.g. ['person.created'] or ['*.*']"
            )
        for op in ops:
            if not re.match(r"^(\*|[A-Za-z][A-Za-z0-9]*)\.(\*|[A-Za-z][A-Za-z0-9]*)$", op):
                raise ValueError(f"webhook operation {op!r} must look like 'person.created' or 'company.*'")
        payload: dict[str, Any] = {"targetUrl": target_url, "operations": ops}
        if description is not None:
            payload["description"] = description
        if secret is not None:
            payload["secret"] = secret
        body = await self._rest("POST", "/rest/metadata/webhooks", json_body=payload, safe=False)
        if isinstance(body, dict) and isinstance(body.get("data"), dict) and "id" not in body:
            return next(iter(body["data"].values()))
        return body

    async def delete_webhook(self, id: str) -> bool:
        body = await self._rest("DELETE", f"/rest/metadata/webhooks/{_id(id)}", safe=True)
        return body is True or body == "true" or isinstance(body, dict)
