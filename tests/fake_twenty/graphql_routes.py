"""HTTP routes for ``/graphql``, ``/metadata``, workflow webhook triggers and ``/s/<path>`` routes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .errors import GraphQLError, TwentyHttpError
from .events import Events
from .graphql_core import CoreResolvers, graphql_context
from .metadata_graphql import MetadataContext, MetadataResolvers
from .responses import GRAPHQL_CONTENT_TYPE, REST_CONTENT_TYPE, json_response
from .runtime import Runtime, bearer_token


async def read_graphql_request(request: Request) -> tuple[str, dict[str, Any], str | None, dict[str, bytes]]:
    """(query, variables, operationName, uploaded files by variable path) from JSON or multipart."""
    content_type = request.headers.get("content-type", "")
    files: dict[str, bytes] = {}
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        operations = json.loads(str(form.get("operations") or "{}"))
        mapping = json.loads(str(form.get("map") or "{}"))
        for key, paths in mapping.items():
            upload = form.get(key)
            if isinstance(upload, UploadFile):
                data = await upload.read()
                for path in paths:
                    files[path] = data
                    _set_path(operations, path, upload.filename or key)
    else:
        try:
            operations = json.loads(await request.body() or b"{}")
        except ValueError as exc:
            raise GraphQLError(f"Invalid JSON body: {exc}", null_data=False) from exc
    if not isinstance(operations, dict) or not isinstance(operations.get("query"), str):
        raise GraphQLError("Must provide query string.", null_data=False)
    return operations["query"], operations.get("variables") or {}, operations.get("operationName"), files


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node: Any = target
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    if isinstance(node, list):
        node[int(parts[-1])] = value
    else:
        node[parts[-1]] = value


def routes(runtime: Runtime, events: Events, wrap: Callable[[Any], Any]) -> list[Route]:
    core = CoreResolvers(runtime, events)
    meta = MetadataResolvers(runtime, events)

    async def graphql(request: Request) -> Response:
        principal = runtime.authenticate(request)
        query_text, variables, op_name, _ = await read_graphql_request(request)
        ctx = graphql_context(runtime, principal)
        status, body = core.executor().execute(query_text, variables, op_name, ctx)
        content_type = GRAPHQL_CONTENT_TYPE if "data" in body else REST_CONTENT_TYPE
        return json_response(body, status, content_type)

    async def metadata(request: Request) -> Response:
        token = bearer_token(request)
        principal = runtime.principal_for(token) if token else None
        if token and principal is None:
            runtime.authenticate(request)  # raises Twenty's answer for an unknown token
        query_text, variables, op_name, files = await read_graphql_request(request)
        ctx = MetadataContext(runtime, principal, files)
        status, body = meta.executor().execute(query_text, variables, op_name, ctx)
        return json_response(body, status)

    async def webhook_trigger(request: Request) -> Response:
        raw = await request.body()
        try:
            payload = json.loads(raw) if raw else {}
        except ValueError:
            payload = {}
        with runtime.lock:
            answer = events.workflows.webhook_trigger(
                request.path_params["workspace_id"], request.path_params["workflow_id"], payload
            )
        return json_response(answer, 201 if request.method == "POST" else 200)

    async def route_trigger(request: Request) -> Response:
        with runtime.lock:
            answer = meta.apps.route_call(request.method, "/" + request.path_params["path"], request)
        return json_response(answer)

    return [
        Route("/graphql", wrap(graphql), methods=["POST"]),
        Route("/metadata", wrap(metadata), methods=["POST"]),
        Route(
            "/webhooks/workflows/{workspace_id}/{workflow_id}",
            wrap(webhook_trigger),
            methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        ),
        Route("/s/{path:path}", wrap(route_trigger), methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]


__all__ = ["TwentyHttpError", "routes"]
