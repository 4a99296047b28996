"""Workspace feature flags: read and change `core."featureFlag"` rows, then drop Twenty's cached
flag map in Redis so the server recomputes it (the seed deployment's recurring trouble: a flag
changed by SQL that "did nothing" because the cached map was still served).

Table and cache facts: contract/twenty-2.21.0/db/feature-flags.txt (captured from 2.21.0).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import psycopg
import redis

# FeatureFlagKey in twenty-shared/src/types/FeatureFlagKey.ts at 2.21.0.
KNOWN_FLAGS: tuple[str, ...] = (
    "IS_UNIQUE_INDEXES_ENABLED",
    "IS_JSON_FILTER_ENABLED",
    "IS_EMAIL_GROUP_ENABLED",
    "IS_JUNCTION_RELATIONS_ENABLED",
    "IS_REST_METADATA_API_NEW_FORMAT_DIRECT",
    "IS_LOGIC_FUNCTION_PREBUILT_MODE_ENABLED",
    "IS_SETTINGS_DISCOVERY_HERO_ENABLED",
    "IS_WORKFLOW_VERSION_IN_CORE_ENABLED",
)

NOT_IN_THIS_VERSION: dict[str, str] = {
    "IS_AI_ENABLED": "Twenty 2.21 has no IS_AI_ENABLED flag: AI features are available once an AI "
                     "provider is configured on the server (AI_PROVIDERS / provider API key in the "
                     "stack's secrets), not through a feature flag.",
    "IS_MCP_ENABLED": "Twenty 2.21 has no MCP feature flag: its /mcp endpoint is always served.",
}

CACHE_PREFIX = "engine:workspace:feature-flag:feature-flags-map"
TRUE_WORDS = {"true", "1", "on", "yes", "t"}
FALSE_WORDS = {"false", "0", "off", "no", "f"}


class FlagError(ValueError):
    """Bad flag input; the message says what is wrong and what is accepted."""


def cache_keys(workspace_id: str) -> list[str]:
    return [f"{CACHE_PREFIX}:{workspace_id}:data", f"{CACHE_PREFIX}:{workspace_id}:hash"]


def check_key(key: str) -> str:
    k = key.strip().upper()
    if k in KNOWN_FLAGS:
        return k
    if k in NOT_IN_THIS_VERSION:
        raise FlagError(f"{k}: {NOT_IN_THIS_VERSION[k]} Known flags: {', '.join(KNOWN_FLAGS)}")
    close = difflib.get_close_matches(k, KNOWN_FLAGS, n=1)
    hint = f" Did you mean {close[0]}?" if close else ""
    raise FlagError(
        f"unknown feature flag {key!r} for Twenty 2.21.{hint} Known flags: {', '.join(KNOWN_FLAGS)}"
    )


def parse_assignment(text: str) -> tuple[str, bool]:
    if "=" not in text:
        raise FlagError(f"--set expects KEY=VALUE (e.g. IS_JSON_FILTER_ENABLED=true), got {text!r}")
    key, _, raw = text.partition("=")
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return check_key(key), True
    if value in FALSE_WORDS:
        return check_key(key), False
    raise FlagError(f"value for {key.strip()} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class FlagChange:
    key: str
    old: bool | None  # None: there was no row (Twenty reads a missing row as false)
    new: bool


class FlagStore:
    """`dsn`: a libpq connection string to Twenty's database (through the Cloud SQL Auth Proxy in
    real use); `redis_url`: Twenty's Redis (through the IAP tunnel in real use)."""

    def __init__(self, dsn: str, redis_url: str) -> None:
        self.dsn = dsn
        self.redis_url = redis_url

    def workspaces(self) -> list[tuple[str, str]]:
        with psycopg.connect(self.dsn) as conn:
            rows = conn.execute('SELECT id::text, coalesce("displayName", \'\') FROM core.workspace '
                                "ORDER BY 2, 1").fetchall()
        return [(r[0], r[1]) for r in rows]

    def resolve_workspace(self, workspace_id: str | None) -> str:
        found = self.workspaces()
        ids = [w[0] for w in found]
        if workspace_id:
            if workspace_id not in ids:
                raise FlagError(f"workspace {workspace_id} not found; workspaces: "
                                + (", ".join(f"{i} ({n})" for i, n in found) or "none"))
            return workspace_id
        if len(found) == 1:
            return found[0][0]
        raise FlagError("pass --workspace ID; this database has "
                        + (", ".join(f"{i} ({n})" for i, n in found) if found else "no workspace"))

    def read(self, workspace_id: str) -> dict[str, bool | None]:
        """Every known flag → its row value, or None when no row exists (= false for Twenty)."""
        with psycopg.connect(self.dsn) as conn:
            rows = conn.execute('SELECT key, value FROM core."featureFlag" WHERE "workspaceId" = %s',
                                (workspace_id,)).fetchall()
        values: dict[str, bool | None] = dict.fromkeys(KNOWN_FLAGS)
        values.update({k: v for k, v in rows})
        return values

    def set(self, workspace_id: str, key: str, value: bool) -> FlagChange:
        key = check_key(key)
        with psycopg.connect(self.dsn) as conn, conn.transaction():
            old = conn.execute('SELECT value FROM core."featureFlag" WHERE "workspaceId" = %s AND key = %s '
                               "FOR UPDATE", (workspace_id, key)).fetchone()
            conn.execute(
                'INSERT INTO core."featureFlag" (key, "workspaceId", value) VALUES (%s, %s, %s) '
                'ON CONFLICT (key, "workspaceId") DO UPDATE SET value = EXCLUDED.value, '
                '"updatedAt" = now()',
                (key, workspace_id, value),
            )
        return FlagChange(key, None if old is None else bool(old[0]), value)

    def flush_cache(self, workspace_id: str) -> int:
        """Drop the cached flag map (data + hash) so Twenty recomputes it from the table."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            return int(client.delete(*cache_keys(workspace_id)))
        finally:
            client.close()
