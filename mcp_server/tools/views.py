"""Views: create, update and delete an object's saved views (table, kanban, calendar) with their
visible fields, filters and sorts. Every GraphQL document is a named operation of twenty_api.views;
the shapes and rules are 2.21's (see that module's docstring)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, ConfigDict, Field

from twenty_api import views as api
from twenty_api.models import ObjectInfo
from twenty_api.object_fields import FilterArgs, ObjectFields

from ..gate import GateError
from ..registry import tool
from ..runtime import Connection, connection
from ..scoped_args import RELATION_TYPES, check_field, field_kinds
from ._common import ObjectName

FieldName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)?$",
        description="Field name; a composite's part after a dot: name.firstName",
    ),
]
Operand = api.FilterOperand


class FilterSpec(BaseModel):
    """One filter rule, as Twenty's filter bar makes it."""

    model_config = ConfigDict(extra="forbid")
    field: FieldName
    operand: Operand = Field(
        description="SELECT, relation: IS/IS_NOT; numbers: GREATER_THAN_OR_EQUAL/LESS_THAN_OR_EQUAL; "
        "text: CONTAINS; date: IS_BEFORE/IS_AFTER, IS_RELATIVE ('PAST_7_DAY'); any: IS_EMPTY"
    )
    value: str | float | bool | list[str] | None = Field(
        default=None, description="['MEETING'] for a SELECT, record ids for a relation, 100000 for an amount"
    )


class SortSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    field: FieldName
    direction: Literal["ASC", "DESC"] = "ASC"


Filters = Annotated[list[FilterSpec] | None, Field(default=None, max_length=30)]
Sorts = Annotated[list[SortSpec] | None, Field(default=None, max_length=10)]
VisibleFields = Annotated[
    list[FieldName] | None,
    Field(
        default=None,
        max_length=60,
        description="The columns/card fields to show, in order. Omitted: those of the object's main view.",
    ),
]


class ViewResult(BaseModel):
    object: str = Field(description="Plural API name of the view's object")
    view: dict[str, Any] = Field(
        description="The view as Twenty reads it back (fields, filters, sorts, groups)"
    )
    note: str | None = None


class ViewDeleted(BaseModel):
    id: str
    object: str
    name: str
    deleted: bool = True


# --- shared by views and dashboards --------------------------------------------------------------


class Fields(ObjectFields):
    """An object's fields (twenty_api.object_fields) under this connection's object scope: with an
    allow-list, a field that reaches another object (a relation) is refused wherever it is named."""

    def __init__(self, conn: Connection, obj: ObjectInfo) -> None:
        self.restricted = conn.scope.restricted
        kinds = field_kinds(obj.fields)

        def in_scope(name: str, what: str) -> None:
            check_field(kinds, obj.name_plural, name, what)

        super().__init__(obj, in_scope if self.restricted else None)

    @classmethod
    async def of(cls, conn: Connection, object: str) -> Fields:
        obj = await conn.resolve(object)
        return cls(conn, await conn.client.get_object(obj.name_plural))

    def rule(self, spec: FilterSpec, what: str = "A filter") -> FilterArgs:
        """A filter spec as (fieldMetadataId, operand, value, subFieldName), 2.21's checks passed."""
        return self.filter_args(spec.field, spec.operand, spec.value, what)


async def object_by_id(conn: Connection, object_metadata_id: str, what: str) -> ObjectInfo:
    """The object a view or widget belongs to, if this connection may see it."""
    for obj in await conn.objects():
        if str(obj.id) == str(object_metadata_id):
            return obj
    raise GateError(f"{what} belongs to an object outside this connection's allowed objects.")


async def read_view(conn: Connection, view_id: str) -> tuple[dict[str, Any], ObjectInfo]:
    view = await conn.client.run(api.GET_VIEW, {"id": view_id})
    if not view:
        raise ToolError(f"No view with id {view_id}.")
    obj = await object_by_id(conn, str(view.get("objectMetadataId")), f"View '{view.get('name')}'")
    return view, obj


async def main_view_fields(conn: Connection, fields: Fields) -> list[str]:
    """The visible fields, in order, of the object's main (INDEX) view: what Twenty copies into a
    new view from the one on screen. Relations are left out under an object allow-list."""
    views = await conn.client.run(api.GET_VIEWS, {"objectMetadataId": fields.obj.id}) or []
    index = next((v for v in views if v.get("key") == "INDEX"), None)
    by_id = {f.id: f for f in fields.by_name.values()}
    names: list[str] = []
    if index:
        full = await conn.client.run(api.GET_VIEW, {"id": index["id"]}) or {}
        for vf in sorted(full.get("viewFields") or [], key=lambda v: v.get("position") or 0):
            f = by_id.get(str(vf.get("fieldMetadataId")))
            if f and vf.get("isVisible") and not (fields.restricted and f.type in RELATION_TYPES):
                names.append(f.name)
    if not names:
        names = [f.name for f in fields.by_name.values() if not f.is_system and f.type not in RELATION_TYPES][
            :8
        ]
    if fields.label_name:  # 2.21 keeps it first (see _check_names)
        names = [fields.label_name, *(n for n in names if n != fields.label_name)]
    return names


async def build_view(
    conn: Connection,
    fields: Fields,
    create_input: dict[str, Any],
    visible: list[str],
    filters: list[FilterSpec],
    sorts: list[SortSpec],
) -> dict[str, Any]:
    """createView, its fields, filters and sorts; on any failure the view is destroyed (its children
    with it) and the error says so. Every argument was checked before the first write."""
    view = await conn.client.run(api.CREATE_VIEW, {"input": create_input}, what="Creating a view")
    view_id = str(view["id"])
    try:
        field_inputs = [
            api.view_field_input(view_id, fields.by_name[name].id, i) for i, name in enumerate(visible)
        ]
        if field_inputs:
            await conn.client.run(api.CREATE_VIEW_FIELDS, {"inputs": field_inputs})
        for spec in filters:
            fid, operand, value, sub = fields.rule(spec)
            await conn.client.run(
                api.CREATE_VIEW_FILTER, {"input": api.view_filter_input(view_id, fid, operand, value, sub)}
            )
        for sort in sorts:
            found, _ = fields.get(sort.field, "A sort")
            await conn.client.run(
                api.CREATE_VIEW_SORT, {"input": api.view_sort_input(view_id, found.id, sort.direction)}
            )
        return await conn.client.run(api.GET_VIEW, {"id": view_id}) or view
    except Exception as err:
        raise ToolError(f"{err} {await destroy_view_after_failure(conn, view_id)}") from err


async def destroy_view_after_failure(conn: Connection, view_id: str) -> str:
    try:
        await conn.client.run(api.DESTROY_VIEW, {"id": view_id})
    except Exception as undo_err:
        return (
            f"The half-built view {view_id} could not be removed ({undo_err}); "
            "delete it with twenty_delete_view."
        )
    return f"Nothing was left behind: the half-built view {view_id} was removed."


def _check_names(fields: Fields, names: list[str], what: str) -> list[str]:
    """The visible fields in order. 2.21 keeps the object's label identifier (a company's name)
    visible and first in every view (validate-label-identifier-field-metadata-id-flat-view-field.util.ts,
    flat-view-field-validator.service.ts), so it leads the list whether or not it was named."""
    out = []
    for name in names:
        found, sub = fields.get(name, what)
        if sub:
            raise ToolError(f"{what}: '{name}' - a view shows whole fields; use '{found.name}'.")
        if found.name in out:
            raise ToolError(f"{what} names '{found.name}' twice.")
        out.append(found.name)
    if fields.label_name:
        out = [fields.label_name, *(n for n in out if n != fields.label_name)]
    return out


def _check_specs(fields: Fields, filters: list[FilterSpec], sorts: list[SortSpec]) -> None:
    for spec in filters:
        fields.rule(spec)
    for sort in sorts:
        fields.get(sort.field, "A sort")


# --- tools ---------------------------------------------------------------------------------------


@tool("views", writes=True, idempotent=False)
async def twenty_create_view(
    object: ObjectName,
    name: Annotated[str, Field(min_length=1, max_length=100)],
    view_type: Annotated[
        Literal["table", "kanban", "calendar"],
        Field(default="table", description="kanban needs group_by; calendar needs calendar_field"),
    ] = "table",
    group_by: Annotated[
        str | None,
        Field(
            default=None, max_length=100, description="kanban: the SELECT field whose options are the columns"
        ),
    ] = None,
    calendar_field: Annotated[
        str | None, Field(default=None, max_length=100, description="calendar: a DATE or DATE_TIME field")
    ] = None,
    calendar_layout: Literal["DAY", "WEEK", "MONTH"] = "MONTH",
    fields: VisibleFields = None,
    filters: Filters = None,
    sorts: Sorts = None,
) -> ViewResult:
    """Create a saved view of an object, as users pick from the view bar: a table, a kanban board
    grouped by a SELECT field (e.g. opportunities by stage; Twenty adds one column per option), or a
    calendar on a date field; with its visible fields in order, filters and sorts. Example: object=
    opportunities, name='Big deals', view_type=kanban, group_by=stage, filters=[{field: amount,
    operand: GREATER_THAN_OR_EQUAL, value: 100000}], sorts=[{field: closeDate, direction: ASC}]."""
    conn = await connection()
    conn.scope.require_write("Creating a view")
    spec_fields = await Fields.of(conn, object)
    obj = spec_fields.obj
    kind = view_type.upper()
    group_id = calendar_id = None
    if kind == "KANBAN":
        if not group_by:
            raise ToolError("A kanban view needs group_by: a SELECT field such as 'stage'.")
        found, _ = spec_fields.get(group_by, "group_by")
        relation = (found.raw.get("settings") or {}).get("relationType") == "MANY_TO_ONE"
        if found.type != "SELECT" and not (found.type == "RELATION" and relation):
            raise ToolError(
                f"group_by '{found.name}' is a {found.type} field; a kanban groups by a SELECT field "
                "(or a many-to-one relation)."
            )
        group_id = found.id
    elif group_by:
        raise ToolError("group_by is for kanban views; set view_type='kanban'.")
    if kind == "CALENDAR":
        if not calendar_field:
            raise ToolError(
                "A calendar view needs calendar_field: a DATE or DATE_TIME field such as 'closeDate'."
            )
        found, _ = spec_fields.get(calendar_field, "calendar_field")
        if found.type not in ("DATE", "DATE_TIME"):
            raise ToolError(f"calendar_field '{found.name}' is a {found.type} field, not DATE or DATE_TIME.")
        calendar_id = found.id
    visible = (
        _check_names(spec_fields, fields, "fields") if fields else await main_view_fields(conn, spec_fields)
    )
    _check_specs(spec_fields, filters or [], sorts or [])
    create_input = api.view_input(
        obj.id,
        name,
        kind,  # type: ignore[arg-type]
        main_group_by_field_id=group_id,
        calendar_field_id=calendar_id,
        calendar_layout=calendar_layout if calendar_id else None,
    )
    view = await build_view(conn, spec_fields, create_input, visible, filters or [], sorts or [])
    return ViewResult(object=obj.name_plural, view=view)


@tool("views", writes=True, idempotent=True)
async def twenty_update_view(
    id: Annotated[UUID, Field(description="The view's id")],
    name: Annotated[str | None, Field(default=None, min_length=1, max_length=100)] = None,
    fields: VisibleFields = None,
    filters: Filters = None,
    sorts: Sorts = None,
) -> ViewResult:
    """Change a view: rename it, set its visible fields (in order; fields left out are hidden), or
    replace its filters or its sorts (a given list replaces the old one, [] clears it, omitted
    leaves it). Validated in full before any change; if Twenty refuses a step, the steps already
    made are undone."""
    conn = await connection()
    conn.scope.require_write("Updating a view")
    view, obj = await read_view(conn, str(id))
    spec_fields = Fields(conn, await conn.client.get_object(obj.name_plural))
    visible = _check_names(spec_fields, fields, "fields") if fields is not None else None
    _check_specs(spec_fields, filters or [], sorts or [])
    undo: list[tuple[Any, dict[str, Any]]] = []
    later: list[tuple[Any, dict[str, Any]]] = []  # removals of old filters/sorts, once the rest is in
    run = conn.client.run
    try:
        if name is not None and name != view.get("name"):
            await run(api.UPDATE_VIEW, {"id": str(id), "input": {"name": name}})
            undo.append((api.UPDATE_VIEW, {"id": str(id), "input": {"name": view.get("name")}}))
        if visible is not None:
            existing = {str(vf["fieldMetadataId"]): vf for vf in view.get("viewFields") or []}
            wanted = [spec_fields.by_name[n].id for n in visible]
            # the label identifier stays strictly lowest at every step (see _check_names)
            label = existing.get(wanted[0]) if wanted else None
            others = [vf.get("position") or 0 for fid, vf in existing.items() if fid != (wanted or [""])[0]]
            low = min([0, *others])
            start = label["position"] if label and label.get("position", 0) < low else low - 1
            for position, fid in enumerate(wanted, start=start):
                vf = existing.get(fid)
                if vf is None:
                    made = await run(
                        api.CREATE_VIEW_FIELDS, {"inputs": [api.view_field_input(str(id), fid, position)]}
                    )
                    undo.append((api.DESTROY_VIEW_FIELD, {"input": {"id": made[0]["id"]}}))
                elif vf.get("position") != position or not vf.get("isVisible"):
                    await run(api.UPDATE_VIEW_FIELD, _field_update(vf["id"], position, True))
                    undo.append(
                        (
                            api.UPDATE_VIEW_FIELD,
                            _field_update(vf["id"], vf.get("position"), vf.get("isVisible")),
                        )
                    )
            for fid, vf in existing.items():
                if fid not in wanted and vf.get("isVisible"):
                    await run(api.UPDATE_VIEW_FIELD, _field_update(vf["id"], vf.get("position"), False))
                    undo.append((api.UPDATE_VIEW_FIELD, _field_update(vf["id"], vf.get("position"), True)))
        if filters is not None:
            for spec in filters:
                fid, operand, value, sub = spec_fields.rule(spec)
                made = await run(
                    api.CREATE_VIEW_FILTER,
                    {"input": api.view_filter_input(str(id), fid, operand, value, sub)},
                )
                undo.append((api.DESTROY_VIEW_FILTER, {"input": {"id": made["id"]}}))
            later += [
                (api.DESTROY_VIEW_FILTER, {"input": {"id": f["id"]}}) for f in view.get("viewFilters") or []
            ]
        if sorts is not None:
            for sort in sorts:
                found, _ = spec_fields.get(sort.field, "A sort")
                made = await run(
                    api.CREATE_VIEW_SORT, {"input": api.view_sort_input(str(id), found.id, sort.direction)}
                )
                undo.append((api.DESTROY_VIEW_SORT, {"input": {"id": made["id"]}}))
            later += [
                (api.DESTROY_VIEW_SORT, {"input": {"id": s["id"]}}) for s in view.get("viewSorts") or []
            ]
    except Exception as err:
        failed = []
        for op, variables in reversed(undo):
            try:
                await run(op, variables)
            except Exception:
                failed.append(op.root)
        state = (
            "The changes made before it were undone; the view is as it was."
            if not failed
            else f"Undoing the earlier steps failed at {', '.join(failed)}; check the view in Twenty."
        )
        raise ToolError(f"{err} {state}") from err
    for op, variables in later:
        await run(op, variables)
    return ViewResult(object=obj.name_plural, view=await run(api.GET_VIEW, {"id": str(id)}) or {})


def _field_update(view_field_id: str, position: Any, visible: Any) -> dict[str, Any]:
    return {"input": {"id": view_field_id, "update": {"position": position, "isVisible": bool(visible)}}}


@tool("views", writes=True, destructive=True, idempotent=False)
async def twenty_delete_view(id: Annotated[UUID, Field(description="The view's id")]) -> ViewDeleted:
    """Delete a saved view for good (its fields, filters, sorts and groups go with it; records are
    untouched). An object's main view (key INDEX) cannot be deleted. Confirm with the user first."""
    conn = await connection()
    conn.scope.require_write("Deleting a view")
    view, obj = await read_view(conn, str(id))
    if view.get("key") == "INDEX":
        raise ToolError(f"'{view.get('name')}' is the main view of {obj.name_plural}; Twenty keeps it.")
    if view.get("type") == "TABLE_WIDGET":
        raise ToolError(
            f"'{view.get('name')}' is the view of a dashboard's record table; remove that widget with "
            "twenty_update_dashboard (its view goes with it)."
        )
    await conn.client.run(api.DESTROY_VIEW, {"id": str(id)}, what="Deleting a view")
    return ViewDeleted(id=str(id), object=obj.name_plural, name=str(view.get("name") or ""))


class ViewList(BaseModel):
    object: str
    views: list[dict[str, Any]] = Field(
        description="id, name, type (TABLE, KANBAN, CALENDAR, TABLE_WIDGET), key"
    )


@tool("views")
async def twenty_list_views(object: ObjectName) -> ViewList:
    """The saved views of an object (the main one has key INDEX; TABLE_WIDGET views belong to
    dashboard record tables). Ids are what twenty_update_view and twenty_delete_view take."""
    conn = await connection()
    obj = await conn.resolve(object)
    views = await conn.client.run(api.GET_VIEWS, {"objectMetadataId": obj.id}) or []
    keep = ("id", "name", "type", "key")
    return ViewList(object=obj.name_plural, views=[{k: v.get(k) for k in keep} for v in views])
