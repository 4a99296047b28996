"""Search and numbers (groups `core` for search, `analytics`): full-text search across objects,
aggregates and group-bys, a record's timeline."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..models import (
    AggregateResult,
    RecordPage,
    SearchHit,
    SearchResult,
)
from ..registry import tool
from ..runtime import connection, jsonable
from ._common import (
    Cursor,
    FilterStr,
    Limit,
    ObjectName,
    RecordId,
    page_result,
)


def _hit(item: Any) -> SearchHit:
    d = jsonable(item)
    d = d.get("node", d) if isinstance(d, dict) else {}
    return SearchHit(
        record_id=str(d.get("recordId") or d.get("record_id") or d.get("id") or ""),
        object=str(d.get("objectNameSingular") or d.get("object_name_singular") or d.get("object") or ""),
        label=str(d.get("label") or ""),
        object_label=d.get("objectLabelSingular") or d.get("object_label_singular"),
    )


@tool("core")
async def twenty_search(
    query: Annotated[str, Field(min_length=1, max_length=200, description="Words to look for")],
    objects: Annotated[
        list[str] | None,
        Field(default=None, max_length=30, description="Restrict to these objects (any name form)"),
    ] = None,
    limit: Annotated[int, Field(default=20, ge=1, le=100)] = 20,
) -> SearchResult:
    """Full-text search across objects (people, companies, opportunities, notes, custom objects...)
    by name, email, domain... Use it to resolve a named entity to its id before acting on it."""
    conn = await connection()
    included: list[str] | None = None
    if objects:
        included = [(await conn.resolve(o)).name_singular for o in objects]
    elif conn.scope.restricted:
        included = [o.name_singular for o in await conn.objects()]
        if not included:
            return SearchResult(query=query, hits=[])
    raw = await conn.client.search(query, limit=limit, included_objects=included)
    raw_d = jsonable(raw)
    items = raw_d.get("edges", raw_d.get("results", [])) if isinstance(raw_d, dict) else raw_d
    hits = [_hit(i) for i in items or []]
    allowed = {o.name_singular for o in await conn.objects()} if conn.scope.restricted else None
    if allowed is not None:
        hits = [h for h in hits if h.object in allowed]
    page_info = raw_d.get("pageInfo", {}) if isinstance(raw_d, dict) else {}
    return SearchResult(
        query=query,
        hits=hits,
        has_next_page=bool(page_info.get("hasNextPage")),
        end_cursor=page_info.get("endCursor"),
    )


@tool("analytics")
async def twenty_aggregate(
    object: ObjectName,
    operation: Literal["count", "sum", "avg", "min", "max"],
    field: Annotated[
        str | None, Field(default=None, max_length=100, description="Needed except for count")
    ] = None,
    group_by: Annotated[
        str | None, Field(default=None, max_length=100, description="A field to group by")
    ] = None,
    filter: FilterStr = None,
) -> AggregateResult:
    """count / sum / avg / min / max over an object, optionally grouped by a field (e.g. pipeline value
    by stage: object=opportunities, operation=sum, field=amount, group_by=stage). CURRENCY fields are
    aggregated in amountMicros (divide by 1,000,000)."""
    if operation != "count" and not field:
        raise ToolError(f"operation '{operation}' needs a 'field' (e.g. field='amount').")
    conn = await connection()
    obj = await conn.resolve(object)
    full = await conn.client.get_object(obj.name_plural)
    names = {f.name for f in full.fields}
    for label, value in (("field", field), ("group_by", group_by)):
        if value and value.split(".")[0] not in names:
            raise ToolError(
                f"{label} '{value}' is not a field of {obj.name_plural}; see twenty_get_object_schema."
            )
    agg_filter: Any = filter
    if filter and not group_by:
        from twenty_api.filters import parse_twenty_filter

        agg_filter = parse_twenty_filter(filter)  # the ungrouped aggregate runs on /graphql
    result = jsonable(
        await conn.client.aggregate(
            obj.name_plural,
            operation,
            field=field,
            group_by=[group_by] if group_by else None,
            filter=agg_filter,
        )
    )
    if isinstance(result, list):
        return AggregateResult(object=obj.name_plural, operation=operation, field=field, groups=result)
    if isinstance(result, dict) and "groups" in result:
        return AggregateResult(
            object=obj.name_plural,
            operation=operation,
            field=field,
            value=result.get("value"),
            groups=result.get("groups"),
        )
    return AggregateResult(object=obj.name_plural, operation=operation, field=field, value=result)


@tool("analytics")
async def twenty_get_timeline(
    object: ObjectName, id: RecordId, limit: Limit = 20, cursor: Cursor = None
) -> RecordPage:
    """A record's timeline (created/updated events, linked notes, tasks, emails), newest first."""
    conn = await connection()
    obj = await conn.resolve(object)
    plural, page = await conn.client.timeline(obj, str(id), limit=limit, cursor=cursor)
    return page_result(plural, page)
