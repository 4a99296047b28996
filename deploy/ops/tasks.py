"""Invoke tasks `inv ops.*`: the runbook (status, logs, worker, db-shell, backup, restore-drill,
flags, usage-dashboard). The logic is deploy/ops/runbook.py, flags.py and restore.py."""

from __future__ import annotations

from invoke import Collection, Context, task

from deploy.cli import DRY, STACK, guard


@task(help={"stack": STACK, "dry_run": DRY})
def status(c: Context, stack: str = "staging", dry_run: bool = False) -> None:
    """Services, revisions, health, worker VM, Cloud SQL and Redis state of a stack."""
    from rich.console import Console
    from rich.table import Table

    from deploy.context import ops_for
    from deploy.ops import runbook as ops_mod

    report = guard(ops_mod.status, guard(ops_for, stack, dry_run))
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
    from deploy.context import ops_for
    from deploy.ops import runbook as ops_mod

    # Invoke only parses a positional argument whose default is None (and then requires it)
    ops = guard(ops_for, stack, dry_run)
    print(guard(ops_mod.logs, ops, target or "server", limit=limit, freshness=freshness), end="")


@task(help={"stack": STACK, "dry_run": DRY, "tail": "log lines per container", "shell": "open a shell"})
def worker(c: Context, stack: str = "staging", dry_run: bool = False, tail: int = 50,
           shell: bool = False) -> None:
    """SSH to the worker VM through IAP: container status and logs (or a shell with --shell)."""
    from deploy.context import ops_for
    from deploy.ops import runbook as ops_mod

    guard(ops_mod.worker, guard(ops_for, stack, dry_run), tail=tail, shell=shell)


@task(help={"stack": STACK, "dry_run": DRY,
            "via": "worker (IAP ssh to the worker VM runs the Auth Proxy; default) | local (proxy here; "
                   "needs VPC access)"})
def db_shell(c: Context, stack: str = "staging", dry_run: bool = False, via: str = "worker") -> None:
    """psql on Twenty's database through the Cloud SQL Auth Proxy (private IP; never a public IP)."""
    from deploy.context import ops_for
    from deploy.ops import runbook as ops_mod

    guard(ops_mod.db_shell, guard(ops_for, stack, dry_run), via=via)


@task(help={"stack": STACK, "dry_run": DRY, "no_export": "only the Cloud SQL backup, no export to the bucket",
            "local_dsn": "back up this PostgreSQL instead (pg_dump, custom format)",
            "dir": "where local dumps go"})
def backup(c: Context, stack: str = "staging", dry_run: bool = False, no_export: bool = False,
           local_dsn: str = "", dir: str = "backups") -> None:
    """On-demand backup: a Cloud SQL backup plus a SQL export to the stack's bucket (or pg_dump locally)."""
    from pathlib import Path

    from deploy.context import ops_for, runner_for, say
    from deploy.ops import restore
    from deploy.ops import runbook as ops_mod

    if local_dsn:
        say(f"backup: {guard(restore.backup_local, runner_for(dry_run), local_dsn, Path(dir))}")
        return
    for item in guard(ops_mod.backup, guard(ops_for, stack, dry_run), export=not no_export):
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

    from deploy.context import ops_for, runner_for
    from deploy.ops import restore
    from deploy.ops import runbook as ops_mod

    if local_dsn:
        runner = runner_for(dry_run)
        dump = guard(restore.latest_dump, Path(dir), restore.dbname_of(local_dsn))
        report = guard(restore.restore_drill_local, runner, local_dsn, dump, keep=keep)
    else:
        report = guard(ops_mod.restore_drill_cloud, guard(ops_for, stack, dry_run), network=network or None,
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

    from deploy.context import ops_for
    from deploy.ops import runbook as ops_mod

    if dsn:
        if not redis_url:
            raise SystemExit("error: --dsn needs --redis-url too (the flag cache lives in Redis)")
        res = guard(ops_mod.flags_local, dsn, redis_url, workspace=workspace or None, assignment=set or None)
    else:
        res = guard(ops_mod.flags_cloud, guard(ops_for, stack, dry_run), workspace=workspace or None,
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


@task(name="usage-dashboard", help={"stack": STACK, "dry_run": DRY})
def usage_dashboard(c: Context, stack: str = "staging", dry_run: bool = False) -> None:
    """Refresh the usage dashboards now: run the monthly Cloud Run job once and wait for it."""
    from deploy.context import ops_for
    from deploy.ops import runbook as ops_mod

    code = guard(ops_mod.usage_dashboard, guard(ops_for, stack, dry_run))
    if code:
        raise SystemExit(f"the usage-dashboard job failed (exit {code}); see its execution's logs")


ns = Collection(status, logs, worker, db_shell, backup, restore_drill, flags, usage_dashboard)
