"""The fake's own parser and evaluator for Twenty's filter grammar (REST strings and GraphQL input).

REST: ``field[op]:value``, ``field.sub[op]:value``, ``and(...)``, ``or(...)``, ``not(...)``; a bare
comma list at the root means ``and``. Written independently of the client's filter *builder* so the
fake stays an independent judge of what the client sends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import TwentyHttpError
from .schema import ObjectMeta

OPERATORS = frozenset(
    {
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
    }
)
_CONDITION = re.compile(r"^(.+)\[(.+)\]:(.+)$", re.DOTALL)
_CONJUNCTION = re.compile(r"^(and|or|not)\((.*)\)$", re.DOTALL)


@dataclass(frozen=True)
class Cond:
    path: tuple[str, ...]
    op: str
    value: Any


@dataclass(frozen=True)
class Junction:
    kind: str  # "and" | "or" | "not"
    children: tuple[Node, ...]


Node = Cond | Junction


def _bad_filter(text: str) -> TwentyHttpError:
    return TwentyHttpError.bad_request(f"'filter' invalid for '{text}'. eg: price[gte]:10")


def split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside quotes, brackets or parentheses."""
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for i, ch in enumerate(text):
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif quoted:
            continue
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def parse_rest_filter(text: str) -> Node:
    text = text.strip()
    match = _CONJUNCTION.match(text)
    if match and _balanced(match.group(2)):
        kind, inner = match.groups()
        children = tuple(parse_rest_filter(p) for p in split_top_level(inner))
        if kind == "not" and len(children) != 1:
            raise _bad_filter(text)
        return Junction(kind, children)
    parts = split_top_level(text)
    if len(parts) > 1:
        return Junction("and", tuple(parse_rest_filter(p) for p in parts))
    cond = _CONDITION.match(text)
    if not cond:
        raise _bad_filter(text)
    field_path, op, raw_value = cond.groups()
    if op not in OPERATORS:
        raise _bad_filter(text)
    return Cond(tuple(field_path.split(".")), op, _parse_value(raw_value.strip()))


def _balanced(text: str) -> bool:
    depth = 0
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


def _parse_value(raw: str) -> Any:
    if raw.startswith("[") and raw.endswith("]"):
        return [_parse_value(p) for p in split_top_level(raw[1:-1])]
    if len(raw) >= 2 and raw[0] == raw[-1] == '"':
        return raw[1:-1].replace('\\"', '"')
    return raw


def from_graphql(filter_input: dict[str, Any] | None, obj: ObjectMeta) -> Node | None:
    """Turn a GraphQL ``filter`` input object into the same tree the REST parser builds."""
    if not filter_input:
        return None
    children: list[Node] = []
    for key, value in filter_input.items():
        if key in ("and", "or"):
            subs = [n for n in (from_graphql(v, obj) for v in value or []) if n is not None]
            children.append(Junction(key, tuple(subs)))
        elif key == "not":
            sub = from_graphql(value, obj)
            if sub is not None:
                children.append(Junction("not", (sub,)))
        else:
            children.extend(_graphql_field_conditions((key,), value))
    return children[0] if len(children) == 1 else Junction("and", tuple(children))


def _graphql_field_conditions(path: tuple[str, ...], spec: Any) -> list[Node]:
    out: list[Node] = []
    for key, value in (spec or {}).items():
        if key in OPERATORS:
            out.append(Cond(path, key, value))
        else:
            out.extend(_graphql_field_conditions((*path, key), value))
    return out


def validate(node: Node | None, obj: ObjectMeta) -> None:
    """Reject filters on fields the object does not have, with Twenty's message."""
    if node is None:
        return
    if isinstance(node, Junction):
        for child in node.children:
            validate(child, obj)
        return
    name = node.path[0]
    if name not in obj.fields and name not in obj.join_columns():
        raise TwentyHttpError.bad_request(f'Object {obj.singular} doesn\'t have any "{name}" field.')


def mentions(node: Node | None, field_name: str) -> bool:
    if node is None:
        return False
    if isinstance(node, Junction):
        return any(mentions(c, field_name) for c in node.children)
    return node.path[0] == field_name


def matches(node: Node | None, record: dict[str, Any]) -> bool:
    if node is None:
        return True
    if isinstance(node, Junction):
        if node.kind == "and":
            return all(matches(c, record) for c in node.children)
        if node.kind == "or":
            return any(matches(c, record) for c in node.children)
        return not matches(node.children[0], record)
    return _compare(_lookup(record, node.path), node.op, node.value)


def _lookup(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _coerce(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, bool) and isinstance(right, str):
        return left, right.lower() == "true"
    if isinstance(left, int | float) and isinstance(right, str):
        try:
            return left, float(right)
        except ValueError:
            return str(left), right
    return left, right


def like_to_regex(pattern: str, *, ignore_case: bool) -> re.Pattern[str]:
    parts = []
    for ch in pattern:
        parts.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return re.compile("^" + "".join(parts) + "$", re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _compare(left: Any, op: str, right: Any) -> bool:
    if op == "is":
        is_null = left is None
        return is_null if str(right).upper() == "NULL" else not is_null
    if op == "in":
        values = right if isinstance(right, list) else [right]
        return any(_compare(left, "eq", v) for v in values)
    if op == "containsAny":
        values = right if isinstance(right, list) else [right]
        return isinstance(left, list) and any(v in left for v in values)
    if left is None:
        return op == "neq" and right is not None
    left, right = _coerce(left, right)
    if op == "eq":
        return left == right
    if op == "neq":
        return left != right
    if op in ("like", "ilike"):
        return isinstance(left, str) and bool(
            like_to_regex(str(right), ignore_case=op == "ilike").match(left)
        )
    if op == "startsWith":
        return isinstance(left, str) and left.startswith(str(right))
    if op == "endsWith":
        return isinstance(left, str) and left.endswith(str(right))
    try:
        if op == "gt":
            return left > right
        if op == "gte":
            return left >= right
        if op == "lt":
            return left < right
        if op == "lte":
            return left <= right
    except TypeError:
        return False
    return False
