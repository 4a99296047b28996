"""Token-less GraphQL (the sign-up mutations a brand-new Twenty answers) goes through the client."""

import pytest

from twenty_api import TwentyClient, TwentyError


@pytest.mark.anyio
async def test_public_call_sends_no_token_and_maps_refusal(fake_twenty):
    # currentWorkspace needs a token: the fake refuses it as 2.21 does, and the refusal is typed.
    with pytest.raises(TwentyError) as caught:
        await TwentyClient.public_graphql(fake_twenty.base_url, "query { currentWorkspace { id } }")
    assert caught.value.messages, "Twenty's own message travels with the error"
    method, path, auth_kind = fake_twenty.requests[-1][:3]
    assert (method, path) == ("POST", "/metadata")
    assert auth_kind in (None, "none")


@pytest.mark.anyio
async def test_public_call_refuses_plain_http_to_remote_hosts():
    with pytest.raises(ValueError, match="https"):
        await TwentyClient.public_graphql("http://crm.example.com", "query { x }")
