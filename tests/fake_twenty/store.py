"""In-memory workspace state: records per object, plus metadata entities (webhooks, apps, ...).

Seed tables are materialised lazily (copied from a pickled pristine snapshot on first touch), so a
reset between tests is nearly free.
"""

from __future__ import annotations

import copy
import json
import pickle
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any

from . import contract_data
from .errors import TwentyHttpError
from .filters import Node, matches, mentions
from .schema import COMPOSITE_TYPES, ObjectMeta, Schema

CUSTOM_APPLICATION_ID = "d659f0f8-b8b4-442e-b636-748171a28087"  # fields users add live in this app
TIM_MEMBER_ID = "20202020-0687-4c41-b707-ed1bfca972a7"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{datetime.now(UTC).microsecond // 1000:03d}Z"


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


@dataclass(frozen=True)
class Actor:
    """Who performs a write: decides ``createdBy``/``updatedBy`` (API key vs logged-in user)."""

    kind: str  # "api_key" | "user"
    name: str = "My api key"
    workspace_member_id: str | None = None

    def as_actor_field(self) -> dict[str, Any]:
        if self.kind == "user":
            return {
                "source": "MANUAL",
                "workspaceMemberId": self.workspace_member_id,
                "name": self.name,
                "context": {},
            }
        return {"source": "API", "workspaceMemberId": None, "name": self.name, "context": {}}


API_KEY_ACTOR = Actor("api_key")
USER_ACTOR = Actor("user", name="Tim Apple", workspace_member_id=TIM_MEMBER_ID)


@cache
def _pickled_seed() -> dict[str, bytes]:
    """Seed tables, completed with every stored field (the capture omits some) and pickled."""
    schema = Schema.from_contract()
    out: dict[str, bytes] = {}
    for plural, records in contract_data.seed_records().items():
        obj = schema.by_plural(plural)
        if obj is not None:
            defaults = {fm.name: fm.default() for fm in obj.stored_fields()}
            defaults.update({column: None for column in obj.join_columns()})
            records = [{**copy.deepcopy(defaults), **r} for r in records]
        out[plural] = pickle.dumps(records)
    return out


def _markdown_to_blocknote(markdown: str) -> str:
    blocks = []
    for line in (ln for ln in markdown.split("\n") if ln.strip()):
        kind = (
            "heading" if line.startswith("#") else "bulletListItem" if line.startswith("- ") else "paragraph"
        )
        text = line.lstrip("#- ").strip()
        blocks.append(
            {
                "id": str(uuid.uuid4()),
                "type": kind,
                "props": {"textColor": "default", "backgroundColor": "default", "textAlignment": "left"},
                "content": [{"type": "text", "text": text, "styles": {}}],
                "children": [],
            }
        )
    return json.dumps(blocks, separators=(",", ":"))


def search_vector(values: list[str]) -> str:
    words: list[str] = []
    for value in values:
        words.extend(w for w in re.split(r"[\s,]+", value.lower()) if w)
    return " ".join(f"'{w}':{i}" for i, w in enumerate(words, start=1))


@dataclass
class Store:
    seeded: bool = True
    schema: Schema = field(default_factory=Schema.from_contract)
    tables: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # metadata-side entities (webhooks, api keys, apps, logic functions, ...) by kind
    entities: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    min_positions: dict[str, float] = field(default_factory=dict)

    def reset(self, *, seeded: bool | None = None) -> None:
        if seeded is not None:
            self.seeded = seeded
        self.schema = Schema.from_contract()
        self.tables = {}
        self.entities = {}
        self.min_positions = {}

    # ---- tables ------------------------------------------------------------------------------
    def table(self, obj: ObjectMeta) -> dict[str, dict[str, Any]]:
        tbl = self.tables.get(obj.plural)
        if tbl is None:
            raw = _pickled_seed().get(obj.plural) if self.seeded else None
            records = pickle.loads(raw) if raw else []
            tbl = {r["id"]: r for r in records}
            self.tables[obj.plural] = tbl
        return tbl

    def object_for(self, plural: str) -> ObjectMeta:
        obj = self.schema.by_plural(plural)
        if obj is None:
            raise TwentyHttpError.bad_request(f"object '{plural}' not found. eg: companies")
        return obj

    def select(self, obj: ObjectMeta, node: Node | None, *, with_deleted: bool | None = None) -> list[dict]:
        """Records matching ``node``; soft-deleted ones only when the filter mentions deletedAt."""
        include_deleted = mentions(node, "deletedAt") if with_deleted is None else with_deleted
        return [
            r
            for r in self.table(obj).values()
            if (include_deleted or r.get("deletedAt") is None) and matches(node, r)
        ]

    def get(self, obj: ObjectMeta, record_id: str, *, with_deleted: bool = False) -> dict[str, Any]:
        if not is_uuid(record_id):
            raise TwentyHttpError.bad_request(f"'{record_id}' is not a valid UUID")
        record = self.table(obj).get(record_id)
        if record is None or (record.get("deletedAt") is not None and not with_deleted):
            raise TwentyHttpError.not_found()
        return record

    # ---- writes ------------------------------------------------------------------------------
    def validate_input(self, obj: ObjectMeta, data: dict[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TwentyHttpError.bad_request("Invalid input: a JSON object is expected")
        allowed = obj.writable_names()
        for key, value in data.items():
            if key not in allowed:
                raise TwentyHttpError.bad_request(f'Object {obj.singular} doesn\'t have any "{key}" field.')
            fm = obj.fields.get(key)
            if fm is not None and fm.type == "SELECT" and value is not None and value not in fm.option_values:
                valid = ", ".join(fm.option_values)
                raise TwentyHttpError.bad_request(
                    f'Invalid value "{value}" for field "{key}". Valid values are: {valid}'
                )
            if fm is not None and fm.type == "MULTI_SELECT" and isinstance(value, list):
                bad = [v for v in value if v not in fm.option_values]
                if bad:
                    raise TwentyHttpError.bad_request(
                        f'Invalid value "{bad[0]}" for field "{key}". '
                        f"Valid values are: {', '.join(fm.option_values)}"
                    )

    def _apply(self, obj: ObjectMeta, record: dict[str, Any], data: dict[str, Any]) -> None:
        for key, value in data.items():
            fm = obj.fields.get(key)
            if fm is not None and fm.type in COMPOSITE_TYPES and isinstance(value, dict):
                current = record.get(key) if isinstance(record.get(key), dict) else fm.default()
                merged = {**current, **value}
                if fm.type == "RICH_TEXT" and "markdown" in value and "blocknote" not in value:
                    merged["blocknote"] = _markdown_to_blocknote(value["markdown"] or "")
                record[key] = merged
            elif fm is not None and fm.relation_type == "MANY_TO_ONE" and fm.join_column:
                record[fm.join_column] = value.get("id") if isinstance(value, dict) else value
            else:
                record[key] = value

    def _refresh_search_vector(self, obj: ObjectMeta, record: dict[str, Any]) -> None:
        if "searchVector" not in obj.fields:
            return
        texts: list[str] = []
        for fm in obj.stored_fields():
            value = record.get(fm.name)
            if fm.type == "TEXT" and isinstance(value, str) and fm.name != "searchVector":
                texts.append(value)
            elif fm.type in ("FULL_NAME", "EMAILS", "LINKS") and isinstance(value, dict):
                texts.extend(v for v in value.values() if isinstance(v, str))
        record["searchVector"] = search_vector(texts) if texts else ""

    def _next_position(self, obj: ObjectMeta) -> float:
        """New records go first (lowest position), as the captured creates show (0, -1, -2 …)."""
        lowest = self.min_positions.get(obj.plural)
        if lowest is None:
            numbers = [
                p for p in (r.get("position") for r in self.table(obj).values()) if isinstance(p, int | float)
            ]
            lowest = min(numbers) if numbers else 1
        self.min_positions[obj.plural] = lowest - 1
        return lowest - 1

    def new_record(self, obj: ObjectMeta, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        self.validate_input(obj, data)
        stamp = now_iso()
        record: dict[str, Any] = {}
        for fm in obj.stored_fields():
            record[fm.name] = fm.default()
        for column in obj.join_columns():
            record[column] = None
        record.update({"id": str(uuid.uuid4()), "createdAt": stamp, "updatedAt": stamp, "deletedAt": None})
        if "position" in obj.fields:
            record["position"] = self._next_position(obj)
        for actor_field in ("createdBy", "updatedBy"):
            if actor_field in obj.fields:
                record[actor_field] = actor.as_actor_field()
        self._apply(obj, record, data)
        if data.get("id"):
            if not is_uuid(data["id"]):
                raise TwentyHttpError.bad_request(f"'{data['id']}' is not a valid UUID")
            record["id"] = data["id"]
        self._check_required(obj, record)
        self._refresh_search_vector(obj, record)
        return record

    def _check_required(self, obj: ObjectMeta, record: dict[str, Any]) -> None:
        for fm in obj.stored_fields():
            custom = fm.raw.get("applicationId") == CUSTOM_APPLICATION_ID and not fm.raw.get("isSystem")
            if custom and fm.raw.get("isNullable") is False and record.get(fm.name) is None:
                raise TwentyHttpError.bad_request(
                    f'null value in column "{fm.name}" of relation "_{obj.singular}" '
                    "violates not-null constraint"
                )

    def create(self, obj: ObjectMeta, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        record = self.new_record(obj, data, actor)
        self.table(obj)[record["id"]] = record
        return record

    def create_many(self, obj: ObjectMeta, items: list[dict[str, Any]], actor: Actor) -> list[dict[str, Any]]:
        records = [self.new_record(obj, item, actor) for item in items]  # all-or-nothing
        for record in records:
            self.table(obj)[record["id"]] = record
        return records

    def update(self, obj: ObjectMeta, record_id: str, data: dict[str, Any], actor: Actor) -> dict[str, Any]:
        record = self.get(obj, record_id)
        self.validate_input(obj, data)
        updated = copy.deepcopy(record)
        self._apply(obj, updated, {k: v for k, v in data.items() if k != "id"})
        updated["updatedAt"] = now_iso()
        if "updatedBy" in obj.fields:
            updated["updatedBy"] = actor.as_actor_field()
        self._refresh_search_vector(obj, updated)
        record.clear()
        record.update(updated)
        return record

    def soft_delete(self, obj: ObjectMeta, record: dict[str, Any]) -> dict[str, Any]:
        stamp = now_iso()
        record["deletedAt"] = stamp
        record["updatedAt"] = stamp
        return record

    def destroy(self, obj: ObjectMeta, record: dict[str, Any]) -> dict[str, Any]:
        self.table(obj).pop(record["id"], None)
        return {"id": record["id"]}

    def restore(self, obj: ObjectMeta, record: dict[str, Any]) -> dict[str, Any]:
        record["deletedAt"] = None
        record["updatedAt"] = now_iso()
        return record

    # ---- relations (depth=1) -----------------------------------------------------------------
    def expand(self, obj: ObjectMeta, records: list[dict[str, Any]], depth: int) -> list[dict[str, Any]]:
        """Copies of ``records`` with related records embedded when ``depth`` is 1."""
        if depth < 1:
            return records
        indexes: dict[str, dict[str, list[dict[str, Any]]]] = {}
        out = []
        for record in records:
            expanded = dict(record)
            for fm in obj.fields.values():
                target = self.schema.objects.get(fm.relation_target or "")
                if target is None:
                    continue
                if fm.relation_type == "MANY_TO_ONE" and fm.join_column:
                    related = self.table(target).get(record.get(fm.join_column) or "")
                    expanded[fm.name] = related if related and related.get("deletedAt") is None else None
                elif fm.relation_type == "ONE_TO_MANY" and fm.inverse_join:
                    key = f"{target.plural}.{fm.inverse_join}"
                    if key not in indexes:
                        index: dict[str, list[dict[str, Any]]] = {}
                        for rel in self.table(target).values():
                            if rel.get("deletedAt") is None and rel.get(fm.inverse_join):
                                index.setdefault(rel[fm.inverse_join], []).append(rel)
                        indexes[key] = index
                    expanded[fm.name] = list(indexes[key].get(record["id"], []))
            out.append(expanded)
        return out

    # ---- metadata entities ---------------------------------------------------------------------
    def entity_table(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.entities.setdefault(kind, {})
