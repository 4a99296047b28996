"""Entry point behind `inv stage.test`: checks, the run, the summary, the exit code."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO

from rich.console import Console

from staging.cloud import CloudLayer, RealCloudLayer
from staging.orchestrator import StageRun, StageSettings
from staging.redact import MaskingWriter, Redactor
from staging.report import render_summary
from staging.stackplan import plan_for

_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")
EXIT_PRECONDITION = 2


def stack_name(name: str | None, now: datetime | None = None) -> str:
    """`staging-<name>`; the default name is the UTC time, e.g. staging-1122-0530."""
    name = name or (now or datetime.now(UTC)).strftime("%m%d-%H%M")
    name = name.removeprefix("staging-")
    if not _NAME.match(name):
        raise ValueError(
            f"--name {name!r} is not usable in GCP resource names: use 1–24 lowercase letters, digits "
            "or '-', starting with a letter or digit (e.g. --name pr-42)."
        )
    return f"staging-{name}"


def main(
    name: str | None = None,
    keep: bool = False,
    *,
    cloud: Callable[[Callable[[str], None]], CloudLayer] | None = None,
    stream: IO[str] | None = None,
    settings: StageSettings | None = None,
    monthly_usd: float | None = None,
) -> int:
    from infra.automation import PreconditionError

    redactor = Redactor()
    out = stream or sys.stdout
    # CI logs are not terminals: give the summary room instead of rich's 80-column default
    console = Console(file=MaskingWriter(out, redactor), soft_wrap=True, width=None if out.isatty() else 140)

    def log(line: str) -> None:
        console.print(line, markup=False, highlight=False)

    try:
        stack = stack_name(name)
    except ValueError as err:
        console.print(f"[bold red]stage.test:[/] {err}")
        return EXIT_PRECONDITION
    layer = (cloud or RealCloudLayer)(log)  # the layer prints through the masking console
    try:
        layer.preflight(stack)
    except PreconditionError as err:
        console.print("[bold red]stage.test cannot start[/] — nothing was created.")
        console.print(str(err), markup=False, highlight=False)
        return EXIT_PRECONDITION
    if monthly_usd is None and cloud is None:
        from staging.cost import monthly_estimate

        monthly_usd = monthly_estimate(stack)
    console.print(f"stage.test: stack [bold]{stack}[/]" + (" (kept afterwards)" if keep else ""))
    plan = plan_for(stack)
    run = StageRun(
        layer,
        stack,
        keep=keep,
        redactor=redactor,
        log=log,
        settings=settings,
        monthly_usd=monthly_usd,
        plan=plan,
    )
    report = run.execute()
    render_summary(report, console)
    return 0 if report.ok else 1
