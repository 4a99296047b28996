"""Invoke tasks for `deploy`, `mcp` and `ops`. Logic lives in deploy/*; bodies import lazily so
`inv --list` stays fast."""

from __future__ import annotations

from invoke import Collection, Context, task

STACK = "the Pulumi stack whose outputs name the services (e.g. staging, prod)"
DRY = "print the exact commands and API calls, change nothing"


def _guard(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Turn the errors a user can act on into one clear line instead of a traceback."""
    import httpx

    from deploy.bootstrap import BootstrapError
    from deploy.engine import DeployBlocked, first_error
    from deploy.flags import FlagError
    from deploy.manifests import ManifestError
    from deploy.preconditions import PreconditionError
    from deploy.runner import CommandFailed
    from deploy.secrets import SecretMissing
    from infra.problems import UsageError
    from twenty_api import TwentyError

    # what a user can act on; anything else (a ValueError from a bug, say) keeps its traceback
    actionable = (PreconditionError, UsageError, FlagError, CommandFailed, SecretMissing, FileNotFoundError,
                  TimeoutError, ManifestError, PermissionError, TwentyError, DeployBlocked,
                  httpx.HTTPError, ConnectionError, BootstrapError)
    try:
        return fn(*args, **kwargs)
    except BaseExceptionGroup as group:  # concurrent work: report the first failure, in one line
        leaf = first_error(group)
        if isinstance(leaf, actionable):
            raise SystemExit(f"error: {_one_line(leaf)}") from None
        raise
    except actionable as e:
        raise SystemExit(f"error: {_one_line(e)}") from None


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= 600 else text[:599] + "…"


# ---------------------------------------------------------------- deploy

ONLY = "comma list of kinds: apps,agents,webhooks,workflows (default: all, in that order)"


def _deploy(*args, **kwargs):  # type: ignore[no-untyped-def]
    from deploy.deploy_task import run_deploy

    return run_deploy(*args, **kwargs)


@task(default=True, name="apply",
      help={"stack": STACK, "only": ONLY, "dry_run": "plan only: read the workspace, print what would change",
            "rotate_secrets": "push Secret Manager values over secret app variables already set in Twenty",
            "concurrency": "independent items applied at once (the client paces requests)",
            "apps_dir": "manifests folder (default: apps/ of this repository)",
            "build": "build the apps first (npm ci if needed, npm run build in apps/); --no-build to skip"})
def deploy_apply(c: Context, stack: str = "staging", only: str = "", dry_run: bool = False,
                 rotate_secrets: bool = False, concurrency: int = 4, apps_dir: str = "",
                 build: bool = True) -> None:
    """Deploy apps, agents, webhooks and workflows into Twenty (idempotent; only what we own)."""
    _guard(_deploy, stack=stack, only=only, dry_run=dry_run, apply=True, rotate_secrets=rotate_secrets,
           concurrency=concurrency, apps_dir=apps_dir, build=build)


@task(help={"stack": STACK, "only": ONLY, "apps_dir": "manifests folder (default: apps/)",
            "build": "build the apps first (npm run build in apps/)"})
def diff(c: Context, stack: str = "staging", only: str = "", apps_dir: str = "", build: bool = False) -> None:
    """Show what `inv deploy` would create / update / leave, without changing anything."""
    _guard(_deploy, stack=stack, only=only, dry_run=True, apply=False, rotate_secrets=False,
           concurrency=4, apps_dir=apps_dir, build=build)


@task(help={"stack": STACK, "email": "the first admin's e-mail (the deploy user); needed on the first run",
            "workspace_name": "the workspace's name", "dry_run": "say what would happen, change nothing",
            "url": "a Twenty outside the stack (e.g. http://localhost:3000); needs --secrets-dir",
            "secrets_dir": "with --url: keep the deploy user and key as files (mode 0600) in this folder"})
def bootstrap(c: Context, stack: str = "staging", email: str = "", workspace_name: str = "Twenty",
              dry_run: bool = False, url: str = "", secrets_dir: str = "") -> None:
    """After `pulumi up`: the first workspace and admin (the deploy user), its API key in Secret
    Manager, sign-up closed. Safe to re-run."""
    from deploy.bootstrap import run_bootstrap

    _guard(run_bootstrap, stack, email, workspace_name, url, secrets_dir, dry_run)


# ---------------------------------------------------------------- mcp


@task(help={"stack": STACK, "dry_run": DRY, "allow_dirty": "build from a dirty tree (tag <sha>-dirty)",
            "tag": "image tag to use instead of the git commit"})
def build(c: Context, stack: str = "staging", dry_run: bool = False, allow_dirty: bool = False,
          tag: str = "") -> None:
    """Build the MCP server image with Cloud Build from source (no local Docker), tagged with the git
    commit, pushed to the stack's Artifact Registry repository."""
    from deploy import mcp
    from deploy.context import ops_for, say

    ops = _guard(ops_for, stack, dry_run)
    image = _guard(mcp.build, ops, tag or _guard(mcp.git_tag, allow_dirty=allow_dirty))
    say(f"image: {image}")


@task(name="deploy", help={"stack": STACK, "dry_run": DRY, "tag": "image tag (default: the git commit)",
                           "timeout": "seconds to wait for the new revision to be healthy"})
def mcp_deploy(c: Context, stack: str = "staging", dry_run: bool = False, tag: str = "",
               timeout: int = 600) -> None:
    """Roll the Cloud Run MCP service to the image of this commit and wait until it is healthy."""
    from deploy import gcloud, mcp
    from deploy.context import ops_for, say

    ops = _guard(ops_for, stack, dry_run)
    image = gcloud.mcp_image(ops.out, tag or _guard(mcp.git_tag, allow_dirty=True))
    _guard(mcp.deploy, ops, image, timeout=timeout)
    say(f"{ops.out.mcp_service} serves {image}")


# ---------------------------------------------------------------- ops


@task(help={"stack": STACK, "dry_run": DRY})
def status(c: Context, stack: str = "staging", dry_run: bool = False) -> None:
    """Services, revisions, health, worker VM, Cloud SQL and Redis state of a stack."""
    from rich.console import Console
    from rich.table import Table

    from deploy import ops as ops_mod
    from deploy.context import ops_for

    report = _guard(ops_mod.status, _guard(ops_for, stack, dry_run))
    table = Table("component", "state", title=f"stack {stack}")
    for what, state in report.lines:
        table.add_row(what, state)
    Console().print(table)


@task(positional=["target"], help={"target": "server | worker | mcp", "stack": STACK, "dry_run": DRY,
            "limit": "entries to show", "freshness": "how far back, e.g. 1h, 30m, 2d"})
def logs(c: Context, target: str | None = None, stack: str = "staging", dry_run: bool = False,
         limit: int = 100, freshness: str = "1h") -> None:
    """Recent logs of the Twenty server, the worker VM or the MCP service (Cloud Logging):
    `inv ops.logs server|worker|mcp`."""
    from deploy import ops as ops_mod
    from deploy.context import ops_for

    # Invoke only parses a positional argument whose default is None (and then requires it)
    ops = _guard(ops_for, stack, dry_run)
    print(_guard(ops_mod.logs, ops, target or "server", limit=limit, freshness=freshness), end="")


@task(help={"stack": STACK, "dry_run": DRY, "tail": "log lines per container", "shell": "open a shell"})
def worker(c: Context, stack: str = "staging", dry_run: bool = False, tail: int = 50,
           shell: bool = False) -> None:
    """SSH to the worker VM through IAP: container status and logs (or a shell with --shell)."""
    from deploy import ops as ops_mod
    from deploy.context import ops_for

    _guard(ops_mod.worker, _guard(ops_for, stack, dry_run), tail=tail, shell=shell)


@task(help={"stack": STACK, "dry_run": DRY,
            "via": "worker (IAP ssh to the worker VM runs the Auth Proxy; default) | local (proxy here; "
                   "needs VPC access)"})
def db_shell(c: Context, stack: str = "staging", dry_run: bool = False, via: str = "worker") -> None:
    """psql on Twenty's database through the Cloud SQL Auth Proxy (private IP; never a public IP)."""
    from deploy import ops as ops_mod
    from deploy.context import ops_for

    _guard(ops_mod.db_shell, _guard(ops_for, stack, dry_run), via=via)


@task(help={"stack": STACK, "dry_run": DRY, "no_export": "only the Cloud SQL backup, no export to the bucket",
            "local_dsn": "back up this PostgreSQL instead (pg_dump, custom format)",
            "dir": "where local dumps go"})
def backup(c: Context, stack: str = "staging", dry_run: bool = False, no_export: bool = False,
           local_dsn: str = "", dir: str = "backups") -> None:
    """On-demand backup: a Cloud SQL backup plus a SQL export to the stack's bucket (or pg_dump locally)."""
    from pathlib import Path

    from deploy import ops as ops_mod
    from deploy import restore
    from deploy.context import ops_for, runner_for, say

    if local_dsn:
        say(f"backup: {_guard(restore.backup_local, runner_for(dry_run), local_dsn, Path(dir))}")
        return
    for item in _guard(ops_mod.backup, _guard(ops_for, stack, dry_run), export=not no_export):
        say(item.strip())


@task(name="restore-drill",
      help={"stack": STACK, "dry_run": DRY, "keep": "keep the scratch database/instance for inspection",
            "local_dsn": "drill against this PostgreSQL with the newest dump in --dir",
            "dir": "where local dumps are",
            "network": "VPC for the scratch instance (default: stack output)"})
def restore_drill(c: Context, stack: str = "staging", dry_run: bool = False, keep: bool = False,
                  local_dsn: str = "", dir: str = "backups", network: str = "") -> None:
    """Restore the latest backup into a scratch database and compare row counts per table."""
    from pathlib import Path

    from rich.console import Console
    from rich.table import Table

    from deploy import ops as ops_mod
    from deploy import restore
    from deploy.context import ops_for, runner_for

    if local_dsn:
        runner = runner_for(dry_run)
        dump = _guard(restore.latest_dump, Path(dir), restore.dbname_of(local_dsn))
        report = _guard(restore.restore_drill_local, runner, local_dsn, dump, keep=keep)
    else:
        report = _guard(ops_mod.restore_drill_cloud, _guard(ops_for, stack, dry_run), network=network or None,
                        keep=keep)
    table = Table("table", "source rows", "restored rows", "ok", title=f"restore drill of {report.backup}")
    for r in report.rows:
        table.add_row(r.table, str(r.source), str(r.restored), "yes" if r.ok else "NO")
    Console().print(table)
    if report.rows and not report.ok:
        raise SystemExit(f"restore drill FAILED: {len(report.mismatches)} table(s) differ")


@task(help={"stack": STACK, "dry_run": DRY, "set": "KEY=true|false to change one flag",
            "workspace": "workspace id (default: the only one, or the stack output workspace_id)",
            "dsn": "PostgreSQL DSN to use directly (tests, local Twenty)",
            "redis_url": "Redis URL to use directly, with --dsn"})
def flags(c: Context, stack: str = "staging", dry_run: bool = False, set: str = "", workspace: str = "",
          dsn: str = "", redis_url: str = "") -> None:
    """Read or change workspace feature flags, then flush Twenty's cached flag map so it takes effect."""
    from rich.console import Console
    from rich.table import Table

    from deploy import ops as ops_mod
    from deploy.context import ops_for

    if dsn:
        if not redis_url:
            raise SystemExit("error: --dsn needs --redis-url too (the flag cache lives in Redis)")
        res = _guard(ops_mod.flags_local, dsn, redis_url, workspace=workspace or None, assignment=set or None)
    else:
        res = _guard(ops_mod.flags_cloud, _guard(ops_for, stack, dry_run), workspace=workspace or None,
                     assignment=set or None)
    if res.change:
        old = "unset(false)" if res.change.old is None else str(res.change.old).lower()
        print(f"{res.change.key}: {old} -> {str(res.change.new).lower()} "
              f"(flushed {res.flushed} cache key(s); takes effect on the next request)")
    if res.flags:
        table = Table("flag", "value", title=f"feature flags of workspace {res.workspace_id}")
        for k, v in res.flags.items():
            table.add_row(k, "unset (false)" if v is None else str(v).lower())
        Console().print(table)


deploy_ns = Collection(deploy_apply, diff)
mcp_ns = Collection(build, mcp_deploy)
ops_ns = Collection(status, logs, worker, db_shell, backup, restore_drill, flags)
