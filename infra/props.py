"""Reading recorded resource properties (plain dicts and lists, camelCase as the engine sees them)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def get_path(d: Mapping[str, Any] | None, *path: str | int) -> Any:
    """`d[path0][path1]…`, or None as soon as a step is missing (index past a list's end included)."""
    cur: Any = d
    for key in path:
        if isinstance(key, int):
            cur = cur[key] if isinstance(cur, list) and len(cur) > key else None
        else:
            cur = cur.get(key) if isinstance(cur, Mapping) else None
        if cur is None:
            return None
    return cur
