"""The fake Twenty's OAuth authorization server against the captured 2.21.0 answers
(contract oauth/examples 230–291c), driven through twenty_api.oauth over real HTTP."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from twenty_api import TwentyError
from twenty_api import oauth as tw

from . import contract_data
from .oauth import FakeOAuth

pytestmark = pytest.mark.anyio
REDIRECT = "http://127.0.0.1:9/cb"


def captured(prefix: str) -> dict[str, Any]:
    return contract_data.example_by_prefix(prefix, folder="oauth/examples")


async def _authorized(
    fake: Any, client: tw.TwentyOAuthClient | None = None
) -> tuple[tw.TwentyOAuthMetadata, tw.TwentyOAuthClient, str, str]:
    meta = await tw.discover(fake.base_url)
    client = client or await tw.register_client(meta, "Capture MCP bridge", [REDIRECT])
    verifier, challenge = tw.pkce_pair()
    redirect = await tw.authorize_app(
        fake.base_url, fake.user_token, client.client_id, REDIRECT, challenge, "st-1"
    )
    query = parse_qs(urlparse(redirect).query)
    assert query["state"] == ["st-1"] and "iss" not in query  # 233: no iss parameter
    assert len(query["code"][0]) == 84  # 42 random bytes as hex
    return meta, client, query["code"][0], verifier


async def test_discovery_and_registration_as_captured(fake_twenty: Any) -> None:
    meta = await tw.discover(fake_twenty.base_url)
    assert set(meta.raw) == set(captured("230-")["response_body"])
    assert meta.raw["code_challenge_methods_supported"] == ["S256"]
    assert meta.token_endpoint == f"{fake_twenty.base_url}/oauth/token"
    client = await tw.register_client(meta, "Capture MCP bridge", [REDIRECT])
    assert set(client.raw) == set(captured("231-")["response_body"])
    assert client.raw["token_endpoint_auth_method"] == "none"
    async with httpx.AsyncClient() as http:
        back = await http.get(client.raw["registration_client_uri"])
        assert set(back.json()) == set(captured("231c")["response_body"])
        refused = await http.post(meta.registration_endpoint, json=captured("231b")["request_body"])
        assert (refused.status_code, refused.json()) == (400, captured("231b")["response_body"])
        for bad in ("javascript:alert(1)", "http://example.com/cb", "https://x.test/cb#frag"):
            r = await http.post(meta.registration_endpoint, json={"client_name": "x", "redirect_uris": [bad]})
            assert r.status_code == 400, bad
    found = await tw.find_application_registration(fake_twenty.base_url, client.client_id)
    assert found is not None and set(found) == set(
        captured("232")["response_body"]["data"]["findApplicationRegistrationByClientId"]
    )
    assert await tw.find_application_registration(fake_twenty.base_url, "no-such-client") is None


async def test_authorize_app_refusals_as_captured(fake_twenty: Any) -> None:
    fake = fake_twenty
    meta = await tw.discover(fake.base_url)
    client = await tw.register_client(meta, "x", [REDIRECT])
    _, challenge = tw.pkce_pair()
    cases = [
        (fake.user_token, None, REDIRECT, "233b"),
        (fake.user_token, challenge, "http://127.0.0.1:10/cb", "233c"),
        (fake.api_key, challenge, REDIRECT, "233d"),
    ]
    for token, chal, redirect, example in cases:
        with pytest.raises(TwentyError) as err:
            await tw.authorize_app(fake.base_url, token, client.client_id, redirect, chal, "st")
        expected = captured(example)["response_body"]["errors"][0]["message"]
        assert expected.replace("0777f3cc-9f7d-4fb7-bce5-8cef8ebb4dbb", client.client_id) in str(err.value)


async def test_token_refresh_introspect_revoke_as_captured(fake_twenty: Any) -> None:
    fake = fake_twenty
    meta, client, code, verifier = await _authorized(fake)
    tokens = await tw.exchange_code(meta, client.client_id, code, REDIRECT, verifier)
    assert (tokens.expires_in, tokens.scope) == (1800, "api profile")
    with pytest.raises(tw.TwentyOAuthGrantInvalid, match="already been used"):  # 234b
        await tw.exchange_code(meta, client.client_id, code, REDIRECT, verifier)
    _, _, code2, _ = await _authorized(fake, client)
    with pytest.raises(tw.TwentyOAuthGrantInvalid, match="does not match the code challenge"):  # 234c
        await tw.exchange_code(meta, client.client_id, code2, REDIRECT, "wrong-verifier")
    again = await tw.refresh(meta, client.client_id, tokens.refresh_token or "")
    reused = await tw.refresh(meta, client.client_id, tokens.refresh_token or "")  # 235b: not rotated
    assert again.access_token != reused.access_token
    user = await tw.current_user(fake.base_url, tokens.access_token)  # 244
    assert (user.email, user.name) == ("tim@apple.dev", "Tim Apple") and user.workspace_member_id
    async with httpx.AsyncClient(base_url=fake.base_url) as http:
        created = await http.post(
            "/rest/companies",
            json={"name": "OAuth Co"},
            headers={"Authorization": f"Bearer {tokens.access_token}"},
        )
        assert created.status_code == 201
        author = created.json()["data"]["createCompany"]["createdBy"]
        assert (author["source"], author["name"]) == ("MANUAL", "Tim Apple")  # 241
        form = {"token": tokens.access_token, "client_id": client.client_id}
        mine = (await http.post("/oauth/introspect", data=form)).json()
        assert set(mine) == set(captured("236-")["response_body"]) and mine["active"] is True
        refresh_info = (
            await http.post("/oauth/introspect", data={**form, "token": tokens.refresh_token})
        ).json()
        assert set(refresh_info) == set(captured("236b")["response_body"])
        other = await http.post("/oauth/introspect", data={**form, "client_id": tw_cli_client()})
        assert other.json() == {"active": False}  # 236c
        nobody = await http.post("/oauth/introspect", data={"token": tokens.access_token})
        assert (nobody.status_code, nobody.json()) == (401, captured("236d")["response_body"])
        cc = await http.post(
            "/oauth/token", data={"grant_type": "client_credentials", "client_id": client.client_id}
        )
        assert (cc.status_code, cc.json()) == (401, captured("238")["response_body"])
    await tw.revoke(meta, client.client_id, tokens.refresh_token or "")  # 237: 200 ...
    await tw.refresh(meta, client.client_id, tokens.refresh_token or "")  # 237b: ... and nothing revoked
    FakeOAuth(fake.runtime).uninstall(client.client_id)  # 291
    with pytest.raises(tw.TwentyOAuthGrantInvalid, match="not issued to this client"):  # 291c
        await tw.refresh(meta, client.client_id, tokens.refresh_token or "")


def tw_cli_client() -> str:
    return captured("230-")["response_body"]["cli_client_id"]


async def test_token_endpoint_allows_60_requests_a_minute_per_address(fake_twenty: Any) -> None:
    meta = await tw.discover(fake_twenty.base_url)
    client = await tw.register_client(meta, "x", [REDIRECT])
    answers = []
    async with httpx.AsyncClient() as http:
        for _ in range(61):
            r = await http.post(
                meta.token_endpoint, data={"grant_type": "refresh_token", "client_id": client.client_id}
            )
            answers.append(r.status_code)
    assert answers[:60] == [400] * 60 and answers[60] == 429
