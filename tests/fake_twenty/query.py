"""Ordering, cursors and pagination over in-memory records, the way 2.21 pages its lists."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from .errors import TwentyHttpError
from .schema import ObjectMeta

DEFAULT_LIMIT = 60
MAX_LIMIT = 200  # QUERY_MAX_RECORDS in 2.21: larger limits are capped silently (example 035)
DIRECTIONS = ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast")
_ORDER_ITEM = re.compile(r"^([\w.]+)(?:\[(\w+)\])?$")


@dataclass(frozen=True)
class OrderItem:
    path: tuple[str, ...]
    direction: str = "AscNullsFirst"

    @property
    def descending(self) -> bool:
        return self.direction.startswith("Desc")

    @property
    def nulls_first(self) -> bool:
        return self.direction.endswith("NullsFirst")


def parse_order_by(text: str | None, obj: ObjectMeta) -> list[OrderItem]:
    if not text:
        return []
    items = []
    for part in (p.strip() for p in text.split(",")):
        match = _ORDER_ITEM.match(part)
        if not match or (match.group(2) and match.group(2) not in DIRECTIONS):
            raise TwentyHttpError.bad_request(
                f"'order_by' direction '{part}' invalid. Allowed values are '{', '.join(DIRECTIONS)}'. "
                "eg: ?order_by=field_1[AscNullsFirst],field_2[DescNullsLast],field_3"
            )
        path = tuple(match.group(1).split("."))
        if path[0] not in obj.fields and path[0] not in obj.join_columns():
            raise TwentyHttpError.bad_request(f'Object {obj.singular} doesn\'t have any "{path[0]}" field.')
        items.append(OrderItem(path, match.group(2) or "AscNullsFirst"))
    return items


def order_from_graphql(order_by: Any) -> list[OrderItem]:
    """``orderBy: [{name: AscNullsFirst}, {amount: {amountMicros: DescNullsLast}}]``."""
    if not order_by:
        return []
    entries = order_by if isinstance(order_by, list) else [order_by]
    items: list[OrderItem] = []
    for entry in entries:
        for key, value in entry.items():
            path: tuple[str, ...] = (key,)
            while isinstance(value, dict):
                sub, value = next(iter(value.items()))
                path = (*path, sub)
            items.append(OrderItem(path, str(value)))
    return items


def _get(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def sort_records(records: list[dict[str, Any]], order: list[OrderItem]) -> list[dict[str, Any]]:
    """Stable multi-key sort; ``id`` is always the last tiebreak (as 2.21 appends it)."""
    result = sorted(records, key=lambda r: r["id"])
    for item in reversed(order):
        present = [r for r in result if _get(r, item.path) is not None]
        nulls = [r for r in result if _get(r, item.path) is None]
        present.sort(key=lambda r, p=item.path: _sort_key(_get(r, p)), reverse=item.descending)
        result = nulls + present if item.nulls_first else present + nulls
    return result


def _sort_key(value: Any) -> Any:
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value))


def encode_cursor(record: dict[str, Any], order: list[OrderItem]) -> str:
    payload: dict[str, Any] = {}
    for item in order:
        payload[item.path[0]] = record.get(item.path[0])
    payload["id"] = record["id"]
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise TwentyHttpError.bad_request(f"Invalid cursor '{cursor}'") from exc
    if not isinstance(data, dict) or "id" not in data:
        raise TwentyHttpError.bad_request(f"Invalid cursor '{cursor}'")
    return data


def parse_limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    try:
        value = int(raw)
    except ValueError:
        raise TwentyHttpError.bad_request(f"limit '{raw}' is invalid. Should be an integer") from None
    if value < 0:
        raise TwentyHttpError.bad_request(f"limit '{raw}' is invalid. Should be an integer")
    return min(value, MAX_LIMIT)


@dataclass
class Page:
    records: list[dict[str, Any]]
    total_count: int
    has_next_page: bool
    has_previous_page: bool
    order: list[OrderItem]

    def cursor(self, record: dict[str, Any]) -> str:
        return encode_cursor(record, self.order)

    @property
    def start_cursor(self) -> str | None:
        return self.cursor(self.records[0]) if self.records else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursor(self.records[-1]) if self.records else None


def paginate(
    records: list[dict[str, Any]],
    order: list[OrderItem],
    *,
    limit: int,
    after: str | None = None,
    before: str | None = None,
) -> Page:
    if after and before:
        raise TwentyHttpError.bad_request("You cannot provide both 'starting_after' and 'ending_before'")
    ordered = sort_records(records, order)
    total = len(ordered)
    if before:
        idx, _ = _cursor_index(ordered, decode_cursor(before), order)
        window = ordered[:idx]
        chosen = window[-limit:] if limit else []
        return Page(chosen, total, False, len(window) > len(chosen), order)
    if after:
        idx, exact = _cursor_index(ordered, decode_cursor(after), order)
        ordered = ordered[idx + 1 :] if exact else ordered[idx:]
    chosen = ordered[:limit]
    return Page(chosen, total, len(ordered) > len(chosen), False, order)


def _cursor_index(
    ordered: list[dict[str, Any]], cursor: dict[str, Any], order: list[OrderItem]
) -> tuple[int, bool]:
    """(index of the cursor's record, True) or (index of the first record sorting after it, False)."""
    for i, record in enumerate(ordered):
        if record["id"] == cursor["id"]:
            return i, True
    probe = dict(cursor)
    for i, record in enumerate(ordered):
        if sort_records([probe, record], order)[0] is probe:
            return i, False
    return len(ordered), False
