"""Pydantic results: every tool returns one; the server sends it as one compact JSON text block."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

Record = dict[str, Any]


class RecordPage(BaseModel):
    object: str = Field(description="Plural API name of the object listed")
    records: list[Record]
    total_count: int | None = Field(default=None, description="Records matching the filter")
    has_next_page: bool = False
    end_cursor: str | None = Field(default=None, description="Pass as `cursor` for the next page")


class RecordResult(BaseModel):
    object: str
    record: Record


class DeleteResult(BaseModel):
    object: str
    id: str
    mode: str = Field(description="'soft' (restorable with twenty_restore_record) or 'hard' (destroyed)")
    record: Record | None = None


class RecordsResult(BaseModel):
    object: str
    count: int
    records: list[Record]


class MergeResult(BaseModel):
    object: str
    dry_run: bool
    record: Record


class WorkflowBuildResult(BaseModel):
    object: str = "workflows"
    record: Record
    workflow_version_id: str
    step_ids: dict[str, str] = Field(description="your step id -> the step's UUID in Twenty")
    created: list[str] = Field(default_factory=list, description="steps created (UUIDs)")
    updated: list[str] = Field(default_factory=list, description="steps replaced (UUIDs)")
    deleted: list[str] = Field(default_factory=list, description="steps removed (UUIDs)")
    code_set: list[str] = Field(default_factory=list, description="CODE steps whose source was set")
    trigger_set: bool = False
    activated: bool = False


class WorkflowActionResult(BaseModel):
    workflow_version_id: str
    action: str
    ok: bool
    workflow_run_id: str | None = None


class StageOption(BaseModel):
    value: str
    label: str
    position: float | None = None
    color: str | None = None


class PipelineStages(BaseModel):
    object: str
    field: str
    stages: list[StageOption]


class SearchHit(BaseModel):
    record_id: str
    object: str = Field(description="objectNameSingular of the hit")
    label: str
    object_label: str | None = None


class SearchResult(BaseModel):
    query: str
    hits: list[SearchHit]
    has_next_page: bool = False
    end_cursor: str | None = None


class AggregateResult(BaseModel):
    object: str
    operation: str
    field: str | None
    value: Any = None
    groups: list[Record] | None = None


class ActivityResult(BaseModel):
    object: str = Field(description="'notes' or 'tasks'")
    record: Record
    linked: list[Record] = Field(description="noteTargets/taskTargets created to link the record")


class SendEmailResult(BaseModel):
    sent: bool
    message_thread_id: str | None = None


class ObjectSummary(BaseModel):
    name_singular: str
    name_plural: str
    label: str | None = None
    is_custom: bool = False


class ObjectList(BaseModel):
    objects: list[ObjectSummary]


class FieldSummary(BaseModel):
    name: str
    type: str
    label: str | None = None
    is_nullable: bool | None = None
    description: str | None = None
    options: list[Record] | None = None


class ObjectSchema(BaseModel):
    name_singular: str
    name_plural: str
    label: str | None = None
    id: str | None = None
    is_custom: bool = False
    fields: list[FieldSummary]


class CreatedMetadata(BaseModel):
    kind: str
    result: Record


class WebhookList(BaseModel):
    webhooks: list[Record]


class WebhookResult(BaseModel):
    webhook: Record


class Deleted(BaseModel):
    id: str
    deleted: bool = True


class GraphQLResult(BaseModel):
    endpoint: str
    data: Any


class Primer(BaseModel):
    context: str = Field(description="The organisation's editable context (markdown)")
    schema_snapshot: str = Field(description="Compact live schema: objects and fields in scope")
    scope: str
