"""The end-of-run summary: each step, its duration and result, and what the stack cost."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from staging.orchestrator import StageReport

_STYLE = {"passed": "green", "failed": "bold red", "skipped": "yellow"}


def _duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{seconds:.1f}s"


def render_summary(report: StageReport, console: Console) -> None:
    table = Table(title=f"stage.test — stack {report.stack}", title_justify="left")
    table.add_column("step")
    table.add_column("result")
    table.add_column("duration", justify="right")
    table.add_column("detail", overflow="fold")
    for step in report.steps:
        style = _STYLE.get(step.status, "")
        table.add_row(
            step.name, f"[{style}]{step.status}[/]", _duration(step.seconds), step.detail, end_section=False
        )
    console.print(table)
    lifetime = f"stack lifetime {_duration(report.lifetime_seconds)}"
    if report.cost_usd is None:
        cost = "cost: no monthly estimate available (infra.plan.monthly_total)"
    else:
        cost = f"estimated cost ${report.cost_usd:.4f} (plan total ${report.monthly_usd:.2f}/month, pro rata)"
    if report.kept:
        lifetime += " so far (kept: it keeps accruing until destroyed)"
    console.print(f"{lifetime}; {cost}", markup=False, highlight=False)
    verdict = "[bold green]PASSED[/]" if report.ok else "[bold red]FAILED[/]"
    failed = [s.name for s in report.steps if s.status == "failed"]
    console.print(f"stage.test {verdict}" + (f" — failed: {', '.join(failed)}" if failed else ""))
