"""Invoke tasks for the infrastructure (filled in by the infra work)."""

from invoke import Collection, task


@task
def plan(c, stack="staging"):  # type: ignore[no-untyped-def]
    """Offline plan of a stack (under construction)."""
    raise SystemExit("inv plan is not built yet")


ns = Collection()
