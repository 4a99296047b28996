"""Precondition checks for tasks that need gcloud, credentials, the Pulumi CLI or local tools.

Each check returns `Problem`s (what is missing + the exact fix) instead of failing half-way
through a task. `require()` raises one `PreconditionError` listing every problem; under
`--dry-run` the problems are printed as warnings and the task goes on printing its commands.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable, Mapping

from deploy.runner import Runner
from infra.problems import PreconditionError, Problem

Which = Callable[[str], str | None]


__all__ = ["PreconditionError", "Problem", "check_gcloud_auth", "check_tools", "require"]


TOOL_FIXES: dict[str, str] = {
    "gcloud": "install the Google Cloud CLI: https://cloud.google.com/sdk/docs/install "
              "(Debian: apt-get install google-cloud-cli)",
    "pulumi": "install the Pulumi CLI: curl -fsSL https://get.pulumi.com | sh",
    "cloud-sql-proxy": "install the Cloud SQL Auth Proxy v2: gcloud components install cloud-sql-proxy "
                       "(or https://cloud.google.com/sql/docs/postgres/sql-proxy#install)",
    "psql": "install the PostgreSQL client: apt-get install postgresql-client",
    "pg_dump": "install the PostgreSQL client: apt-get install postgresql-client",
    "pg_restore": "install the PostgreSQL client: apt-get install postgresql-client",
    "git": "install git: apt-get install git",
}


def check_tools(tools: Iterable[str], which: Which = shutil.which) -> list[Problem]:
    return [
        Problem(f"`{t}` is not on PATH", TOOL_FIXES.get(t, f"install `{t}` and put it on PATH"))
        for t in tools
        if which(t) is None
    ]


def check_gcloud_auth(runner: Runner, env: Mapping[str, str] | None = None) -> list[Problem]:
    """An active gcloud account (user or service account) is needed for gcloud commands."""
    env = os.environ if env is None else env
    res = runner.run(
        ["gcloud", "auth", "list", "--filter=status:ACTIVE", "--format=value(account)"], check=False
    )
    if res.returncode == 0 and res.stdout.strip():
        return []
    if env.get("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE") or env.get("CLOUDSDK_AUTH_CREDENTIAL_FILE_OVERRIDE"):
        return []
    return [Problem(
        "gcloud has no active account",
        "run `gcloud auth login` (people) or `gcloud auth activate-service-account "
        "--key-file=KEY.json` (CI); on GCP use the attached service account",
    )]


def check_project(project: str | None) -> list[Problem]:
    if project:
        return []
    return [Problem(
        "no GCP project is known",
        "pass --stack S (the stack outputs carry `project`), or set CLOUDSDK_CORE_PROJECT / "
        "`gcloud config set project PROJECT_ID`",
    )]


def require(task: str, problems: list[Problem], runner: Runner) -> None:
    """Raise on problems; under dry-run only warn, so the plan of commands is still shown."""
    if not problems:
        return
    if runner.dry_run:
        for p in problems:
            runner.note(f"# precondition not met (dry-run continues): {p.what} — {p.fix}")
        return
    raise PreconditionError(task, problems)
