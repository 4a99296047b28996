"""``/graphql``: record queries and mutations generated per object, search, and workflow mutations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from graphql import GraphQLSchema, build_client_schema

from . import aggregates, contract_data, filters, query, records
from .errors import GraphQLError, TwentyHttpError, rate_limit_graphql
from .events import Events
from .gql import Executor, Lazy, Projectable, Request
from .runtime import Principal, Runtime
from .schema import ObjectMeta
from .store import Store, is_uuid


@dataclass
class CoreContext:
    runtime: Runtime
    principal: Principal
    rate_limited: bool = False

    @property
    def store(self) -> Store:
        return self.runtime.store


class RecordNode(Projectable):
    def __init__(self, store: Store, obj: ObjectMeta, record: dict[str, Any]) -> None:
        self.store, self.obj, self.record = store, obj, record
        self.typename = obj.type_name

    def resolve_field(self, req: Request) -> Any:
        name = req.field.name.value
        if name in self.record:
            return self.record[name]
        fm = self.obj.fields.get(name)
        target = self.store.schema.objects.get(fm.relation_target or "") if fm else None
        if fm is None or target is None:
            return None  # 2.21 answers unknown selections with null (example 106)
        if fm.relation_type == "MANY_TO_ONE" and fm.join_column:
            related = self.store.table(target).get(self.record.get(fm.join_column) or "")
            return (
                RecordNode(self.store, target, related) if related and not related.get("deletedAt") else None
            )
        if fm.relation_type == "ONE_TO_MANY" and fm.inverse_join:
            base = filters.Cond((fm.inverse_join,), "eq", self.record["id"])
            return connection(self.store, target, req.args, base)
        return None


class Connection(Projectable):
    def __init__(
        self, store: Store, obj: ObjectMeta, matching: list[dict[str, Any]], page: query.Page
    ) -> None:
        self.store, self.obj, self.matching, self.page = store, obj, matching, page
        self.typename = f"{obj.type_name}Connection"

    def resolve_field(self, req: Request) -> Any:
        name = req.field.name.value
        if name == "edges":
            return [
                {
                    "__typename": f"{self.obj.type_name}Edge",
                    "cursor": self.page.cursor(r),
                    "node": RecordNode(self.store, self.obj, r),
                }
                for r in self.page.records
            ]
        if name == "pageInfo":
            return {
                "__typename": "PageInfo",
                "hasNextPage": self.page.has_next_page,
                "hasPreviousPage": self.page.has_previous_page,
                "startCursor": self.page.start_cursor,
                "endCursor": self.page.end_cursor,
            }
        if aggregates.is_aggregate(name):
            return aggregates.compute(self.obj, self.matching, name)
        return None


def _filter_error(err: TwentyHttpError, obj: ObjectMeta) -> GraphQLError:
    message = err.body["messages"][0]
    friendly = message.replace(f"Object {obj.singular} doesn't", f"{obj.singular} object doesn't")
    return GraphQLError.bad_input(message, "INVALID_ARGS_FILTER", f"Invalid filter : {friendly}")


def _as_field_error(err: TwentyHttpError) -> GraphQLError:
    return GraphQLError(
        err.body["messages"][0], code="BAD_USER_INPUT", null_data=False, friendly=err.body["messages"][0]
    )


def _graphql_filter(obj: ObjectMeta, raw: Any) -> filters.Node | None:
    node = filters.from_graphql(raw, obj)
    try:
        filters.validate(node, obj)
    except TwentyHttpError as err:
        raise _filter_error(err, obj) from None
    _check_uuids(node, obj)
    return node


def _check_uuids(node: filters.Node | None, obj: ObjectMeta) -> None:
    if isinstance(node, filters.Junction):
        for child in node.children:
            _check_uuids(child, obj)
        return
    if node is None or node.op not in ("eq", "neq", "in"):
        return
    fm = obj.fields.get(node.path[0])
    is_uuid_field = (fm is not None and fm.type == "UUID") or node.path[0] in obj.join_columns()
    values = node.value if isinstance(node.value, list) else [node.value]
    for value in values:
        if is_uuid_field and not is_uuid(value):
            raise GraphQLError.bad_input(
                f"Invalid UUID value '{value}' for field \"{node.path[0]}\"",
                "INVALID_ARGS_FILTER",
                f"Invalid value for UUID: \"'{value}'\"",
            )


def connection(
    store: Store, obj: ObjectMeta, args: dict[str, Any], base: filters.Node | None = None
) -> Connection:
    node = _graphql_filter(obj, args.get("filter"))
    if base is not None:
        node = filters.Junction("and", (base, node)) if node else base
    order = query.order_from_graphql(args.get("orderBy"))
    matching = store.select(obj, node)
    first, last = args.get("first"), args.get("last")
    limit = min(
        int(first if first is not None else last if last is not None else query.DEFAULT_LIMIT),
        query.MAX_LIMIT,
    )
    page = query.paginate(matching, order, limit=limit, after=args.get("after"), before=args.get("before"))
    return Connection(store, obj, matching, page)


@cache
def core_schema() -> GraphQLSchema:
    """The captured /graphql schema (API-key view), for introspection queries (example 198)."""
    return build_client_schema(contract_data.load_json("graphql-introspection.json")["data"])


class CoreResolvers:
    """Builds the per-object resolver table (objects can be added at runtime)."""

    def __init__(self, runtime: Runtime, events: Events) -> None:
        self.rt = runtime
        self.events = events

    def executor(self) -> Executor:
        ex = Executor(introspection_schema=core_schema())
        for obj in list(self.rt.store.schema.objects.values()):
            self._add_object(ex, obj)
        ex.query_resolvers["search"] = self._search
        for name in (
            "activateWorkflowVersion",
            "deactivateWorkflowVersion",
            "runWorkflowVersion",
            "createWorkflowVersionStep",
            "updateWorkflowVersionStep",
            "deleteWorkflowVersionStep",
            "computeStepOutputSchema",
            "createDraftFromWorkflowVersion",
            "createWorkflowVersionEdge",
            "deleteWorkflowVersionEdge",
        ):
            ex.mutation_resolvers[name] = self._workflow_mutation(name)
        return ex

    # ---- generated per object ------------------------------------------------------------------
    def _add_object(self, ex: Executor, obj: ObjectMeta) -> None:
        t, pt = obj.type_name, obj.plural_type_name
        q, m = ex.query_resolvers, ex.mutation_resolvers
        q[obj.plural] = self._guarded(obj, lambda o, r: connection(self.rt.store, o, r.args))
        q[obj.singular] = self._guarded(obj, self._find_one)
        q[f"{obj.plural}GroupBy"] = self._guarded(obj, self._group_by)
        q[f"{obj.singular}Duplicates"] = self._guarded(obj, self._duplicates)
        m[f"create{t}"] = self._guarded(obj, self._create_one)
        m[f"create{pt}"] = self._guarded(obj, self._create_many)
        m[f"update{t}"] = self._guarded(obj, self._update_one)
        m[f"update{pt}"] = self._guarded(obj, self._update_many)
        m[f"delete{t}"] = self._guarded(obj, lambda o, r: self._one(o, r, "soft"))
        m[f"delete{pt}"] = self._guarded(obj, lambda o, r: self._many(o, r, "soft"))
        m[f"destroy{t}"] = self._guarded(obj, lambda o, r: self._one(o, r, "destroy"))
        m[f"destroy{pt}"] = self._guarded(obj, lambda o, r: self._many(o, r, "destroy"))
        m[f"restore{t}"] = self._guarded(obj, lambda o, r: self._one(o, r, "restore"))
        m[f"restore{pt}"] = self._guarded(obj, lambda o, r: self._many(o, r, "restore"))
        m[f"merge{pt}"] = self._guarded(obj, self._merge)

    def _guarded(self, obj: ObjectMeta, fn: Any) -> Any:
        def resolver(req: Request) -> Any:
            ctx: CoreContext = req.context
            if ctx.rate_limited:
                err = rate_limit_graphql(self.rt.limiter.message)
                err.null_data = False
                raise err
            try:
                with self.rt.lock:
                    return fn(obj, req)
            except TwentyHttpError as err:
                raise _as_field_error(err) from None
            except GraphQLError as err:
                err.null_data = False  # record resolvers are nullable: the field answers null
                raise

        return resolver

    def _node(self, obj: ObjectMeta, record: dict[str, Any] | None) -> RecordNode | None:
        return RecordNode(self.rt.store, obj, record) if record is not None else None

    def _find_one(self, obj: ObjectMeta, req: Request) -> Any:
        node = _graphql_filter(obj, req.args.get("filter"))
        found = self.rt.store.select(obj, node)
        return self._node(obj, query.sort_records(found, [])[0] if found else None)

    def _create_one(self, obj: ObjectMeta, req: Request) -> Any:
        ctx: CoreContext = req.context
        data = req.args.get("data") or {}
        records.write_guard(obj, ctx.principal, data, creating=True)
        record = self.rt.store.create(obj, data, ctx.principal.actor)
        self.events.created(obj, record, ctx.principal)
        return self._node(obj, record)

    def _create_many(self, obj: ObjectMeta, req: Request) -> Any:
        ctx: CoreContext = req.context
        items = req.args.get("data") or []
        for item in items:
            records.write_guard(obj, ctx.principal, item, creating=True)
        created = self.rt.store.create_many(obj, items, ctx.principal.actor)
        for record in created:
            self.events.created(obj, record, ctx.principal)
        return [self._node(obj, r) for r in created]

    def _update_one(self, obj: ObjectMeta, req: Request) -> Any:
        ctx: CoreContext = req.context
        data = req.args.get("data") or {}
        records.write_guard(obj, ctx.principal, data, creating=False)
        before = dict(self.rt.store.get(obj, str(req.args.get("id"))))
        record = self.rt.store.update(obj, str(req.args.get("id")), data, ctx.principal.actor)
        self.events.updated(obj, before, record, ctx.principal)
        return self._node(obj, record)

    def _update_many(self, obj: ObjectMeta, req: Request) -> Any:
        ctx: CoreContext = req.context
        data = req.args.get("data") or {}
        records.write_guard(obj, ctx.principal, data, creating=False)
        node = _graphql_filter(obj, req.args.get("filter"))
        out = []
        for record in self.rt.store.select(obj, node):
            before = dict(record)
            updated = self.rt.store.update(obj, record["id"], data, ctx.principal.actor)
            self.events.updated(obj, before, updated, ctx.principal)
            out.append(self._node(obj, updated))
        return out

    def _one(self, obj: ObjectMeta, req: Request, action: str) -> Any:
        ctx: CoreContext = req.context
        records.write_guard(obj, ctx.principal, {}, creating=False)
        store = self.rt.store
        record = store.get(obj, str(req.args.get("id")), with_deleted=action != "soft")
        if action == "soft":
            return self._node(obj, store.soft_delete(obj, record))
        if action == "restore":
            return self._node(obj, store.restore(obj, record))
        snapshot = dict(record)
        store.destroy(obj, record)
        return self._node(obj, snapshot)

    def _many(self, obj: ObjectMeta, req: Request, action: str) -> Any:
        ctx: CoreContext = req.context
        records.write_guard(obj, ctx.principal, {}, creating=False)
        store = self.rt.store
        node = _graphql_filter(obj, req.args.get("filter"))
        if node is None and action != "restore":
            raise GraphQLError.bad_input(
                "A filter is required", "INVALID_ARGS_FILTER", "A filter is required"
            )
        targets = store.select(obj, node, with_deleted=action != "soft")
        out = []
        for record in targets:
            if action == "soft":
                out.append(store.soft_delete(obj, record))
            elif action == "restore":
                out.append(store.restore(obj, record))
            else:
                out.append(dict(record))
                store.destroy(obj, record)
        return [self._node(obj, r) for r in out]

    def _merge(self, obj: ObjectMeta, req: Request) -> Any:
        ctx: CoreContext = req.context
        return self._node(obj, records.merge_records(self.rt.store, obj, req.args, ctx.principal))

    def _duplicates(self, obj: ObjectMeta, req: Request) -> Any:
        results = records.find_duplicates(self.rt.store, obj, req.args)
        out = []
        for result in results:
            dups = result[f"{obj.singular}Duplicates"]
            page = query.Page(dups, len(dups), False, False, [])
            out.append(Connection(self.rt.store, obj, dups, page))
        return out

    def _group_by(self, obj: ObjectMeta, req: Request) -> Any:
        store = self.rt.store
        node = _graphql_filter(obj, req.args.get("filter"))
        group_by = req.args.get("groupBy") or []
        limit = int(req.args.get("limit") or query.DEFAULT_LIMIT)
        groups = records.group_records(store, obj, node, group_by)
        out = []
        for dims, members in groups:
            page = query.Page(members[:limit], len(members), len(members) > limit, False, [])
            out.append(_Group(store, obj, members, page, dims))
        return out

    # ---- search ------------------------------------------------------------------------------
    def _search(self, req: Request) -> Any:
        ctx: CoreContext = req.context
        if ctx.rate_limited:
            err = rate_limit_graphql(self.rt.limiter.message)
            err.null_data = False
            raise err
        with self.rt.lock:
            return search(self.rt.store, req.args)

    # ---- workflows (guarded by UserAuthGuard in 2.21: API keys get "Forbidden resource") -------
    def _workflow_mutation(self, name: str) -> Any:
        def resolver(req: Request) -> Any:
            ctx: CoreContext = req.context
            if not ctx.principal.is_user:
                raise GraphQLError.forbidden_resource()
            with self.rt.lock:
                try:
                    return self.events.workflows.mutation(name, req.args, ctx.principal)
                except TwentyHttpError as err:
                    raise GraphQLError(err.body["messages"][0], code="BAD_USER_INPUT") from None

        return resolver


class _Group(Connection):
    def __init__(
        self, store: Store, obj: ObjectMeta, members: list[dict[str, Any]], page: query.Page, dims: list[Any]
    ) -> None:
        super().__init__(store, obj, members, page)
        self.dims = dims
        self.typename = f"{obj.type_name}GroupByConnection"

    def resolve_field(self, req: Request) -> Any:
        if req.field.name.value == "groupByDimensionValues":
            return self.dims
        return super().resolve_field(req)


def search(store: Store, args: dict[str, Any]) -> dict[str, Any]:
    """Cross-object search over the label field and searchable text of searchable objects."""
    needle = str(args.get("searchInput") or "").strip().lower()
    limit = min(int(args.get("limit") or 20), 100)
    included = set(args.get("includedObjectNameSingulars") or [])
    excluded = set(args.get("excludedObjectNameSingulars") or [])
    hits: list[tuple[float, dict[str, Any]]] = []
    for obj in store.schema.objects.values():
        if not obj.raw.get("isSearchable") or (included and obj.singular not in included):
            continue
        if obj.singular in excluded:
            continue
        for record in store.select(obj, None):
            vector = str(record.get("searchVector") or "").lower()
            label = _label(obj, record)
            if needle and needle not in vector and needle not in label.lower():
                continue
            rank = 0.4 if label.lower().startswith(needle) else 0.1
            hits.append(
                (
                    rank,
                    {
                        "__typename": "SearchRecord",
                        "recordId": record["id"],
                        "objectNameSingular": obj.singular,
                        "objectLabelSingular": obj.raw.get("labelSingular"),
                        "label": label,
                        "imageUrl": record.get("avatarUrl")
                        if isinstance(record.get("avatarUrl"), str)
                        else "",
                        "tsRankCD": rank,
                        "tsRank": round(rank / 2, 8),
                    },
                )
            )
    hits.sort(key=lambda h: (-h[0], h[1]["recordId"]))
    chosen = [h for _, h in hits[:limit]]
    edges = [
        {
            "__typename": "SearchResultEdge",
            "cursor": query.encode_cursor({"id": n["recordId"]}, []),
            "node": n,
        }
        for n in chosen
    ]
    return {
        "__typename": "SearchResultConnection",
        "edges": edges,
        "pageInfo": {
            "__typename": "SearchResultPageInfo",
            "hasNextPage": len(hits) > limit,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }


def _label(obj: ObjectMeta, record: dict[str, Any]) -> str:
    name = obj.label_field()
    value = record.get(name) if name else None
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if isinstance(v, str) and v).strip()
    return str(value or "")


def graphql_context(runtime: Runtime, principal: Principal) -> CoreContext:
    return CoreContext(runtime, principal, rate_limited=not runtime.take_rate_token(principal))


__all__ = ["CoreResolvers", "Lazy", "graphql_context"]
