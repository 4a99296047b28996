"""A logged-in TwentyClient renews its expired access token against the fake Twenty (renewToken on
/metadata, 2.21 auth.resolver.ts / renew-token.service.ts) — the same path test_wire_shapes.py pins
with a mocked transport, here over real HTTP with the fake deciding when the token has expired."""

from __future__ import annotations

from typing import Any

import pytest

from twenty_api import TwentyAuthError, TwentyClient

pytestmark = pytest.mark.anyio


async def test_expired_access_token_is_renewed_and_the_call_succeeds(fake_twenty: Any) -> None:
    fake = fake_twenty
    client = await TwentyClient.login(fake.base_url, fake.user_email, fake.user_password)
    try:
        first = await client.list_records("people", limit=1)
        assert first.records
        fake.runtime.expire_access_tokens()
        fake.requests.clear()
        again = await client.list_records("people", limit=1)
        assert again.records[0]["id"] == first.records[0]["id"]
        log = [(r.method, r.path.split("?")[0], r.auth_kind) for r in fake.requests]
        assert log == [
            ("GET", "/rest/people", "invalid"),  # the expired token: 401 "Token has expired."
            ("POST", "/metadata", "none"),  # renewToken is public; the expired token is not sent
            ("GET", "/rest/people", "user"),  # retried once with the new access token
        ]
        # the renewed session keeps working, also on /metadata and after a second expiry
        fake.runtime.expire_access_tokens()
        me = await client.graphql("{ currentUser { email } }", endpoint="metadata")
        assert me["currentUser"]["email"] == fake.user_email
    finally:
        await client.aclose()


async def test_a_revoked_refresh_token_means_log_in_again(fake_twenty: Any) -> None:
    fake = fake_twenty
    client = await TwentyClient.login(fake.base_url, fake.user_email, fake.user_password)
    try:
        fake.runtime.expire_access_tokens()
        fake.runtime.refresh_tokens.clear()  # e.g. the server forgot the session
        with pytest.raises(TwentyAuthError) as err:
            await client.list_records("people", limit=1)
        assert "refused to renew" in str(err.value)
    finally:
        await client.aclose()
