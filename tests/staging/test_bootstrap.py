"""The first-workspace + deploy-key bootstrap, over real HTTP on loopback through the real layer."""

from __future__ import annotations

import re

import pytest

from staging.bootstrap import BootstrapError, bootstrap_workspace, pick_api_key_role
from staging.cloud import RealCloudLayer
from tests.staging import fake_metadata as fm


def test_real_layer_bootstraps_through_the_2_21_flow():
    secrets: list[str] = []
    with fm.FakeMetadata() as twenty:
        done = RealCloudLayer(log=lambda _l: None).bootstrap_twenty(
            twenty.base_url, "stage-1@example.com", "pw-123456", "Stage staging-1", secrets.append
        )
    assert [op for op, _ in twenty.log] == [
        "signUp",
        "signUpInNewWorkspace",
        "getAuthTokensFromLoginToken",
        "activateWorkspace",
        "getRoles",
        "createApiKey",
        "generateApiKeyToken",
    ]
    # public mutations go without a token; the rest carry the right one
    assert dict(twenty.log) == {
        "signUp": None,
        "signUpInNewWorkspace": fm.AGNOSTIC,
        "getAuthTokensFromLoginToken": None,
        "activateWorkspace": fm.ACCESS,
        "getRoles": fm.ACCESS,
        "createApiKey": fm.ACCESS,
        "generateApiKeyToken": fm.ACCESS,
    }
    assert twenty.roles_seen == [fm.ADMIN_ROLE]
    assert done.api_key == fm.KEY_JWT and done.workspace_id == fm.WORKSPACE_ID
    assert {fm.AGNOSTIC, fm.LOGIN, fm.ACCESS, fm.KEY_JWT} <= set(secrets), "every token is masked at once"


def test_a_refused_step_raises_the_clients_typed_error():
    from twenty_api import TwentyError

    async def call(query, variables, token):
        status, body = fm.answer(query, variables or {}, "Bearer wrong" if token else None, [])
        if body.get("errors"):
            raise TwentyError(body["errors"][0]["message"], status=status)
        return body["data"]

    import anyio

    with pytest.raises(TwentyError, match="session access token"):
        anyio.run(lambda: bootstrap_workspace(call, "https://x", "e@x.io", "pw", workspace_name="w"))


@pytest.mark.anyio
async def test_key_expiry_is_an_iso_timestamp_the_api_accepts():
    sent: dict[str, dict] = {}

    async def call(query, variables, token):
        _status, body = fm.answer(query, variables or {}, f"Bearer {token}" if token else None, [])
        if "createApiKey" in query:
            sent["create"] = variables["input"]
        if "generateApiKeyToken" in query:
            sent["mint"] = variables
        return body["data"]

    await bootstrap_workspace(call, "https://x", "e@x.io", "pw", workspace_name="w", key_days=30)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", sent["create"]["expiresAt"])
    assert sent["mint"]["exp"] == sent["create"]["expiresAt"]  # as in examples 144/145


def test_role_choice():
    assert pick_api_key_role(fm.ROLES)["label"] == "Admin"
    assert pick_api_key_role(fm.ROLES[1:])["label"] == "Object-restricted"
    with pytest.raises(BootstrapError, match="assigned to API keys"):
        pick_api_key_role([fm.ROLES[1]])
