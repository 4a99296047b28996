"""Generic record tools: work on any object the live schema has, custom objects included."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from pydantic import Field

from ..gate import GateError
from ..models import DeleteResult, MergeResult, RecordPage, RecordResult, RecordsResult
from ..registry import tool
from ..runtime import connection, jsonable
from ._common import Cursor, Data, Depth, FilterStr, Limit, ObjectName, OrderBy, RecordId, page_result


async def _input(conn: Any, obj: Any, data: dict[str, Any]) -> dict[str, Any]:
    from twenty_api.composite import to_twenty_input

    return to_twenty_input(obj, data)


@tool("core")
async def twenty_list_records(
    object: ObjectName,
    filter: FilterStr = None,
    order_by: OrderBy = None,
    limit: Limit = 20,
    cursor: Cursor = None,
    depth: Depth = 0,
) -> RecordPage:
    """List records of any object (people, companies, opportunities, custom objects...) with Twenty's
    filter string, ordering and cursor pagination. Returns total_count and end_cursor; pass end_cursor
    back as `cursor` for the next page. Money is stored as amount.amountMicros (1 EUR = 1,000,000
    micros). Soft-deleted records are hidden unless the filter asks for deletedAt[is]:NOT_NULL.
    Resolve a named entity here first (filter on name) before updating or deleting it."""
    conn = await connection()
    obj = await conn.resolve(object)
    page = await conn.client.list_records(
        obj.name_plural, filter=filter, order_by=order_by, limit=limit, cursor=cursor, depth=depth
    )
    return page_result(obj.name_plural, page)


@tool("core")
async def twenty_get_record(object: ObjectName, id: RecordId, depth: Depth = 0) -> RecordResult:
    """Get one record by id. Relations come back as <relation>Id (e.g. companyId) at depth 0;
    depth 1 embeds the related records. A soft-deleted record answers not found."""
    conn = await connection()
    obj = await conn.resolve(object)
    rec = await conn.client.get_record(obj.name_plural, str(id), depth=depth)
    return RecordResult(object=obj.name_plural, record=jsonable(rec))


@tool("core", writes=True, idempotent=False)
async def twenty_create_record(object: ObjectName, data: Data) -> RecordResult:
    """Create one record on any object. Friendly fields are mapped to Twenty's composite shapes
    (firstName/lastName -> name, email -> emails.primaryEmail, amount+currency -> amount.amountMicros);
    link relations with <relation>Id (companyId, pointOfContactId). Select fields take the option
    value in capitals (stage: "MEETING"). Call twenty_get_object_schema to see the fields."""
    conn = await connection()
    obj = await conn.resolve(object)
    rec = await conn.client.create_record(obj.name_plural, await _input(conn, obj, data))
    return RecordResult(object=obj.name_plural, record=jsonable(rec))


@tool("core", writes=True, idempotent=True)
async def twenty_update_record(object: ObjectName, id: RecordId, data: Data) -> RecordResult:
    """Update fields of one record (PATCH: only the fields given change). Same input mapping as
    twenty_create_record; composite fields (name, emails, amount, address) are replaced as a whole
    sub-object, so send every subfield you want to keep."""
    conn = await connection()
    obj = await conn.resolve(object)
    rec = await conn.client.update_record(obj.name_plural, str(id), await _input(conn, obj, data))
    return RecordResult(object=obj.name_plural, record=jsonable(rec))


@tool("core", writes=True, destructive=True, idempotent=True)
async def twenty_delete_record(
    object: ObjectName,
    id: RecordId,
    hard: Annotated[
        bool, Field(default=False, description="True destroys the record for good (no restore)")
    ] = False,
    confirm: Annotated[
        bool, Field(default=False, description="Must be true together with hard=true")
    ] = False,
) -> DeleteResult:
    """Delete a record. Default is a SOFT delete (deletedAt set; twenty_restore_record brings it back).
    hard=true with confirm=true DESTROYS it permanently (Twenty's plain DELETE). Before deleting,
    show the user the record (twenty_get_record) and get their explicit confirmation."""
    conn = await connection()
    obj = await conn.resolve(object)
    if hard and not confirm:
        raise GateError(
            "A hard delete destroys the record for good: pass confirm=true after the user agreed."
        )
    if hard:
        rec = await conn.client.destroy_record(obj.name_plural, str(id), confirm=True)
    else:
        rec = await conn.client.delete_record(obj.name_plural, str(id))
    return DeleteResult(
        object=obj.name_plural, id=str(id), mode="hard" if hard else "soft", record=jsonable(rec) or None
    )


@tool("records", writes=True, idempotent=False)
async def twenty_batch_create(
    object: ObjectName,
    records: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=60)],
) -> RecordsResult:
    """Create up to 60 records of one object in one call (Twenty's batch endpoint). Each item takes
    the same friendly input as twenty_create_record. All-or-nothing per batch on Twenty's side."""
    conn = await connection()
    obj = await conn.resolve(object)
    payload = [await _input(conn, obj, item) for item in records]
    created = await conn.client.batch_create(obj.name_plural, payload)
    created = [jsonable(r) for r in created]
    return RecordsResult(object=obj.name_plural, count=len(created), records=created)


@tool("records", writes=True, idempotent=True)
async def twenty_restore_record(object: ObjectName, id: RecordId) -> RecordsResult:
    """Restore one soft-deleted record (undo twenty_delete_record without hard). Hard-deleted
    records cannot be restored."""
    conn = await connection()
    obj = await conn.resolve(object)
    from twenty_api.filters import F

    restored = await conn.client.restore_records(obj.name_plural, F("id").eq(id))
    restored = [jsonable(r) for r in restored or []]
    return RecordsResult(object=obj.name_plural, count=len(restored), records=restored)


@tool("records")
async def twenty_find_duplicates(
    object: ObjectName,
    ids: Annotated[list[UUID] | None, Field(default=None, max_length=60)] = None,
    data: Annotated[dict[str, Any] | None, Field(default=None)] = None,
) -> RecordsResult:
    """Find likely duplicates, either of existing records (ids) or of a record you are about to
    create (data). Twenty matches on its duplicate criteria (people: name, email; companies: name,
    domainName). Soft-deleted records are ignored. Give exactly one of ids or data."""
    if bool(ids) == bool(data):
        raise GateError("Give exactly one of 'ids' (existing records) or 'data' (a candidate record).")
    conn = await connection()
    obj = await conn.resolve(object)
    payload = await _input(conn, obj, data) if data else None
    found = await conn.client.find_duplicates(
        obj.name_plural, ids=[str(i) for i in ids] if ids else None, data=[payload] if payload else None
    )
    recs = _flatten_duplicates(jsonable(found))
    return RecordsResult(object=obj.name_plural, count=len(recs), records=recs)


def _flatten_duplicates(found: Any) -> list[dict[str, Any]]:
    """The client answers one list per id/record; dedupe them into one list of records."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for group in found or []:
        for item in group if isinstance(group, list) else [group]:
            if isinstance(item, dict) and item.get("id") not in seen:
                seen.add(str(item.get("id")))
                out.append(item)
    return out


@tool("records", writes=True, destructive=True, idempotent=False)
async def twenty_merge_records(
    object: ObjectName,
    ids: Annotated[list[UUID], Field(min_length=2, max_length=9)],
    conflict_priority_index: Annotated[int, Field(default=0, ge=0, le=8)] = 0,
    dry_run: bool = False,
) -> MergeResult:
    """Merge duplicates into one record. The record at conflict_priority_index survives and wins
    conflicting values; the others are deleted and their relations move to the survivor. Run with
    dry_run=true first and show the user the preview."""
    if conflict_priority_index >= len(ids):
        raise GateError(
            f"conflict_priority_index {conflict_priority_index} is outside the {len(ids)} ids given."
        )
    conn = await connection()
    obj = await conn.resolve(object)
    rec = await conn.client.merge_records(
        obj.name_plural,
        [str(i) for i in ids],
        conflict_priority_index=conflict_priority_index,
        dry_run=dry_run,
    )
    return MergeResult(object=obj.name_plural, dry_run=dry_run, record=jsonable(rec))
