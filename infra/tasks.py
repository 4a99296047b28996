"""Invoke tasks for the infrastructure. Heavy imports (pulumi, rich) stay inside the task bodies."""

from invoke import Collection, task
from invoke.context import Context


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


def _automation(name: str, stack: str) -> object:
    from infra import automation

    try:
        return getattr(automation, name)(stack)
    except automation.AutomationError as err:  # missing CLI/credentials, bad stack: say what to do
        raise SystemExit(f"inv infra.{name} --stack {stack}: {err}") from None


@task(help={"stack": "stack name (staging, prod, ...)"})
def preview(c: Context, stack: str = "staging") -> None:
    """`pulumi preview` of a stack through the Automation API (needs the Pulumi CLI and GCP credentials)."""
    _automation("preview", stack)


@task(help={"stack": "stack name (staging, prod, ...)"})
def up(c: Context, stack: str = "staging") -> None:
    """`pulumi up` of a stack through the Automation API (needs the Pulumi CLI and GCP credentials)."""
    _automation("up", stack)


@task(help={"stack": "stack name (staging, prod, ...)"})
def destroy(c: Context, stack: str = "staging") -> None:
    """`pulumi destroy` of a stack through the Automation API (prod refuses while protected)."""
    _automation("destroy", stack)


ns = Collection()
ns.add_task(plan)
ns.add_task(preview)
ns.add_task(up)
ns.add_task(destroy)
