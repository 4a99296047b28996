"""The ops tasks as a user runs them (`inv ops.flags --dsn …`, `inv ops.backup/restore-drill
--local-dsn …`: the Invoke task functions, in process), against the real PostgreSQL and Redis of
conftest.py."""

from __future__ import annotations

import json

import psycopg
import pytest
import redis
from invoke import Context

from deploy.ops.flags import cache_keys
from deploy.ops.tasks import backup, flags, restore_drill
from tests.deploy.conftest import APPLE

pytestmark = pytest.mark.services


def test_inv_ops_flags_set_then_read(twenty_db, redis_url, capsys):
    r = redis.Redis.from_url(redis_url)
    r.set(cache_keys(APPLE)[0], json.dumps({"IS_JSON_FILTER_ENABLED": False}))
    flags(Context(), dsn=twenty_db, redis_url=redis_url, set="IS_JSON_FILTER_ENABLED=true")
    out = capsys.readouterr().out
    assert "IS_JSON_FILTER_ENABLED: unset(false) -> true (flushed 1 cache key(s)" in out
    assert r.exists(*cache_keys(APPLE)) == 0
    flags(Context(), dsn=twenty_db, redis_url=redis_url)
    shown = capsys.readouterr().out
    assert "IS_JSON_FILTER_ENABLED" in shown and "true" in shown
    with pytest.raises(SystemExit, match="no IS_AI_ENABLED flag"):
        flags(Context(), dsn=twenty_db, redis_url=redis_url, set="IS_AI_ENABLED=true")
    with pytest.raises(SystemExit, match="--redis-url"):
        flags(Context(), dsn=twenty_db)
    r.close()


def test_inv_backup_and_restore_drill_local(twenty_db, tmp_path, capsys):
    backup(Context(), local_dsn=twenty_db, dir=str(tmp_path))
    assert len(list(tmp_path.glob("*.dump"))) == 1
    restore_drill(Context(), local_dsn=twenty_db, dir=str(tmp_path))
    out = capsys.readouterr().out
    assert "core.featureFlag" in out and "NO" not in out
    with psycopg.connect(twenty_db) as conn:
        conn.execute('DELETE FROM core."featureFlag" WHERE key = %s', ("IS_EMAIL_GROUP_ENABLED",))
    with pytest.raises(SystemExit, match=r"restore drill FAILED: 1 table\(s\) differ"):
        restore_drill(Context(), local_dsn=twenty_db, dir=str(tmp_path))
