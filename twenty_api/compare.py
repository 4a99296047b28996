"""Comparing what Twenty stores with what we set: one rule for the deploy's kinds, the workflow
calls and the MCP tools that rebuild something in place."""

from __future__ import annotations

import json
from typing import Any


def contains(live: Any, desired: Any) -> bool:
    """`desired` is a subset of `live` (dicts by key — an absent key counts as None —, lists item by
    item, the rest equal): Twenty may add keys of its own."""
    if isinstance(desired, dict):
        return isinstance(live, dict) and all(contains(live.get(k), v) for k, v in desired.items())
    if isinstance(desired, list):
        return (
            isinstance(live, list)
            and len(live) == len(desired)
            and all(contains(a, b) for a, b in zip(live, desired, strict=True))
        )
    return bool(live == desired)


def json_text(value: Any) -> str:
    """A value as canonical JSON text; Twenty hands some JSON values back as their text
    ('["TOTAL"]') and others parsed, so both compare equal."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return json.dumps(value)
    return json.dumps(value, sort_keys=True)
