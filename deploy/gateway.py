"""Every Twenty call the reconciler makes, over the one client (`twenty_api`), counted.

The reconciler names an operation from `twenty_api` (`twenty_api.agents.CREATE_AGENT`, …) and
runs it here with `read`/`write`/`plan`; the gateway counts the calls and the writes it sends so
the report (and the tests) can prove a no-change deploy writes nothing. No GraphQL is written here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from twenty_api.applications import UPLOAD_APPLICATION_FILE
from twenty_api.operations import Operation


class Client(Protocol):  # the part of twenty_api.TwentyClient the reconciler uses
    async def run(self, op: Operation, variables: dict[str, Any] | None = None) -> Any: ...


class Gateway:
    def __init__(self, client: Any, *, user_client: Any = None) -> None:
        self.client = client
        self.user_client = user_client
        self.writes: Counter[str] = Counter()
        self.calls = 0

    async def read(self, op: Operation, variables: dict[str, Any] | None = None, *,
                   as_user: bool = False) -> Any:
        """A read: the value under the operation's root field."""
        if op.writes:
            raise ValueError(f"{op.root} writes: send it with Gateway.write")
        self.calls += 1
        return await self._pick(as_user).run(op, variables)

    async def write(self, op: Operation, variables: dict[str, Any] | None = None, *,
                    as_user: bool = False) -> Any:
        """A write, counted under the operation's root field."""
        if not op.writes:
            raise ValueError(f"{op.root} does not write: send it with Gateway.read or Gateway.plan")
        self.calls += 1
        self.writes[op.root] += 1
        return await self._pick(as_user).run(op, variables)

    async def plan(self, op: Operation, variables: dict[str, Any] | None = None) -> Any:
        """A mutation that only plans (``syncApplication(dryRun: true)``): not a write, and safe to
        retry when Twenty or the network fails half-way."""
        if not op.safe:
            raise ValueError(f"{op.root} is not marked safe to repeat; a plan must change nothing")
        self.calls += 1
        return await self.client.run(op, variables)

    async def client_config(self) -> dict[str, Any]:
        self.calls += 1
        return await self.client.client_config()

    async def workspace_ai_settings(self) -> dict[str, Any]:
        self.calls += 1
        return await self.client.workspace_ai_settings()

    @property
    def write_count(self) -> int:
        return sum(self.writes.values())

    async def workspace_id(self) -> str:
        """`currentWorkspace` once (the client caches it)."""
        self.calls += 1
        return str(await self.client.workspace_id())

    def _pick(self, as_user: bool) -> Any:
        return self.user_client if as_user and self.user_client is not None else self.client

    # ---- REST through the client's own methods

    async def list_webhooks(self) -> list[dict[str, Any]]:
        self.calls += 1
        return await self.client.list_webhooks()

    async def create_webhook(self, body: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        self.writes["createWebhook"] += 1
        return await self.client.create_webhook(body["targetUrl"], body["operations"],
                                                body.get("description"), body.get("secret"))

    async def list_records(self, plural: str, *, filter: Any = None, as_user: bool = False,
                           limit: int = 200) -> list[dict[str, Any]]:
        self.calls += 1
        page = await self._pick(as_user).list_records(plural, filter=filter, limit=limit)
        return list(page.records)

    async def create_record(self, plural: str, data: dict[str, Any], *,
                            as_user: bool = False) -> dict[str, Any]:
        self.calls += 1
        self.writes[f"create:{plural}"] += 1
        return await self._pick(as_user).create_record(plural, data)

    async def update_record(self, plural: str, id: str, data: dict[str, Any], *,
                            as_user: bool = False) -> dict[str, Any]:
        self.calls += 1
        self.writes[f"update:{plural}"] += 1
        return await self._pick(as_user).update_record(plural, id, data)

    async def upload(self, variables: dict[str, Any], filename: str, content: bytes,
                     content_type: str) -> dict[str, Any]:
        """`uploadApplicationFile` as a GraphQL multipart request (app-sync/calls 05-07)."""
        self.calls += 1
        self.writes["uploadApplicationFile"] += 1
        return await self.client.graphql_upload(
            UPLOAD_APPLICATION_FILE.document, variables,
            {"variables.file": (filename, content, content_type)}, endpoint="metadata")
