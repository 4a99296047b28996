"""Pipeline tools (group `pipeline`): the stages of a SELECT field and moving a deal between them."""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..models import (
    PipelineStages,
    RecordResult,
    StageOption,
)
from ..registry import tool
from ..runtime import Connection, connection, jsonable
from ._common import (
    ObjectName,
    RecordId,
)


async def _stages(conn: Connection, object: str, field: str) -> tuple[str, list[StageOption]]:
    obj = await conn.resolve(object)
    full = await conn.client.get_object(obj.name_plural)
    match = next((f for f in full.fields if f.name == field), None)
    if match is None or str(match.type) not in ("SELECT", "FieldType.SELECT"):
        raise ToolError(f"'{obj.name_plural}.{field}' is not a SELECT field; pipeline stages live in one.")
    options = [jsonable(o) for o in (getattr(match, "options", None) or [])]
    stages = [
        StageOption(
            value=o["value"],
            label=o.get("label", o["value"]),
            position=o.get("position"),
            color=o.get("color"),
        )
        for o in options
    ]
    stages.sort(key=lambda s: (s.position is None, s.position or 0))
    return obj.name_plural, stages


@tool("pipeline")
async def twenty_list_pipeline_stages(
    object: ObjectName = "opportunities",
    field: Annotated[str, Field(default="stage", min_length=1, max_length=63)] = "stage",
) -> PipelineStages:
    """The pipeline's stages in order (the options of opportunities.stage, or another SELECT field).
    Use the stage `value` (capitals, e.g. MEETING) when writing."""
    conn = await connection()
    plural, stages = await _stages(conn, object, field)
    return PipelineStages(object=plural, field=field, stages=stages)


@tool("pipeline", writes=True, idempotent=True)
async def twenty_move_opportunity_stage(
    id: RecordId,
    stage: Annotated[str, Field(min_length=1, max_length=100, description="Stage value or label")],
) -> RecordResult:
    """Move an opportunity to another pipeline stage. Accepts the stage value (PROPOSAL) or its
    label (Proposal); unknown stages are refused with the list of valid ones."""
    conn = await connection()
    plural, stages = await _stages(conn, "opportunities", "stage")
    wanted = stage.strip().lower()
    match = next((s for s in stages if wanted in (s.value.lower(), s.label.lower())), None)
    if match is None:
        raise ToolError(f"Unknown stage '{stage}'. Valid stages: {', '.join(s.value for s in stages)}.")
    rec = await conn.client.update_record(plural, str(id), {"stage": match.value})
    return RecordResult(object=plural, record=jsonable(rec))
