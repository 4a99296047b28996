"""The offline plan runs in a process that already used (and closed) an asyncio loop, as
stage.test does after its deploy step."""

import asyncio

from infra import plan


def test_plan_runs_after_asyncio_run_closed_the_loop() -> None:
    asyncio.run(asyncio.sleep(0))
    result = plan.plan_stack("staging")
    assert len(result.custom_resources) >= 20
