"""A tool's only view of Twenty: every call names its object and passes the connection's scope.

Tools never hold the raw TwentyClient (nor the raw user-session client). Each method here
resolves the object it touches and checks it against the allow-list, refuses writes on a
read-only connection, and holds field-naming arguments (filter, order_by, group_by, aggregate
fields, raw GraphQL arguments) to scoped_args. The few calls that must reach a fixed object
outside the list on the user's behalf (their timeline, their own workspace member, server-written
GraphQL documents) are named methods with fixed shapes, so a new tool cannot widen them by
accident.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from twenty_api.filters import F

from .gate import GateError, Scope
from .scoped_args import check_field_paths, check_rest_filter, field_kinds

if TYPE_CHECKING:
    from twenty_api import TwentyClient
    from twenty_api.models import ObjectInfo
    from twenty_api.operations import Operation
    from twenty_api.pagination import Page

    from .graphql_guard import ObjectView


def allowed_ids(objects: Sequence[ObjectInfo], scope: Scope) -> set[str]:
    """The ids of the objects the scope's names mean: for each name, a standard object before a
    custom one, a plural-name match before a singular one."""

    def canonical(names: frozenset[str] | None) -> set[str] | None:
        if names is None:
            return None
        ids = set()
        for name in names:
            matches = [o for o in objects if name in (o.name_singular.lower(), o.name_plural.lower())]
            matches.sort(key=lambda o: (o.is_custom, name != o.name_plural.lower()))
            if matches:
                ids.add(matches[0].id)
        return ids

    every = {o.id for o in objects}
    first, second = canonical(scope.allowed), canonical(scope.also)
    return (every if first is None else first) & (every if second is None else second)


class ScopedClient:
    def __init__(self, raw: TwentyClient, scope: Scope) -> None:
        self._raw = raw
        self.scope = scope

    # --- objects ---------------------------------------------------------------------------
    async def _require(self, obj: ObjectInfo) -> None:
        """On the allow-list by name AND the object each listed name means (a custom object named
        like an allowed one - singular 'people', plural 'peoples' - does not join the list)."""
        self.scope.require_names(obj.name_singular, obj.name_plural)
        if self.scope.restricted and obj.id not in allowed_ids(
            (await self._raw.schema()).objects, self.scope
        ):
            raise GateError(
                f"Object '{obj.name_plural}' only shares a name with an allowed object; it is outside this "
                "connection's allowed objects."
            )

    async def resolve_object(self, name: str) -> ObjectInfo:
        obj = await self._raw.resolve_object(name)
        await self._require(obj)
        return obj

    async def get_object(self, name: str) -> ObjectInfo:
        obj = await self._raw.get_object(name)
        await self._require(obj)
        return obj

    async def objects(self, *, refresh: bool = False) -> list[ObjectInfo]:
        objs = (await self._raw.schema(refresh=refresh)).objects
        if not self.scope.restricted:
            return list(objs)
        ids = allowed_ids(objs, self.scope)
        return [o for o in objs if o.id in ids]

    async def refresh_schema(self) -> None:
        await self._raw.schema(refresh=True)

    async def workspace_id(self) -> str:
        return await self._raw.workspace_id()

    async def _kinds(self, plural: str) -> dict[str, str]:
        return field_kinds((await self.get_object(plural)).fields)

    async def _check_args(
        self, plural: str, *, filter: Any = None, order_by: str | None = None, depth: int | None = None
    ) -> None:
        if not self.scope.restricted:
            return
        if depth:
            raise GateError(
                "depth=1 embeds related records of other objects, which an object allow-list cannot "
                "vouch for; use depth=0 and fetch related records from allowed objects by their <relation>Id."
            )
        if filter is None and order_by is None:
            return
        kinds = await self._kinds(plural)
        check_rest_filter(kinds, plural, str(filter) if filter is not None else None)
        check_field_paths(kinds, plural, order_by, "The order")

    def _write(self, what: str) -> None:
        self.scope.require_write(what)

    # --- records ---------------------------------------------------------------------------
    async def list_records(
        self,
        plural: str,
        *,
        filter: Any = None,
        order_by: str | None = None,
        limit: int | None = 60,
        cursor: str | None = None,
        depth: int | None = None,
    ) -> Page:
        await self.resolve_object(plural)
        await self._check_args(plural, filter=filter, order_by=order_by, depth=depth)
        return await self._raw.list_records(
            plural, filter=filter, order_by=order_by, limit=limit, cursor=cursor, depth=depth
        )

    async def get_record(self, plural: str, id: str, *, depth: int | None = None) -> dict[str, Any]:
        await self.resolve_object(plural)
        await self._check_args(plural, depth=depth)
        return await self._raw.get_record(plural, id, depth=depth)

    async def create_record(self, plural: str, data: dict[str, Any]) -> dict[str, Any]:
        self._write(f"Creating a {plural} record")
        await self.resolve_object(plural)
        return await self._raw.create_record(plural, data)

    async def batch_create(self, plural: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self._write(f"Creating {plural} records")
        await self.resolve_object(plural)
        return await self._raw.batch_create(plural, records)

    async def update_record(self, plural: str, id: str, data: dict[str, Any]) -> dict[str, Any]:
        self._write(f"Updating a {plural} record")
        await self.resolve_object(plural)
        return await self._raw.update_record(plural, id, data)

    async def delete_record(self, plural: str, id: str) -> dict[str, Any]:
        self._write(f"Deleting a {plural} record")
        await self.resolve_object(plural)
        return await self._raw.delete_record(plural, id)

    async def destroy_record(self, plural: str, id: str, *, confirm: bool = False) -> dict[str, Any]:
        self._write(f"Destroying a {plural} record")
        await self.resolve_object(plural)
        return await self._raw.destroy_record(plural, id, confirm=confirm)

    async def restore_records(self, plural: str, filter: str) -> list[dict[str, Any]]:
        self._write(f"Restoring {plural} records")
        await self.resolve_object(plural)
        await self._check_args(plural, filter=filter)
        return await self._raw.restore_records(plural, filter)

    async def find_duplicates(
        self, plural: str, ids: Sequence[str] | None = None, data: Sequence[dict[str, Any]] | None = None
    ) -> list[list[dict[str, Any]]]:
        await self.resolve_object(plural)
        return await self._raw.find_duplicates(plural, ids=ids, data=data)

    async def merge_records(
        self, plural: str, ids: Sequence[str], conflict_priority_index: int = 0, dry_run: bool = False
    ) -> dict[str, Any]:
        if not dry_run:
            self._write(f"Merging {plural} records")
        await self.resolve_object(plural)
        return await self._raw.merge_records(
            plural, ids, conflict_priority_index=conflict_priority_index, dry_run=dry_run
        )

    async def aggregate(
        self,
        plural: str,
        operation: str,
        field: str | None = None,
        group_by: list[str] | None = None,
        filter: Any = None,
    ) -> Any:
        await self.resolve_object(plural)
        if self.scope.restricted:
            kinds = await self._kinds(plural)
            check_field_paths(kinds, plural, field, "The aggregated field")
            for g in group_by or []:
                check_field_paths(kinds, plural, g, "The group-by")
            if isinstance(filter, str):
                check_rest_filter(kinds, plural, filter)
            elif filter is not None:
                from .scoped_args import check_record_value

                check_record_value(kinds, plural, filter, "The filter")
        return await self._raw.aggregate(plural, operation, field=field, group_by=group_by, filter=filter)

    async def search(
        self, query: str, limit: int = 20, included_objects: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        names = list(included_objects or [])
        for name in names:
            await self.resolve_object(name)
        if self.scope.restricted and not names:
            raise GateError("Search under an object allow-list must name the objects it searches.")
        return await self._raw.search(query, limit=limit, included_objects=names or None)

    async def timeline(
        self, obj: ObjectInfo, record_id: str, *, limit: int, cursor: str | None
    ) -> tuple[str, Page]:
        """The timeline of one record of an allowed object; entries about other objects are dropped."""
        await self._require(obj)
        timeline = await self._raw.resolve_object("timelineActivities")
        fk = f"target{obj.name_singular[:1].upper()}{obj.name_singular[1:]}Id"
        page = await self._raw.list_records(
            timeline.name_plural,
            filter=F(fk).eq(record_id),
            order_by="happensAt[DescNullsLast]",
            limit=limit,
            cursor=cursor,
        )
        if self.scope.restricted:
            allowed_ids = {str(o.id) for o in await self.objects()}
            page.records = [
                r
                for r in page.records
                if not r.get("linkedObjectMetadataId") or str(r["linkedObjectMetadataId"]) in allowed_ids
            ]
        return timeline.name_plural, page

    async def own_workspace_member(self, email: str) -> dict[str, Any] | None:
        """The signed-in user's own workspace member (by their e-mail), for blocklist writes."""
        page = await self._raw.list_records("workspaceMembers", filter=F("userEmail").eq(email), limit=1)
        return page.records[0] if page.records else None

    # --- GraphQL ---------------------------------------------------------------------------
    async def object_views(self) -> list[ObjectView]:
        from .graphql_guard import ObjectView

        views = []
        for obj in (await self._raw.schema()).objects:
            full = obj if obj.fields else await self._raw.get_object(obj.name_plural)
            views.append(ObjectView(obj.name_singular, obj.name_plural, field_kinds(full.fields)))
        return views

    async def graphql(
        self, query: str, variables: dict[str, Any] | None = None, endpoint: str = "graphql"
    ) -> dict[str, Any]:
        """A caller's GraphQL document: proven inside the scope (graphql_guard) or refused."""
        from .graphql_guard import check

        views = await self.object_views() if self.scope.restricted and endpoint == "graphql" else None
        check(query, endpoint, self.scope, views, variables)
        return await self._raw.graphql(query, variables, endpoint=endpoint)  # type: ignore[arg-type]

    async def run(
        self, op: Operation, variables: dict[str, Any] | None = None, *, what: str = "This action"
    ) -> Any:
        """A named operation of twenty_api (dashboards, views, fields): the calling tool has checked
        every object it touches already; a write still needs a read-write connection."""
        if op.writes:
            self._write(what)
        return await self._raw.run(op, variables)

    # --- schema and webhooks -----------------------------------------------------------------
    async def create_object(self, singular: str, plural: str, *args: Any, **extra: Any) -> Any:
        self._write("Creating an object")
        if not self.scope.allows_names(singular, plural):
            raise GateError(f"Object '{plural}' would be outside this connection's allowed objects.")
        return await self._raw.create_object(singular, plural, *args, **extra)

    async def create_field(self, obj: ObjectInfo, name: str, type: str, label: str, **extra: Any) -> Any:
        self._write("Adding a field")
        await self._require(obj)
        return await self._raw.create_field(str(obj.id), name, type, label, **extra)

    async def list_webhooks(self) -> list[dict[str, Any]]:
        hooks = await self._raw.list_webhooks()
        if not self.scope.restricted:
            return hooks
        objects = (await self._raw.schema()).objects
        ids = allowed_ids(objects, self.scope)
        by_singular = {o.name_singular: o.id for o in objects}
        visible = []
        for hook in hooks:
            names = [op.split(".", 1)[0] for op in hook.get("operations") or []]
            if names and "*" not in names and all(by_singular.get(n) in ids for n in names):
                visible.append(hook)
        return visible

    async def create_webhook(
        self, target_url: str, operations: list[str], description: str | None, secret: str | None
    ) -> dict[str, Any]:
        self._write("Creating a webhook")
        if self.scope.restricted:
            for name in (op.split(".", 1)[0] for op in operations):
                if name == "*":
                    raise GateError(
                        "Webhook operations on '*' reach every object; refused under an object allow-list."
                    )
                await self.resolve_object(name)
        return await self._raw.create_webhook(target_url, operations, description=description, secret=secret)

    async def delete_webhook(self, id: str) -> bool:
        self._write("Deleting a webhook")
        if self.scope.restricted and id not in {str(h.get("id")) for h in await self.list_webhooks()}:
            raise GateError("That webhook is not one this connection's allowed objects can see.")
        return await self._raw.delete_webhook(id)
