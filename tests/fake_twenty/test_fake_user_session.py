"""sendEmail, createNavigationMenuItem and renewToken on the fake's /metadata: API key vs user session,
as 2.21's resolvers decide (tests/fake_twenty/user_session.py names the source files)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fake_twenty import FakeTwenty

SEND = "mutation($i: SendEmailInput!){ sendEmail(input:$i){ success error messageThreadId } }"
NAV = (
    "mutation($i: CreateNavigationMenuItemInput!){ createNavigationMenuItem(input:$i)"
    "{ id type userWorkspaceId targetRecordId position } }"
)
ACCOUNT = "20202020-9ac0-4390-9a1a-ab4d2c4e1bb7"  # example 094


def _meta(fake: FakeTwenty, query: str, variables: dict[str, Any], token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(
        f"{fake.base_url}/metadata",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=10,
    )


def test_send_email_needs_a_user_who_owns_the_account(fake_twenty: FakeTwenty) -> None:
    mail = {"connectedAccountId": ACCOUNT, "to": "a@b.io", "subject": "s", "body": "b"}
    refused = _meta(fake_twenty, SEND, {"i": mail}, fake_twenty.api_key).json()
    assert refused["data"] is None
    assert (
        refused["errors"][0]["message"]
        == "This endpoint requires a user context. API keys are not supported."
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    ok = _meta(fake_twenty, SEND, {"i": mail}, fake_twenty.user_token).json()
    assert ok == {"data": {"sendEmail": {"success": True, "error": None, "messageThreadId": None}}}
    other = _meta(
        fake_twenty, SEND, {"i": {**mail, "connectedAccountId": "x-1"}}, fake_twenty.user_token
    ).json()
    assert other["data"]["sendEmail"] == {
        "success": False,
        "error": "Connected account x-1 not found",
        "messageThreadId": None,
    }
    assert len(fake_twenty.state.entity_table("sentEmails")) == 1


def test_navigation_menu_item_user_level_needs_a_user(fake_twenty: FakeTwenty) -> None:
    person = fake_twenty.records("people")[0]
    mine = {
        "type": "RECORD",
        "targetRecordId": person["id"],
        "userWorkspaceId": "00000000-0000-4000-8000-000000000000",
    }
    refused = _meta(fake_twenty, NAV, {"i": mine}, fake_twenty.api_key).json()
    assert refused["errors"][0]["message"] == (
        "User-level navigation menu items can only be created by authenticated users"
    )
    assert refused["errors"][0]["extensions"]["subCode"] == "INVALID_NAVIGATION_MENU_ITEM_INPUT"
    made = _meta(fake_twenty, NAV, {"i": mine}, fake_twenty.user_token).json()["data"][
        "createNavigationMenuItem"
    ]
    # the server puts the caller's own userWorkspaceId (Tim's, dev seed) in place of the input's
    assert made["userWorkspaceId"] == "20202020-9e3b-46d4-a556-88b9ddc2b035" and made["position"] == 1
    again = _meta(fake_twenty, NAV, {"i": mine}, fake_twenty.user_token).json()["data"][
        "createNavigationMenuItem"
    ]
    assert again["position"] == 2
    # workspace-level (no userWorkspaceId): needs the LAYOUTS permission, which the admin API key has
    shared = {"type": "RECORD", "targetRecordId": person["id"]}
    wide = _meta(fake_twenty, NAV, {"i": shared}, fake_twenty.api_key).json()["data"][
        "createNavigationMenuItem"
    ]
    assert wide["userWorkspaceId"] is None


def _login(fake: FakeTwenty) -> dict[str, Any]:
    q = (
        "mutation($e: String!, $p: String!){ getLoginTokenFromCredentials(email:$e, password:$p, "
        'origin:"http://x"){ loginToken { token } } }'
    )
    login = _meta(fake, q, {"e": fake.user_email, "p": fake.user_password}, None).json()
    token = login["data"]["getLoginTokenFromCredentials"]["loginToken"]["token"]
    q = (
        'mutation($t: String!){ getAuthTokensFromLoginToken(loginToken:$t, origin:"http://x"){ tokens { '
        "accessOrWorkspaceAgnosticToken { token expiresAt } refreshToken { token } } } }"
    )
    return _meta(fake, q, {"t": token}, None).json()["data"]["getAuthTokensFromLoginToken"]["tokens"]


RENEW = (
    "mutation($t: String!){ renewToken(appToken:$t){ tokens { accessOrWorkspaceAgnosticToken { token } "
    "refreshToken { token } } } }"
)


def test_access_token_expires_and_renew_token_issues_a_new_pair(fake_twenty: FakeTwenty) -> None:
    tokens = _login(fake_twenty)
    access, refresh = tokens["accessOrWorkspaceAgnosticToken"]["token"], tokens["refreshToken"]["token"]
    people = f"{fake_twenty.base_url}/rest/people?limit=1"
    assert httpx.get(people, headers={"Authorization": f"Bearer {access}"}).status_code == 200
    fake_twenty.runtime.expire_access_tokens()
    expired = httpx.get(people, headers={"Authorization": f"Bearer {access}"})
    assert expired.status_code == 401 and expired.json()["messages"] == ["Token has expired."]
    renewed = _meta(fake_twenty, RENEW, {"t": refresh}, None).json()["data"]["renewToken"]["tokens"]
    new_access = renewed["accessOrWorkspaceAgnosticToken"]["token"]
    assert new_access != access and renewed["refreshToken"]["token"] != refresh
    assert httpx.get(people, headers={"Authorization": f"Bearer {new_access}"}).status_code == 200
    # the used refresh token was revoked (renew-token.service.ts); an unknown one does not exist
    reused = _meta(fake_twenty, RENEW, {"t": refresh}, None).json()
    assert reused["errors"][0]["message"] == "This refresh token has been revoked."
    unknown = _meta(fake_twenty, RENEW, {"t": "nope"}, None).json()
    assert unknown["errors"][0]["message"] == "This refresh token doesn't exist"
    assert unknown["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_access_token_ttl_is_configurable(fake_twenty: FakeTwenty) -> None:
    import time

    fake_twenty.access_token_ttl = 0.2
    access = _login(fake_twenty)["accessOrWorkspaceAgnosticToken"]["token"]
    people = f"{fake_twenty.base_url}/rest/people?limit=1"
    assert httpx.get(people, headers={"Authorization": f"Bearer {access}"}).status_code == 200
    time.sleep(0.3)
    assert httpx.get(people, headers={"Authorization": f"Bearer {access}"}).status_code == 401
