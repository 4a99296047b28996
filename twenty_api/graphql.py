"""GraphQL on /graphql and /metadata, including multipart uploads: TwentyClient's GraphQL family."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from twenty_api.errors import TwentyRateLimitError, TwentyServerError, error_from_graphql
from twenty_api.operations import Operation
from twenty_api.transport import ClientCore, Multipart, _dumps

_MUTATION_RE = re.compile(r"(?<![A-Za-z0-9_])(mutation|subscription)(?![A-Za-z0-9_])")


def _is_mutation(query: str) -> bool:
    """Conservative: any ``mutation`` keyword (outside comments) makes the document a write, so a
    query is at worst not retried, and a write is never retried by mistake."""
    without_comments = re.sub(r"#[^\n]*", "", query)
    return bool(_MUTATION_RE.search(without_comments))


class GraphQLMixin(ClientCore):
    """``graphql`` and ``graphql_upload``, both on the one transport path (``_send``)."""

    async def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        endpoint: Literal["graphql", "metadata"] = "graphql",
        *,
        safe: bool | None = None,
    ) -> dict[str, Any]:
        """Run a GraphQL document on ``/graphql`` (records) or ``/metadata`` (schema, keys, apps).

        Returns ``data``. Raises a TwentyGraphQLError subclass when ``errors`` is present, even
        with HTTP 200 (rate limit → TwentyRateLimitError too; API key refused where a user is
        needed → TwentyUserSessionRequired too). Queries are retried; mutations only when
        Twenty refused them before running anything. ``safe=True`` marks a mutation that changes
        nothing and may be repeated (a plan: ``syncApplication(dryRun: true)``).
        """
        if endpoint not in ("graphql", "metadata"):
            raise ValueError(f"endpoint must be 'graphql' or 'metadata', got {endpoint!r}")
        if not isinstance(query, str) or not query.strip():
            raise ValueError("graphql() needs a query string")
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        mutation = _is_mutation(query) if safe is None else not safe
        return await self._graphql_call(endpoint, mutation, json_body=payload)

    async def run(self, op: Operation, variables: dict[str, Any] | None = None) -> Any:
        """Run a named operation (``twenty_api.operations``) and return the value under its root
        field. Reads are retried; a write only when Twenty refused it before running anything."""
        data = await self.graphql(op.document, variables, op.endpoint, safe=not op.writes)
        return data.get(op.root)

    async def graphql_upload(
        self,
        query: str,
        variables: dict[str, Any] | None,
        files: dict[str, tuple[str, bytes, str]],
        endpoint: Literal["graphql", "metadata"] = "metadata",
    ) -> dict[str, Any]:
        """A GraphQL multipart request (graphql-upload spec), as the twenty CLI sends
        ``uploadApplicationFile`` (example 195a): parts ``operations`` (the variables named in
        ``files`` set to null), ``map`` (``{"0": ["variables.file"]}``) and one part per file.

        ``files`` maps a variable path to ``(filename, content, content_type)``, e.g.
        ``{"variables.file": ("hello.mjs", b"...", "application/octet-stream")}``. An upload is
        a mutation: never retried once it may have reached the server.
        """
        if endpoint not in ("graphql", "metadata"):
            raise ValueError(f"endpoint must be 'graphql' or 'metadata', got {endpoint!r}")
        if not isinstance(query, str) or not query.strip():
            raise ValueError("graphql_upload() needs a query string")
        if not files:
            raise ValueError("graphql_upload() needs at least one file")
        operation_vars: dict[str, Any] = json.loads(_dumps(variables or {}))
        mapping: dict[str, list[str]] = {}
        parts: list[tuple[str, tuple[str, bytes, str]]] = []
        for index, (var_path, (filename, content, content_type)) in enumerate(files.items()):
            head, _, name = var_path.partition(".")
            if head != "variables" or not name or "." in name:
                raise ValueError(f"file variable path {var_path!r} must look like 'variables.file'")
            if not isinstance(content, bytes | bytearray):
                raise TypeError(f"content of {filename!r} must be bytes")
            operation_vars[name] = None
            mapping[str(index)] = [var_path]
            parts.append((str(index), (filename, bytes(content), content_type)))
        form = {
            "operations": _dumps({"query": query, "variables": operation_vars}).decode(),
            "map": json.dumps(mapping),
        }
        return await self._graphql_call(endpoint, True, multipart=(form, parts))

    async def _graphql_call(
        self,
        endpoint: str,
        mutation: bool,
        *,
        json_body: Any = None,
        multipart: Multipart | None = None,
    ) -> dict[str, Any]:
        path = f"/{endpoint}"
        paced = endpoint == "graphql"

        async def once() -> dict[str, Any]:
            status, body = await self._send(
                "POST", path, json_body=json_body, multipart=multipart, paced=paced
            )
            if not isinstance(body, dict):
                raise TwentyServerError(
                    f"Twenty's GraphQL answer on {path} is not JSON",
                    status=status,
                    messages=[str(body)[:300]],
                )
            errors = body.get("errors")
            if errors:
                err = error_from_graphql(
                    errors, status=status, endpoint=endpoint, used_api_key=not self.is_user_session, body=body
                )
                data = body.get("data")
                if mutation and isinstance(data, dict) and any(v is not None for v in data.values()):
                    err.retryable = False  # type: ignore[attr-defined]  # part of it ran: never repeat
                if isinstance(err, TwentyRateLimitError) and self.pacer is not None and paced:
                    self.pacer.drain()
                raise err
            data = body.get("data")
            return data if isinstance(data, dict) else {}

        return await self._with_retries(once, method="POST", path=path, safe=not mutation)
