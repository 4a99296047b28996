"""Glue for `inv deploy` / `inv deploy.diff`: pick the kinds, run the engine with progress on
screen, print the final report table."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from deploy.engine import KIND_ORDER, DeployContext, Item, Kind, run
from deploy.gateway import Gateway
from deploy.kinds.agents import Agents
from deploy.kinds.apps import Apps
from deploy.kinds.dashboards import Dashboards
from deploy.kinds.webhooks import Webhooks
from deploy.kinds.workflows import Workflows
from deploy.manifests import Manifests
from deploy.secrets import SecretSource
from infra.problems import UsageError

KINDS: dict[str, Callable[[], Kind]] = {"apps": Apps, "agents": Agents, "webhooks": Webhooks,
                                        "workflows": Workflows, "dashboards": Dashboards}
STYLE = {"create": "green", "update": "yellow", "unchanged": "dim", "orphaned": "magenta",
         "conflict": "red", "blocked": "red"}


def parse_only(only: str | None) -> list[str]:
    if not only:
        return list(KIND_ORDER)
    picked = [p.strip() for p in only.split(",") if p.strip()]
    unknown = [p for p in picked if p not in KINDS]
    if unknown:
        raise UsageError(f"--only: unknown kind(s) {unknown}; choose from {', '.join(KIND_ORDER)}")
    return [k for k in KIND_ORDER if k in picked]


@dataclass
class Outcome:
    items: list[Item]
    gateway: Gateway
    seconds: float

    @property
    def failed(self) -> list[Item]:
        return [i for i in self.items if i.status == "failed"]

    @property
    def not_deployed(self) -> list[Item]:
        """Failed, blocked or in conflict: declared but not (fully) in the workspace."""
        return [i for i in self.items if i.status == "failed" or i.op in ("blocked", "conflict")]


async def reconcile(client: Any, manifests: Manifests, *, stack: Mapping[str, str], secrets: SecretSource,
                    server_url: str, apply: bool, dry_run: bool = False, only: list[str] | None = None,
                    user_session: Callable[[], Awaitable[Any]] | None = None, user_client: Any = None,
                    rotate_secrets: bool = False, concurrency: int = 4,
                    console: Console | None = None) -> Outcome:
    gw = Gateway(client, user_client=user_client)
    ctx = DeployContext(gw=gw, manifests=manifests, stack=stack, secrets=secrets, server_url=server_url,
                        dry_run=dry_run, user_session=user_session, rotate_secrets=rotate_secrets,
                        concurrency=concurrency)
    con = console or Console(quiet=True)
    kinds = [KINDS[k]() for k in (only or list(KIND_ORDER))]

    def planned(item: Item) -> None:
        con.print(f"  [{STYLE[item.op]}]{item.op:>9}[/] {escape(item.kind)}/{escape(item.name)}")

    def done(item: Item) -> None:
        if item.writes:
            mark = "[green]✓[/]" if item.status == "done" else "[red]✗[/]"
            con.print(f"  {mark} {escape(item.kind)}/{escape(item.name)} {item.status}")

    started = time.perf_counter()
    try:
        items = await run(ctx, kinds, apply=apply, on_plan=planned, on_done=done)
    finally:
        if gw.user_client is not None and gw.user_client is not user_client:
            await gw.user_client.aclose()
    return Outcome(items, gw, time.perf_counter() - started)


def report_table(outcome: Outcome, *, applied: bool) -> Table:
    title = "deploy report" if applied else "deploy plan (nothing changed)"
    table = Table("kind", "name", "action", "status", "details", title=title, show_lines=False)
    for it in outcome.items:
        would = [f"would call: {', '.join(it.calls)}"] if it.calls and not applied and it.writes else []
        details = escape("\n".join([*it.changes, *it.notes, *would]))
        status = it.status if applied else ("would write" if it.writes else "-")
        table.add_row(escape(it.kind), escape(it.name), f"[{STYLE[it.op]}]{it.op}[/]", status, details)
    counts: dict[str, int] = {}
    for it in outcome.items:
        counts[it.op] = counts.get(it.op, 0) + 1
    table.caption = (", ".join(f"{n} {op}" for op, n in sorted(counts.items()))
                     + f" · {outcome.gateway.calls} calls, {outcome.gateway.write_count} writes"
                     + f" · {outcome.seconds:.1f}s")
    return table
