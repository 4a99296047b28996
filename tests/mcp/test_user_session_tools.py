"""twenty_send_email and twenty_add_favorite over stdio, signed in as the fake's user
(TWENTY_USER_EMAIL/PASSWORD): the fake's sendEmail and createNavigationMenuItem follow 2.21's
resolvers (tests/fake_twenty/user_session.py names the source files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import answer_of, server_env, stdio_session

pytestmark = pytest.mark.anyio


def _text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


async def test_send_email_and_add_favorite_as_the_signed_in_user(fake_twenty: Any, tmp_path: Path) -> None:
    fake = fake_twenty
    env = server_env(
        fake, tmp_path, TWENTY_USER_EMAIL=fake.user_email, TWENTY_USER_PASSWORD=fake.user_password
    )
    person = fake.records("people")[0]
    async with stdio_session(env) as client:
        sent = await client.call_tool(
            "twenty_send_email",
            {
                "to": ["ada@example.com", "bob@example.com"],
                "cc": ["cc@example.com"],
                "subject": "Hi",
                "body": "Hello",
            },
        )
        assert not sent.is_error, _text(sent)
        assert answer_of(sent)["sent"] is True
        fav = await client.call_tool("twenty_add_favorite", {"object": "people", "id": person["id"]})
        assert not fav.is_error, _text(fav)
        item = answer_of(fav)["record"]
        assert item["type"] == "RECORD" and item["targetRecordId"] == person["id"]
        assert isinstance(item["position"], (int, float))
    (email,) = fake.state.entity_table("sentEmails").values()
    # the tool sent from the user's first connected account (myConnectedAccounts, example 094)
    assert email["connectedAccountId"] == "20202020-9ac0-4390-9a1a-ab4d2c4e1bb7"
    assert (email["to"], email["cc"], email["subject"]) == (
        "ada@example.com, bob@example.com",
        "cc@example.com",
        "Hi",
    )
    # sendEmail is refused to API keys (as 2.21), so it went out with the signed-in session
    assert any(r.path == "/metadata" and r.auth_kind == "user" for r in fake.requests)


async def test_add_favorite_pins_to_the_users_own_sidebar(fake_twenty: Any, tmp_path: Path) -> None:
    fake = fake_twenty
    env = server_env(
        fake, tmp_path, TWENTY_USER_EMAIL=fake.user_email, TWENTY_USER_PASSWORD=fake.user_password
    )
    person = fake.records("people")[0]
    async with stdio_session(env) as client:
        fav = await client.call_tool("twenty_add_favorite", {"object": "people", "id": person["id"]})
        assert not fav.is_error, _text(fav)
    item = fake.state.entity_table("seed:navigationMenuItems")[answer_of(fav)["record"]["id"]]
    assert item["userWorkspaceId"] is not None
