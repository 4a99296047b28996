"""Record operations beyond plain CRUD: permission rules, duplicates, merge and group-by."""

from __future__ import annotations

import copy
import json
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import aggregates as aggregates_mod
from . import filters
from .errors import TwentyHttpError
from .query import encode_cursor
from .runtime import Principal
from .schema import ObjectMeta
from .store import Store, now_iso

STEPS_FORBIDDEN = (
    "Updating workflowVersion steps directly is forbidden. Use createWorkflowVersionStep, "
    "updateWorkflowVersionStep or deleteWorkflowVersionStep endpoint instead."
)


def write_guard(obj: ObjectMeta, principal: Principal, data: Any, *, creating: bool) -> None:
    """2.21's extra rules on record writes, as captured (examples 039, 065, 153-155)."""
    if obj.plural == "workflowVersions":
        if isinstance(data, dict) and "steps" in data and not creating:
            raise TwentyHttpError.forbidden_method(STEPS_FORBIDDEN)
        if not principal.is_user:
            raise TwentyHttpError.forbidden_method()
    if obj.plural == "blocklists" and not principal.is_user:
        raise TwentyHttpError.rest(401, "UnauthorizedException", "User id is required")


# ---- duplicates ------------------------------------------------------------------------------
_flat_value = aggregates_mod.flat_value


def _is_duplicate(obj: ObjectMeta, probe: dict[str, Any], record: dict[str, Any]) -> bool:
    for group in obj.raw.get("duplicateCriteria") or []:
        values = [_flat_value(obj, probe, name) for name in group]
        if all(v not in (None, "") for v in values) and values == [
            _flat_value(obj, record, name) for name in group
        ]:
            return True
    return False


def find_duplicates(store: Store, obj: ObjectMeta, body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        raise TwentyHttpError.bad_request('You must provide either "data" or "ids" argument')
    ids, data = body.get("ids"), body.get("data")
    if ids and data:
        raise TwentyHttpError.bad_request('You cannot provide both "data" and "ids" arguments')
    if not ids and not data:
        raise TwentyHttpError.bad_request('You must provide either "data" or "ids" argument')
    live = store.select(obj, None)
    probes: list[tuple[str | None, dict[str, Any]]] = []
    if ids:
        probes = [(i, store.get(obj, i)) for i in ids]
    else:
        for item in data:
            store.validate_input(obj, item)
            probe = {fm.name: fm.default() for fm in obj.stored_fields()}
            store._apply(obj, probe, item)
            probes.append((None, probe))
    results = []
    for probe_id, probe in probes:
        dups = [r for r in live if r["id"] != probe_id and _is_duplicate(obj, probe, r)]
        results.append(
            {
                f"{obj.singular}Duplicates": dups,
                "totalCount": len(dups),
                "pageInfo": {
                    "hasNextPage": False,
                    "hasPreviousPage": False,
                    "startCursor": encode_cursor(dups[0], []) if dups else None,
                    "endCursor": encode_cursor(dups[-1], []) if dups else None,
                },
            }
        )
    return results


# ---- merge -----------------------------------------------------------------------------------
def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _merge_into(obj: ObjectMeta, merged: dict[str, Any], other: dict[str, Any]) -> None:
    for fm in obj.stored_fields():
        name = fm.name
        if name in (
            "id",
            "createdAt",
            "updatedAt",
            "deletedAt",
            "createdBy",
            "updatedBy",
            "position",
            "searchVector",
        ):
            continue
        mine, theirs = merged.get(name), other.get(name)
        if fm.type == "LINKS" and isinstance(mine, dict) and isinstance(theirs, dict):
            url = theirs.get("primaryLinkUrl")
            if url and url != mine.get("primaryLinkUrl"):
                mine.setdefault("secondaryLinks", [])
                mine["secondaryLinks"] = [
                    *(mine["secondaryLinks"] or []),
                    {"url": url, "label": theirs.get("primaryLinkLabel") or ""},
                ]
        elif fm.type == "EMAILS" and isinstance(mine, dict) and isinstance(theirs, dict):
            email = theirs.get("primaryEmail")
            if email and email != mine.get("primaryEmail"):
                mine["additionalEmails"] = [*(mine.get("additionalEmails") or []), email]
        elif _empty(mine) and not _empty(theirs):
            merged[name] = copy.deepcopy(theirs)
    for column in obj.join_columns():
        if merged.get(column) is None and other.get(column) is not None:
            merged[column] = other[column]


def merge_records(store: Store, obj: ObjectMeta, body: Any, principal: Principal) -> dict[str, Any]:
    ids = body.get("ids") if isinstance(body, dict) else None
    if not isinstance(ids, list) or len(ids) < 2:
        raise TwentyHttpError.bad_request("At least 2 record IDs are required for merge")
    index = int(body.get("conflictPriorityIndex") or 0)
    if not 0 <= index < len(ids):
        raise TwentyHttpError.bad_request("Invalid conflict priority index")
    records = [store.get(obj, i) for i in ids]
    priority = records[index]
    merged = copy.deepcopy(priority)
    for other in (r for i, r in enumerate(records) if i != index):
        _merge_into(obj, merged, other)
    if body.get("dryRun"):
        # 2.21 previews the merge as a throwaway record: new id, deletedAt set (example 045).
        merged["id"] = str(uuid.uuid4())
        merged["deletedAt"] = now_iso()
        return merged
    merged["updatedAt"] = now_iso()
    if "updatedBy" in obj.fields:
        merged["updatedBy"] = principal.actor.as_actor_field()
    priority.clear()
    priority.update(merged)
    others = {r["id"] for r in records if r is not priority}
    _move_relations(store, obj, others, priority["id"])
    for record in records:
        if record is not priority:
            store.soft_delete(obj, record)
    return priority


def _move_relations(store: Store, obj: ObjectMeta, old_ids: set[str], new_id: str) -> None:
    for fm in obj.fields.values():
        target = store.schema.objects.get(fm.relation_target or "")
        if fm.relation_type != "ONE_TO_MANY" or not fm.inverse_join or target is None:
            continue
        for rel in store.table(target).values():
            if rel.get(fm.inverse_join) in old_ids:
                rel[fm.inverse_join] = new_id


# ---- group by --------------------------------------------------------------------------------
GROUP_BY_HELP = (
    'Invalid group_by query parameter - should be a valid array of objects - ex: [{"firstField": true}, '
    '{"secondField": {"subField": true}}, {"dateField": {"granularity": \'DAY\'}}]'
)
GRANULARITIES = ("DAY", "WEEK", "MONTH", "QUARTER", "YEAR")


def _parse_json_param(raw: str | None, message: str) -> Any:
    if raw is None:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise TwentyHttpError.bad_request(message) from None


def _dimension(obj: ObjectMeta, record: dict[str, Any], item: dict[str, Any]) -> Any:
    ((name, spec),) = item.items()
    value = record.get(name)
    if isinstance(spec, dict) and "granularity" in spec:
        return _bucket_date(value, spec["granularity"], spec.get("timeZone"))
    if isinstance(spec, dict):
        sub = next(iter(spec))
        return value.get(sub) if isinstance(value, dict) else None
    return value


def _bucket_date(value: Any, granularity: str, tz_name: str | None) -> str | None:
    if not value:
        return None
    try:
        tz = ZoneInfo(tz_name or "UTC")
    except ZoneInfoNotFoundError:
        raise TwentyHttpError.bad_request(f"Invalid time zone '{tz_name}'") from None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(tz).date()
    if granularity == "WEEK":
        moment = moment - timedelta(days=moment.weekday())
    elif granularity == "MONTH":
        moment = moment.replace(day=1)
    elif granularity == "QUARTER":
        moment = moment.replace(month=(moment.month - 1) // 3 * 3 + 1, day=1)
    elif granularity == "YEAR":
        moment = moment.replace(month=1, day=1)
    return moment.isoformat()


def group_records(
    store: Store, obj: ObjectMeta, node: filters.Node | None, group_by: list[dict[str, Any]]
) -> list[tuple[list[Any], list[dict[str, Any]]]]:
    """Matching records grouped by the dimension values ``group_by`` asks for."""
    for item in group_by:
        ((name, spec),) = item.items()
        if name not in obj.fields:
            raise TwentyHttpError.bad_request(f'Object {obj.singular} doesn\'t have any "{name}" field.')
        if isinstance(spec, dict) and spec.get("granularity") in GRANULARITIES and not spec.get("timeZone"):
            raise TwentyHttpError.bad_request(
                "Time zone should be specified for a group by date on Day, Week, Month, Quarter or Year"
            )
    groups: dict[str, tuple[list[Any], list[dict[str, Any]]]] = {}
    for record in store.select(obj, node):
        dims = [_dimension(obj, record, item) for item in group_by]
        key = json.dumps(dims, sort_keys=True, default=str)
        groups.setdefault(key, (dims, []))[1].append(record)
    return list(groups.values())


def aggregate_groups(
    store: Store,
    obj: ObjectMeta,
    node: filters.Node | None,
    group_by_raw: str | None,
    aggregate_raw: str | None,
) -> list[dict[str, Any]]:
    """REST ``/groupBy``: one row per group, aggregates as strings (example 046)."""
    group_by = _parse_json_param(group_by_raw, GROUP_BY_HELP)
    if (
        not isinstance(group_by, list)
        or not group_by
        or not all(isinstance(i, dict) and len(i) == 1 for i in group_by)
    ):
        raise TwentyHttpError.bad_request(GROUP_BY_HELP)
    wanted = _parse_json_param(aggregate_raw, "Invalid aggregate query parameter") or []
    rows = []
    for dims, members in group_records(store, obj, node, group_by):
        row: dict[str, Any] = {
            agg: aggregates_mod.as_rest_string(agg, aggregates_mod.compute(obj, members, agg))
            for agg in wanted
        }
        row["groupByDimensionValues"] = dims
        rows.append(row)
    return rows
