"""Proves a raw GraphQL document stays inside a connection's scope, or refuses it.

The document is parsed with graphql-core (no regexes): every operation's type and every root
field (through fragments and inline fragments) is found. Read-only connections accept only
`query` operations. With an object allow-list, each root field on `/graphql` must map to an
allowed object by Twenty's naming (`people`, `person`, `createPerson`, `peopleGroupBy`, ...),
and nested selections may only be composite fields of that object; relation traversals and
anything unknown are refused, because this server cannot prove where they lead. `/metadata`
exposes every object's schema, so under an allow-list only a few harmless root fields pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .gate import GateError, Scope
from .scoped_args import RECORD_ARGUMENTS, RELATION_TYPES, check_record_value

_CONNECTION_FIELDS = frozenset({"edges", "node", "pageInfo"})
_META_ALLOWED_UNDER_ALLOWLIST = frozenset({"__typename"})
_RECORD_PREFIXES = ("create", "update", "delete", "destroy", "restore", "merge")


@dataclass(frozen=True)
class ObjectView:
    """What the guard needs to know about one object: its names and field types."""

    singular: str
    plural: str
    field_types: Mapping[str, str] = field(default_factory=dict)


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def root_field_index(objects: Iterable[ObjectView]) -> dict[str, ObjectView]:
    """Map every root field Twenty generates for an object to that object."""
    index: dict[str, ObjectView] = {}
    for obj in objects:
        s, p = obj.singular, obj.plural
        names = {s, p, f"{s}Duplicates", f"{p}GroupBy"}
        for prefix in _RECORD_PREFIXES:
            names.add(f"{prefix}{_cap(s)}")
            names.add(f"{prefix}{_cap(p)}")
        for name in names:
            index[name] = obj
    return index


@dataclass
class Analysis:
    operations: list[str]
    root_fields: list[tuple[str, object]]  # (field name, FieldNode)


def analyze(document: str) -> Analysis:
    """Parse and collect operation types and root fields (fragments followed)."""
    from graphql import GraphQLError, parse
    from graphql.language import (
        FieldNode,
        FragmentDefinitionNode,
        FragmentSpreadNode,
        InlineFragmentNode,
        OperationDefinitionNode,
    )

    try:
        doc = parse(document)
    except GraphQLError as err:
        raise GateError(f"GraphQL syntax error: {err.message}. Fix the document and try again.") from err
    fragments = {d.name.value: d for d in doc.definitions if isinstance(d, FragmentDefinitionNode)}
    ops = [d for d in doc.definitions if isinstance(d, OperationDefinitionNode)]
    if not ops:
        raise GateError("The GraphQL document has no operation (query or mutation).")
    operations = [op.operation.value for op in ops]
    roots: list[tuple[str, object]] = []

    def collect(selection_set: object, seen: frozenset[str]) -> None:
        for sel in selection_set.selections:  # type: ignore[attr-defined]
            if isinstance(sel, FieldNode):
                roots.append((sel.name.value, sel))
            elif isinstance(sel, InlineFragmentNode):
                collect(sel.selection_set, seen)
            elif isinstance(sel, FragmentSpreadNode):
                name = sel.name.value
                if name in seen or name not in fragments:
                    raise GateError(f"GraphQL fragment '{name}' is undefined or recursive.")
                collect(fragments[name].selection_set, seen | {name})

    for op in ops:
        collect(op.selection_set, frozenset())
    return Analysis(operations=operations, root_fields=roots)


def _subfields(node: object, fragments_ok: bool = False) -> list[object]:
    from graphql.language import FieldNode

    selection_set = getattr(node, "selection_set", None)
    if selection_set is None:
        return []
    out = []
    for sel in selection_set.selections:
        if not isinstance(sel, FieldNode):
            # Fragments inside record selections would need type resolution to prove safe.
            raise GateError(
                "Fragments inside record selections are refused while an object allow-list is active; "
                "select the fields directly."
            )
        out.append(sel)
    return out


def _check_record_selection(node: object, obj: ObjectView, allow_connection: bool) -> None:
    """A record (or connection of records) of `obj`: only scalars and composite fields may be selected."""
    for sub in _subfields(node):
        name = sub.name.value  # type: ignore[attr-defined]
        if getattr(sub, "selection_set", None) is None:
            continue  # scalars, aggregates, totalCount, __typename
        if allow_connection and name in _CONNECTION_FIELDS:
            _check_record_selection(sub, obj, allow_connection=True)
            continue
        kind = obj.field_types.get(name)
        if kind is None:
            raise GateError(
                f"Field '{name}' of '{obj.singular}' is not a known field; refused while an object "
                "allow-list is active."
            )
        if kind in RELATION_TYPES:
            raise GateError(
                f"Field '{name}' of '{obj.singular}' is a relation; following relations in raw GraphQL "
                "is refused while an object allow-list is active (use depth 0 record tools per object)."
            )


def _check_arguments(node: object, obj: ObjectView, variables: Mapping[str, Any] | None) -> None:
    """filter/orderBy/groupBy may not follow relations; other object-valued arguments are refused,
    except `data` (a write's own fields)."""
    from graphql.utilities import value_from_ast_untyped

    for arg in getattr(node, "arguments", None) or ():
        name = arg.name.value
        value = value_from_ast_untyped(arg.value, dict(variables or {}))
        if name in RECORD_ARGUMENTS:
            check_record_value(obj.field_types, obj.singular, value, f"Argument '{name}'")
        elif name != "data" and _has_object(value):
            raise GateError(
                f"Argument '{name}' of '{obj.plural}' takes an object this server cannot check; refused "
                "while an object allow-list is active."
            )


def _has_object(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and any(_has_object(v) for v in value)


def check(
    document: str,
    endpoint: str,
    scope: Scope,
    objects: Iterable[ObjectView] | None,
    variables: Mapping[str, Any] | None = None,
) -> Analysis:
    """Raise GateError unless the document is provably inside `scope` (arguments included, with
    `variables` substituted)."""
    analysis = analyze(document)
    if scope.read_only:
        bad = sorted({op for op in analysis.operations if op != "query"})
        if bad:
            scope.require_write(f"A GraphQL {'/'.join(bad)} operation")
    if not scope.restricted:
        return analysis
    if endpoint == "metadata":
        for name, _node in analysis.root_fields:
            if name not in _META_ALLOWED_UNDER_ALLOWLIST:
                raise GateError(
                    f"Root field '{name}' on /metadata is refused while an object allow-list is active: "
                    "the metadata API reaches every object. Use twenty_list_objects / "
                    "twenty_get_object_schema, which honour the allow-list."
                )
        return analysis
    index = root_field_index(objects or ())
    for name, node in analysis.root_fields:
        if name == "__typename":
            continue
        obj = index.get(name)
        if obj is None:
            raise GateError(
                f"Root field '{name}' cannot be mapped to an object, so it is refused while an object "
                "allow-list is active (for search use twenty_search, which honours the allow-list)."
            )
        scope.require_names(obj.singular, obj.plural)
        _check_arguments(node, obj, variables)
        _check_record_selection(node, obj, allow_connection=True)
    return analysis
