"""Aggregate fields (``totalCount``, ``sumAmountAmountMicros``, ``countEmptyName``…) over records."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from .errors import TwentyHttpError
from .schema import ObjectMeta

OPERATIONS = (
    "countUniqueValues",
    "countNotEmpty",
    "countEmpty",
    "percentageEmpty",
    "percentageNotEmpty",
    "countTrue",
    "countFalse",
    "sum",
    "avg",
    "min",
    "max",
)


def is_aggregate(name: str) -> bool:
    return name == "totalCount" or any(name.startswith(op) and len(name) > len(op) for op in OPERATIONS)


def flat_value(obj: ObjectMeta, record: dict[str, Any], flat_name: str) -> Any:
    """Resolve ``name`` or a flattened composite name such as ``amountAmountMicros``."""
    if flat_name in obj.fields or flat_name in record:
        return record.get(flat_name)
    for name in obj.fields:
        if flat_name.startswith(name) and isinstance(record.get(name), dict):
            rest = flat_name[len(name) :]
            return record[name].get(rest[:1].lower() + rest[1:])
    return None


def compute(obj: ObjectMeta, records: list[dict[str, Any]], key: str) -> Any:
    """The aggregate as a JSON value: counts are ints, numbers numbers, dates ISO strings."""
    if key == "totalCount":
        return len(records)
    for op in OPERATIONS:
        if key.startswith(op) and len(key) > len(op):
            rest = key[len(op) :]
            field_name = rest[:1].lower() + rest[1:]
            return _apply(op, [flat_value(obj, r, field_name) for r in records], len(records))
    raise TwentyHttpError.bad_request(f"Invalid aggregate field '{key}'")


def _empty(value: Any) -> bool:
    return value in (None, "", [], {})


def _apply(op: str, values: list[Any], total: int) -> Any:
    present = [v for v in values if not _empty(v)]
    if op == "countUniqueValues":
        return len({json.dumps(v, sort_keys=True) for v in present})
    if op == "countNotEmpty":
        return len(present)
    if op == "countEmpty":
        return total - len(present)
    if op in ("percentageEmpty", "percentageNotEmpty"):
        share = (total - len(present) if op == "percentageEmpty" else len(present)) / total if total else 0
        return share
    if op in ("countTrue", "countFalse"):
        return sum(1 for v in values if v is (op == "countTrue"))
    numbers = [Decimal(str(v)) for v in present if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        strings = sorted(str(v) for v in present if isinstance(v, str))
        if strings and op in ("min", "max"):
            return strings[0] if op == "min" else strings[-1]
        return None
    if op == "sum":
        return _number(sum(numbers))
    if op == "avg":
        return float(sum(numbers) / len(numbers))
    return _number(min(numbers) if op == "min" else max(numbers))


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def as_rest_string(key: str, value: Any) -> str | None:
    """REST groupBy answers every aggregate as a string (example 046); averages with 8 decimals."""
    if value is None:
        return None
    if key.startswith("avg") or key.startswith("percentage"):
        return f"{Decimal(str(value)):.8f}"
    return str(value)
