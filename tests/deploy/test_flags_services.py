"""ops.flags against a real PostgreSQL (Twenty's core."featureFlag" shape, captured from 2.21.0 in
shared/twenty-api/db/feature-flags.txt) and a real Redis holding Twenty's cached flag map."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
import redis

from deploy.flags import KNOWN_FLAGS, FlagError, FlagStore, cache_keys, parse_assignment

pytestmark = pytest.mark.services

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
