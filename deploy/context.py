"""The context the Invoke tasks share: `Ops` (stack outputs, command runner, tool lookup, secrets),
and how a task gets one for a stack."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass

from deploy.preconditions import (
    PreconditionError,
    Problem,
    Which,
    check_gcloud_auth,
    check_project,
    check_tools,
    require,
)
from deploy.runner import RecordingRunner, Runner, SubprocessRunner
from deploy.secrets import GcloudSecretSource, SecretSource
from deploy.stack import StackOutputs, load_outputs


@dataclass
class Ops:
    out: StackOutputs
    runner: Runner
    which: Which = shutil.which
    secrets: SecretSource | None = None
    echo: Callable[[str], None] = print
    http_get: Callable[[str], int] | None = None  # url -> status; None: httpx

    def __post_init__(self) -> None:
        if self.secrets is None:
            self.secrets = GcloudSecretSource(self.runner, self.out)

    def secret(self, name: str) -> str:
        assert self.secrets is not None
        return self.secrets.get(name)

    def ready(self, task: str, *fields: str, tools: tuple[str, ...] = ("gcloud",)) -> None:
        problems: list[Problem] = check_tools(tools, self.which)
        problems += check_project(self.out.project) if "project" not in fields else []
        problems += self.out.need(*fields)
        if not problems and not self.runner.dry_run:
            problems += check_gcloud_auth(self.runner)
        require(task, problems, self.runner)

    def health(self, url: str) -> int | None:
        if self.runner.dry_run:
            self.runner.note(f"GET {url}")
            return None
        if self.http_get:
            return self.http_get(url)
        import httpx

        try:
            return httpx.get(url, timeout=10.0, follow_redirects=False).status_code
        except httpx.HTTPError:
            return None


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
