"""Argument checks and answer unwrapping shared by TwentyClient's resource families."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from twenty_api.errors import TwentyError
from twenty_api.filters import Filter

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")
DIRECTIONS = ("AscNullsFirst", "AscNullsLast", "DescNullsFirst", "DescNullsLast")

OrderBy = str | Sequence[str | tuple[str, str]] | None
FilterArg = Filter | str | None


def _check_name(plural: str) -> str:
    if not isinstance(plural, str) or not _NAME_RE.match(plural):
        raise ValueError(
            f"object name {plural!r} must be a plural API name such as 'people' or 'websiteLeads' "
            "(use client.resolve_object(name) to find it)"
        )
    return plural


def _id(record_id: str) -> str:
    if not isinstance(record_id, str) or not record_id.strip():
        raise ValueError(f"record id must be a non-empty string, got {record_id!r}")
    return quote(record_id.strip(), safe="")


def _order_by(order_by: OrderBy) -> str | None:
    if order_by is None:
        return None
    items = [order_by] if isinstance(order_by, str) else list(order_by)
    parts: list[str] = []
    for item in items:
        if isinstance(item, tuple):
            field, direction = item
            if direction not in DIRECTIONS:
                raise ValueError(f"order direction {direction!r} must be one of {', '.join(DIRECTIONS)}")
            parts.append(f"{field}[{direction}]")
        else:
            parts.append(str(item))
    return ",".join(parts) or None


def _depth(depth: int | None) -> int | None:
    if depth is not None and depth not in (0, 1):
        raise ValueError(f"depth must be 0 or 1 in Twenty 2.21 (got {depth!r})")
    return depth


def _single(body: Any, what: str) -> Any:
    """``{"data": {"<key>": value}}`` → value (create/update/delete/get answer one key)."""
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, dict) or len(data) != 1:
        raise TwentyError(f"Twenty's answer to {what} has an unexpected shape: {str(body)[:300]}")
    return next(iter(data.values()))
