"""RELATION fields created through ``createOneField`` with ``relationCreationPayload`` (2.21).

2.21 makes both sides at once (twenty-shared RelationCreationPayload: type, targetObjectMetadataId,
targetFieldLabel, targetFieldIcon); the target side's name comes from its label
(computeMetadataNameFromLabel). On a real 2.21.0 a MANY_TO_ONE ``company`` on a custom object
answered settings ``{onDelete: SET_NULL, relationType: MANY_TO_ONE, joinColumnName: companyId}``,
its ONE_TO_MANY side ``{relationType: ONE_TO_MANY}``; a taken name on either side is refused.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from .errors import TwentyHttpError
from .schema import FieldMeta, ObjectMeta
from .store import Store

INVERSE = {"MANY_TO_ONE": "ONE_TO_MANY", "ONE_TO_MANY": "MANY_TO_ONE"}


def name_from_label(label: str) -> str:
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", " ".join(re.findall(r"[A-Za-z0-9]+", label)))
    if not words:
        raise TwentyHttpError.bad_request(f'Invalid label: "{label}"')
    name = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return f"n{name}" if name[:1].isdigit() else name


def _settings(relation_type: str, name: str) -> dict[str, Any]:
    if relation_type == "MANY_TO_ONE":
        return {"onDelete": "SET_NULL", "relationType": "MANY_TO_ONE", "joinColumnName": f"{name}Id"}
    return {"relationType": "ONE_TO_MANY"}


def _taken(obj: ObjectMeta, name: str, joins: bool) -> bool:
    names = set(obj.fields) | set(obj.join_columns())
    return name in names or (joins and f"{name}Id" in names)


def create_relation(store: Store, data: dict[str, Any], field_raw: Any) -> FieldMeta:
    """Both sides; ``field_raw`` is metadata._field_raw (the shape every field answers with)."""
    payload = data.get("relationCreationPayload") or {}
    source = store.schema.by_id(str(data.get("objectMetadataId") or ""))
    target = store.schema.by_id(str(payload.get("targetObjectMetadataId") or ""))
    relation_type = str(payload.get("type") or "")
    if source is None or target is None or relation_type not in INVERSE:
        raise TwentyHttpError.bad_request(
            "A relation needs objectMetadataId and relationCreationPayload {type: MANY_TO_ONE|ONE_TO_MANY, "
            "targetObjectMetadataId, targetFieldLabel, targetFieldIcon}"
        )
    name, label = str(data.get("name") or ""), str(data.get("label") or "")
    target_label = str(payload.get("targetFieldLabel") or "")
    target_name = name_from_label(target_label)
    for obj, field_name, joins in (
        (source, name, relation_type == "MANY_TO_ONE"),
        (target, target_name, relation_type == "ONE_TO_MANY"),
    ):
        if _taken(obj, field_name, joins):
            raise TwentyHttpError.bad_request(
                f'Name "{field_name}" is not available as it is already used by another field'
            )
    source_raw = field_raw(
        source, name, "RELATION", label, icon=data.get("icon"), settings=_settings(relation_type, name)
    )
    target_raw = field_raw(
        target,
        target_name,
        "RELATION",
        target_label,
        icon=payload.get("targetFieldIcon"),
        settings=_settings(INVERSE[relation_type], target_name),
    )
    for raw in (source_raw, target_raw):
        raw["universalIdentifier"] = str(uuid.uuid4())

    def relation(kind: str, to: ObjectMeta, other: dict[str, Any], this: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": kind,
            "sourceObjectMetadata": {"id": this["objectMetadataId"]},
            "sourceFieldMetadata": {"id": this["id"], "name": this["name"]},
            "targetObjectMetadata": {"id": to.id, "nameSingular": to.singular, "namePlural": to.plural},
            "targetFieldMetadata": {"id": other["id"], "name": other["name"], "label": other["label"]},
        }

    source_raw["relation"] = relation(relation_type, target, target_raw, source_raw)
    target_raw["relation"] = relation(INVERSE[relation_type], source, source_raw, target_raw)
    made = store.schema.add_field(source, source_raw)
    other = store.schema.add_field(target, target_raw)
    made.relation_target, other.relation_target = target.singular, source.singular
    many, one = (made, other) if relation_type == "MANY_TO_ONE" else (other, made)
    one.inverse_join = many.join_column
    many_obj = source if many is made else target
    for record in store.table(many_obj).values():
        record.setdefault(str(many.join_column), None)
    return made
