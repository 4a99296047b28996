"""Sign in with Twenty against a real Twenty 2.21.0 (marker ``live``): our server registers itself
with Twenty (DCR), the front end's part of Twenty's consent (findApplicationRegistrationByClientId,
then authorizeApp with the signed-in user's session token, as Authorize.tsx does) is played over
HTTP because the live server has no front end, our callback exchanges the code, and the SDK's
client over streamable HTTP runs the user-session tools and a record create as that user.

Prints the timings docs/live.md records."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import httpx
import pytest

from mcp_server.auth import twenty_signin
from tests.live_twenty import LiveTwenty
from twenty_api import TwentyClient
from twenty_api import oauth as tw

from .conftest import HttpServer, answer_of, server_env
from .oauth_flow import code_from, exchange, register_and_authorize
from .test_http import mcp_over_http
from .twenty_signin_flow import consent_with_twenty, play_twenty_front, user_session_token

pytestmark = [pytest.mark.live, pytest.mark.anyio]
RUN = uuid.uuid4().hex[:8]
REDIRECT = "http://127.0.0.1:9/callback"
FORGET_FAVORITE = "mutation($id: UUID!){ deleteNavigationMenuItem(id: $id){ id } }"


def _text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


async def test_sign_in_with_twenty_on_a_real_twenty(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live = LiveTwenty()
    user_token = await user_session_token(live)
    env = server_env(live, tmp_path)
    env.pop("TWENTY_API_KEY")  # remote callers bring their own credential
    from mcp_server.auth.sealing import new_key

    env["MCP_SEALING_KEY"] = new_key()
    timings: dict[str, float] = {}
    refreshes: list[str] = []
    real_refresh = tw.refresh

    async def counted_refresh(*args: Any, **kwargs: Any) -> tw.TwentyOAuthTokens:
        refreshes.append("r")
        return await real_refresh(*args, **kwargs)

    monkeypatch.setattr(tw, "refresh", counted_refresh)
    cleanup: dict[str, Any] = {}
    with HttpServer(env) as srv:
        async with httpx.AsyncClient(base_url=srv.url, timeout=60) as http:
            pending = await register_and_authorize(http, REDIRECT)
            t0 = time.perf_counter()
            authorize_url = await consent_with_twenty(http, pending, mode="read-write")
            timings["register with Twenty + redirect (s)"] = time.perf_counter() - t0
            assert authorize_url.startswith((await tw.discover(live.base_url)).authorization_endpoint)
            t0 = time.perf_counter()
            trip = await play_twenty_front(http, authorize_url, live.base_url, user_token)
            timings["Twenty consent + our callback (exchange, currentUser) (s)"] = time.perf_counter() - t0
            assert trip.registration["name"] == "Twenty MCP server"
            assert trip.landed.status_code == 303, trip.landed.text
            tokens = await exchange(http, pending, code_from(trip.landed.headers["location"], pending.state))
            assert "." in tokens["access_token"] and tokens["access_token"].startswith("tat.")

            # Refresh ahead of expiry against the real token endpoint, single flight: once the session
            # is 11 s old, "refresh 1790 s ahead" makes it due while a fresh one (1800 s) is not, so 10
            # concurrent requests must cost exactly one refresh (more would be a broken single flight).
            await asyncio.sleep(11)
            monkeypatch.setattr(twenty_signin, "REFRESH_AHEAD", 1790)
            headers = {
                "Authorization": f"Bearer {tokens['access_token']}",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-11-25",
            }
            ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            t0 = time.perf_counter()
            answers = await asyncio.gather(
                *(http.post("/mcp", json=ping, headers=headers) for _ in range(10))
            )
            timings["10 concurrent requests, session refreshed once (s)"] = time.perf_counter() - t0
            assert [a.status_code for a in answers] == [200] * 10
            assert len(refreshes) == 1, refreshes
            monkeypatch.setattr(twenty_signin, "REFRESH_AHEAD", 300)

        async with mcp_over_http(srv.url, tokens["access_token"]) as client:
            t0 = time.perf_counter()
            created = await client.call_tool(
                "twenty_create_record", {"object": "companies", "data": {"name": f"OAuth live {RUN}"}}
            )
            timings["create company (s)"] = time.perf_counter() - t0
            assert not created.is_error, _text(created)
            record = answer_of(created)["record"]
            cleanup["company"] = record["id"]
            author = record["createdBy"]
            assert (author["source"], author["name"]) == ("MANUAL", "Tim Apple"), author
            assert author["workspaceMemberId"]

            # Twenty's roles apply to the OAuth user as to their own session: the dev seed gives Tim
            # the "Object-restricted" role (person.jobTitle not writable), which the API key has not.
            person = live.records("people", limit=1)[0]
            refused = await client.call_tool(
                "twenty_update_record",
                {"object": "people", "id": person["id"], "data": {"jobTitle": "Admiral"}},
            )
            assert refused.is_error and 'no permission to write field "jobTitle"' in _text(refused), _text(
                refused
            )

            workflows = live.records("workflows")
            quick = next(w for w in workflows if w["name"] == "Quick Lead")["id"]
            for name, args in [
                ("twenty_deactivate_workflow", {"workflow_id": quick}),
                ("twenty_activate_workflow", {"workflow_id": quick}),
                ("twenty_run_workflow", {"workflow_id": quick, "payload": {"lead": "Ada"}}),
                ("twenty_add_to_blocklist", {"handle": f"spam+{RUN}@example.com"}),
                ("twenty_add_favorite", {"object": "companies", "id": record["id"]}),
                ("twenty_list_connected_accounts", {}),
            ]:
                t0 = time.perf_counter()
                result = await client.call_tool(name, args)
                timings[f"{name} (s)"] = time.perf_counter() - t0
                assert not result.is_error, f"{name}: {_text(result)}"
                if name == "twenty_run_workflow":
                    assert answer_of(result)["workflow_run_id"]
                if name == "twenty_add_to_blocklist":
                    cleanup["blocklist"] = answer_of(result)["record"]["id"]
                    assert answer_of(result)["record"]["createdBy"]["name"] == "Tim Apple"
                if name == "twenty_add_favorite":
                    cleanup["favorite"] = answer_of(result)["record"]["id"]
            # sendEmail reaches Twenty as the user (an API key is refused before this, 252c); the dev
            # seed's Google account has no refresh token, so Twenty says why it cannot send.
            email = {"to": ["ada@example.com"], "subject": "Hi", "body": "Hello"}
            sent = await client.call_tool("twenty_send_email", email)
            assert sent.is_error and "no refresh token found" in _text(sent).lower(), _text(sent)

    admin = TwentyClient(live.base_url, api_key=live.api_key)
    user = TwentyClient(live.base_url, access_token=user_token)
    try:
        if "favorite" in cleanup:
            await user.graphql(FORGET_FAVORITE, {"id": cleanup["favorite"]}, endpoint="metadata")
        if "blocklist" in cleanup:
            await admin.delete_record("blocklists", cleanup["blocklist"])
            await admin.destroy_record("blocklists", cleanup["blocklist"], confirm=True)
        if "company" in cleanup:
            await admin.delete_record("companies", cleanup["company"])
            await admin.destroy_record("companies", cleanup["company"], confirm=True)
    finally:
        await admin.aclose()
        await user.aclose()
    with capsys.disabled():
        print("\nSign in with Twenty, live:")
        for what, seconds in timings.items():
            print(f"  {what}: {seconds:.3f}")
