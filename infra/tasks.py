"""Invoke tasks for the infrastructure. Heavy imports (pulumi, rich) stay inside the task bodies."""

from __future__ import annotations

from invoke import Collection, task
from invoke.context import Context

DRY = "check every precondition (settings, Pulumi CLI, credentials, state backend, secrets) and stop"


@task(
    help={
        "stack": "stack name: reads Pulumi.<stack>.yaml",
        "profile": "plan as another profile (lean|standard|ha)",
    }
)
def plan(c: Context, stack: str = "staging", profile: str = "") -> None:
    """Offline plan of a stack: resources by concern, policy results, monthly cost (no cloud, no CLI)."""
    from infra.plan import main

    code = main(stack, profile or None)
    if code:
        raise SystemExit(code)


def stack_problems(stack: str) -> tuple[list[str], list[str]]:
    """(what is ready, what is missing) for a Pulumi operation on `stack`, touching nothing: the
    stack's settings, the Pulumi CLI, Google credentials, the state backend and the secrets the
    settings need. Offline; takes well under a second."""
    from infra import automation

    ready: list[str] = []
    problems: list[str] = []
    problem = settings_problem(stack)
    if problem:
        problems.append(f"settings: {problem}")
    else:
        ready.append(f"settings: {automation.example_for(stack).name} is valid for stack {stack}")
    try:
        pre = automation.preflight()
        ready += [
            f"Pulumi CLI: {pre.cli}",
            f"Google credentials: {pre.credentials}",
            f"state backend: {pre.backend.url} (secrets: {pre.backend.secrets_provider})",
        ]
    except automation.PreconditionError as err:
        problems += [p.what for p in err.problems]
    if not problems:  # the `secure:` settings a new stack needs come from the environment
        try:
            automation.config_to_set(stack, new_stack=True)
            ready.append("secrets: every secret setting the stack needs has a value")
        except automation.PreconditionError as err:
            problems += [p.what for p in err.problems]
        except automation.AutomationError as err:
            problems.append(str(err))
    return ready, problems


def print_preconditions(header: str, ready: list[str], problems: list[str]) -> None:
    """A dry run's checklist: what is in place, then each unmet precondition with its fix."""
    print(header)
    for line in ready:
        print(f"  ok      {line}")
    for line in problems:
        first, *rest = line.splitlines()
        print(f"  MISSING {first}")
        for more in rest:
            print(f"          {more}")


def dry_run_report(command: str, stack: str, does: str) -> None:
    """Print what `command` would do and every unmet precondition; exit 2 when one is unmet."""
    ready, problems = stack_problems(stack)
    print_preconditions(f"# dry-run of `{command}`: nothing is created, changed or deleted", ready, problems)
    if problems:
        raise SystemExit(f"{command}: {len(problems)} precondition(s) not met (above); nothing was touched")
    print(f"would run: {does}")


def settings_problem(stack: str) -> str | None:
    """One line naming what is wrong with the stack's settings file (YAML or a setting), or None."""
    from infra import automation
    from infra.config import ConfigError, parse_stack_config, read_stack_file

    try:
        parse_stack_config(read_stack_file(str(automation.example_for(stack))), stack)
    except (ConfigError, automation.AutomationError, automation.PreconditionError) as err:
        return str(err)
    return None


def _automation(name: str, stack: str) -> object:
    from infra import automation

    problem = settings_problem(stack)  # a bad stack file stops here, before the CLI is asked anything
    if problem:
        raise SystemExit(f"inv infra.{name} --stack {stack}: {problem}")
    try:
        return getattr(automation, name)(stack)
    except (automation.AutomationError, automation.PreconditionError) as err:  # say what to do
        raise SystemExit(f"inv infra.{name} --stack {stack}: {err}") from None


@task(help={"stack": "stack name (staging, prod, ...)", "dry_run": DRY})
def preview(c: Context, stack: str = "staging", dry_run: bool = False) -> None:
    """`pulumi preview` of a stack through the Automation API (needs the Pulumi CLI and GCP credentials)."""
    if dry_run:
        return dry_run_report(f"inv infra.preview --stack {stack}", stack, f"pulumi preview --stack {stack}")
    _automation("preview", stack)


@task(help={"stack": "stack name (staging, prod, ...)", "dry_run": DRY})
def up(c: Context, stack: str = "staging", dry_run: bool = False) -> None:
    """`pulumi up` of a stack through the Automation API (needs the Pulumi CLI and GCP credentials)."""
    if dry_run:
        return dry_run_report(
            f"inv infra.up --stack {stack}",
            stack,
            f"pulumi up --stack {stack} (creates or updates every resource `inv plan` lists)",
        )
    _automation("up", stack)


@task(help={"stack": "stack name (staging, prod, ...)", "dry_run": DRY})
def destroy(c: Context, stack: str = "staging", dry_run: bool = False) -> None:
    """`pulumi destroy` of a stack through the Automation API (prod refuses while protected)."""
    if dry_run:
        return dry_run_report(
            f"inv infra.destroy --stack {stack}",
            stack,
            f"pulumi destroy --stack {stack} (deletes every resource of the stack)",
        )
    _automation("destroy", stack)


ns = Collection()
ns.add_task(plan)
ns.add_task(preview)
ns.add_task(up)
ns.add_task(destroy)
