"""Invoke tasks for throwaway staging stacks (`inv stage.test`)."""

from __future__ import annotations

from invoke import Collection, task


def preflight_report(name: str | None) -> int:
    """Check what `inv stage.test` needs, offline, and say what it would do; creates nothing."""
    import shutil

    from infra.tasks import stack_problems
    from staging.cloud import GCLOUD_INSTALL_HELP
    from staging.runner import EXIT_PRECONDITION, stack_name
    from staging.stackplan import plan_for

    try:
        stack = stack_name(name)
    except ValueError as err:
        print(f"stage.test: {err}")
        return EXIT_PRECONDITION
    ready, problems = stack_problems(stack)
    if shutil.which("gcloud") is None:
        problems.append(GCLOUD_INSTALL_HELP)
    else:
        ready.append(f"gcloud: {shutil.which('gcloud')}")
    try:
        from deploy.manifests import ManifestError, load_manifests
        from infra.problems import REPO_ROOT

        manifests = load_manifests(REPO_ROOT / "apps")
        ready.append(f"apps/ manifests load ({len(manifests.required_stack_keys())} stack settings used)")
    except ManifestError as err:
        problems.append(f"apps/ manifests: {err}")
    plan = plan_for(stack)
    from infra.tasks import print_preconditions

    print_preconditions(f"# dry-run of `inv stage.test` for {stack}: nothing is created, changed or deleted",
                        ready, problems)
    overrides = ", ".join(f"{k}={v}" for k, v in plan.overrides.items())
    print(
        f"would: pulumi up {stack} from Pulumi.staging.yaml with {overrides}; wait for /healthz; "
        "bootstrap a workspace and deploy key; run the contract suite, `inv deploy`, an MCP smoke test "
        f"and a signed Stripe event; then pulumi destroy {stack} and remove it"
    )
    return EXIT_PRECONDITION if problems else 0


@task(
    help={
        "name": "stack suffix: the stack is staging-NAME (default: the UTC time, e.g. 1122-0530)",
        "keep": "leave the stack running (destroy it later: `inv infra.destroy --stack staging-NAME`)",
        "dry_run": "check every precondition and print the steps; create nothing (seconds, offline)",
    }
)
def test(c, name=None, keep=False, dry_run=False):  # type: ignore[no-untyped-def]
    """Create staging-NAME, prove it end to end (health, sign-up, contract, deploy, MCP, Stripe), destroy."""
    if dry_run:
        raise SystemExit(preflight_report(name))
    from infra.tasks import settings_problem

    problem = settings_problem("staging")  # the stage stack copies Pulumi.staging.yaml
    if problem:
        raise SystemExit(f"stage.test cannot start (nothing was created): {problem}")
    from staging.runner import main

    raise SystemExit(main(name=name, keep=keep))


ns = Collection()
ns.add_task(test)
