"""Real PostgreSQL and Redis servers on loopback for the ops tests (Debian packages).

Session-scoped: started once, stopped at the end. PostgreSQL refuses to run as root, so under
root the cluster is owned by and run as the `postgres` user (runuser). Skipped, with the reason,
when the binaries are absent.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _wait_port(port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.1)
    return False


@dataclass(frozen=True)
class PgServer:
    port: int
    bin_dir: str

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl or not _pg_bin("pg_dump") or not _pg_bin("pg_restore"):
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl, pg_dump, pg_restore) not installed: "
                    "apt-get install -y postgresql")
    as_root = os.geteuid() == 0
    prefix: list[str] = []
    if as_root:
        if shutil.which("runuser") is None:
            pytest.skip("running as root and `runuser` is missing: cannot start PostgreSQL as non-root")
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        prefix = ["runuser", "-u", "postgres", "--"]
    base = Path(tempfile.mkdtemp(prefix="deploy-pg-"))
    data = base / "data"
    if as_root:
        shutil.chown(base, "postgres", "postgres")
    port = _free_port()
    subprocess.run([*prefix, initdb, "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True)
    opts = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={base} -c fsync=off"
    subprocess.run([*prefix, pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        if not _wait_port(port):
            pytest.fail(f"PostgreSQL did not listen on {port}; log: {(base / 'log').read_text()}")
        yield PgServer(port, str(Path(pg_ctl).parent))
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    server = shutil.which("redis-server")
    if not server:
        pytest.skip("redis-server not installed: apt-get install -y redis-server")
    port = _free_port()
    proc = subprocess.Popen([server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not _wait_port(port):
            pytest.fail(f"redis-server did not listen on {port}")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# Twenty's core tables the flag tests need, as captured from 2.21.0 (shared/twenty-api/db/).
APPLE = "20202020-1c25-4d02-bf25-6aeccf7ea419"

TWENTY_CORE_DDL = """
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";
CREATE SCHEMA core;
CREATE TABLE core.workspace (
    id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
    "displayName" character varying,
    "createdAt" timestamp with time zone NOT NULL DEFAULT now()
);
CREATE TABLE core."featureFlag" (
    id uuid NOT NULL DEFAULT uuid_generate_v4(),
    key text NOT NULL,
    "workspaceId" uuid NOT NULL,
    value boolean NOT NULL,
    "createdAt" timestamp with time zone NOT NULL DEFAULT now(),
    "updatedAt" timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT "PK_894efa1b1822de801f3b9e04069" PRIMARY KEY (id),
    CONSTRAINT "IDX_FEATURE_FLAG_KEY_WORKSPACE_ID_UNIQUE" UNIQUE (key, "workspaceId"),
    CONSTRAINT "FK_6be7761fa8453f3a498aab6e72b" FOREIGN KEY ("workspaceId")
        REFERENCES core.workspace(id) ON DELETE CASCADE
);
"""

SEED_ROWS = [  # the Apple workspace's rows from the capture
    ("IS_EMAIL_GROUP_ENABLED", True),
    ("IS_JUNCTION_RELATIONS_ENABLED", True),
    ("IS_SETTINGS_DISCOVERY_HERO_ENABLED", False),
    ("IS_UNIQUE_INDEXES_ENABLED", False),
]


@pytest.fixture
def twenty_db(pg_server) -> Iterator[str]:
    name = f"twenty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    dsn = pg_server.dsn(name)
    with psycopg.connect(dsn) as conn:
        conn.execute(TWENTY_CORE_DDL)
        conn.execute('INSERT INTO core.workspace (id, "displayName") VALUES (%s, %s)', (APPLE, "Apple"))
        for key, value in SEED_ROWS:
            conn.execute('INSERT INTO core."featureFlag" (key, "workspaceId", value) VALUES (%s, %s, %s)',
                         (key, APPLE, value))
    yield dsn
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


