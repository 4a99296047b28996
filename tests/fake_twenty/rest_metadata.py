"""``/rest/metadata/objects|fields|webhooks`` — the REST face of the metadata API."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import metadata
from .errors import TwentyHttpError
from .query import parse_limit
from .responses import json_response
from .runtime import Runtime


def _page(items: list[dict[str, Any]], params: Any, key: str) -> dict[str, Any]:
    """2.21 pages metadata lists with raw ids as cursors (examples 006, 121)."""
    limit = parse_limit(params.get("limit")) if params.get("limit") else len(items) or 1
    after = params.get("starting_after")
    start = 0
    if after:
        ids = [i["id"] for i in items]
        start = ids.index(after) + 1 if after in ids else 0
    chosen = items[start : start + limit]
    return {
        "data": {key: chosen},
        "pageInfo": {
            "hasNextPage": start + len(chosen) < len(items),
            "startCursor": chosen[0]["id"] if chosen else None,
            "endCursor": chosen[-1]["id"] if chosen else None,
        },
        "totalCount": len(items),
    }


class RestMetadata:
    def __init__(self, runtime: Runtime) -> None:
        self.rt = runtime

    async def _body(self, request: Request) -> dict[str, Any]:
        raw = await request.body()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError as exc:
            raise TwentyHttpError.bad_request(f"Invalid JSON body: {exc}") from exc
        if not isinstance(data, dict):
            raise TwentyHttpError.bad_request("A JSON object is expected")
        return data

    async def objects(self, request: Request) -> Response:
        self.rt.authenticate(request)
        store = self.rt.store
        with self.rt.lock:
            if request.method == "POST":
                obj = metadata.create_object(store, await self._body(request))
                return json_response({"data": {"createOneObject": obj.raw}}, 201)
            items = [o.raw for o in store.schema.objects.values()]
            return json_response(_page(items, request.query_params, "objects"))

    async def one_object(self, request: Request) -> Response:
        self.rt.authenticate(request)
        obj = self.rt.store.schema.by_id(request.path_params["object_id"])
        if obj is None:
            raise TwentyHttpError.not_found("Object not found")
        return json_response({"data": {"object": obj.raw}})

    def _all_fields(self) -> list[dict[str, Any]]:
        fields = [f for o in self.rt.store.schema.objects.values() for f in o.raw["fields"]]
        return sorted(fields, key=lambda f: f["id"], reverse=True)

    async def fields(self, request: Request) -> Response:
        self.rt.authenticate(request)
        with self.rt.lock:
            if request.method == "POST":
                fm = metadata.create_field(self.rt.store, await self._body(request))
                return json_response({"data": {"createOneField": fm.raw}}, 201)
            return json_response(_page(self._all_fields(), request.query_params, "fields"))

    async def one_field(self, request: Request) -> Response:
        self.rt.authenticate(request)
        field_id = request.path_params["field_id"]
        with self.rt.lock:
            for f in self._all_fields():
                if f["id"] == field_id:
                    if request.method in ("PATCH", "PUT"):
                        f.update({k: v for k, v in (await self._body(request)).items() if k != "id"})
                        return json_response({"data": {"updateOneField": f}})
                    return json_response({"data": {"field": f}})
        raise TwentyHttpError.not_found("Field not found")

    async def webhooks(self, request: Request) -> Response:
        self.rt.authenticate(request)
        with self.rt.lock:
            if request.method == "POST":
                return json_response(metadata.create_webhook(self.rt.store, await self._body(request)), 201)
            return json_response(metadata.list_webhooks(self.rt.store))

    async def one_webhook(self, request: Request) -> Response:
        self.rt.authenticate(request)
        hook_id = request.path_params["webhook_id"]
        store = self.rt.store
        with self.rt.lock:
            if request.method == "DELETE":
                metadata.delete_webhook(store, hook_id)
                return json_response(True)
            if request.method in ("PATCH", "PUT"):
                return json_response(metadata.update_webhook(store, hook_id, await self._body(request)))
            return json_response(metadata.get_webhook(store, hook_id))
