"""Object and field metadata as the client hands it out (built from /rest/metadata answers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RELATION_TYPES = frozenset({"RELATION", "MORPH_RELATION"})  # fields that reach another object


@dataclass(frozen=True)
class FieldInfo:
    id: str
    name: str
    type: str
    label: str
    is_nullable: bool = True
    is_system: bool = False
    is_active: bool = True
    is_custom: bool = False
    options: list[dict[str, Any]] | None = None
    default_value: Any = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_metadata(cls, data: dict[str, Any]) -> FieldInfo:
        return cls(
            id=str(data.get("id", "")),
            name=str(data.get("name", "")),
            type=str(data.get("type", "")),
            label=str(data.get("label") or data.get("name") or ""),
            is_nullable=bool(data.get("isNullable", True)),
            is_system=bool(data.get("isSystem", False)),
            is_active=bool(data.get("isActive", True)),
            is_custom=bool(data.get("isCustom", False)),
            options=data.get("options"),
            default_value=data.get("defaultValue"),
            raw=data,
        )


@dataclass(frozen=True)
class ObjectInfo:
    id: str
    name_singular: str
    name_plural: str
    label_singular: str
    label_plural: str = ""
    is_custom: bool = False
    is_system: bool = False
    is_active: bool = True
    fields: list[FieldInfo] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_metadata(cls, data: dict[str, Any], *, standard_application_id: str | None = None) -> ObjectInfo:
        """``is_custom``: 2.21 has no ``isCustom`` on objects; an object is custom when it does not
        belong to the standard application (the one that owns ``person``)."""
        if "isCustom" in data:
            is_custom = bool(data["isCustom"])
        elif standard_application_id and data.get("applicationId"):
            is_custom = data["applicationId"] != standard_application_id
        else:
            is_custom = not str(data.get("universalIdentifier", "")).startswith("20202020-")
        return cls(
            id=str(data.get("id", "")),
            name_singular=str(data.get("nameSingular", "")),
            name_plural=str(data.get("namePlural", "")),
            label_singular=str(data.get("labelSingular", "")),
            label_plural=str(data.get("labelPlural", "")),
            is_custom=is_custom,
            is_system=bool(data.get("isSystem", False)),
            is_active=bool(data.get("isActive", True)),
            fields=[FieldInfo.from_metadata(f) for f in data.get("fields") or []],
            raw=data,
        )

    def field(self, name: str) -> FieldInfo | None:
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def fields_of_type(self, *types: str) -> list[FieldInfo]:
        return [f for f in self.fields if f.type in types and f.is_active]
