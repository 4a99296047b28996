"""Sign in with Twenty, over real HTTP against the fake Twenty's OAuth (as captured, 230–291c):
our server registers itself with Twenty, the user consents on Twenty, we keep Twenty's tokens
sealed server-side, refresh them single-flight, and hand MCP clients our own tokens only."""

from __future__ import annotations

import asyncio
import json
import os
from typing import Any

import httpx
import pytest

from mcp_server.auth import twenty_signin
from tests.fake_twenty.oauth import FakeOAuth, state_of

from .conftest import HttpServer, answer_of
from .oauth_flow import code_from, exchange, hidden, register_and_authorize
from .test_http import mcp_over_http
from .twenty_signin_flow import consent_with_twenty, play_twenty_front, sign_in_with_twenty

pytestmark = pytest.mark.anyio
REDIRECT = "http://127.0.0.1:9/callback"


def _text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


async def _connect(http: httpx.AsyncClient, fake: Any, **consent: str) -> dict[str, str]:
    pending = await register_and_authorize(http, REDIRECT)
    trip = await sign_in_with_twenty(http, pending, fake.base_url, fake.user_token, **consent)
    assert trip.landed.status_code == 303, trip.landed.text
    return await exchange(http, pending, code_from(trip.landed.headers["location"], pending.state))


def _twenty_tokens(fake: Any) -> list[str]:
    state = state_of(fake.runtime)
    return [*state.access_tokens, *state.refresh_tokens]


async def test_sign_in_with_twenty_then_every_user_session_tool_as_that_user(
    http_env: dict[str, str], fake_twenty: Any
) -> None:
    fake = fake_twenty
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, REDIRECT)
            authorize_url = await consent_with_twenty(http, pending)
            # we registered ourselves with Twenty at first use, with our own callback as redirect URI
            (registration,) = state_of(fake.runtime).registrations.values()
            assert registration["redirect_uris"] == [f"{srv.url}/oauth/twenty/callback"]
            assert authorize_url.startswith(f"{fake.base_url}/authorize?")
            trip = await play_twenty_front(http, authorize_url, fake.base_url, fake.user_token)
            assert trip.registration["name"] == "Twenty MCP server"
            assert trip.landed.status_code == 303, trip.landed.text
            location = trip.landed.headers["location"]
            assert location.startswith(REDIRECT + "?")
            tokens = await exchange(http, pending, code_from(location, pending.state))
            # no token passthrough: nothing of Twenty's tokens is in what the MCP client holds
            issued = json.dumps(tokens) + location
            assert _twenty_tokens(fake) and not any(t in issued for t in _twenty_tokens(fake))
            # a second connection reuses the registration
            await _connect(http, fake)
            assert len(state_of(fake.runtime).registrations) == 1

        async with mcp_over_http(srv.url, tokens["access_token"]) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert len(names) >= 43
            created = await client.call_tool(
                "twenty_create_record", {"object": "companies", "data": {"name": "O Co"}}
            )
            assert not created.is_error, _text(created)
            record = answer_of(created)["record"]
            assert record["createdBy"]["name"] == "Tim Apple"  # the user, not "My api key"
            assert record["createdBy"]["workspaceMemberId"]
            person = fake.records("people")[0]
            quick = next(w for w in fake.records("workflows") if w["name"] == "Quick Lead")["id"]
            calls = [
                ("twenty_deactivate_workflow", {"workflow_id": quick}),
                ("twenty_activate_workflow", {"workflow_id": quick}),
                ("twenty_run_workflow", {"workflow_id": quick, "payload": {"lead": "Ada"}}),
                ("twenty_add_to_blocklist", {"handle": "spam@example.com"}),
                ("twenty_send_email", {"to": ["ada@example.com"], "subject": "Hi", "body": "Hello"}),
                ("twenty_add_favorite", {"object": "people", "id": person["id"]}),
                ("twenty_list_connected_accounts", {}),
            ]
            for name, args in calls:
                result = await client.call_tool(name, args)
                assert not result.is_error, f"{name}: {_text(result)}"
            run = answer_of(await client.call_tool("twenty_run_workflow", {"workflow_id": quick}))
            assert run["workflow_run_id"]
    # every Twenty call with the user's token was a user session at Twenty (never the API key)
    assert not any(r.auth_kind == "api_key" for r in fake.requests)
    blocked = fake.records("blocklists")
    assert any(b["handle"] == "spam@example.com" for b in blocked)


async def test_refresh_is_single_flight_and_ahead_of_expiry(
    http_env: dict[str, str], fake_twenty: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_twenty
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            tokens = await _connect(http, fake)
            state = state_of(fake.runtime)
            assert state.refresh_count == 0
            # every session is now "about to expire": the next use refreshes it first
            monkeypatch.setattr(twenty_signin, "REFRESH_AHEAD", 10**6)
            fake.faults.latency = 0.3  # the refresh takes a while; 20 callers arrive meanwhile
            body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            headers = {
                "Authorization": f"Bearer {tokens['access_token']}",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-11-25",
            }
            answers = await asyncio.gather(
                *(http.post("/mcp", json=body, headers=headers) for _ in range(20))
            )
            fake.faults.latency = 0.0
            assert [a.status_code for a in answers if a.status_code == 401] == []
            assert state.refresh_count == 1, state.refresh_count
            monkeypatch.setattr(twenty_signin, "REFRESH_AHEAD", 300)
            await http.post("/mcp", json=body, headers=headers)
            assert state.refresh_count == 1  # fresh now: no refresh
        async with mcp_over_http(srv.url, tokens["access_token"]) as client:
            r = await client.call_tool("twenty_list_connected_accounts", {})
            assert not r.is_error, _text(r)
        # Twenty's old access token was replaced by the refreshed one (the fake says which it saw)
        assert any(r.path == "/metadata" and r.auth_kind == "user" for r in fake.requests)


@pytest.mark.parametrize("how", ["expired", "uninstalled"])
async def test_twenty_refusing_the_refresh_ends_the_connection_clearly(
    http_env: dict[str, str], fake_twenty: Any, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    fake = fake_twenty
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            pending = await register_and_authorize(http, REDIRECT)
            trip = await sign_in_with_twenty(http, pending, fake.base_url, fake.user_token)
            tokens = await exchange(http, pending, code_from(trip.landed.headers["location"], pending.state))
            if how == "expired":
                FakeOAuth(fake.runtime).expire_refresh_tokens()
            else:
                FakeOAuth(fake.runtime).uninstall(trip.client_id)  # 291: the app removed from the workspace
            monkeypatch.setattr(twenty_signin, "REFRESH_AHEAD", 10**6)
            r = await http.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            )
            assert r.status_code == 401
            monkeypatch.setattr(twenty_signin, "REFRESH_AHEAD", 300)
            refreshed = await http.post(
                "/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": tokens["refresh_token"],
                    "client_id": pending.client_id,
                },
            )
            assert refreshed.status_code == 400
            error = refreshed.json()
            assert error["error"] == "invalid_grant"
            assert "connect again" in error["error_description"]
            expected = "Invalid or expired refresh token" if how == "expired" else "not issued to this client"
            assert expected in error["error_description"]
            # the user consents again and is back in
            fresh = await _connect(http, fake)
        async with mcp_over_http(srv.url, fresh["access_token"]) as client:
            assert not (await client.call_tool("twenty_list_connected_accounts", {})).is_error


async def test_consent_narrows_and_never_widens(
    http_env: dict[str, str], fake_twenty: Any, tmp_path: Any
) -> None:
    fake = fake_twenty
    env = {**http_env, "MCP_READ_ONLY": "true", "MCP_ALLOWED_OBJECTS": "companies,people"}
    with HttpServer(env) as srv:
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            pending = await register_and_authorize(http, REDIRECT)
            trip = await sign_in_with_twenty(
                http,
                pending,
                fake.base_url,
                fake.user_token,
                mode="read-write",
                objects="companies, opportunities",
            )
            assert trip.landed.status_code == 400
            assert "Not allowed on this server: opportunities" in trip.landed.text
            # the refused sign-in left no session behind: the page offers the choice again
            assert 'id="twenty"' in trip.landed.text
            tokens = await _connect(http, fake, mode="read-write", objects="companies")
        async with mcp_over_http(srv.url, tokens["access_token"]) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "twenty_create_record" not in names  # the server is read-only: consent cannot widen it
            assert "twenty_send_email" not in names
            assert not (await client.call_tool("twenty_list_records", {"object": "companies"})).is_error
            people = await client.call_tool("twenty_list_records", {"object": "people"})
            assert people.is_error  # narrowed to companies at consent
    with HttpServer(http_env) as srv:  # a read-write server, narrowed to read-only at consent
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            tokens = await _connect(http, fake, mode="read-only")
        async with mcp_over_http(srv.url, tokens["access_token"]) as client:
            refused = await client.call_tool(
                "twenty_create_record", {"object": "companies", "data": {"name": "X"}}
            )
            assert refused.is_error
            assert not (await client.call_tool("twenty_list_records", {"object": "people"})).is_error


async def test_revoking_our_token_forgets_the_twenty_session(
    http_env: dict[str, str], fake_twenty: Any
) -> None:
    fake = fake_twenty
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            pending = await register_and_authorize(http, REDIRECT)
            trip = await sign_in_with_twenty(http, pending, fake.base_url, fake.user_token)
            tokens = await exchange(http, pending, code_from(trip.landed.headers["location"], pending.state))
            r = await http.post(
                "/revoke", data={"token": tokens["refresh_token"], "client_id": pending.client_id}
            )
            assert r.status_code == 200
            for token in (tokens["access_token"],):
                r = await http.post(
                    "/mcp",
                    json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                assert r.status_code == 401


async def test_the_callback_refuses_what_it_did_not_start(http_env: dict[str, str], fake_twenty: Any) -> None:
    fake = fake_twenty
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            pending = await register_and_authorize(http, REDIRECT)
            authorize_url = await consent_with_twenty(http, pending)
            # another browser (no sign-in cookie) arriving with the same state is refused
            async with httpx.AsyncClient(base_url=srv.url) as other:
                trip = await play_twenty_front(other, authorize_url, fake.base_url, fake.user_token)
                assert trip.landed.status_code == 400 and "not started in this browser" in trip.landed.text
            forged = await http.get("/oauth/twenty/callback", params={"code": "x", "state": "forged"})
            assert forged.status_code == 400
            # Twenty never saw a code exchange for these
            assert state_of(fake.runtime).access_tokens == {}


async def test_every_tool_as_a_remote_user_signed_in_with_twenty(
    twenty_target: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stdio suite's every-tool run (each tool once good, once bad), over streamable HTTP as a
    user who signed in with Twenty and holds only our token: the same script, another session.
    Against the fake and (marker ``live``) a real 2.21.0, whose missing front end the test plays."""
    from contextlib import asynccontextmanager

    from mcp_server.auth.sealing import new_key

    from . import test_stdio
    from .conftest import server_env
    from .twenty_signin_flow import user_session_token

    target = twenty_target
    env = server_env(target, tmp_path, MCP_SEALING_KEY=new_key())
    env.pop("TWENTY_API_KEY")  # remote callers bring their own credential
    with HttpServer(env) as srv:
        async with httpx.AsyncClient(base_url=srv.url, timeout=60) as http:
            pending = await register_and_authorize(http, REDIRECT)
            # Live, the dev seed's admin signs in: Tim has the seed's "Object-restricted" role
            # (dev-seeder-permissions.service.ts: person.jobTitle not writable), which Twenty applies
            # to his OAuth token as to his own session (test_oauth_twenty_live.py shows that).
            admin = os.environ.get("TWENTY_LIVE_ADMIN_EMAIL", "jane.austen@apple.dev")
            user_token = await user_session_token(target, None if hasattr(target, "requests") else admin)
            trip = await sign_in_with_twenty(http, pending, target.base_url, user_token)
            assert trip.landed.status_code == 303, trip.landed.text
            tokens = await exchange(http, pending, code_from(trip.landed.headers["location"], pending.state))

        @asynccontextmanager
        async def as_the_oauth_user(env: dict[str, str]) -> Any:
            async with mcp_over_http(srv.url, tokens["access_token"]) as client:
                yield client

        monkeypatch.setattr(test_stdio, "stdio_session", as_the_oauth_user)
        start = len(target.requests) if hasattr(target, "requests") else 0
        await test_stdio.test_every_tool_once_good_once_bad(target, tmp_path)
    if hasattr(target, "requests"):  # the fake logs who called
        # from the first tool call on (this server has no API key at all; a late request of an
        # earlier test's server must not count)
        keyed = [f"{r.method} {r.path}" for r in target.requests[start:] if r.auth_kind == "api_key"]
        assert not keyed, keyed


async def test_the_page_without_twenty_sign_in_or_twenty_unreachable(
    http_env: dict[str, str], fake_twenty: Any
) -> None:
    with HttpServer({**http_env, "MCP_TWENTY_OAUTH": "false"}) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, REDIRECT)
            page = await http.get(pending.consent_url)
            assert 'id="twenty"' not in page.text and 'id="api_key"' in page.text
            form = {
                "request": hidden(page.text, "request"),
                "csrf": hidden(page.text, "csrf"),
                "action": "twenty",
            }
            r = await http.post("/consent", data=form)
            assert r.status_code == 400 and "not enabled" in r.text
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, REDIRECT)
            fake_twenty.faults.fail_next(503, 5, path_prefix="/.well-known/oauth-authorization-server")
            page = await http.get(pending.consent_url)
            form = {
                "request": hidden(page.text, "request"),
                "csrf": hidden(page.text, "csrf"),
                "action": "twenty",
            }
            r = await http.post("/consent", data=form)
            assert r.status_code == 400 and "not reachable" in r.text and "Paste an API key" in r.text
            fake_twenty.faults.clear()
            # once Twenty answers again, the same page works
            trip = await sign_in_with_twenty(http, pending, fake_twenty.base_url, fake_twenty.user_token)
            assert trip.landed.status_code == 303


async def test_sign_ins_started_per_address_are_limited(http_env: dict[str, str], fake_twenty: Any) -> None:
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, REDIRECT)
            answers = []
            for _ in range(twenty_signin.STARTS_PER_MINUTE + 1):
                page = await http.get(pending.consent_url)
                form = {
                    "request": hidden(page.text, "request"),
                    "csrf": hidden(page.text, "csrf"),
                    "action": "twenty",
                }
                answers.append(await http.post("/consent", data=form))
            assert [a.status_code for a in answers[:-1]] == [303] * twenty_signin.STARTS_PER_MINUTE
            assert answers[-1].status_code == 400 and "Too many sign-ins" in answers[-1].text


async def test_a_passing_failure_to_renew_does_not_end_the_connection(
    http_env: dict[str, str], fake_twenty: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = fake_twenty
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
            pending = await register_and_authorize(http, REDIRECT)
            trip = await sign_in_with_twenty(http, pending, fake.base_url, fake.user_token)
            tokens = await exchange(http, pending, code_from(trip.landed.headers["location"], pending.state))
            monkeypatch.setattr(twenty_signin, "REFRESH_AHEAD", 10**6)  # due, but Twenty's token still valid
            fake.faults.fail_next(503, 10, path_prefix="/oauth/token")
            ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            headers = {
                "Authorization": f"Bearer {tokens['access_token']}",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-11-25",
            }
            r = await http.post("/mcp", json=ping, headers=headers)
            assert r.status_code == 200  # the still-valid Twenty token serves the request
            form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
            renewed = await http.post("/token", data={**form, "client_id": pending.client_id})
            assert renewed.status_code == 200, renewed.text  # no forced re-consent over a 503
            fake.faults.clear()
            monkeypatch.setattr(twenty_signin, "REFRESH_AHEAD", 300)
            fresh = renewed.json()["access_token"]
            r = await http.post("/mcp", json=ping, headers={**headers, "Authorization": f"Bearer {fresh}"})
            assert r.status_code == 200


async def test_an_api_key_connection_is_told_how_to_get_the_user_session_tools(
    http_env: dict[str, str], fake_twenty: Any
) -> None:
    with HttpServer(http_env) as srv:
        async with mcp_over_http(srv.url, fake_twenty.api_key) as client:
            r = await client.call_tool("twenty_list_connected_accounts", {})
            assert r.is_error and "Sign in with Twenty" in _text(r)


async def test_two_instances_share_the_registration_the_sign_in_and_the_revocation(
    http_env: dict[str, str], fake_twenty: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cloud Run: the sign-in starts on one instance and Twenty's redirect lands on another; both
    use one durable store (the bucket; here a shared in-memory store)."""
    from mcp_server import blobs

    class Shared(blobs.MemoryBlobStore):
        shared = True

    store = Shared()
    monkeypatch.setattr(blobs, "MemoryBlobStore", lambda: store)
    fake = fake_twenty
    a = HttpServer(http_env)
    env = {**http_env, "MCP_PUBLIC_URL": a.url}  # one public URL, two instances behind it
    a.env = env
    with a, HttpServer(env) as b:
        async with httpx.AsyncClient(base_url=a.url, timeout=30) as on_a:
            pending = await register_and_authorize(on_a, REDIRECT)
            authorize_url = await consent_with_twenty(on_a, pending)
            query = dict(httpx.URL(authorize_url).params)
            redirect = await tw_authorize(fake, query)
            # Twenty's redirect reaches instance B, with the browser's cookie
            landed = await on_a.get(redirect.replace(a.url, b.url) + "&theme=light")
            assert landed.status_code == 303, landed.text
            tokens = await exchange(on_a, pending, code_from(landed.headers["location"], pending.state))
        assert len(state_of(fake.runtime).registrations) == 1  # B found A's registration in the store
        # Tools run on B only: both apps live in this one process and share its module-level
        # runtime (the last built, B's); A's own check is that it accepts the token from the store.
        async with mcp_over_http(b.url, tokens["access_token"]) as client:
            r = await client.call_tool("twenty_list_connected_accounts", {})
            assert not r.is_error, _text(r)
        async with httpx.AsyncClient(base_url=a.url, timeout=30) as on_a:
            ping = await on_a.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={
                    "Authorization": f"Bearer {tokens['access_token']}",
                    "Accept": "application/json, text/event-stream",
                    "MCP-Protocol-Version": "2025-11-25",
                },
            )
            assert ping.status_code == 200
        async with httpx.AsyncClient(base_url=b.url, timeout=30) as on_b:
            r = await on_b.post(
                "/revoke", data={"token": tokens["refresh_token"], "client_id": pending.client_id}
            )
            assert r.status_code == 200
        async with httpx.AsyncClient(base_url=a.url, timeout=30) as on_a:
            monkeypatch.setattr("mcp_server.auth.provider.REVOCATION_RECHECK", 0)
            r = await on_a.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={"Authorization": f"Bearer {tokens['access_token']}"},
            )
            assert r.status_code == 401  # A saw B's revocation in the store


async def tw_authorize(fake: Any, query: dict[str, str]) -> str:
    from twenty_api.oauth import authorize_app

    return await authorize_app(
        fake.base_url,
        fake.user_token,
        query["client_id"],
        query["redirect_uri"],
        query["code_challenge"],
        query["state"],
    )
