"""An object's fields by name, checked the way Twenty 2.21's views and dashboards need them.

One home for what `inv deploy`'s dashboards and the MCP server's view and dashboard tools both do
before they write: turn a field name (``amount``, ``name.firstName``, ``company.name``) into its
metadata id, a filter rule into the ``(fieldMetadataId, operand, value, subFieldName)`` 2.21
stores, (twenty_api.dashboards.resolve_chart builds a chart on it). Every refusal
is a :class:`FieldProblem` (a ``ValueError``) that names what is wrong and what would be right;
callers turn it into their own error (a manifest problem, an MCP ToolError).

The rules, from the source at 6f3c158:
- the operands a filter may use per field type: twenty_api.views.OPERANDS_BY_TYPE
  (twenty-shared utils/filter/turnRecordFilterIntoGqlOperationFilter.ts);
- a SELECT / MULTI_SELECT filter names existing options (get-invalid-select-filter-option-values.util.ts);
- IS_RELATIVE takes ``(PAST|THIS|NEXT)_<n>_<unit>`` (relativeDateFilterStringifiedSchema);
- a relation filter's value is ``{"selectedRecordIds": [...]}`` (jsonRelationFilterValueSchema);
- a CURRENCY filter without a part compares ``amountMicros``, as the front's currency filter does.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from twenty_api.models import RELATION_TYPES, FieldInfo, ObjectInfo
from twenty_api.views import OPERANDS_WITHOUT_VALUE, operands_for

_RELATIVE = re.compile(r"^(THIS|PAST|NEXT)_\d*_(DAY|WEEK|MONTH|QUARTER|YEAR|HOUR|MINUTE|SECOND)")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

FilterArgs = tuple[str, str, Any, str | None]  # (fieldMetadataId, operand, value, subFieldName)


class FieldProblem(ValueError):
    """A field name, filter or chart the object's fields do not allow."""


class ObjectFields:
    """An object's active fields by name. ``check(name, what)``, when given, runs on every field a
    caller names (the MCP server's object scope refuses relations there)."""

    def __init__(self, obj: ObjectInfo, check: Callable[[str, str], None] | None = None) -> None:
        self.obj = obj
        self.check = check
        self.by_name = {f.name: f for f in obj.fields if f.is_active}
        label_id = str(obj.raw.get("labelIdentifierFieldMetadataId") or "")
        label = next((f.name for f in self.by_name.values() if f.id == label_id), None)
        self.label_name = label or ("name" if "name" in self.by_name else None)

    def get(self, path: str, what: str, *, relation_part: bool = False) -> tuple[FieldInfo, str | None]:
        """(field, part) of ``amount`` or ``amount.amountMicros``; ``company.name`` (the related
        record's field to show) only where ``relation_part``. Unknown names are refused with the
        valid ones."""
        name, _, sub = path.partition(".")
        found = self.by_name.get(name)
        if found is None:
            names = ", ".join(sorted(n for n, f in self.by_name.items() if not f.is_system)[:60])
            raise FieldProblem(
                f"{what} names '{name}', which is not a field of {self.obj.name_plural}. Fields: {names}"
            )
        if self.check:
            self.check(name, what)
        if sub and found.type in RELATION_TYPES and not relation_part:
            raise FieldProblem(f"{what}: '{name}' is a relation; it has no part '{sub}'.")
        return found, sub or None

    def filter_args(self, field: str, operand: str, value: Any, what: str = "A filter") -> FilterArgs:
        """(fieldMetadataId, operand, value, subFieldName) after 2.21's checks."""
        found, sub = self.get(field, what)
        allowed = operands_for(found.type)
        if sub is None and allowed is not None and operand not in allowed:
            raise FieldProblem(
                f"{what} on '{field}' ({found.type}) cannot use {operand}; Twenty's filter bar "
                f"offers {', '.join(allowed)} there."
            )
        if operand not in OPERANDS_WITHOUT_VALUE and value in (None, "", []):
            raise FieldProblem(f"{what} on '{field}' with {operand} needs a value.")
        if operand == "IS_RELATIVE" and not (isinstance(value, str) and _RELATIVE.match(value)):
            raise FieldProblem(
                f"{what} on '{field}': IS_RELATIVE takes (PAST|THIS|NEXT)_<n>_<unit>, "
                f"e.g. 'PAST_7_DAY' (relativeDateFilterStringifiedSchema); got {value!r}."
            )
        if found.type in ("DATE", "DATE_TIME") and operand in ("IS", "IS_BEFORE", "IS_AFTER"):
            try:
                datetime.fromisoformat(str(value).replace("Z", "+00:00"))
            except ValueError as err:
                raise FieldProblem(f"{what} on '{field}' takes an ISO date, e.g. '2026-12-31'.") from err
        if found.type in RELATION_TYPES and operand in ("IS", "IS_NOT"):
            ids = value if isinstance(value, list) else [value]
            if not all(isinstance(v, str) and _UUID.match(v) for v in ids):
                raise FieldProblem(f"{what} on the relation '{field}' takes record ids (UUIDs) as its value.")
            value = {"selectedRecordIds": ids}
        if found.type == "CURRENCY" and sub is None:
            sub = "amountMicros"
        if found.type in ("SELECT", "MULTI_SELECT") and operand not in OPERANDS_WITHOUT_VALUE:
            values = value if isinstance(value, list) else [value]
            options = [str(o.get("value")) for o in found.options or []]
            bad = [v for v in values if str(v) not in options]
            if bad:
                raise FieldProblem(
                    f"{what} on '{field}' uses {', '.join(map(repr, bad))}, not options of the field. "
                    f"Options: {', '.join(options)}."
                )
            value = [str(v) for v in values]
        return found.id, operand, value, sub
