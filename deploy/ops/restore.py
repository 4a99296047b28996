"""Backups and the restore drill: restore the latest backup into a scratch database and compare
row counts per table with the source.

Local (any PostgreSQL you reach with a DSN): `pg_dump --format=custom` files in a directory, the
newest restored with `pg_restore` into a scratch database that is dropped afterwards. Cloud: the
same comparison after `gcloud sql backups restore` into a scratch instance (see deploy/ops/runbook.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from deploy.runner import Runner

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


@dataclass(frozen=True)
class CountRow:
    table: str
    source: int | None
    restored: int | None

    @property
    def ok(self) -> bool:
        return self.source == self.restored


@dataclass(frozen=True)
class DrillReport:
    backup: str
    scratch: str
    rows: list[CountRow]

    @property
    def ok(self) -> bool:
        return bool(self.rows) and all(r.ok for r in self.rows)

    @property
    def mismatches(self) -> list[CountRow]:
        return [r for r in self.rows if not r.ok]


def table_counts(dsn: str) -> dict[str, int]:
    """Exact row count of every ordinary table outside the system schemas, as "schema.table"."""
    with psycopg.connect(dsn) as conn:
        tables = conn.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL(%s) AND n.nspname NOT LIKE 'pg_temp%%' "
            "ORDER BY 1, 2",
            (list(SYSTEM_SCHEMAS),),
        ).fetchall()
        counts: dict[str, int] = {}
        for schema, table in tables:
            q = sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
            row = conn.execute(q).fetchone()
            counts[f"{schema}.{table}"] = int(row[0]) if row else 0
    return counts


def compare_counts(source: dict[str, int], restored: dict[str, int]) -> list[CountRow]:
    return [CountRow(t, source.get(t), restored.get(t)) for t in sorted(set(source) | set(restored))]


def with_dbname(dsn: str, dbname: str) -> str:
    return make_conninfo(dsn, dbname=dbname)


def dbname_of(dsn: str) -> str:
    return str(conninfo_to_dict(dsn).get("dbname") or "postgres")


def dump_path(directory: Path, dbname: str, now: dt.datetime | None = None) -> Path:
    stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    return directory / f"{dbname}-{stamp}.dump"


def backup_local(runner: Runner, dsn: str, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = dump_path(directory, dbname_of(dsn))
    partial = target.with_suffix(".dump.partial")
    runner.run(["pg_dump", "--format=custom", "--no-owner", f"--file={partial}", f"--dbname={dsn}"])
    if not runner.dry_run:
        partial.rename(target)  # a killed dump never looks like a finished one
    return target


def latest_dump(directory: Path, dbname: str) -> Path:
    dumps = sorted(directory.glob(f"{dbname}-*.dump"), key=lambda p: p.name)
    if not dumps:
        raise FileNotFoundError(
            f"no {dbname}-*.dump backup in {directory}; make one with `inv ops.backup --local-dsn DSN`")
    return dumps[-1]


def _admin(dsn: str, statement: sql.Composable) -> None:
    with psycopg.connect(with_dbname(dsn, "postgres"), autocommit=True) as conn:
        conn.execute(statement)


def restore_drill_local(runner: Runner, source_dsn: str, dump: Path, *, scratch: str | None = None,
                        keep: bool = False) -> DrillReport:
    scratch = scratch or f"restore_drill_{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}"
    scratch_dsn = with_dbname(source_dsn, scratch)
    runner.note(f"CREATE DATABASE {scratch}")
    if not runner.dry_run:
        _admin(source_dsn, sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
        _admin(source_dsn, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
    try:
        runner.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                    f"--dbname={scratch_dsn}", str(dump)])
        if runner.dry_run:
            runner.note("compare row counts per table: source vs scratch")
            return DrillReport(str(dump), scratch, [])
        rows = compare_counts(table_counts(source_dsn), table_counts(scratch_dsn))
        return DrillReport(str(dump), scratch, rows)
    finally:
        if not keep:
            runner.note(f"DROP DATABASE {scratch}")
            if not runner.dry_run:
                _admin(source_dsn, sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(scratch)))
