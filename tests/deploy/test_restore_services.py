"""ops.backup / ops.restore-drill, local form, against a real PostgreSQL: pg_dump → pg_restore into
a scratch database → row counts per table compared → scratch dropped."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from deploy.ops.restore import backup_local, compare_counts, latest_dump, restore_drill_local, table_counts
from deploy.runner import RecordingRunner, SubprocessRunner

pytestmark = pytest.mark.services


@pytest.fixture
def source_db(pg_server) -> Iterator[str]:
    name = f"src_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = pg_server.dsn(name)
    with psycopg.connect(dsn) as conn:
        conn.execute("CREATE SCHEMA core; CREATE SCHEMA workspace_abc")
        conn.execute("CREATE TABLE core.workspace (id int PRIMARY KEY, name text)")
        conn.execute('CREATE TABLE workspace_abc."person" (id int PRIMARY KEY, name text)')
        conn.execute("CREATE TABLE workspace_abc.empty (id int)")
        conn.execute("INSERT INTO core.workspace SELECT g, 'w' || g FROM generate_series(1, 3) g")
        conn.execute('INSERT INTO workspace_abc."person" SELECT g, \'p\' FROM generate_series(1, 250) g')
    yield dsn
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def _databases(pg_server) -> set[str]:
    with psycopg.connect(pg_server.dsn()) as conn:
        return {r[0] for r in conn.execute("SELECT datname FROM pg_database").fetchall()}


def test_backup_then_drill_matches_every_table(pg_server, source_db, tmp_path):
    runner = SubprocessRunner()
    dump = backup_local(runner, source_db, tmp_path)
    assert dump.is_file() and dump.stat().st_size > 0
    assert latest_dump(tmp_path, dump.name.rsplit("-", 1)[0]) == dump
    before = _databases(pg_server)
    report = restore_drill_local(runner, source_db, dump, scratch="drill_ok")
    assert report.ok, report.mismatches
    counts = {r.table: r.restored for r in report.rows}
    assert counts == {"core.workspace": 3, "workspace_abc.empty": 0, "workspace_abc.person": 250}
    assert _databases(pg_server) == before  # scratch dropped


def test_drill_reports_rows_written_after_the_backup(pg_server, source_db, tmp_path):
    runner = SubprocessRunner()
    dump = backup_local(runner, source_db, tmp_path)
    with psycopg.connect(source_db) as conn:
        conn.execute("INSERT INTO core.workspace VALUES (4, 'late')")
    report = restore_drill_local(runner, source_db, dump, scratch="drill_diff", keep=True)
    assert not report.ok
    assert [(r.table, r.source, r.restored) for r in report.mismatches] == [("core.workspace", 4, 3)]
    assert "drill_diff" in _databases(pg_server)  # --keep leaves it for inspection
    assert table_counts(pg_server.dsn("drill_diff"))["workspace_abc.person"] == 250


def test_latest_dump_missing_names_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"inv ops\.backup"):
        latest_dump(tmp_path, "default")


def test_dry_run_prints_commands_and_touches_nothing(pg_server, source_db, tmp_path):
    runner = RecordingRunner()
    before = _databases(pg_server)
    report = restore_drill_local(runner, source_db, tmp_path / "x.dump", scratch="never")
    assert runner.commands[0][:4] == ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    assert "CREATE DATABASE never" in runner.notes and "DROP DATABASE never" in runner.notes
    assert report.rows == [] and _databases(pg_server) == before


def test_compare_counts_flags_missing_tables():
    rows = compare_counts({"a.t": 1, "a.u": 2}, {"a.t": 1})
    assert [(r.table, r.ok) for r in rows] == [("a.t", True), ("a.u", False)]
