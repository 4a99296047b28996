"""The workspace schema the fake serves: objects, fields, relations and per-type default values.

Built from the captured ``GET /rest/metadata/objects`` answer (example 006) plus the /graphql
introspection (which names the target of every relation field). Custom objects and fields created
through the metadata API are added at runtime.
"""

from __future__ import annotations

import copy
import pickle
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from . import contract_data

COMPOSITE_TEMPLATES: dict[str, dict[str, Any]] = {
    "LINKS": {"primaryLinkLabel": "", "primaryLinkUrl": "", "secondaryLinks": []},
    "ADDRESS": {
        "addressStreet1": "",
        "addressStreet2": "",
        "addressCity": "",
        "addressPostcode": "",
        "addressState": "",
        "addressCountry": "",
        "addressLat": None,
        "addressLng": None,
    },
    "CURRENCY": {"amountMicros": None, "currencyCode": None},
    "FULL_NAME": {"firstName": "", "lastName": ""},
    "EMAILS": {"primaryEmail": "", "additionalEmails": []},
    "PHONES": {
        "primaryPhoneNumber": "",
        "primaryPhoneCountryCode": "",
        "primaryPhoneCallingCode": "",
        "additionalPhones": [],
    },
    "RICH_TEXT": {"blocknote": None, "markdown": None},
    "ACTOR": {"source": "MANUAL", "workspaceMemberId": None, "name": "System", "context": None},
}
COMPOSITE_TYPES = frozenset(COMPOSITE_TEMPLATES)
RELATION_TYPES = frozenset({"RELATION", "MORPH_RELATION"})


def _unquote(value: Any) -> Any:
    """Metadata defaults quote strings SQL-style ("'TODO'"); turn them into plain values."""
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    return value


@dataclass
class FieldMeta:
    raw: dict[str, Any]
    relation_target: str | None = None  # singular name of the target object
    inverse_join: str | None = None  # ONE_TO_MANY: join column on the target pointing back here

    @property
    def name(self) -> str:
        return self.raw["name"]

    @property
    def type(self) -> str:
        return self.raw["type"]

    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def settings(self) -> dict[str, Any]:
        return self.raw.get("settings") or {}

    @property
    def relation_type(self) -> str | None:
        return self.settings.get("relationType") if self.type in RELATION_TYPES else None

    @property
    def join_column(self) -> str | None:
        return self.settings.get("joinColumnName") if self.relation_type == "MANY_TO_ONE" else None

    @property
    def option_values(self) -> list[str]:
        return [o["value"] for o in self.raw.get("options") or []]

    def default(self) -> Any:
        """The value a freshly created record holds when the input leaves this field out."""
        dv = self.raw.get("defaultValue")
        if self.type in COMPOSITE_TYPES:
            value = copy.deepcopy(COMPOSITE_TEMPLATES[self.type])
            if isinstance(dv, dict):
                for key, sub in dv.items():
                    sub = _unquote(sub)
                    if sub is not None and key in value:
                        value[key] = sub
            return value
        if self.type == "TEXT":
            return _unquote(dv) if dv is not None else ""
        if self.type == "MULTI_SELECT":
            return []
        if self.type == "POSITION":
            return 0
        if dv in ("now", "uuid"):
            return None  # filled in by the store
        return copy.deepcopy(_unquote(dv)) if dv is not None else None


@dataclass
class ObjectMeta:
    raw: dict[str, Any]
    fields: dict[str, FieldMeta] = field(default_factory=dict)

    @property
    def singular(self) -> str:
        return self.raw["nameSingular"]

    @property
    def plural(self) -> str:
        return self.raw["namePlural"]

    @property
    def id(self) -> str:
        return self.raw["id"]

    @property
    def type_name(self) -> str:
        return self.singular[:1].upper() + self.singular[1:]

    @property
    def plural_type_name(self) -> str:
        return self.plural[:1].upper() + self.plural[1:]

    def stored_fields(self) -> list[FieldMeta]:
        """Fields that hold a value on the record (relations only through their join column)."""
        return [f for f in self.fields.values() if f.type not in RELATION_TYPES]

    def join_columns(self) -> list[str]:
        return [f.join_column for f in self.fields.values() if f.join_column]

    def writable_names(self) -> set[str]:
        names = {f.name for f in self.stored_fields()}
        names.update(self.join_columns())
        names.update(f.name for f in self.fields.values() if f.relation_type == "MANY_TO_ONE")
        return names

    def label_field(self) -> str | None:
        ident = self.raw.get("labelIdentifierFieldMetadataId")
        for f in self.fields.values():
            if f.id == ident:
                return f.name
        return "name" if "name" in self.fields else None


class Schema:
    """All objects of the workspace, indexed by singular and plural name."""

    def __init__(self, objects: list[dict[str, Any]]) -> None:
        self.objects: dict[str, ObjectMeta] = {}
        for raw in objects:
            self.add_object(copy.deepcopy(raw))
        self._resolve_relations()

    @classmethod
    def from_contract(cls) -> Schema:
        """A fresh, independent copy of the captured schema (unpickled: much cheaper than building)."""
        return pickle.loads(_pristine_schema())

    def add_object(self, raw: dict[str, Any]) -> ObjectMeta:
        raw.setdefault("fields", [])
        obj = ObjectMeta(raw=raw)
        for f in raw["fields"]:
            obj.fields[f["name"]] = FieldMeta(raw=f)
        self.objects[obj.singular] = obj
        return obj

    def add_field(self, obj: ObjectMeta, raw: dict[str, Any]) -> FieldMeta:
        obj.raw["fields"].append(raw)
        fm = FieldMeta(raw=raw)
        obj.fields[fm.name] = fm
        return fm

    def by_plural(self, plural: str) -> ObjectMeta | None:
        for obj in self.objects.values():
            if obj.plural == plural:
                return obj
        return None

    def by_id(self, object_id: str) -> ObjectMeta | None:
        for obj in self.objects.values():
            if obj.id == object_id:
                return obj
        return None

    def by_type_name(self, type_name: str) -> ObjectMeta | None:
        for obj in self.objects.values():
            if obj.type_name == type_name:
                return obj
        return None

    def _resolve_relations(self) -> None:
        types = contract_data.graphql_types()
        for obj in self.objects.values():
            gql = types.get(obj.type_name)
            gql_fields = {f["name"]: f for f in (gql or {}).get("fields") or []}
            for fm in obj.fields.values():
                if fm.type not in RELATION_TYPES or fm.name not in gql_fields:
                    continue
                target_type = _named_type(gql_fields[fm.name]["type"])
                if target_type.endswith("Connection"):
                    target_type = target_type[: -len("Connection")]
                target = self.by_type_name(target_type)
                fm.relation_target = target.singular if target else None
        for obj in self.objects.values():
            for fm in obj.fields.values():
                if fm.relation_type == "ONE_TO_MANY" and fm.relation_target:
                    fm.inverse_join = self._inverse_join(obj, fm)

    def _inverse_join(self, obj: ObjectMeta, fm: FieldMeta) -> str | None:
        target = self.objects[fm.relation_target or ""]
        candidates = [
            f for f in target.fields.values() if f.relation_target == obj.singular and f.join_column
        ]
        if len(candidates) > 1:
            named = [f for f in candidates if f.name.lower() in fm.name.lower()]
            candidates = named or [f for f in candidates if f.name == obj.singular] or candidates
        return candidates[0].join_column if candidates else None


@cache
def _pristine_schema() -> bytes:
    return pickle.dumps(Schema(contract_data.objects_metadata()))


def _named_type(t: dict[str, Any]) -> str:
    while t.get("ofType"):
        t = t["ofType"]
    return t["name"]


def new_uuid() -> str:
    return str(uuid.uuid4())
