"""Workspace schema (object + field metadata) cache, keyed by workspace id, with a TTL.

Keyed by workspace, not by base URL: one workspace reached through two URLs (custom domain,
Cloud Run URL) shares one entry, and two workspaces behind one URL never mix. ``refresh=True``
or :meth:`SchemaCache.invalidate` drops an entry; the client invalidates after it creates
objects or fields itself.
"""

from __future__ import annotations

import difflib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from twenty_api.models import ObjectInfo


@dataclass
class WorkspaceSchema:
    workspace_id: str
    objects: list[ObjectInfo]
    fetched_at: float
    # normalised name -> the first object (in list order) that has it; built on the first find.
    # Normalising 4 names of every object on each lookup cost ~0.7 ms per MCP tool call.
    _index: dict[str, ObjectInfo] | None = field(default=None, init=False, repr=False, compare=False)

    def find(self, name: str) -> ObjectInfo | None:
        """Match singular or plural API name or label, in any case and ignoring separators."""
        if self._index is None:
            index: dict[str, ObjectInfo] = {}
            for obj in self.objects:
                for text in (obj.name_singular, obj.name_plural, obj.label_singular, obj.label_plural):
                    index.setdefault(_norm(text), obj)
            self._index = index
        return self._index.get(_norm(name))

    def close_matches(self, name: str, n: int = 5) -> list[str]:
        names = [o.name_plural for o in self.objects] + [o.name_singular for o in self.objects]
        by_norm = {_norm(x): x for x in names}
        hits = difflib.get_close_matches(_norm(name), list(by_norm), n=n, cutoff=0.5)
        seen: list[str] = []
        for hit in hits:
            obj = self.find(by_norm[hit])
            if obj and obj.name_plural not in seen:
                seen.append(obj.name_plural)
        return seen


def _norm(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


class SchemaCache:
    def __init__(self, ttl: float = 300.0, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[str, WorkspaceSchema] = {}
        self._lock = threading.Lock()

    def get(self, workspace_id: str) -> WorkspaceSchema | None:
        with self._lock:
            entry = self._entries.get(workspace_id)
            if entry is None:
                return None
            if self._clock() - entry.fetched_at > self.ttl:
                del self._entries[workspace_id]
                return None
            return entry

    def put(self, workspace_id: str, objects: list[ObjectInfo]) -> WorkspaceSchema:
        entry = WorkspaceSchema(workspace_id, objects, self._clock())
        with self._lock:
            self._entries[workspace_id] = entry
        return entry

    def invalidate(self, workspace_id: str | None = None) -> None:
        with self._lock:
            if workspace_id is None:
                self._entries.clear()
            else:
                self._entries.pop(workspace_id, None)


_DEFAULT_CACHES: dict[float, SchemaCache] = {}
_DEFAULT_LOCK = threading.Lock()


def default_schema_cache(ttl: float = 300.0) -> SchemaCache:
    """The process-wide cache for a TTL (shared by every client, e.g. all MCP sessions)."""
    with _DEFAULT_LOCK:
        cache = _DEFAULT_CACHES.get(ttl)
        if cache is None:
            cache = _DEFAULT_CACHES[ttl] = SchemaCache(ttl)
        return cache


def clear_schema_caches() -> None:
    """Drop every cached schema (tests that start a fresh fake Twenty with the same workspace id)."""
    with _DEFAULT_LOCK:
        for cache in _DEFAULT_CACHES.values():
            cache.invalidate()
