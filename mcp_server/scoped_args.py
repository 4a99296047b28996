"""Arguments that name fields (filter, orderBy, groupBy, aggregate fields) held to the scope.

Twenty 2.21 follows a many-to-one relation inside a filter, an order or a group-by
(`companies(filter:{accountOwner:{name:{firstName:{eq:"Tim"}}}})` counts companies by a
workspace member's name), so a selection-only check lets a connection limited to `companies`
read workspace members through counts. The object metadata carries no relation target, so
under an allow-list every relation field is refused in these arguments; the relation's own join
column (`accountOwnerId`) is a field of the allowed object and passes. Unknown keys are refused
too: this server cannot prove where they lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from twenty_api.models import RELATION_TYPES

from .gate import GateError

_JUNCTIONS = frozenset({"and", "or", "not"})
# GraphQL arguments whose keys are fields of the root field's object.
RECORD_ARGUMENTS = frozenset({"filter", "orderBy", "groupBy", "orderByForRecords"})


def field_kinds(fields: Any) -> dict[str, str]:
    """name -> type for an object's fields (FieldInfo list), plus each join column as UUID."""
    kinds: dict[str, str] = {}
    for f in fields:
        kinds[f.name] = str(f.type)
        settings = (getattr(f, "raw", None) or {}).get("settings") or {}
        join = settings.get("joinColumnName")
        if join:
            kinds.setdefault(str(join), "UUID")
    return kinds


def check_field(kinds: Mapping[str, str], obj: str, name: str, what: str) -> None:
    kind = kinds.get(name)
    if kind is None:
        raise GateError(
            f"{what} names '{name}', which is not a field of '{obj}'; refused while an object "
            "allow-list is active (see twenty_get_object_schema)."
        )
    if kind in RELATION_TYPES:
        raise GateError(
            f"{what} follows the relation '{obj}.{name}' to another object, which an object allow-list "
            f"cannot vouch for. Filter, order or group on the join column ('{name}Id') instead."
        )


def check_record_value(kinds: Mapping[str, str], obj: str, value: Any, what: str) -> None:
    """A filter/orderBy/groupBy value (JSON form): every field key is a non-relation field."""
    if value is None or isinstance(value, str | int | float | bool):
        return
    if isinstance(value, list):
        for item in value:
            check_record_value(kinds, obj, item, what)
        return
    if not isinstance(value, Mapping):
        raise GateError(f"{what} has a value this server cannot read; refused under an allow-list.")
    for key, sub in value.items():
        if key in _JUNCTIONS:
            check_record_value(kinds, obj, sub, what)
        else:
            check_field(kinds, obj, str(key), what)  # what lies below is subfields and operators


def check_rest_filter(kinds: Mapping[str, str], obj: str, text: str | None) -> None:
    if not text:
        return
    from twenty_api.filters import parse_twenty_filter

    try:
        parsed = parse_twenty_filter(text)
    except ValueError as err:
        raise GateError(f"The filter could not be read ({err}); fix it and try again.") from err
    check_record_value(kinds, obj, parsed, "The filter")


def check_field_paths(kinds: Mapping[str, str], obj: str, text: str | None, what: str) -> None:
    """Comma-separated REST paths such as `name.firstName[AscNullsFirst]` or `stage`."""
    for part in (text or "").split(","):
        head = part.split("[", 1)[0].split(".", 1)[0].strip()
        if head:
            check_field(kinds, obj, head, what)
