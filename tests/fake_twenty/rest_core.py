"""``/rest/<plural>`` — the REST core API with 2.21's envelopes, limits and errors."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import Response

from . import filters, query
from .errors import TwentyHttpError, rate_limit_rest
from .events import Events
from .records import aggregate_groups, find_duplicates, merge_records, write_guard
from .responses import json_response
from .runtime import Principal, Runtime
from .schema import ObjectMeta
from .store import Store, is_uuid


def _parse_depth(raw: str | None) -> int:
    if raw is None or raw == "":
        return 0
    if raw not in ("0", "1"):
        raise TwentyHttpError.bad_request(f"'depth={raw}' parameter invalid. Allowed values are 0, 1")
    return int(raw)


def _parse_filter(raw: str | None, obj: ObjectMeta) -> filters.Node | None:
    if raw is None or raw.strip() == "":
        return None
    node = filters.parse_rest_filter(raw)
    filters.validate(node, obj)
    return node


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return {}
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise TwentyHttpError.bad_request(f"Invalid JSON body: {exc}") from exc


def _page_info(page: query.Page) -> dict[str, Any]:
    return {
        "startCursor": page.start_cursor,
        "endCursor": page.end_cursor,
        "hasNextPage": page.has_next_page,
        "hasPreviousPage": page.has_previous_page,
    }


def list_envelope(plural: str, records: list[dict[str, Any]], page: query.Page) -> dict[str, Any]:
    """``GET /rest/<plural>``: data, totalCount, pageInfo (example 023)."""
    return {"data": {plural: records}, "totalCount": page.total_count, "pageInfo": _page_info(page)}


class RestCore:
    def __init__(self, runtime: Runtime, events: Events) -> None:
        self.rt = runtime
        self.events = events

    @property
    def store(self) -> Store:
        return self.rt.store  # read each time: a reset replaces the store's contents

    def _begin(self, request: Request, plural: str) -> tuple[Principal, ObjectMeta]:
        principal = self.rt.authenticate(request)
        obj = self.store.object_for(plural)
        if not self.rt.take_rate_token(principal):
            raise rate_limit_rest(self.rt.limiter.message)
        return principal, obj

    # ---- collection ------------------------------------------------------------------------
    async def collection(self, request: Request) -> Response:
        plural = request.path_params["plural"]
        principal, obj = self._begin(request, plural)
        params = request.query_params
        with self.rt.lock:
            if request.method == "GET":
                return self._list(obj, params)
            if request.method == "POST":
                data = await _json_body(request)
                write_guard(obj, principal, data, creating=True)
                self._guard_blocklist(obj, data)
                record = self.store.create(obj, data, principal.actor)
                self._after_create(obj, record, principal)
                return json_response({"data": {f"create{obj.type_name}": record}}, 201)
            if request.method in ("PATCH", "PUT"):
                data = await _json_body(request)
                write_guard(obj, principal, data, creating=False)
                node = _parse_filter(params.get("filter"), obj)
                records = [self._update(obj, r["id"], data, principal) for r in self.store.select(obj, node)]
                return json_response({"data": {f"update{obj.plural_type_name}": records}})
            if request.method == "DELETE":
                return self._delete_many(obj, principal, params)
        raise TwentyHttpError.rest(
            405, "MethodNotAllowedException", f"Cannot {request.method} /rest/{plural}"
        )

    def _list(self, obj: ObjectMeta, params: Any) -> Response:
        depth = _parse_depth(params.get("depth"))
        node = _parse_filter(params.get("filter"), obj)
        order = query.parse_order_by(params.get("order_by"), obj)
        limit = query.parse_limit(params.get("limit"))
        page = query.paginate(
            self.store.select(obj, node),
            order,
            limit=limit,
            after=params.get("starting_after"),
            before=params.get("ending_before"),
        )
        records = self.store.expand(obj, page.records, depth)
        return json_response(list_envelope(obj.plural, records, page))

    def _delete_many(self, obj: ObjectMeta, principal: Principal, params: Any) -> Response:
        write_guard(obj, principal, {}, creating=False)
        node = _parse_filter(params.get("filter"), obj)
        if node is None:
            # Not captured; refusing beats deleting every record of the object.
            raise TwentyHttpError.bad_request("A filter is required to delete many records")
        soft = params.get("soft_delete") == "true"
        targets = self.store.select(obj, node, with_deleted=not soft)
        out = [self._delete(obj, r, soft) for r in targets]
        return json_response({"data": {f"delete{obj.plural_type_name}": out}})

    # ---- one record --------------------------------------------------------------------------
    async def item(self, request: Request) -> Response:
        plural = request.path_params["plural"]
        record_id = request.path_params["record_id"]
        principal, obj = self._begin(request, plural)
        params = request.query_params
        with self.rt.lock:
            if request.method == "GET":
                depth = _parse_depth(params.get("depth"))
                record = self.store.get(obj, record_id)
                return json_response({"data": {obj.singular: self.store.expand(obj, [record], depth)[0]}})
            if request.method in ("PATCH", "PUT"):
                data = await _json_body(request)
                write_guard(obj, principal, data, creating=False)
                record = self._update(obj, record_id, data, principal)
                return json_response({"data": {f"update{obj.type_name}": record}})
            if request.method == "DELETE":
                write_guard(obj, principal, {}, creating=False)
                soft = params.get("soft_delete") == "true"
                record = self.store.get(obj, record_id, with_deleted=not soft)
                out = self._delete(obj, record, soft)
                return json_response({"data": {f"delete{obj.type_name}": out}})
        raise TwentyHttpError.rest(405, "MethodNotAllowedException", f"Cannot {request.method} this path")

    async def batch(self, request: Request) -> Response:
        principal, obj = self._begin(request, request.path_params["plural"])
        items = await _json_body(request)
        if not isinstance(items, list):
            raise TwentyHttpError.bad_request("Batch create expects a JSON array of records")
        with self.rt.lock:
            for item in items:
                write_guard(obj, principal, item, creating=True)
                self._guard_blocklist(obj, item)
            records = self.store.create_many(obj, items, principal.actor)  # 2.21 enforces no batch cap
            for record in records:
                self._after_create(obj, record, principal)
        return json_response({"data": {f"create{obj.plural_type_name}": records}}, 201)

    async def restore(self, request: Request) -> Response:
        rest = request.path_params["rest"]
        if "/" in rest.strip("/"):
            # 2.21's parseCorePath rejects paths with more than two segments before it looks for
            # "restore", so restoring one record by id is broken (example 043).
            raise TwentyHttpError.bad_request(
                f"Query path '{unquote(request.url.path)}' invalid. Valid examples: /rest/companies/id "
                "or /rest/companies or /rest/batch/companies"
            )
        _, obj = self._begin(request, rest.strip("/"))
        with self.rt.lock:
            node = _parse_filter(request.query_params.get("filter"), obj)
            # No filter restores every record of the object, as 2.21 does (example 043c).
            targets = self.store.select(obj, node, with_deleted=True)
            out = [self.store.restore(obj, r) for r in targets]
        return json_response({"data": {f"restore{obj.plural_type_name}": out}})

    async def duplicates(self, request: Request) -> Response:
        _, obj = self._begin(request, request.path_params["plural"])
        body = await _json_body(request)
        with self.rt.lock:
            results = find_duplicates(self.store, obj, body)
        return json_response({"data": results})

    async def merge(self, request: Request) -> Response:
        principal, obj = self._begin(request, request.path_params["plural"])
        body = await _json_body(request)
        with self.rt.lock:
            record = merge_records(self.store, obj, body, principal)
        return json_response({"data": {f"merge{obj.type_name}": record}})

    async def group_by(self, request: Request) -> Response:
        _, obj = self._begin(request, request.path_params["plural"])
        params = request.query_params
        with self.rt.lock:
            node = _parse_filter(params.get("filter"), obj)
            rows = aggregate_groups(self.store, obj, node, params.get("group_by"), params.get("aggregate"))
        return json_response(rows)

    async def duplicate_dashboard(self, request: Request) -> Response:
        principal, obj = self._begin(request, request.path_params["plural"])
        if obj.plural != "dashboards":
            raise _invalid_path(request)
        with self.rt.lock:
            source = self.store.get(obj, request.path_params["record_id"])
            copy_data = {"title": f"{source.get('title') or ''} (Copy)", "pageLayoutId": str(uuid.uuid4())}
            record = self.store.create(obj, copy_data, principal.actor)
        keys = ("id", "title", "pageLayoutId", "position", "createdAt", "updatedAt")
        return json_response({k: record.get(k) for k in keys}, 201)

    async def invalid(self, request: Request) -> Response:
        self.rt.authenticate(request)
        raise _invalid_path(request)

    def _update(self, obj: ObjectMeta, record_id: str, data: dict[str, Any], principal: Principal) -> dict:
        before = dict(self.store.get(obj, record_id))
        record = self.store.update(obj, record_id, data, principal.actor)
        self.events.updated(obj, before, record, principal)
        return record

    def _delete(self, obj: ObjectMeta, record: dict[str, Any], soft: bool) -> dict[str, Any]:
        out = self.store.soft_delete(obj, record) if soft else self.store.destroy(obj, record)
        self.events.deleted(obj, record, destroyed=not soft)
        return out

    # ---- rules the generic store does not know -----------------------------------------------
    def _guard_blocklist(self, obj: ObjectMeta, data: dict[str, Any]) -> None:
        if obj.plural != "blocklists":
            return
        handle = data.get("handle")
        if not isinstance(handle, str) or not _is_email_or_domain(handle):
            raise TwentyHttpError.bad_request("Invalid input")

    def _after_create(self, obj: ObjectMeta, record: dict[str, Any], principal: Principal) -> None:
        self.events.created(obj, record, principal)


def _is_email_or_domain(handle: str) -> bool:
    if handle.startswith("@"):
        return "." in handle[1:] and " " not in handle
    local, _, domain = handle.partition("@")
    return bool(local) and "." in domain and " " not in handle


def _invalid_path(request: Request) -> TwentyHttpError:
    return TwentyHttpError.bad_request(
        f"Query path '{unquote(request.url.path)}' invalid. Valid examples: /rest/companies/id "
        "or /rest/companies or /rest/batch/companies"
    )


__all__ = ["RestCore", "is_uuid"]
