"""A small GraphQL executor: graphql-core parses, our resolvers return plain data, we project it.

Not a general engine: root fields are looked up in a resolver table; everything below a root
field is projected from Python values (dicts, lists, :class:`Lazy` values that need the field's
arguments or sub-selection). That is enough for what Twenty clients send.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    graphql_sync,
    parse,
    validate,
    value_from_ast_untyped,
)
from graphql.error import GraphQLError as CoreGraphQLError
from graphql.execution.values import get_variable_values

from .errors import GraphQLError

_QUOTED = re.compile(r"'([^'\s]*)'")


@dataclass
class Request:
    """What a resolver sees: arguments, the field node, variables and fragments."""

    field: FieldNode
    args: dict[str, Any]
    variables: dict[str, Any]
    fragments: dict[str, FragmentDefinitionNode]
    context: Any = None

    def selected(self) -> set[str]:
        return {f.name.value for f in collect_fields(self.field.selection_set, self.fragments)}


class Lazy:
    """A value computed only when selected, from the field's arguments and selection."""

    def __init__(self, fn: Callable[[Request], Any]) -> None:
        self.fn = fn


class Projectable:
    """Values that decide themselves how to answer a selected field."""

    typename: str | None = None

    def resolve_field(self, req: Request) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


Resolver = Callable[[Request], Any]


@dataclass
class Executor:
    query_resolvers: dict[str, Resolver] = field(default_factory=dict)
    mutation_resolvers: dict[str, Resolver] = field(default_factory=dict)
    schema: GraphQLSchema | None = None  # when set, documents are validated against it
    introspection_schema: GraphQLSchema | None = None  # answers __schema / __type queries
    root_type_names: tuple[str, str] = ("Query", "Mutation")

    def execute(
        self, query: str, variables: dict[str, Any] | None, operation_name: str | None, context: Any = None
    ) -> tuple[int, dict[str, Any]]:
        try:
            document = parse(query)
        except CoreGraphQLError as err:
            return 200, {"errors": [_core_error(err)]}
        if self.schema is not None:
            errors = validate(self.schema, document)
            if errors:
                return 200, {"errors": [_core_error(e) for e in errors]}
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        op = next(
            (o for o in operations if operation_name and o.name and o.name.value == operation_name),
            operations[0] if operations else None,
        )
        if op is None:
            return 200, {"errors": [{"message": "Must provide an operation."}]}
        variables = dict(variables or {})
        if self.schema is not None:
            coerced = get_variable_values(self.schema, op.variable_definitions or [], variables)
            if isinstance(coerced, list):
                message = _js_coercion_message(self.schema, coerced[0].message)
                return 400, {
                    "errors": [
                        {
                            "message": message,
                            "extensions": {
                                "http": {"status": 400},
                                "code": "BAD_USER_INPUT",
                                "userFriendlyMessage": "An error occurred.",
                            },
                        }
                    ]
                }
        roots = collect_fields(op.selection_set, fragments)
        if (
            self.introspection_schema is not None
            and roots
            and all(f.name.value.startswith("__") for f in roots)
        ):
            result = graphql_sync(
                self.introspection_schema, query, variable_values=variables, operation_name=operation_name
            )
            return 200, result.formatted
        is_mutation = op.operation.value == "mutation"
        table = self.mutation_resolvers if is_mutation else self.query_resolvers
        root_type = self.root_type_names[1 if is_mutation else 0]
        data: dict[str, Any] = {}
        errors: list[dict[str, Any]] = []
        for node in collect_fields(op.selection_set, fragments):
            key = node.alias.value if node.alias else node.name.value
            name = node.name.value
            if name == "__typename":
                data[key] = root_type
                continue
            resolver = table.get(name)
            if resolver is None:
                loc = node.loc.source.get_location(node.loc.start) if node.loc else None
                entry: dict[str, Any] = {"message": f'Cannot query field "{name}" on type "{root_type}".'}
                if loc:
                    entry["locations"] = [{"line": loc.line, "column": loc.column}]
                return 200, {"errors": [entry]}
            req = Request(node, _args(node, variables), variables, fragments, context)
            try:
                data[key] = project(resolver(req), node, variables, fragments, context)
            except GraphQLError as err:
                if err.null_data:
                    return err.status, {"errors": [err.error_entry()], "data": None}
                data[key] = None
                errors.append(err.error_entry())
        body: dict[str, Any] = {"data": data}
        if errors:
            body["errors"] = errors
        return 200, body


_MISSING_FIELD = re.compile(r'Expected value of type "(\w+)!?" to include required field "(\w+)"')


def _js_coercion_message(schema: GraphQLSchema, message: str) -> str:
    """graphql-js words a missing required input field as Twenty answered it (example 143)."""
    message = _QUOTED.sub(r'"\1"', message)
    match = _MISSING_FIELD.search(message)
    if match:
        input_type = schema.get_type(match.group(1))
        fields = getattr(input_type, "fields", {}) or {}
        if match.group(2) in fields:
            return (
                f'Field "{match.group(2)}" of required type "{fields[match.group(2)].type}" was not provided.'
            )
    return message.split("; ", 1)[1] if "; " in message else message


def _core_error(err: CoreGraphQLError) -> dict[str, Any]:
    # graphql-core quotes names with '…'; graphql-js (what Twenty runs) uses "…" (example 123b).
    entry: dict[str, Any] = {"message": _QUOTED.sub(r'"\1"', err.message)}
    if err.locations:
        entry["locations"] = [{"line": loc.line, "column": loc.column} for loc in err.locations]
    return entry


def _args(node: FieldNode, variables: dict[str, Any]) -> dict[str, Any]:
    return {a.name.value: value_from_ast_untyped(a.value, variables) for a in node.arguments or []}


def collect_fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> list[FieldNode]:
    out: list[FieldNode] = []
    for sel in selection_set.selections if selection_set else []:
        if isinstance(sel, FieldNode):
            out.append(sel)
        elif isinstance(sel, InlineFragmentNode):
            out.extend(collect_fields(sel.selection_set, fragments))
        elif isinstance(sel, FragmentSpreadNode) and sel.name.value in fragments:
            out.extend(collect_fields(fragments[sel.name.value].selection_set, fragments))
    return out


def project(
    value: Any,
    node: FieldNode,
    variables: dict[str, Any],
    fragments: dict[str, FragmentDefinitionNode],
    context: Any = None,
) -> Any:
    """Shape ``value`` to the selection of ``node`` (unknown fields answer null, as 2.21 does)."""
    if isinstance(value, Lazy):
        value = value.fn(Request(node, _args(node, variables), variables, fragments, context))
    if value is None or node.selection_set is None:
        return value
    if isinstance(value, list | tuple):
        return [project(v, node, variables, fragments, context) for v in value]
    out: dict[str, Any] = {}
    for sub in collect_fields(node.selection_set, fragments):
        key = sub.alias.value if sub.alias else sub.name.value
        name = sub.name.value
        if isinstance(value, Projectable):
            if name == "__typename":
                out[key] = value.typename
                continue
            child = value.resolve_field(Request(sub, _args(sub, variables), variables, fragments, context))
        elif isinstance(value, dict):
            child = value.get(name)
        else:
            child = None
        out[key] = project(child, sub, variables, fragments, context)
    return out
