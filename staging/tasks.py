"""Invoke tasks for throwaway staging stacks (`inv stage.test`)."""

from invoke import Collection, task


@task(
    help={
        "name": "stack suffix: the stack is staging-NAME (default: the UTC time, e.g. 1122-0530)",
        "keep": "leave the stack running (destroy it later: `inv infra.destroy --stack staging-NAME`)",
    }
)
def test(c, name=None, keep=False):  # type: ignore[no-untyped-def]
    """Create staging-NAME, prove it end to end (health, sign-up, contract, deploy, MCP, Stripe), destroy."""
    from staging.runner import main

    raise SystemExit(main(name=name, keep=keep))


ns = Collection()
ns.add_task(test)
