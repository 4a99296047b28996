"""Workspace metadata: objects and fields (``/rest/metadata``), the schema cache, and the
workspace's own settings: TwentyClient's metadata family."""

from __future__ import annotations

from typing import Any

from twenty_api.args import _NAME_RE, _id, _single
from twenty_api.errors import TwentyError, TwentyNotFoundError
from twenty_api.graphql import GraphQLMixin
from twenty_api.models import FieldInfo, ObjectInfo
from twenty_api.pagination import Page
from twenty_api.schema import WorkspaceSchema


class MetadataMixin(GraphQLMixin):
    """The workspace, its objects and their fields."""

    async def client_config(self) -> dict[str, Any]:
        """Twenty's public ``GET /client-config`` (2.21 client-config.controller.ts): among others
        ``aiModels``, the models this server can run (empty without an AI provider)."""
        body = await self._rest("GET", "/client-config", safe=True)
        return body if isinstance(body, dict) else {}

    async def workspace_ai_settings(self) -> dict[str, Any]:
        """``useRecommendedModels`` and ``enabledAiModelIds`` of this credential's workspace, which
        2.21 checks a new agent's model against (ai-model-registry.service.ts
        validateModelAvailability)."""
        data = await self.graphql(
            "query WorkspaceAiSettings { currentWorkspace { id useRecommendedModels enabledAiModelIds } }",
            endpoint="metadata",
        )
        return dict(data.get("currentWorkspace") or {})

    async def workspace_id(self) -> str:
        """The workspace this credential belongs to (``currentWorkspace`` on /metadata)."""
        if self._workspace_id is None:
            data = await self.graphql(
                "query CurrentWorkspace { currentWorkspace { id } }", endpoint="metadata"
            )
            ws = (data.get("currentWorkspace") or {}).get("id")
            if not ws:
                raise TwentyError(f"Twenty did not say which workspace this credential belongs to: {data}")
            self._workspace_id = str(ws)
        return self._workspace_id

    async def list_objects(self) -> list[ObjectInfo]:
        """Every object of the workspace with its fields (``GET /rest/metadata/objects``)."""
        raw: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(100):
            body = await self._rest(
                "GET", "/rest/metadata/objects", params={"starting_after": cursor}, safe=True
            )
            page = Page.from_rest(body, "objects")
            raw.extend(page.records)
            if not page.has_next_page or not page.end_cursor or page.end_cursor == cursor:
                break
            cursor = page.end_cursor
        standard_app = next((o.get("applicationId") for o in raw if o.get("nameSingular") == "person"), None)
        return [ObjectInfo.from_metadata(o, standard_application_id=standard_app) for o in raw]

    async def schema(self, refresh: bool = False) -> WorkspaceSchema:
        """Objects and fields of this workspace, cached per workspace id for the cache's TTL."""
        ws = await self.workspace_id()
        if not refresh:
            cached = self._schema_cache.get(ws)
            if cached is not None:
                return cached
        return self._schema_cache.put(ws, await self.list_objects())

    async def resolve_object(self, name: str) -> ObjectInfo:
        """Any singular/plural/label, any case → ObjectInfo; TwentyNotFoundError names close matches."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError("object name must be a non-empty string")
        found = (await self.schema()).find(name)
        if found is None:
            fresh = await self.schema(refresh=True)  # maybe created since the cache was filled
            found = fresh.find(name)
            if found is None:
                close = fresh.close_matches(name)
                hint = f"did you mean {', '.join(close)}?" if close else "list them with list_objects()"
                raise TwentyNotFoundError(f"No object named {name!r} in this workspace; {hint}", hint="")
        return found

    async def get_object(self, name: str) -> ObjectInfo:
        obj = await self.resolve_object(name)
        if obj.fields:
            return obj
        body = await self._rest("GET", f"/rest/metadata/objects/{_id(obj.id)}", safe=True)
        return ObjectInfo.from_metadata(_single(body, "GET /rest/metadata/objects/{id}"))

    async def _invalidate_schema(self) -> None:
        if self._workspace_id is not None:
            self._schema_cache.invalidate(self._workspace_id)

    async def create_object(
        self, name_singular: str, name_plural: str, label_singular: str, label_plural: str, **extra: Any
    ) -> ObjectInfo:
        """``POST /rest/metadata/objects``; extra keys (``icon``, ``description``…) go as given."""
        for label, value in (("name_singular", name_singular), ("name_plural", name_plural)):
            if not _NAME_RE.match(value or "") or not value[0].islower():
                raise ValueError(f"{label} {value!r} must be camelCase letters/digits, e.g. 'websiteLead'")
        payload = {
            "nameSingular": name_singular,
            "namePlural": name_plural,
            "labelSingular": label_singular,
            "labelPlural": label_plural,
            **extra,
        }
        try:
            body = await self._rest("POST", "/rest/metadata/objects", json_body=payload, safe=False)
        finally:
            await self._invalidate_schema()
        return ObjectInfo.from_metadata(_single(body, "POST /rest/metadata/objects"))

    async def create_field(self, object_id: str, name: str, type: str, label: str, **extra: Any) -> FieldInfo:
        """``POST /rest/metadata/fields`` (e.g. ``options=[...]`` for SELECT, ``isNullable=False``)."""
        if not _NAME_RE.match(name or "") or not name[0].islower():
            raise ValueError(f"field name {name!r} must be camelCase letters/digits, e.g. 'leadSource'")
        payload = {"objectMetadataId": object_id, "type": type, "name": name, "label": label, **extra}
        try:
            body = await self._rest("POST", "/rest/metadata/fields", json_body=payload, safe=False)
        finally:
            await self._invalidate_schema()
        return FieldInfo.from_metadata(_single(body, "POST /rest/metadata/fields"))

    async def update_field(self, field_id: str, **changes: Any) -> FieldInfo:
        """``PATCH /rest/metadata/fields/{id}`` (answer ``{"data": {"updateOneField": …}}``,
        2.21 field-metadata.controller.ts). On a standard field 2.21 lets only ``defaultValue``,
        ``description``, ``icon``, ``isActive``, ``label``, ``options``, ``settings`` and ``isUnique``
        change (flat-field-metadata-editable-properties.constant.ts). A SELECT's ``options`` is the
        whole list: every option needs a UUID ``id``, a unique ``value`` and ``label``
        (validate-enum-flat-field-metadata.util.ts); Twenty adds and drops the matching kanban view
        groups and view filters itself. See :func:`twenty_api.fields.with_select_option` and
        :func:`twenty_api.fields.without_select_option`."""
        if not changes:
            raise ValueError("update_field needs at least one property to change")
        try:
            body = await self._rest(
                "PATCH", f"/rest/metadata/fields/{_id(field_id)}", json_body=changes, safe=False
            )
        finally:
            await self._invalidate_schema()
        return FieldInfo.from_metadata(_single(body, "PATCH /rest/metadata/fields/{id}"))
