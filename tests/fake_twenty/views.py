"""Views on ``/metadata`` with their fields, filters, sorts and groups, as 2.21 keeps them.

From the 2.21.0 source (6f3c158), and seen on a real 2.21.0:
- createView makes one view group per option of ``mainGroupByFieldMetadataId`` (plus an empty group
  when the field is nullable) (compute-flat-view-groups-on-view-create.util.ts).
- A KANBAN view needs a main group-by field, a SELECT or a many-to-one relation; refused with
  "Multiple validation errors occurred while creating view" (flat-view-validator.service.ts).
- A SELECT filter must name existing options ("... while creating view filter").
- destroyView removes the view's children; getViews lists views of an object.
- Every object has its main view (key INDEX); the fake makes it on first read, with the object's
  first non-system fields visible.
"""

from __future__ import annotations

import uuid
from typing import Any

from .gql import Request
from .layouts import invalid, invalid_select_values, not_found
from .store import now_iso

CHILDREN = ("viewFields", "viewFilters", "viewSorts", "viewGroups")
RELATIONS = ("RELATION", "MORPH_RELATION")


def _stamp() -> dict[str, Any]:
    stamp = now_iso()
    return {"createdAt": stamp, "updatedAt": stamp, "deletedAt": None}


class ViewResolvers:
    """Mixed into MetadataResolvers (``self.rt`` is the fake's runtime)."""

    rt: Any

    def _table(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.rt.store.entity_table(kind)

    def _views(self) -> dict[str, dict[str, Any]]:
        self._ensure_index_views()
        return self._table("views")

    def _ensure_index_views(self) -> None:
        views = self._table("views")
        have = {v["objectMetadataId"] for v in views.values() if v.get("key") == "INDEX"}
        for obj in self.rt.store.schema.objects.values():
            if obj.id in have:
                continue
            view = self._new_view(
                {
                    "objectMetadataId": obj.id,
                    "name": f"All {obj.raw.get('labelPlural') or obj.plural}",
                    "icon": "IconList",
                    "key": "INDEX",
                }
            )
            label = obj.raw.get("labelIdentifierFieldMetadataId")
            shown = [f for f in obj.fields.values() if not f.raw.get("isSystem") and f.type not in RELATIONS]
            shown = sorted(shown, key=lambda f: f.id != label)[:6]  # the label identifier leads (2.21)
            for i, f in enumerate(shown):
                self._new_child(
                    "viewFields",
                    view["id"],
                    {"fieldMetadataId": f.id, "position": i, "isVisible": True, "size": 150},
                )

    def _new_view(self, data: dict[str, Any]) -> dict[str, Any]:
        view = {
            "id": data.get("id") or str(uuid.uuid4()),
            "name": data.get("name"),
            "objectMetadataId": data.get("objectMetadataId"),
            "type": data.get("type") or "TABLE",
            "key": data.get("key"),
            "icon": data.get("icon"),
            "position": data.get("position", 0),
            "isCompact": bool(data.get("isCompact", False)),
            "isCustom": True,
            "openRecordIn": data.get("openRecordIn") or "SIDE_PANEL",
            "kanbanAggregateOperation": data.get("kanbanAggregateOperation"),
            "kanbanAggregateOperationFieldMetadataId": data.get("kanbanAggregateOperationFieldMetadataId"),
            "mainGroupByFieldMetadataId": data.get("mainGroupByFieldMetadataId"),
            "shouldHideEmptyGroups": bool(data.get("shouldHideEmptyGroups", False)),
            "kanbanColumnWidth": data.get("kanbanColumnWidth"),
            "calendarFieldMetadataId": data.get("calendarFieldMetadataId"),
            "calendarLayout": data.get("calendarLayout"),
            "anyFieldFilterValue": data.get("anyFieldFilterValue"),
            "visibility": data.get("visibility") or "WORKSPACE",
            "createdByUserWorkspaceId": None,
            "workspaceId": self.rt.store.schema.objects["person"].raw.get("workspaceId"),
            "isActive": True,
            **_stamp(),
        }
        self._table("views")[view["id"]] = view
        return view

    def _new_child(self, kind: str, view_id: str, data: dict[str, Any]) -> dict[str, Any]:
        child = {"id": str(uuid.uuid4()), **data, "viewId": view_id, **_stamp()}
        self._table(kind)[child["id"]] = child
        return child

    def _view_or_404(self, view_id: str) -> dict[str, Any]:
        view = self._views().get(view_id)
        if view is None:
            raise not_found(f'View with id "{view_id}" not found')
        return view

    def _full(self, view: dict[str, Any]) -> dict[str, Any]:
        out = dict(view)
        for kind in CHILDREN:
            out[kind] = sorted(
                (c for c in self._table(kind).values() if c["viewId"] == view["id"]),
                key=lambda c: c.get("position") or 0,
            )
        out["viewFilterGroups"], out["viewFieldGroups"] = [], []
        return out

    def _field_of(self, view: dict[str, Any], field_id: Any, what: str) -> Any:
        obj = self.rt.store.schema.by_id(str(view["objectMetadataId"]))
        field = next((f for f in obj.fields.values() if f.id == str(field_id)), None) if obj else None
        if field is None:
            raise invalid(f"Multiple validation errors occurred while creating {what}")
        return field

    # ---- views ---------------------------------------------------------------------------------
    def q_getViews(self, req: Request) -> Any:
        wanted, types = req.args.get("objectMetadataId"), req.args.get("viewTypes")
        return [
            self._full(v)
            for v in self._views().values()
            if (not wanted or v["objectMetadataId"] == wanted) and (not types or v["type"] in types)
        ]

    def q_getView(self, req: Request) -> Any:
        view = self._views().get(str(req.args.get("id")))
        return self._full(view) if view else None

    def m_createView(self, req: Request) -> Any:
        data = dict(req.args.get("input") or {})
        obj = self.rt.store.schema.by_id(str(data.get("objectMetadataId")))
        if obj is None:
            raise invalid("Multiple validation errors occurred while creating view")
        by_id = {f.id: f for f in obj.fields.values()}
        group = by_id.get(str(data.get("mainGroupByFieldMetadataId") or ""))
        if data.get("mainGroupByFieldMetadataId") and group is None:
            raise invalid("mainGroupByFieldMetadataId not found")
        if data.get("type") == "KANBAN":
            many_to_one = group is not None and group.relation_type == "MANY_TO_ONE"
            if group is None or not (group.type == "SELECT" or many_to_one):
                raise invalid("Multiple validation errors occurred while creating view")
        if data.get("calendarFieldMetadataId") and str(data["calendarFieldMetadataId"]) not in by_id:
            raise invalid("Multiple validation errors occurred while creating view")
        data.pop("key", None)  # only Twenty's own INDEX views carry a key
        view = self._new_view(data)
        if group is not None:
            values = list(group.option_values)
            if group.raw.get("isNullable"):
                values.append("")
            for i, value in enumerate(values):
                self._new_child(
                    "viewGroups", view["id"], {"fieldValue": value, "position": i, "isVisible": True}
                )
        return self._full(view)

    def m_updateView(self, req: Request) -> Any:
        view = self._view_or_404(str(req.args.get("id")))
        for key, value in (req.args.get("input") or {}).items():
            if key != "id":
                view[key] = value
        view["updatedAt"] = now_iso()
        return self._full(view)

    def m_destroyView(self, req: Request) -> Any:
        view = self._view_or_404(str(req.args.get("id")))
        for kind in CHILDREN:
            table = self._table(kind)
            for child_id in [c["id"] for c in table.values() if c["viewId"] == view["id"]]:
                del table[child_id]
        del self._table("views")[view["id"]]
        return True

    def m_deleteView(self, req: Request) -> Any:
        view = self._view_or_404(str(req.args.get("id")))
        view["deletedAt"] = now_iso()
        return True

    def _label_rule_holds(self, view_id: str) -> bool:
        """flat-view-field-validator.service.ts: outside FIELDS_WIDGET views, the object's label
        identifier field is visible and strictly lowest in position when it is in the view."""
        view = self._table("views")[view_id]
        if view.get("type") == "FIELDS_WIDGET":
            return True
        obj = self.rt.store.schema.by_id(str(view["objectMetadataId"]))
        label_id = (obj.raw.get("labelIdentifierFieldMetadataId") if obj else None) or ""
        fields = [c for c in self._table("viewFields").values() if c["viewId"] == view_id]
        label = next((c for c in fields if c["fieldMetadataId"] == label_id), None)
        if label is None:
            return True
        others = [c["position"] for c in fields if c is not label]
        return bool(label.get("isVisible")) and (not others or label["position"] < min(others))

    # ---- children ------------------------------------------------------------------------------
    def m_createManyViewFields(self, req: Request) -> Any:
        inputs = list(req.args.get("inputs") or [])
        for data in inputs:
            view = self._view_or_404(str(data.get("viewId")))
            self._field_of(view, data.get("fieldMetadataId"), "view fields")
            taken = {
                c["fieldMetadataId"] for c in self._table("viewFields").values() if c["viewId"] == view["id"]
            }
            if data.get("fieldMetadataId") in taken:
                raise invalid("Multiple validation errors occurred while creating view fields")
        made = [
            self._new_child(
                "viewFields",
                str(d["viewId"]),
                {
                    "fieldMetadataId": d["fieldMetadataId"],
                    "position": d.get("position", 0),
                    "isVisible": d.get("isVisible", True),
                    "size": d.get("size", 0),
                    "aggregateOperation": d.get("aggregateOperation"),
                    "viewFieldGroupId": None,
                    "isActive": True,
                    "isOverridden": False,
                },
            )
            for d in inputs
        ]
        if not all(self._label_rule_holds(view_id) for view_id in {c["viewId"] for c in made}):
            for c in made:
                del self._table("viewFields")[c["id"]]
            raise invalid("Multiple validation errors occurred while creating view fields")
        return made

    def m_updateViewField(self, req: Request) -> Any:
        data = req.args.get("input") or {}
        child = self._table("viewFields").get(str(data.get("id")))
        if child is None:
            raise not_found(f'View field with id "{data.get("id")}" not found')
        before = dict(child)
        child.update(data.get("update") or {})
        if not self._label_rule_holds(child["viewId"]):
            child.clear()
            child.update(before)
            raise invalid("Multiple validation errors occurred while updating view field")
        return child

    def m_destroyViewField(self, req: Request) -> Any:
        return self._destroy_child("viewFields", req)

    def m_createViewFilter(self, req: Request) -> Any:
        data = dict(req.args.get("input") or {})
        view = self._view_or_404(str(data.get("viewId")))
        field = self._field_of(view, data.get("fieldMetadataId"), "view filter")
        if invalid_select_values(field, data.get("operand"), data.get("value"), data.get("subFieldName")):
            raise invalid("Multiple validation errors occurred while creating view filter")
        data.setdefault("operand", "IS")
        data.setdefault("subFieldName", None)
        return self._new_child("viewFilters", view["id"], {k: v for k, v in data.items() if k != "viewId"})

    def m_destroyViewFilter(self, req: Request) -> Any:
        return self._destroy_child("viewFilters", req)

    def m_createViewSort(self, req: Request) -> Any:
        data = dict(req.args.get("input") or {})
        view = self._view_or_404(str(data.get("viewId")))
        self._field_of(view, data.get("fieldMetadataId"), "view sort")
        data.setdefault("direction", "ASC")
        return self._new_child("viewSorts", view["id"], {k: v for k, v in data.items() if k != "viewId"})

    def m_destroyViewSort(self, req: Request) -> Any:
        self._destroy_child("viewSorts", req)
        return True

    def _destroy_child(self, kind: str, req: Request) -> Any:
        child_id = str((req.args.get("input") or {}).get("id"))
        child = self._table(kind).pop(child_id, None)
        if child is None:
            raise not_found(f"{kind[:-1]} with id {child_id} not found")
        return child
