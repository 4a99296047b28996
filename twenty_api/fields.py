"""Fields on ``/metadata`` that the REST metadata path does not cover well: RELATION fields; and
the option lists a SELECT field's update (``TwentyClient.update_field``) takes.

2.21 makes both sides of a relation in one ``createOneField`` (``CreateFieldInput`` in the /metadata
introspection): the field on the source object, typed RELATION, with ``relationCreationPayload``
``{type, targetObjectMetadataId, targetFieldLabel, targetFieldIcon}`` (twenty-shared
types/RelationCreationPayload.ts). The target side's name is computed from its label
(computeMetadataNameFromLabel: slugified, camelCase) and a MANY_TO_ONE side gets the join column
``<name>Id`` (settings.joinColumnName). Verified on a real 2.21.0: a MANY_TO_ONE ``company`` on a
custom object answered ``settings {relationType: MANY_TO_ONE, joinColumnName: companyId,
onDelete: SET_NULL}`` and made ``protoThings`` on companies.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from typing import Any, Literal

from twenty_api.operations import mutation

RelationType = Literal["MANY_TO_ONE", "ONE_TO_MANY"]
_OPTION_VALUE_RE = re.compile(r"^(?!.*__)[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")  # 2.21 is-snake-case-string.ts

CREATE_FIELD = mutation(
    "createOneField",
    "mutation CreateOneField($input: CreateOneFieldMetadataInput!) { createOneField(input: $input) "
    "{ id name label type objectMetadataId settings "
    "relation { type targetObjectMetadata { id nameSingular namePlural } "
    "targetFieldMetadata { id name label } } } }",
)
DELETE_FIELD = mutation(
    "deleteOneField",
    "mutation DeleteOneField($input: DeleteOneFieldInput!) { deleteOneField(input: $input) { id } }",
)


def name_from_label(label: str) -> str:
    """The field name 2.21 gives a relation's target side (compute-metadata-name-from-label.util.ts,
    without the reserved-word suffix): words of letters and digits, camelCase."""
    prefixed = f"n{label}" if re.match(r"^\d", label) else label
    words = re.findall(r"[A-Za-z0-9]+", prefixed)
    if not words:
        raise ValueError(f"label {label!r} has no letters or digits to name a field from")
    parts = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", " ".join(words)) or words
    first, rest = parts[0].lower(), parts[1:]
    return first + "".join(p[:1].upper() + p[1:].lower() for p in rest)


def relation_field_input(
    object_metadata_id: str,
    name: str,
    label: str,
    relation_type: RelationType,
    target_object_metadata_id: str,
    target_field_label: str,
    *,
    icon: str = "IconRelationManyToMany",
    target_field_icon: str = "IconBuildingSkyscraper",
    description: str | None = None,
) -> dict[str, Any]:
    """``CreateOneFieldMetadataInput`` for a RELATION field and its other side."""
    field: dict[str, Any] = {
        "objectMetadataId": object_metadata_id,
        "type": "RELATION",
        "name": name,
        "label": label,
        "icon": icon,
        "relationCreationPayload": {
            "type": relation_type,
            "targetObjectMetadataId": target_object_metadata_id,
            "targetFieldLabel": target_field_label,
            "targetFieldIcon": target_field_icon,
        },
    }
    if description:
        field["description"] = description
    return {"field": field}


def with_select_option(
    options: Sequence[dict[str, Any]], value: str, label: str, color: str = "red"
) -> list[dict[str, Any]]:
    """A SELECT field's options plus one more at the end (a fresh UUID ``id``, as 2.21 requires),
    for ``update_field(field_id, options=…)``. The value is SCREAMING_SNAKE_CASE, like the options
    Twenty makes; one already present is refused rather than duplicated."""
    if not _OPTION_VALUE_RE.match(value or ""):
        raise ValueError(f"option value {value!r} must be SCREAMING_SNAKE_CASE, e.g. 'CLOSED_LOST'")
    if not label or not label.strip() or "," in label:
        raise ValueError(f"option label {label!r} must not be empty nor contain a comma")
    if any(o.get("value") == value for o in options):
        raise ValueError(f"the field already has an option {value!r}")
    position = max((int(o.get("position") or 0) for o in options), default=-1) + 1
    new = {"id": str(uuid.uuid4()), "value": value, "label": label, "color": color, "position": position}
    return [dict(o) for o in options] + [new]


def without_select_option(options: Sequence[dict[str, Any]], value: str) -> list[dict[str, Any]]:
    """A SELECT field's options without ``value`` (refused when it is not there). Records still
    holding that value lose it in 2.21's enum migration: move or delete them first."""
    kept = [dict(o) for o in options if o.get("value") != value]
    if len(kept) == len(options):
        raise ValueError(f"the field has no option {value!r}")
    return kept
