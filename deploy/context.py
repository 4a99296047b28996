"""Builds the runner / stack outputs / ops context the Invoke tasks share."""

from __future__ import annotations

import sys

from deploy.ops import Ops
from deploy.preconditions import PreconditionError
from deploy.runner import RecordingRunner, Runner, SubprocessRunner
from deploy.stack import StackOutputs, load_outputs


def say(message: str) -> None:
    print(message, flush=True)


def runner_for(dry_run: bool) -> Runner:
    if dry_run:
        say("# dry-run: commands and API calls are printed, nothing is changed")
        return RecordingRunner(echo=say)
    return SubprocessRunner(echo=lambda m: print(f"\x1b[2m{m}\x1b[0m", file=sys.stderr, flush=True))


def placeholder_outputs(stack: str) -> StackOutputs:
    return StackOutputs.from_mapping(stack, {
        "project": "<project>", "region": "<region>", "server_url": "https://<domain>",
        "artifact_repo": "<region>-docker.pkg.dev/<project>/<repo>", "sql_instance": "<sql-instance>",
        "redis_host": "<redis-host>", "bucket": "<bucket>", "mcp_public_url": "https://<mcp-url>",
        "zone": "<zone>", "worker_vm": "<worker-vm>", "db_url_secret": "<db-url-secret>",
    })


def outputs_for(stack: str, runner: Runner) -> StackOutputs:
    try:
        return load_outputs(stack)
    except PreconditionError as e:
        if not runner.dry_run:
            raise
        for p in e.problems:
            runner.note(f"# precondition not met (dry-run continues with placeholders): {p.what} — {p.fix}")
        return placeholder_outputs(stack)


def ops_for(stack: str, dry_run: bool) -> Ops:
    runner = runner_for(dry_run)
    return Ops(outputs_for(stack, runner), runner)


def fail(err: Exception) -> None:
    raise SystemExit(f"error: {err}")
