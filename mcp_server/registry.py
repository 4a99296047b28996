"""Tool registry: each tool declares its group and whether it writes, in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mcp.types import ToolAnnotations


@dataclass(frozen=True)
class ToolSpec:
    name: str
    group: str
    writes: bool
    fn: Callable[..., Any]
    annotations: ToolAnnotations


TOOLS: dict[str, ToolSpec] = {}


def tool(
    group: str,
    *,
    writes: bool = False,
    destructive: bool = False,
    idempotent: bool | None = None,
    open_world: bool = False,
    may_write: bool = False,
    title: str | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a tool. Reads are read-only+idempotent; writes say whether they destroy data.

    open_world is True only where the effect leaves the CRM (email, webhooks, workflows).
    may_write marks a tool that stays listed in read-only mode but can write when allowed
    (twenty_graphql: the gate inspects each document), so its hints must not promise read-only.
    """

    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        name = fn.__name__
        annotations = ToolAnnotations(
            title=title,
            read_only_hint=not (writes or may_write),
            destructive_hint=destructive if (writes or may_write) else False,
            idempotent_hint=(not (writes or may_write)) if idempotent is None else idempotent,
            open_world_hint=open_world,
        )
        TOOLS[name] = ToolSpec(name, group, writes, fn, annotations)
        return fn

    return deco


def write_tools() -> frozenset[str]:
    return frozenset(name for name, spec in TOOLS.items() if spec.writes)
