"""ops.flags against a real PostgreSQL (Twenty's core."featureFlag" shape, captured from 2.21.0 in
shared/twenty-api/db/feature-flags.txt) and a real Redis holding Twenty's cached flag map."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

from deploy.ops.flags import KNOWN_FLAGS, FlagError, FlagStore, cache_keys, parse_assignment
from tests.deploy.conftest import APPLE, SEED_ROWS

pytestmark = pytest.mark.services

@pytest.fixture
def cached_redis(redis_url) -> Iterator[redis.Redis]:
    r = redis.Redis.from_url(redis_url)
    data_key, hash_key = cache_keys(APPLE)
    r.set(data_key, json.dumps({k: v for k, v in SEED_ROWS}), ex=603804)
    r.set(hash_key, json.dumps(str(uuid.uuid4())), ex=603804)
    r.set("engine:workspace:flat-maps:objectMetadata:" + APPLE + ":data", "{}")  # must survive
    yield r
    r.flushdb()
    r.close()


def test_read_shows_rows_and_missing_flags(twenty_db, redis_url):
    store = FlagStore(twenty_db, redis_url)
    ws = store.resolve_workspace(None)
    assert ws == APPLE
    flags = store.read(ws)
    assert list(flags) == list(KNOWN_FLAGS)
    assert flags["IS_EMAIL_GROUP_ENABLED"] is True
    assert flags["IS_UNIQUE_INDEXES_ENABLED"] is False
    assert flags["IS_JSON_FILTER_ENABLED"] is None  # no row: Twenty reads it as false


def test_set_updates_existing_row_and_flushes_only_the_flag_cache(twenty_db, redis_url, cached_redis):
    store = FlagStore(twenty_db, redis_url)
    change = store.set(APPLE, "IS_UNIQUE_INDEXES_ENABLED", True)
    assert (change.old, change.new) == (False, True)
    assert store.flush_cache(APPLE) == 2
    assert cached_redis.exists(*cache_keys(APPLE)) == 0
    assert cached_redis.exists("engine:workspace:flat-maps:objectMetadata:" + APPLE + ":data") == 1
    with psycopg.connect(twenty_db) as conn:
        rows = conn.execute('SELECT value, "updatedAt" > "createdAt" FROM core."featureFlag" '
                            "WHERE key = 'IS_UNIQUE_INDEXES_ENABLED'").fetchall()
    assert rows == [(True, True)]


def test_set_inserts_missing_row_once(twenty_db, redis_url):
    store = FlagStore(twenty_db, redis_url)
    first = store.set(APPLE, "is_json_filter_enabled", True)
    second = store.set(APPLE, "IS_JSON_FILTER_ENABLED", True)
    assert (first.old, second.old) == (None, True)
    with psycopg.connect(twenty_db) as conn:
        n = conn.execute('SELECT count(*) FROM core."featureFlag" WHERE key = %s',
                         ("IS_JSON_FILTER_ENABLED",)).fetchone()
    assert n == (1,)


def test_unknown_and_absent_flags_refused_with_known_list(twenty_db, redis_url):
    store = FlagStore(twenty_db, redis_url)
    with pytest.raises(FlagError, match="no IS_AI_ENABLED flag") as err:
        store.set(APPLE, "IS_AI_ENABLED", True)
    assert "IS_JSON_FILTER_ENABLED" in str(err.value)
    with pytest.raises(FlagError, match="Did you mean IS_EMAIL_GROUP_ENABLED"):
        parse_assignment("IS_EMAIL_GROUPS_ENABLED=true")
    with pytest.raises(FlagError, match="true or false"):
        parse_assignment("IS_EMAIL_GROUP_ENABLED=maybe")
    with psycopg.connect(twenty_db) as conn:
        assert conn.execute('SELECT count(*) FROM core."featureFlag"').fetchone() == (len(SEED_ROWS),)


def test_unknown_workspace_named(twenty_db, redis_url):
    store = FlagStore(twenty_db, redis_url)
    with pytest.raises(FlagError, match=f"{APPLE} \\(Apple\\)"):
        store.resolve_workspace("00000000-0000-0000-0000-000000000000")
