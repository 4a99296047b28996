"""Record CRUD on Twenty's REST core (``/rest/<plural>``): TwentyClient's records family."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from typing import Any

from twenty_api.args import FilterArg, OrderBy, _check_name, _depth, _id, _order_by, _single
from twenty_api.batching import BATCH_SIZE, chunks
from twenty_api.errors import TwentyError
from twenty_api.filters import render_filter
from twenty_api.pagination import MAX_PAGE_SIZE, Page, iterate_records
from twenty_api.transport import ClientCore


class RecordsMixin(ClientCore):
    """List, read, create, update, delete, restore, deduplicate and merge records."""

    def _list_params(
        self,
        *,
        filter: FilterArg,
        order_by: OrderBy,
        limit: int | None,
        cursor: str | None,
        depth: int | None,
    ) -> dict[str, Any]:
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"limit must be a positive integer, got {limit!r}")
        if limit is not None and limit > MAX_PAGE_SIZE:
            raise ValueError(
                f"limit {limit} is above Twenty's page cap of {MAX_PAGE_SIZE}; "
                "use iter_records() to read more"
            )
        return {
            "limit": limit,
            "depth": _depth(depth),
            "order_by": _order_by(order_by),
            "filter": render_filter(filter),
            "starting_after": cursor,
        }

    async def list_records(
        self,
        plural: str,
        *,
        filter: FilterArg = None,
        order_by: OrderBy = None,
        limit: int | None = 60,
        cursor: str | None = None,
        depth: int | None = None,
    ) -> Page:
        plural = _check_name(plural)
        params = self._list_params(filter=filter, order_by=order_by, limit=limit, cursor=cursor, depth=depth)
        body = await self._rest("GET", f"/rest/{plural}", params=params, safe=True)
        return Page.from_rest(body, plural)

    def iter_records(
        self,
        plural: str,
        *,
        filter: FilterArg = None,
        order_by: OrderBy = None,
        page_size: int = MAX_PAGE_SIZE,
        depth: int | None = None,
        max_pages: int | None = None,
    ) -> AsyncIterator[dict[str, Any]]:
        """Every matching record, following cursors page by page (``page_size`` ≤ 200)."""
        plural = _check_name(plural)
        self._list_params(filter=filter, order_by=order_by, limit=page_size, cursor=None, depth=depth)

        async def fetch(cursor: str | None) -> Page:
            return await self.list_records(
                plural, filter=filter, order_by=order_by, limit=page_size, cursor=cursor, depth=depth
            )

        return iterate_records(fetch, max_pages=max_pages)

    async def get_record(self, plural: str, id: str, *, depth: int | None = None) -> dict[str, Any]:
        path = f"/rest/{_check_name(plural)}/{_id(id)}"
        body = await self._rest("GET", path, params={"depth": _depth(depth)}, safe=True)
        return _single(body, f"GET {path}")

    async def create_record(self, plural: str, data: dict[str, Any]) -> dict[str, Any]:
        """POST one record. Retried only if Twenty provably did not process it (429, no connection)."""
        if not isinstance(data, dict):
            raise TypeError(f"record data must be a dict, got {type(data).__name__}")
        path = f"/rest/{_check_name(plural)}"
        body = await self._rest("POST", path, json_body=data, safe=False)
        return _single(body, f"POST {path}")

    async def batch_create(
        self, plural: str, records: Iterable[dict[str, Any]], *, batch_size: int = BATCH_SIZE
    ) -> list[dict[str, Any]]:
        """Create any number of records, ``batch_size`` (≤60) per ``POST /rest/batch/<plural>``.

        On failure the error carries ``.created`` (records of the batches that went through).
        """
        if batch_size > BATCH_SIZE:
            raise ValueError(
                f"batch_size {batch_size} is above Twenty's documented batch limit of {BATCH_SIZE}"
            )
        path = f"/rest/batch/{_check_name(plural)}"
        created: list[dict[str, Any]] = []
        for batch in chunks(records, batch_size):
            for item in batch:
                if not isinstance(item, dict):
                    raise TypeError(f"each record must be a dict, got {type(item).__name__}")
            try:
                body = await self._rest("POST", path, json_body=batch, safe=False)
            except TwentyError as exc:
                exc.created = created  # type: ignore[attr-defined]
                exc.add_note(
                    f"{len(created)} record(s) from earlier batches were created before this failure."
                )
                raise
            rows = _single(body, f"POST {path}")
            if not isinstance(rows, list):
                raise TwentyError(f"Twenty's batch answer is not a list: {str(body)[:300]}")
            created.extend(rows)
        return created

    async def update_record(self, plural: str, id: str, data: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise TypeError(f"update data must be a dict, got {type(data).__name__}")
        path = f"/rest/{_check_name(plural)}/{_id(id)}"
        body = await self._rest("PATCH", path, json_body=data, safe=True)
        return _single(body, f"PATCH {path}")

    async def delete_record(self, plural: str, id: str) -> dict[str, Any]:
        """Soft delete (sets deletedAt; restorable). Twenty's bare DELETE would destroy."""
        path = f"/rest/{_check_name(plural)}/{_id(id)}"
        body = await self._rest("DELETE", path, params={"soft_delete": "true"}, safe=True)
        return _single(body, f"DELETE {path}")

    async def destroy_record(self, plural: str, id: str, *, confirm: bool = False) -> dict[str, Any]:
        """Hard delete, irreversible. Refuses unless ``confirm=True``."""
        if confirm is not True:
            raise ValueError(
                f"destroy_record({plural!r}, {id!r}) deletes the record for good; pass confirm=True to do "
                "that, or use delete_record() for a restorable soft delete"
            )
        path = f"/rest/{_check_name(plural)}/{_id(id)}"
        body = await self._rest("DELETE", path, safe=True)
        return _single(body, f"DELETE {path}")

    async def restore_records(self, plural: str, filter: FilterArg) -> list[dict[str, Any]]:
        """Restore soft-deleted records matching ``filter`` (required: 2.21 restores EVERYTHING
        without one, and refuses the one-record path)."""
        rendered = render_filter(filter)
        if not rendered:
            raise ValueError(
                "restore_records needs a non-empty filter, e.g. F('id').eq(record_id): Twenty 2.21 restores "
                "every soft-deleted record of the object when the filter is missing"
            )
        path = f"/rest/restore/{_check_name(plural)}"
        body = await self._rest("PATCH", path, params={"filter": rendered}, safe=True)
        rows = _single(body, f"PATCH {path}")
        return rows if isinstance(rows, list) else [rows]

    async def find_duplicates(
        self,
        plural: str,
        ids: Sequence[str] | None = None,
        data: Sequence[dict[str, Any]] | None = None,
    ) -> list[list[dict[str, Any]]]:
        """For each id (or each partial record), the records Twenty considers duplicates of it."""
        if (ids is None) == (data is None):
            raise ValueError("find_duplicates takes exactly one of ids=[...] or data=[{...}]")
        payload = {"ids": list(ids)} if ids is not None else {"data": list(data or [])}
        if not next(iter(payload.values())):
            raise ValueError("find_duplicates needs at least one id or record")
        path = f"/rest/{_check_name(plural)}/duplicates"
        body = await self._rest("POST", path, json_body=payload, safe=True)
        results = body.get("data") if isinstance(body, dict) else None
        if not isinstance(results, list):
            raise TwentyError(f"Twenty's duplicates answer has an unexpected shape: {str(body)[:300]}")
        out: list[list[dict[str, Any]]] = []
        for item in results:
            rows = (
                next((v for k, v in item.items() if k.endswith("Duplicates")), [])
                if isinstance(item, dict)
                else []
            )
            out.append(list(rows or []))
        return out

    async def merge_records(
        self, plural: str, ids: Sequence[str], conflict_priority_index: int = 0, dry_run: bool = False
    ) -> dict[str, Any]:
        """Merge ≥2 records into one (``dry_run=True`` previews the result without changing data)."""
        ids = list(ids)
        if len(ids) < 2:
            raise ValueError("merge_records needs at least 2 record ids")
        if not 0 <= conflict_priority_index < len(ids):
            raise ValueError(f"conflict_priority_index must index into ids (0..{len(ids) - 1})")
        payload: dict[str, Any] = {"ids": ids, "conflictPriorityIndex": conflict_priority_index}
        if dry_run:
            payload["dryRun"] = True
        path = f"/rest/{_check_name(plural)}/merge"
        body = await self._rest("PATCH", path, json_body=payload, safe=dry_run)
        return _single(body, f"PATCH {path}")
