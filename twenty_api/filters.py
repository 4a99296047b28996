"""Builder for Twenty's REST filter grammar, checked against a port of 2.21's own parser.

Grammar (twenty-server ``rest/input-request-parsers/filter-parser-utils/*.util.ts`` at 2.21.0):
``field[op]:value``, dotted composite paths (``name.firstName[eq]:"Ada"``), ``and(...)``,
``or(...)``, ``not(...)`` (exactly one condition), lists ``[a,b]`` for ``in``/``containsAny``,
``is`` takes ``NULL``/``NOT_NULL``.

The grammar has **no escaping**: the parser toggles "inside quotes/brackets" on every ``"``,
``'``, ``[`` and ``]`` and counts every parenthesis, even inside values, and list items are split
on every comma. So the builder quotes each value, orders siblings so that a value with an odd
number of quotes comes last (where it cannot swallow a following comma), and then parses its
own output with :func:`parse_twenty_filter` (a line-by-line port of the server's parser): if
Twenty would read something else than what was meant, it raises ValueError instead of sending
a filter that silently matches the wrong records. Use GraphQL filters for such values.

    >>> str(and_(F("name.firstName").eq("Ada"), F("createdAt").gte("2026-01-01")))
    'and(name.firstName[eq]:"Ada",createdAt[gte]:"2026-01-01")'
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from enum import Enum
from typing import Any

COMPARATORS = (
    "eq",
    "neq",
    "in",
    "containsAny",
    "is",
    "gt",
    "gte",
    "lt",
    "lte",
    "startsWith",
    "endsWith",
    "like",
    "ilike",
)
_FIELD_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")
_BASE_RE = re.compile(r"^(.+)\[(.+)\]:(.+)$")  # the server's regex; '.' does not match newlines
_ROOT_RE = re.compile(r"^(or|and|not)\((.+)\)$")


class FilterGrammarError(ValueError):
    """A value cannot be written in Twenty's REST filter grammar (it has no escaping)."""


class Filter:
    """A REST filter expression; ``str(f)`` is the ``filter=`` query value (before URL-encoding)."""

    def __str__(self) -> str:
        text = self._render()
        expected = _wrap_root(self._expected())
        try:
            parsed = parse_twenty_filter(text)
        except ValueError as exc:
            raise FilterGrammarError(
                f"filter {text!r} would be refused by Twenty ({exc}); use a GraphQL filter for such values"
            ) from exc
        if parsed != expected:
            raise FilterGrammarError(
                f"filter {text!r} would be misread by Twenty's REST parser (it has no escaping for quotes, "
                "brackets, parentheses or commas inside values); use a GraphQL filter for such values"
            )
        return text

    def __repr__(self) -> str:
        return f"Filter({self._render()!r})"

    def __and__(self, other: Filter) -> Filter:
        return and_(self, other)

    def __or__(self, other: Filter) -> Filter:
        return or_(self, other)

    def __invert__(self) -> Filter:
        return not_(self)

    # subclasses
    def _render(self) -> str:
        raise NotImplementedError

    def _expected(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_graphql(self) -> dict[str, Any]:
        """The same filter as a GraphQL ``<Object>FilterInput`` value (typed values kept)."""
        raise NotImplementedError


def _wrap_root(expected: dict[str, Any]) -> dict[str, Any]:
    # Twenty wraps a root without a conjunction in and(...)
    if len(expected) == 1 and next(iter(expected)) in ("and", "or", "not"):
        return expected
    return {"and": [expected]}


def _parity(text: str) -> tuple[int, int, int]:
    return (text.count('"') % 2, text.count("'") % 2, (text.count("[") + text.count("]")) % 2)


def _quote(value: str) -> str:
    if '"' not in value:
        return f'"{value}"'
    if "'" not in value:
        return f"'{value}'"
    raise FilterGrammarError(
        f"value {value!r} contains both ' and \": Twenty's REST filter grammar cannot express it; "
        "use a GraphQL filter"
    )


def _scalar(value: Any) -> tuple[str, str]:
    """(text in the filter, what the server's formatFieldValue will hand on)."""
    if isinstance(value, bool):
        text = "true" if value else "false"
        return text, text
    if isinstance(value, int | float | Decimal):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text, text
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, _dt.datetime | _dt.date):
        value = value.isoformat()
    if isinstance(value, uuid.UUID):
        value = str(value)
    if not isinstance(value, str):
        raise TypeError(f"filter value {value!r} must be str, number, bool, date/datetime, UUID or Enum")
    return _quote(value), value


def _graphql_scalar(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, _dt.datetime | _dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value) if isinstance(value, uuid.UUID) else float(value)
    return value


class Condition(Filter):
    def __init__(self, field: str, op: str, value: Any) -> None:
        if not _FIELD_RE.match(field):
            raise ValueError(
                f"filter field {field!r} must be a field name, optionally dotted (name.firstName)"
            )
        if op not in COMPARATORS:
            raise ValueError(f"filter comparator {op!r} is not one of {', '.join(COMPARATORS)}")
        self.field, self.op, self.value = field, op, value
        if op in ("in", "containsAny"):
            items = list(value) if not isinstance(value, str | bytes) else None
            if items is None:
                raise TypeError(f"{op} takes a list of values, got {value!r}")
            if not items:
                raise ValueError(f"{op} needs at least one value")
            pairs = [_scalar(v) for v in items]
            for text, _ in pairs:
                if "," in text:
                    raise FilterGrammarError(
                        f"list item {text} contains a comma: Twenty splits [..] lists on every comma"
                    )
            self._text = "[" + ",".join(t for t, _ in pairs) + "]"
            self._server_value: Any = [_strip_quotes(t) for t, _ in pairs]
        elif op == "is":
            if value not in ("NULL", "NOT_NULL"):
                raise ValueError("'is' takes 'NULL' or 'NOT_NULL' (use .is_null() / .is_not_null())")
            self._text = self._server_value = value
        else:
            if value is None:
                raise ValueError(f"{field}[{op}] with None: use F({field!r}).is_null() instead")
            self._text, self._server_value = _scalar(value)

    def _render(self) -> str:
        return f"{self.field}[{self.op}]:{self._text}"

    def _expected(self) -> dict[str, Any]:
        node: Any = {self.op: self._server_value}
        for part in reversed(self.field.split(".")):
            node = {part: node}
        return node

    def to_graphql(self) -> dict[str, Any]:
        if self.op in ("in", "containsAny"):
            value: Any = [_graphql_scalar(v) for v in self.value]
        else:
            value = _graphql_scalar(self.value)
        node: Any = {self.op: value}
        for part in reversed(self.field.split(".")):
            node = {part: node}
        return node


def _strip_quotes(text: str) -> str:
    if len(text) >= 2 and text[0] in "\"'" and text[-1] in "\"'":
        return text[1:-1]
    return text


class Group(Filter):
    def __init__(self, kind: str, children: Iterable[Filter]) -> None:
        self.kind = kind
        self.children = list(children)
        for child in self.children:
            if not isinstance(child, Filter):
                raise TypeError(f"{kind}() takes filters (F(...).eq(...), and_(...)), got {child!r}")
        if not self.children:
            raise ValueError(f"{kind}() needs at least one condition")
        if kind == "not" and len(self.children) != 1:
            raise ValueError("not() takes exactly one condition (wrap several in and_/or_)")

    def _ordered(self) -> list[tuple[str, Filter]]:
        rendered = [(c._render(), c) for c in self.children]
        # A child with an odd number of quote/bracket characters leaves the server's
        # "inside quotes" flag set: it must come last, where no sibling comma follows it.
        even = [rc for rc in rendered if _parity(rc[0]) == (0, 0, 0)]
        odd = [rc for rc in rendered if _parity(rc[0]) != (0, 0, 0)]
        return even + odd

    def _render(self) -> str:
        return f"{self.kind}(" + ",".join(text for text, _ in self._ordered()) + ")"

    def _expected(self) -> dict[str, Any]:
        if self.kind == "not":
            return {"not": self.children[0]._expected()}
        return {self.kind: [c._expected() for _, c in self._ordered()]}

    def to_graphql(self) -> dict[str, Any]:
        if self.kind == "not":
            return {"not": self.children[0].to_graphql()}
        return {self.kind: [c.to_graphql() for c in self.children]}


class F:
    """A field to filter on: ``F("name.firstName").eq("Ada")``."""

    def __init__(self, field: str) -> None:
        self.field = field

    def eq(self, value: Any) -> Condition:
        return Condition(self.field, "eq", value)

    def neq(self, value: Any) -> Condition:
        return Condition(self.field, "neq", value)

    def in_(self, values: Iterable[Any]) -> Condition:
        return Condition(self.field, "in", list(values))

    def contains_any(self, values: Iterable[Any]) -> Condition:
        return Condition(self.field, "containsAny", list(values))

    def is_null(self) -> Condition:
        return Condition(self.field, "is", "NULL")

    def is_not_null(self) -> Condition:
        return Condition(self.field, "is", "NOT_NULL")

    def gt(self, value: Any) -> Condition:
        return Condition(self.field, "gt", value)

    def gte(self, value: Any) -> Condition:
        return Condition(self.field, "gte", value)

    def lt(self, value: Any) -> Condition:
        return Condition(self.field, "lt", value)

    def lte(self, value: Any) -> Condition:
        return Condition(self.field, "lte", value)

    def starts_with(self, value: str) -> Condition:
        return Condition(self.field, "startsWith", value)

    def ends_with(self, value: str) -> Condition:
        return Condition(self.field, "endsWith", value)

    def like(self, pattern: str) -> Condition:
        return Condition(self.field, "like", pattern)

    def ilike(self, pattern: str) -> Condition:
        return Condition(self.field, "ilike", pattern)


def and_(*filters: Filter) -> Filter:
    return Group("and", filters)


def or_(*filters: Filter) -> Filter:
    return Group("or", filters)


def not_(condition: Filter) -> Filter:
    return Group("not", [condition])


def render_filter(value: Filter | str | None) -> str | None:
    """What to put in ``filter=``: a Filter is rendered and checked, a str is sent as given."""
    if value is None:
        return None
    if isinstance(value, Filter):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    raise TypeError(f"filter must be a Filter (F(...).eq(...)) or a string, got {type(value).__name__}")


# ---- a port of Twenty 2.21's REST filter parser, used to check what we send -----------------


def _check_parentheses(query: str) -> None:
    diff = query.count("(") - query.count(")")
    if diff:
        raise ValueError(f"unbalanced parentheses ({diff:+d})")


def _split_content(query: str) -> list[str]:
    in_brackets = in_double = in_single = False
    depth = 0
    parts: list[str] = []
    current = ""
    for c in query:
        persist = depth >= 1
        if c == "(":
            depth += 1
        if c == ")":
            depth -= 1
            persist = depth >= 1
        if c in "[]":
            in_brackets = not in_brackets
        if c == '"':
            in_double = not in_double
        if c == "'":
            in_single = not in_single
        if c == "," and depth == 1 and not (in_brackets or in_double or in_single):
            parts.append(current)
            current = ""
            persist = False
        if persist:
            current += c
    parts.append(current)
    return parts


def _parse_base(text: str) -> tuple[list[str], str, str]:
    if not _BASE_RE.match(text):
        raise ValueError(f"'filter' invalid for '{text}'")
    fields = comparator = value = ""
    fill_fields, fill_comparator, fill_value = True, False, False
    for c in text:
        if fill_value:
            value += c
        if c == "]" and not fill_value:
            fill_comparator = False
        if c == ":" and not fill_comparator:
            fill_value = True
        if fill_comparator:
            comparator += c
        if c == "[" and fill_fields:
            fill_fields = False
            fill_comparator = True
        if fill_fields:
            fields += c
    if comparator not in COMPARATORS:
        raise ValueError(f"comparator {comparator!r} unknown")
    return fields.split("."), comparator, value


def _format_value(value: str, comparator: str | None) -> Any:
    if comparator in ("in", "containsAny"):
        if not value or value[0] != "[" or value[-1] != "]":
            raise ValueError(f"array value expected for {comparator}")
        return [_format_value(v, None) for v in value[1:-1].split(",")]
    if comparator == "is":
        return value
    if value and value[0] in "\"'" and value[-1] in "\"'":
        return value[1:-1]
    return value


def _parse(query: str) -> dict[str, Any]:
    match = _ROOT_RE.match(query)
    if match:
        conjunction = match.group(1)
        sub = [_parse(part) for part in _split_content(query)]
        if conjunction == "not":
            if len(sub) > 1:
                raise ValueError("'not' conjunction should contain only 1 condition")
            return {"not": sub[0]}
        return {conjunction: sub}
    fields, comparator, value = _parse_base(query)
    node: Any = {comparator: _format_value(value, comparator)}
    for part in reversed(fields):
        node = {part: node}
    return node


def parse_twenty_filter(query: str) -> dict[str, Any]:
    """What Twenty 2.21 reads from a ``filter=`` value (ValueError where it answers 400)."""
    _check_parentheses(query)
    if not _ROOT_RE.match(query):
        query = f"and({query})"
    return _parse(query)


_NUMBER_TYPES = ("NUMBER", "NUMERIC", "POSITION")


def _coerce_leaf(value: Any, kind: str | None) -> Any:
    if isinstance(value, list):
        return [_coerce_leaf(v, kind) for v in value]
    if not isinstance(value, str):
        return value
    if kind in _NUMBER_TYPES or kind == "CURRENCY":
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number
    if kind == "BOOLEAN":
        return value.lower() == "true"
    return value


def rest_filter_to_graphql(query: str, field_type: Callable[[str], str | None]) -> dict[str, Any]:
    """A REST ``filter=`` string as a GraphQL filter input, values typed by the fields' metadata
    types (``field_type(name)`` → ``"NUMBER"``, ``"BOOLEAN"``, …), since Twenty's REST parser hands
    every value on as a string and GraphQL would refuse ``"10"`` for a number."""

    def walk(node: Any, field: str | None) -> Any:
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key in ("and", "or") and field is None:
                out[key] = [walk(v, None) for v in value]
            elif key == "not" and field is None:
                out[key] = walk(value, None)
            elif field is None:
                out[key] = walk(value, key)
            elif key in COMPARATORS:
                out[key] = value if key == "is" else _coerce_leaf(value, field_type(field))
            else:
                out[key] = walk(value, field)  # a composite sub-field: typed by its parent
        return out

    return walk(parse_twenty_filter(query), None)


def all_of(*parts: Filter | str | None) -> str | None:
    """The ``and`` of what is given, None when nothing is: built filters first, then a caller's
    own filter text (already in Twenty's grammar, kept as written). Empty parts are skipped."""
    built = [p for p in parts if isinstance(p, Filter)]
    given = [p.strip() for p in parts if isinstance(p, str) and p.strip()]
    if built:
        given.insert(0, str(built[0] if len(built) == 1 else and_(*built)))
    if not given:
        return None
    return given[0] if len(given) == 1 else f"and({','.join(given)})"
