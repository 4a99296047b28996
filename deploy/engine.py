"""The reconciler: desired state (apps/ via deploy.manifests) vs the live workspace → a plan of
items (create / update / unchanged / orphaned / conflict / blocked) → apply.

Kinds are planned and applied in order (apps → agents → webhooks → workflows: workflows refer to
agents by id); the items of one kind are independent and applied in parallel, bounded by
`concurrency` (the client's pacer keeps the whole run under Twenty's rate limit). Each apply step
is idempotent on its own, so a run killed half-way converges when re-run.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import anyio

from deploy.gateway import Gateway
from deploy.manifests import Manifests
from deploy.secrets import SecretSource
from twenty_api.compare import contains

Op = Literal["create", "update", "unchanged", "orphaned", "conflict", "blocked"]
KIND_ORDER = ("apps", "agents", "webhooks", "workflows", "dashboards")  # dashboards chart the apps' objects
MARK = "twenty-gcp"


def marker(kind: str, name: str) -> str:
    """The ownership mark we put in the description of what we create; nothing without it is ours."""
    return f"[{MARK}:{kind}:{name}]"


def with_marker(description: str | None, mark: str) -> str:
    text = (description or "").strip()
    return text if mark in text else f"{text} {mark}".strip()


@dataclass
class Item:
    kind: str
    name: str
    op: Op
    changes: list[str] = field(default_factory=list)
    apply: Callable[[], Awaitable[list[str]]] | None = None
    notes: list[str] = field(default_factory=list)
    status: str = "planned"  # planned | done | failed | skipped
    calls: list[str] = field(default_factory=list)  # the API writes apply() will make, for --dry-run

    @property
    def writes(self) -> bool:
        return self.op in ("create", "update") and self.apply is not None


class UserSession(Protocol):
    async def __call__(self) -> Any: ...


@dataclass
class DeployContext:
    gw: Gateway
    manifests: Manifests
    stack: Mapping[str, str]
    secrets: SecretSource
    server_url: str
    dry_run: bool = False
    user_session: Callable[[], Awaitable[Any]] | None = None
    rotate_secrets: bool = False
    concurrency: int = 4
    app_output: Callable[[Path], Path] = lambda app_dir: app_dir / ".twenty" / "output"
    agent_ids: dict[str, str] = field(default_factory=dict)
    applying: bool = False  # set by run(): plan-only runs show placeholders for what is not created yet
    say: Callable[[str], None] = lambda _m: None

    async def user_gateway(self) -> Gateway | None:
        """A gateway whose `as_user` calls go through the deploy user's session (login once)."""
        if self.gw.user_client is None and self.user_session is not None:
            self.gw.user_client = await self.user_session()
        return self.gw if self.gw.user_client is not None else None


class Kind(Protocol):
    name: str

    async def plan(self, ctx: DeployContext) -> list[Item]: ...


def secrets_missing(ctx: DeployContext, names: list[str]) -> list[str]:
    """Check secrets while planning, so an item never stops half-applied for want of one."""
    from deploy.secrets import SecretMissing

    problems = []
    for name in dict.fromkeys(names):
        try:
            ctx.secrets.get(name)
        except SecretMissing as e:
            problems.append(f"blocked: {e}")
    return problems


def squash_ws(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """Twenty 2.21 trims and collapses every run of whitespace (newlines too) in these string
    fields before storing them (twenty-shared trimAndRemoveDuplicatedWhitespacesFromString, used
    by the agent create/update paths); send what it will store, so the next diff is empty."""
    return {k: (" ".join(v.split()) if k in keys and isinstance(v, str) else v) for k, v in data.items()}


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def field_changes(live: Mapping[str, Any], desired: Mapping[str, Any], *,
                  hidden: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The desired fields whose live value differs; `hidden` ones are never printed."""
    return {k: v for k, v in desired.items() if not contains(live.get(k), v)}


def describe_changes(live: Mapping[str, Any], changed: Mapping[str, Any],
                     hidden: frozenset[str] = frozenset()) -> list[str]:
    lines = []
    for k, v in changed.items():
        if k in hidden:
            lines.append(f"{k}: (secret) differs")
        else:
            old, new = _short(live.get(k)), _short(v)
            lines.append(f"{k}: {old} → {new}")
    return lines


def _short(value: Any, width: int = 60) -> str:
    text = value if isinstance(value, str) else canonical(value)
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


async def gather(limit: int, factories: list[Callable[[], Awaitable[Any]]]) -> list[Any]:
    """Run independent coroutines at most `limit` at a time; results in input order."""
    results: list[Any] = [None] * len(factories)
    limiter = anyio.CapacityLimiter(max(1, limit))

    async def one(i: int, make: Callable[[], Awaitable[Any]]) -> None:
        async with limiter:
            results[i] = await make()

    try:
        async with anyio.create_task_group() as tg:
            for i, make in enumerate(factories):
                tg.start_soon(one, i, make)
    except BaseExceptionGroup as group:
        raise first_error(group) from None
    return results


def first_error(error: BaseException) -> BaseException:
    """The first leaf of a (nested) exception group: concurrent planning reports what failed, not
    a raw ExceptionGroup traceback."""
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error


async def plan_kinds(ctx: DeployContext, kinds: list[Kind]) -> list[Item]:
    items: list[Item] = []
    for kind in kinds:
        items += await kind.plan(ctx)
    return items


async def apply_items(ctx: DeployContext, items: list[Item],
                      on_done: Callable[[Item], None] = lambda _i: None) -> None:
    limiter = anyio.CapacityLimiter(max(1, ctx.concurrency))

    async def one(item: Item) -> None:
        async with limiter:
            if not item.writes:
                item.status = "skipped" if item.op != "unchanged" else "done"
                on_done(item)
                return
            try:
                assert item.apply is not None
                item.notes += await item.apply()
                item.status = "done"
            except Exception as e:  # one failed item must not stop the independent others
                item.status = "failed"
                item.notes.append(f"{type(e).__name__}: {e}")
            on_done(item)

    async with anyio.create_task_group() as tg:
        for item in items:
            tg.start_soon(one, item)


class DeployBlocked(Exception):
    """A precondition in Twenty itself (checked before any write) that a re-run cannot change."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


async def preflight(ctx: DeployContext, kinds: list[Kind]) -> None:
    """Each kind's checks against the live workspace, all before the first write: a call Twenty
    would refuse for a reason no retry changes is never sent."""
    problems: list[str] = []
    for kind in kinds:
        check = getattr(kind, "preflight", None)
        if check is not None:
            problems += await check(ctx)
    if problems:
        raise DeployBlocked(problems)


async def run(ctx: DeployContext, kinds: list[Kind], *, apply: bool,
              on_plan: Callable[[Item], None] = lambda _i: None,
              on_done: Callable[[Item], None] = lambda _i: None) -> list[Item]:
    """Plan (and apply) kind by kind, so later kinds see what earlier ones created."""
    everything: list[Item] = []
    await preflight(ctx, kinds)
    ctx.applying = apply and not ctx.dry_run
    for kind in kinds:
        items = await kind.plan(ctx)
        for it in items:
            on_plan(it)
        if apply and not ctx.dry_run:
            await apply_items(ctx, items, on_done)
        everything += items
    return everything
