"""The first workspace + deploy key on a fresh Twenty (twenty_api/workspace_setup.py), over real HTTP
against the fake Twenty, whose empty workspace starts unowned like a fresh 2.21 server
(tests/fake_twenty/auth_flow.py follows auth.resolver.ts / workspace.resolver.ts)."""

from __future__ import annotations

import re

import pytest

from staging.cloud import RealCloudLayer
from twenty_api import TwentyClient, TwentyError
from twenty_api.workspace_setup import WorkspaceSetupError, bootstrap_workspace, pick_api_key_role

pytestmark = pytest.mark.anyio

ROLES = [  # contract example 142's shape
    {"id": "a", "label": "Admin", "canBeAssignedToApiKeys": True},
    {"id": "g", "label": "Guest", "canBeAssignedToApiKeys": False},
    {"id": "o", "label": "Object-restricted", "canBeAssignedToApiKeys": True},
]


def _key_rows(fake) -> list[dict]:
    keys = fake.runtime.store.entity_table("seed:apiKeys").values()
    return [k for k in keys if k["name"] == "twenty-gcp deploy"]


async def test_the_staging_layer_bootstraps_a_fresh_twenty_through_the_2_21_flow(fake_twenty_empty):
    fake = fake_twenty_empty
    seen: list[str] = []
    fake.runtime.requests.clear()
    done = await anyio_to_thread(lambda: RealCloudLayer(log=lambda _l: None).bootstrap_twenty(
        fake.base_url, "stage-1@example.com", "pw-12345678", "Stage staging-1", seen.append))
    # signUp, signUpInNewWorkspace, getAuthTokensFromLoginToken, activateWorkspace, getRoles,
    # createApiKey, generateApiKeyToken: seven /metadata calls, the public ones without a token
    calls = [(r.path, r.auth_kind) for r in fake.runtime.requests]
    assert [p for p, _ in calls] == ["/metadata"] * 7
    assert calls[0][1] == "none" and calls[2][1] == "none"
    async with TwentyClient(fake.base_url, api_key=done.api_key, rate_limit=None) as client:
        assert await client.workspace_id() == done.workspace_id
    [key] = _key_rows(fake)
    assert key["role"]["label"] == "Admin"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", key["expiresAt"])  # as in examples 144/145
    assert {done.access_token, done.api_key} <= set(seen), "every token is masked the moment it arrives"


async def test_a_server_with_a_workspace_refuses_a_second_sign_up_with_a_typed_error(fake_twenty):
    with pytest.raises(TwentyError):
        await bootstrap_workspace(fake_twenty.base_url, "e@example.com", "pw-12345678", workspace_name="w")


async def test_key_lifetime_is_what_was_asked(fake_twenty_empty):
    from datetime import UTC, datetime, timedelta

    await bootstrap_workspace(fake_twenty_empty.base_url, "e@example.com", "pw-12345678",
                              workspace_name="w", key_days=30)
    [key] = _key_rows(fake_twenty_empty)
    expires = datetime.strptime(key["expiresAt"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=UTC)
    assert abs(expires - (datetime.now(UTC) + timedelta(days=30))) < timedelta(minutes=5)


def test_role_choice():
    assert pick_api_key_role(ROLES)["label"] == "Admin"
    assert pick_api_key_role(ROLES[1:])["label"] == "Object-restricted"
    with pytest.raises(WorkspaceSetupError, match="assigned to API keys"):
        pick_api_key_role([ROLES[1]])


async def anyio_to_thread(fn):
    import anyio

    return await anyio.to_thread.run_sync(fn)
