"""The Starlette application: routing plus the request log, faults and error rendering."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import contract_data
from .errors import GraphQLError, TwentyHttpError
from .events import Events
from .graphql_routes import routes as graphql_routes
from .mcp import TwentyMcp
from .oauth import routes as oauth_routes
from .responses import GRAPHQL_CONTENT_TYPE, json_response
from .rest_core import RestCore
from .rest_metadata import RestMetadata
from .runtime import LoggedRequest, Runtime

Handler = Callable[[Request], Awaitable[Response]]
ALL = ["GET", "POST", "PATCH", "PUT", "DELETE"]

FAULT_BODIES: dict[int, dict[str, object]] = {
    429: {
        "statusCode": 429,
        "error": "HttpException",
        "messages": ["Limit reached (100 tokens per 60000 ms)"],
    },
    500: {"statusCode": 500, "error": "InternalServerErrorException", "messages": ["Internal server error"]},
    502: {"statusCode": 502, "error": "BadGatewayException", "messages": ["Bad Gateway"]},
    503: {"statusCode": 503, "error": "ServiceUnavailableException", "messages": ["Service Unavailable"]},
    504: {"statusCode": 504, "error": "GatewayTimeoutException", "messages": ["Gateway Timeout"]},
}


def _wrap(handler: Handler) -> Handler:
    """Render TwentyHttpError / GraphQLError raised anywhere in a handler."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except TwentyHttpError as err:
            return json_response(err.body, err.status)
        except GraphQLError as err:
            body: dict[str, object] = {"errors": [err.error_entry()]}
            if err.null_data is True:
                body["data"] = None
            return json_response(body, err.status, GRAPHQL_CONTENT_TYPE)

    return endpoint


class FaultAndLogMiddleware:
    """Logs every request, then applies injected latency, failures and dropped connections."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.rt = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = scope["path"]
        self.rt.requests.append(LoggedRequest(scope["method"], path, self.rt.auth_kind(request)))
        faults = self.rt.faults
        if faults.latency:
            await asyncio.sleep(faults.latency)
        drop = faults.take_drop(path)
        if drop == "after":
            await self.app(scope, receive, _swallow)
        if drop is not None:
            # Start an answer promising a body, then abort: the client sees the connection die.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"1000"), (b"content-type", b"application/json")],
                }
            )
            raise ConnectionAbortedError("fake_twenty: dropped connection (fault injection)")
        status = faults.take_failure(path)
        if status is not None:
            body = FAULT_BODIES.get(
                status, {"statusCode": status, "error": "Error", "messages": ["Injected"]}
            )
            await json_response(body, status)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _swallow(message: Message) -> None:
    """An ASGI ``send`` that discards the answer (the request was still fully processed)."""


def build_app(runtime: Runtime) -> Starlette:
    events = Events(runtime)
    rest = RestCore(runtime, events)
    meta = RestMetadata(runtime)
    routes = [
        *graphql_routes(runtime, events, _wrap),
        *oauth_routes(runtime, _wrap),
        Route("/rest/metadata/objects", _wrap(meta.objects), methods=["GET", "POST"]),
        Route("/rest/metadata/objects/{object_id}", _wrap(meta.one_object), methods=["GET"]),
        Route("/rest/metadata/fields", _wrap(meta.fields), methods=["GET", "POST"]),
        Route("/rest/metadata/fields/{field_id}", _wrap(meta.one_field), methods=["GET", "PATCH", "PUT"]),
        Route("/rest/metadata/webhooks", _wrap(meta.webhooks), methods=["GET", "POST"]),
        Route(
            "/rest/metadata/webhooks/{webhook_id}",
            _wrap(meta.one_webhook),
            methods=["GET", "PATCH", "PUT", "DELETE"],
        ),
        Route("/rest/open-api/{kind}", _wrap(_open_api(runtime)), methods=["GET"]),
        Route("/mcp", _wrap(TwentyMcp(runtime).endpoint), methods=["GET", "POST", "DELETE"]),
        Route("/rest/batch/{plural}", _wrap(rest.batch), methods=["POST"]),
        Route("/rest/restore/{rest:path}", _wrap(rest.restore), methods=["PATCH", "PUT"]),
        Route("/rest/{plural}/duplicates", _wrap(rest.duplicates), methods=["POST"]),
        Route("/rest/{plural}/merge", _wrap(rest.merge), methods=["PATCH", "PUT"]),
        Route("/rest/{plural}/groupBy", _wrap(rest.group_by), methods=["GET"]),
        Route("/rest/{plural}/{record_id}/duplicate", _wrap(rest.duplicate_dashboard), methods=["POST"]),
        Route("/rest/{plural}/{record_id}", _wrap(rest.item), methods=ALL),
        Route("/rest/{plural}", _wrap(rest.collection), methods=ALL),
        Route("/rest/{rest:path}", _wrap(rest.invalid), methods=ALL),
        Route("/healthz", _wrap(_health), methods=["GET"]),
        Route("/client-config", _wrap(_client_config(runtime)), methods=["GET"]),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(FaultAndLogMiddleware, runtime=runtime)
    return app


def _open_api(runtime: Runtime) -> Handler:
    """The captured OpenAPI documents; without a token 2.21 answers a small stub (README)."""

    async def endpoint(request: Request) -> Response:
        kind = request.path_params["kind"]
        if kind not in ("core", "metadata"):
            raise TwentyHttpError.not_found(f"Cannot GET /rest/open-api/{kind}")
        if request.headers.get("authorization") or "token" in request.query_params:
            runtime.authenticate(request)  # 403 for ?token= as in 2.21: only the header counts
            document = f"openapi-{kind}.json"
        else:
            document = "openapi-core-unauthenticated-stub.json"
        body = contract_data.read_bytes(document)
        return Response(body, headers={"content-type": "application/json; charset=utf-8"})

    return endpoint


# What an OpenAI provider makes `aiModels` list in 2.21 (client-config.service.ts): the two
# auto-select entries first, then each model; without a provider the list is empty.
FAKE_AI_MODELS = ("gpt-4o-mini", "gpt-4o")


def _client_config(runtime: Runtime) -> Handler:
    """``GET /client-config`` (public): only ``aiModels`` and ``appVersion`` are modelled."""

    async def endpoint(request: Request) -> Response:
        models: list[dict[str, Any]] = []
        if runtime.ai_configured:
            auto = [
                {"modelId": m, "label": m, "providerName": "openai", "isRecommended": False}
                for m in ("default-smart-model", "default-fast-model")
            ]
            models = auto + [
                {"modelId": m, "label": m, "providerName": "openai", "isRecommended": True}
                for m in FAKE_AI_MODELS
            ]
        return json_response({"appVersion": "2.21.0", "aiModels": models})

    return endpoint


async def _health(request: Request) -> Response:
    return json_response({"status": "ok"})
