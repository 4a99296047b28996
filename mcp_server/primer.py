"""The primer: an editable organisation context plus a compact live schema snapshot.

Storage is a small seam: a local file (stdio, tests) or the environment's GCS bucket (Cloud Run,
`MCP_STATE_BUCKET`). Admins edit it with PUT/GET/DELETE /admin/primer (http_app.py).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .models import Primer
    from .runtime import Connection
    from .settings import ServerSettings

MAX_PRIMER_BYTES = 100_000
_SNAPSHOT_LIMIT = 24_000
_CORE_OBJECTS = ("people", "companies", "opportunities", "notes", "tasks", "workspaceMembers")
_SKIP_FIELDS = frozenset(
    {"id", "createdAt", "updatedAt", "deletedAt", "createdBy", "updatedBy", "position", "searchVector"}
)

DEFAULT_CONTEXT = """# Working with this Twenty CRM

- Resolve names first: find a person/company/opportunity with twenty_search or a filtered
  twenty_list_records before updating it; never guess ids.
- Composite fields: name {firstName, lastName}; emails {primaryEmail}; phones {primaryPhoneNumber,
  primaryPhoneCallingCode}; domainName {primaryLinkUrl}; amount {amountMicros, currencyCode} where
  amountMicros = amount x 1,000,000. The record tools accept friendly input (firstName, email, amount +
  currency) and map it.
- Relations are written as <relation>Id (companyId, pointOfContactId, assigneeId).
- Filters: field[op]:value, e.g. name.firstName[eq]:"Ada", and(...), or(...), not(...).
- Deletes are soft by default (restorable). A hard delete destroys data: confirm with the user first.
- Notes and tasks: twenty_create_note / twenty_create_task link people, companies, opportunities.
"""


class PrimerStore(Protocol):
    async def get(self) -> str | None: ...
    async def put(self, text: str) -> None: ...
    async def delete(self) -> None: ...


class LocalPrimerStore:
    """A markdown file on disk (stdio and tests)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    async def get(self) -> str | None:
        try:
            return self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None

    async def put(self, text: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)  # atomic: readers never see half a primer

    async def delete(self) -> None:
        self.path.unlink(missing_ok=True)


class GcsPrimerStore:
    """`gs://<bucket>/mcp/primer.md` (blobs.GcsBlobStore)."""

    def __init__(self, bucket: str, transport: Any = None, api: str | None = None) -> None:
        from .blobs import GcsBlobStore

        self._blobs = GcsBlobStore(bucket, "mcp/", transport=transport, api=api)

    async def get(self) -> str | None:
        data = await self._blobs.get("primer.md")
        return None if data is None else data.decode("utf-8")

    async def put(self, text: str) -> None:
        await self._blobs.put("primer.md", text.encode("utf-8"), "text/markdown; charset=utf-8")

    async def delete(self) -> None:
        await self._blobs.delete("primer.md")


def store_from_settings(settings: ServerSettings) -> PrimerStore:
    if settings.mcp_state_bucket:
        return GcsPrimerStore(settings.mcp_state_bucket)
    path = settings.mcp_primer_path or os.path.join(
        os.environ.get("XDG_CONFIG_HOME", os.path.expanduser("~/.config")), "twenty-gcp", "mcp-primer.md"
    )
    return LocalPrimerStore(Path(path))


async def schema_snapshot(conn: Connection) -> str:
    """Objects in scope, with fields for custom and core objects, within a fixed budget."""
    objects = await conn.objects()
    lines: list[str] = []
    detailed = [o for o in objects if o.is_custom or o.name_plural in _CORE_OBJECTS]
    rest = [o for o in objects if o not in detailed and not o.is_system]
    for obj in detailed:
        full = obj if obj.fields else await conn.client.get_object(obj.name_plural)
        fields = [
            f"{f.name}:{f.type}{'' if f.is_nullable else '!'}"
            for f in full.fields
            if f.is_active and not f.is_system and f.name not in _SKIP_FIELDS
        ]
        tag = " (custom)" if obj.is_custom else ""
        lines.append(f"- {obj.name_plural} / {obj.name_singular}{tag}: {', '.join(fields)}")
    if rest:
        lines.append("- other objects: " + ", ".join(o.name_plural for o in rest))
    text = "\n".join(lines)
    return text if len(text) <= _SNAPSHOT_LIMIT else text[:_SNAPSHOT_LIMIT] + "\n- ... (truncated)"


async def build_primer(conn: Connection) -> Primer:
    from .models import Primer  # not at import: the stdio start-up does not need the result models

    context = await conn.primer_store.get() or DEFAULT_CONTEXT
    return Primer(context=context, schema_snapshot=await schema_snapshot(conn), scope=conn.scope.describe())
