"""The ops runbook as functions: status, logs, worker, db-shell, backup, restore-drill, flags,
usage-dashboard.

Every function takes an `Ops` context (stack outputs, command runner, tool lookup, secrets), checks
its preconditions first, and runs only through the runner — so `--dry-run` shows the exact
commands and the tests assert them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

from psycopg.conninfo import make_conninfo

from deploy import gcloud
from deploy.context import Ops
from deploy.ops.flags import FlagChange, FlagStore, cache_keys, parse_assignment
from deploy.ops.restore import DrillReport, compare_counts, table_counts
from deploy.preconditions import (
    PreconditionError,
    Problem,
    require,
)
from infra.problems import UsageError

LOG_TARGETS = ("server", "worker", "mcp")
LOCAL_PG_PORT = 15432
LOCAL_REDIS_PORT = 16379


@dataclass
class StatusReport:
    lines: list[tuple[str, str]] = field(default_factory=list)

    def add(self, what: str, state: str) -> None:
        self.lines.append((what, state))


def status(ops: Ops) -> StatusReport:
    ops.ready("ops.status", "project", "region")
    out, run = ops.out, ops.runner
    report = StatusReport()
    for label, service in (("server", out.server_service), ("mcp", out.mcp_service)):
        res = run.run(gcloud.run_services_describe(out, service), check=False)
        report.add(f"cloud run {label} ({service})", _service_state(res.stdout) if res.stdout else
                   ("(dry-run)" if run.dry_run else f"not found: {res.stderr.strip()[-200:]}"))
        run.run(gcloud.run_revisions_list(out, service), check=False)
    if out.server_url:
        code = ops.health(out.server_url.rstrip("/") + "/healthz")
        report.add("server /healthz", "(dry-run)" if code is None and run.dry_run else str(code))
    if out.mcp_url:
        code = ops.health(out.mcp_url.rstrip("/") + "/healthz")
        report.add("mcp /healthz", "(dry-run)" if code is None and run.dry_run else str(code))
    res = run.run(["gcloud", "compute", "instances", "describe", out.worker_vm, f"--project={out.project}",
                   f"--zone={out.zone}", "--format=value(status)"], check=False)
    report.add(f"worker vm ({out.worker_vm})", res.stdout.strip() or "(dry-run)")
    if out.sql_instance:
        res = run.run(gcloud.sql_instance_describe(out), check=False)
        report.add(f"cloud sql ({out.sql_instance})", res.stdout.strip() or "(dry-run)")
    redis_instance = getattr(out, "redis_instance", None)
    if redis_instance:
        res = run.run(["gcloud", "redis", "instances", "describe", str(redis_instance),
                       f"--project={out.project}", f"--region={out.region}",
                       "--format=value(state,tier,memorySizeGb,transitEncryptionMode)"], check=False)
        report.add(f"memorystore ({redis_instance})", res.stdout.strip() or "(dry-run)")
    return report


def _service_state(describe_json: str) -> str:
    try:
        svc = json.loads(describe_json)
    except json.JSONDecodeError:
        return "unreadable describe output"
    st = svc.get("status", {})
    ready = next((c.get("status") for c in st.get("conditions", []) if c.get("type") == "Ready"), "?")
    return f"ready={ready} revision={st.get('latestReadyRevisionName')} url={st.get('url')}"


def logs(ops: Ops, target: str, *, limit: int = 100, freshness: str = "1h") -> str:
    if target not in LOG_TARGETS:
        raise UsageError(f"logs target must be one of {', '.join(LOG_TARGETS)}, got {target!r}")
    ops.ready("ops.logs", "project")
    return ops.runner.run(gcloud.logging_read(ops.out, target, limit=limit, freshness=freshness)).stdout


def usage_dashboard(ops: Ops) -> int:
    """Refresh the usage dashboards now: one execution of the job Cloud Scheduler runs monthly
    (infra/usage_dashboard.py), waited for; its log has one JSON line per dashboard."""
    ops.ready("ops.usage-dashboard", "project", "region", "usage_dashboard_job")
    cmd = gcloud.run_jobs_execute(ops.out, str(ops.out.usage_dashboard_job))
    return ops.runner.run(cmd, capture=False, check=False).returncode


def worker(ops: Ops, *, tail: int = 50, shell: bool = False) -> int:
    ops.ready("ops.worker", "project", "zone")
    cmd = gcloud.iap_ssh(ops.out) if shell else gcloud.worker_status(ops.out, tail)
    return ops.runner.run(cmd, interactive=True, check=False).returncode


@contextmanager
def tunnel(ops: Ops, *, redis: bool = False, via: str = "worker") -> Iterator[tuple[int, int | None]]:
    """Reach the private Cloud SQL (and Redis) from here; yields the local ports."""
    if via == "local":
        cmd = gcloud.proxy_local(ops.out, local_pg=LOCAL_PG_PORT)
        if redis:
            raise UsageError("--via local cannot reach the private Redis; use --via worker")
    else:
        cmd = gcloud.proxy_on_worker(ops.out, local_pg=LOCAL_PG_PORT,
                                     local_redis=LOCAL_REDIS_PORT if redis else None)
    handle = ops.runner.background(cmd, wait_port=LOCAL_PG_PORT, timeout=90)
    try:
        yield LOCAL_PG_PORT, LOCAL_REDIS_PORT if redis else None
    finally:
        handle.stop()


def _tunnel_tools(via: str) -> tuple[str, ...]:
    return ("gcloud", "cloud-sql-proxy") if via == "local" else ("gcloud",)


def db_credentials(ops: Ops) -> tuple[str, str, str]:
    """(user, password, database): from the PG_DATABASE_URL secret when the stack has one (the same
    URL Twenty uses; the infra program exports no separate password secret)."""
    if ops.out.db_url_secret:
        url = urlsplit(ops.secret(ops.out.db_url_secret))
        if url.username and url.password is not None:
            return unquote(url.username), unquote(url.password), url.path.lstrip("/") or ops.out.db_name
    raise PreconditionError("database credentials", ops.out.need("db_url_secret") or [Problem(
        f"secret `{ops.out.db_url_secret}` holds no user and password", "re-run `inv infra.up`")])


def db_dsn(ops: Ops, port: int, dbname: str | None = None) -> str:
    user, password, db = db_credentials(ops)
    return make_conninfo(host="127.0.0.1", port=port, user=user, dbname=dbname or db, password=password,
                         sslmode="disable")  # the Auth Proxy (through the ssh tunnel) carries TLS


def db_shell(ops: Ops, *, via: str = "worker") -> int:
    ops.ready("ops.db-shell", "project", "zone", "connection_name", tools=(*_tunnel_tools(via), "psql"))
    user, password, db = db_credentials(ops)
    with tunnel(ops, via=via) as (pg, _):
        cmd = ["psql", f"host=127.0.0.1 port={pg} user={user} dbname={db}"]
        return ops.runner.run(cmd, interactive=True, check=False, env={"PGPASSWORD": password}).returncode


def backup(ops: Ops, *, export: bool = True) -> list[str]:
    """An on-demand Cloud SQL backup, plus a SQL export to the stack's bucket (kept outside the
    instance: survives instance deletion)."""
    ops.ready("ops.backup", "project", "sql_instance", *(("bucket",) if export else ()))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    done = [ops.runner.run(gcloud.sql_backups_create(ops.out, f"inv ops.backup {stamp}")).stdout]
    if export:
        uri = f"gs://{ops.out.bucket}/backups/{ops.out.db_name}-{stamp}.sql.gz"
        ops.runner.run(gcloud.sql_export_to_bucket(ops.out, uri))
        done.append(uri)
    return done


def restore_drill_cloud(ops: Ops, *, network: str | None = None, keep: bool = False,
                        via: str = "worker") -> DrillReport:
    """Latest successful backup → new scratch instance → row counts vs the live instance →
    scratch deleted (unless keep)."""
    ops.ready("ops.restore-drill", "project", "region", "zone", "sql_instance", "connection_name",
              tools=_tunnel_tools(via))
    out, run = ops.out, ops.runner
    backup_id = run.run(gcloud.sql_backups_latest(out)).stdout.strip()
    if not backup_id:
        if not run.dry_run:
            raise RuntimeError(f"instance {out.sql_instance} has no successful backup; run `inv ops.backup`")
        backup_id = "<latest-backup-id>"
    scratch = f"{out.sql_instance}-drill-{dt.datetime.now(dt.UTC):%m%d%H%M}"
    net = network or getattr(out, "network", None)
    if not net:  # a private-IP-only instance needs the VPC to live in
        require("ops.restore-drill", [Problem(
            "the scratch instance needs the stack's VPC (it gets a private IP only)",
            "pass --network projects/PROJECT/global/networks/NAME (or add a `network` stack output)")], run)
    run.run(gcloud.sql_scratch_create(out, scratch, net))
    try:
        run.run(gcloud.sql_backups_restore(out, backup_id, scratch))
        scratch_out = out.model_copy(update={"sql_instance": scratch, "sql_connection_name":
                                             f"{out.project}:{out.region}:{scratch}"})
        rows = []
        if run.dry_run:
            run.note("compare row counts per table: live instance vs scratch (through the tunnel)")
            run.background(gcloud.proxy_on_worker(scratch_out, local_pg=LOCAL_PG_PORT + 1))
        else:
            with tunnel(ops, via=via) as (pg, _):
                source = table_counts(db_dsn(ops, pg))
            with tunnel(Ops(scratch_out, run, ops.which, ops.secrets), via=via) as (pg, _):
                restored = table_counts(db_dsn(ops, pg))
            rows = compare_counts(source, restored)
        return DrillReport(backup_id, scratch, rows)
    finally:
        if not keep:
            run.run(gcloud.sql_instance_delete(out, scratch), check=False)


def redis_url(ops: Ops, port: int) -> str:
    """Twenty's Redis through the tunnel: AUTH and scheme from the REDIS_URL secret when the stack
    has one, else the AUTH secret with TLS (Memorystore)."""
    if ops.out.redis_url_secret:
        url = urlsplit(ops.secret(ops.out.redis_url_secret))
        auth, scheme = unquote(url.password or ""), url.scheme or "redis"
    else:
        auth, scheme = ops.secret(ops.out.redis_auth_secret), "rediss"
    # Through the ssh tunnel the Memorystore certificate's name cannot match 127.0.0.1.
    suffix = "?ssl_cert_reqs=none" if scheme == "rediss" else ""
    cred = f":{quote(auth, safe='')}@" if auth else ""
    return f"{scheme}://{cred}127.0.0.1:{port}/0{suffix}"


@dataclass
class FlagsResult:
    workspace_id: str
    flags: dict[str, bool | None]
    change: FlagChange | None = None
    flushed: int = 0


def flags_local(dsn: str, redis: str, *, workspace: str | None = None,
                assignment: str | None = None) -> FlagsResult:
    parsed = parse_assignment(assignment) if assignment else None  # validate before connecting
    store = FlagStore(dsn, redis)
    ws = store.resolve_workspace(workspace)
    change = flushed = None
    if parsed:
        change = store.set(ws, *parsed)
        flushed = store.flush_cache(ws)
    return FlagsResult(ws, store.read(ws), change, flushed or 0)


def flags_cloud(ops: Ops, *, workspace: str | None = None, assignment: str | None = None) -> FlagsResult:
    parsed = parse_assignment(assignment) if assignment else None
    ops.ready("ops.flags", "project", "zone", "connection_name", *(("redis_host",) if parsed else ()))
    if ops.runner.dry_run:
        with tunnel(ops, redis=bool(parsed)):
            ws = workspace or "<workspace-id>"
            # dry-run text only: the real statements are parameterised (deploy/ops/flags.py)
            ops.runner.note('SELECT key, value FROM core."featureFlag" WHERE "workspaceId" = '  # noqa: S608
                            + repr(ws))
            if parsed:
                ops.runner.note(f'INSERT INTO core."featureFlag" (key, "workspaceId", value) VALUES '  # noqa: S608
                                f"('{parsed[0]}', '{ws}', {str(parsed[1]).lower()}) ON CONFLICT (key, "
                                '"workspaceId") DO UPDATE SET value = EXCLUDED.value, "updatedAt" = now()')
                ops.runner.note("redis DEL " + " ".join(cache_keys(ws)))
        return FlagsResult(ws, {})
    with tunnel(ops, redis=bool(parsed)) as (pg, rport):
        return flags_local(db_dsn(ops, pg), redis_url(ops, rport or LOCAL_REDIS_PORT),
                           workspace=workspace, assignment=assignment)
