"""The ops tasks as a user runs them (`inv ops.flags --dsn …`, `inv ops.backup/restore-drill
--local-dsn …`), against the real PostgreSQL and Redis of conftest.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis

from deploy.flags import cache_keys
from tests.deploy.conftest import APPLE

pytestmark = pytest.mark.services
ROOT = Path(__file__).resolve().parents[2]


def inv(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "invoke", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def test_inv_ops_flags_set_then_read(twenty_db, redis_url):
    r = redis.Redis.from_url(redis_url)
    r.set(cache_keys(APPLE)[0], json.dumps({"IS_JSON_FILTER_ENABLED": False}))
    done = inv("ops.flags", "--dsn", twenty_db, "--redis-url", redis_url,
               "--set", "IS_JSON_FILTER_ENABLED=true")
    assert done.returncode == 0, done.stderr
    assert "IS_JSON_FILTER_ENABLED: unset(false) -> true (flushed 1 cache key(s)" in done.stdout
    assert r.exists(*cache_keys(APPLE)) == 0
    shown = inv("ops.flags", "--dsn", twenty_db, "--redis-url", redis_url)
    assert shown.returncode == 0 and "IS_JSON_FILTER_ENABLED" in shown.stdout and "true" in shown.stdout
    refused = inv("ops.flags", "--dsn", twenty_db, "--redis-url", redis_url, "--set", "IS_AI_ENABLED=true")
    assert refused.returncode != 0 and "no IS_AI_ENABLED flag" in refused.stderr
    r.close()


def test_inv_backup_and_restore_drill_local(pg_server, twenty_db, tmp_path):
    backup = inv("ops.backup", "--local-dsn", twenty_db, "--dir", str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    assert len(list(tmp_path.glob("*.dump"))) == 1
    drill = inv("ops.restore-drill", "--local-dsn", twenty_db, "--dir", str(tmp_path))
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "core.featureFlag" in drill.stdout and "NO" not in drill.stdout
    with psycopg.connect(twenty_db) as conn:
        conn.execute('DELETE FROM core."featureFlag" WHERE key = %s', ("IS_EMAIL_GROUP_ENABLED",))
    failed = inv("ops.restore-drill", "--local-dsn", twenty_db, "--dir", str(tmp_path))
    assert failed.returncode != 0 and "restore drill FAILED: 1 table(s) differ" in failed.stderr
