"""Issue 12 findings on the OAuth side, each over real HTTP: consent never widens the server's
settings, redirect URIs are checked and never used for error redirects, a public client can
revoke (RFC 7009), a replayed refresh token revokes its family, tokens are audience-bound, and
junk Bearer values cannot make us call Twenty at will."""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

import httpx
import pytest

from .conftest import HttpServer
from .oauth_flow import code_from, exchange, hidden, register_and_authorize
from .test_http import mcp_over_http

pytestmark = pytest.mark.anyio
CALLBACK = "http://127.0.0.1:9/callback"


async def _consent(http: httpx.AsyncClient, consent_url: str, **form: str) -> httpx.Response:
    page = await http.get(consent_url)
    assert page.status_code == 200
    data = {"request": hidden(page.text, "request"), "csrf": hidden(page.text, "csrf"), **form}
    return await http.post("/consent", data=data)


async def _tokens(http: httpx.AsyncClient, key: str, **form: str) -> tuple[Any, dict[str, str]]:
    pending = await register_and_authorize(http, CALLBACK)
    r = await _consent(http, pending.consent_url, api_key=key, action="approve", **form)
    assert r.status_code == 303, r.text
    return pending, await exchange(http, pending, code_from(r.headers["location"], pending.state))


def _text(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


async def test_consent_only_narrows_the_server_settings(http_env: dict[str, str], fake_twenty: Any) -> None:
    env = {**http_env, "MCP_READ_ONLY": "true", "MCP_ALLOWED_OBJECTS": "companies"}
    with HttpServer(env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, CALLBACK)
            page = await http.get(pending.consent_url)
            assert "read-only; objects: companies" in page.text
            assert re.search(r'value="read-write"\s+disabled', page.text)
            wider = await _consent(
                http,
                pending.consent_url,
                api_key=fake_twenty.api_key,
                mode="read-write",
                objects="people",
                action="approve",
            )
            assert wider.status_code == 400 and "Not allowed on this server: people" in wider.text
            _, tokens = await _tokens(http, fake_twenty.api_key, mode="read-write", objects="")
        async with mcp_over_http(srv.url, tokens["access_token"]) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "twenty_create_record" not in names
            created = await client.call_tool(
                "twenty_create_record", {"object": "people", "data": {"city": "x"}}
            )
            assert created.is_error and "read-only" in _text(created)
            people = await client.call_tool("twenty_list_records", {"object": "people", "limit": 1})
            assert people.is_error and "allowed objects" in _text(people)
            ok = await client.call_tool("twenty_list_records", {"object": "companies", "limit": 1})
            assert not ok.is_error, _text(ok)


@pytest.mark.parametrize(
    "uri",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
        "http://evil.example/cb",
        "com.example.app:/cb",
        "https://evil.example/cb#frag",
    ],
)
async def test_bad_redirect_uris_are_not_registered(http_env: dict[str, str], uri: str) -> None:
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            r = await http.post(
                "/register",
                json={"redirect_uris": [uri], "token_endpoint_auth_method": "none", "client_name": "x"},
            )
            assert r.status_code == 400, r.text
            assert r.json()["error"] == "invalid_redirect_uri"


async def test_authorize_never_redirects_errors_and_consent_shows_the_redirect_host(
    http_env: dict[str, str],
) -> None:
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            for uri in ("https://client.example/cb", "http://localhost:7777/cb", "http://[::1]:7/cb"):
                r = await http.post(
                    "/register", json={"redirect_uris": [uri], "token_endpoint_auth_method": "none"}
                )
                assert r.status_code == 201, r.text
            pending = await register_and_authorize(http, "https://client.example/cb")
            page = await http.get(pending.consent_url)
            assert "<strong>client.example</strong>" in page.text
            # A valid client and redirect URI but a bad request: the SDK redirected the error there.
            r = await http.get(
                "/authorize",
                params={
                    "response_type": "code",
                    "client_id": pending.client_id,
                    "redirect_uri": pending.redirect_uri,
                    "code_challenge": "x" * 43,
                    "code_challenge_method": "plain",
                    "state": "s",
                },
            )
            assert r.status_code == 400 and "location" not in r.headers
            assert r.json()["error"] == "invalid_request"


async def test_public_client_revokes_without_a_secret(http_env: dict[str, str], fake_twenty: Any) -> None:
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending, tokens = await _tokens(http, fake_twenty.api_key, mode="read-only")
            r = await http.post(
                "/revoke", data={"token": tokens["access_token"], "client_id": pending.client_id}
            )
            assert r.status_code == 200, r.text
            gone = await http.post(
                "/mcp", json={}, headers={"Authorization": f"Bearer {tokens['access_token']}"}
            )
            assert gone.status_code == 401
            refresh = await http.post(
                "/token",
                data={
                    "grant_type": "refresh_token",
                    "client_id": pending.client_id,
                    "refresh_token": tokens["refresh_token"],
                },
            )
            assert refresh.status_code == 400  # the whole grant went


async def test_replayed_refresh_token_revokes_the_family(http_env: dict[str, str], fake_twenty: Any) -> None:
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending, first = await _tokens(http, fake_twenty.api_key, mode="read-only")

            async def refresh(token: str) -> httpx.Response:
                return await http.post(
                    "/token",
                    data={
                        "grant_type": "refresh_token",
                        "client_id": pending.client_id,
                        "refresh_token": token,
                    },
                )

            second = await refresh(first["refresh_token"])
            assert second.status_code == 200
            fresh = second.json()
            replay = await refresh(first["refresh_token"])  # the stolen, rotated-away token
            assert replay.status_code == 400
            r = await http.post("/mcp", json={}, headers={"Authorization": f"Bearer {fresh['access_token']}"})
            assert r.status_code == 401
            assert (await refresh(fresh["refresh_token"])).status_code == 400


async def test_tokens_are_bound_to_this_server(http_env: dict[str, str], fake_twenty: Any) -> None:
    from mcp_server.auth.sealing import Sealer

    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, CALLBACK)
            r = await http.get(
                "/authorize",
                params={
                    "response_type": "code",
                    "client_id": pending.client_id,
                    "redirect_uri": CALLBACK,
                    "code_challenge": "x" * 43,
                    "code_challenge_method": "S256",
                    "resource": "https://other.example/mcp",
                },
            )
            assert r.status_code == 400 and r.json()["error"] == "invalid_target"
            # A token sealed with our key but for another resource (say, a sibling deployment).
            sealer = Sealer.from_text(http_env["MCP_SEALING_KEY"])
            grant = {
                "k": fake_twenty.api_key,
                "ro": True,
                "objs": None,
                "cid": pending.client_id,
                "sub": "s",
                "scopes": [],
                "resource": "https://other.example/mcp",
                "gid": "g",
                "fam": "g",
                "exp": int(time.time()) + 600,
            }
            foreign = "tat." + sealer.seal(grant, "access")
            r = await http.post("/mcp", json={}, headers={"Authorization": f"Bearer {foreign}"})
            assert r.status_code == 401
            ours = "tat." + sealer.seal({**grant, "resource": f"{srv.url}/mcp"}, "access")
            r = await http.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
                headers={"Authorization": f"Bearer {ours}", "Accept": "application/json, text/event-stream"},
            )
            assert r.status_code == 200, r.text


async def test_junk_bearer_values_cannot_make_us_call_twenty(
    http_env: dict[str, str], fake_twenty: Any
) -> None:
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            fake_twenty.requests.clear()
            junk = [secrets.token_urlsafe(24) for _ in range(30)]
            for value in junk + junk:
                r = await http.post("/mcp", json={}, headers={"Authorization": f"Bearer {value}"})
                assert r.status_code == 401
            upstream = [r for r in fake_twenty.requests if r.path == "/metadata"]
            assert len(upstream) <= 10, len(upstream)  # per client address per minute; repeats cached


def test_http_mode_says_when_revocations_are_not_durable(
    http_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    from mcp_server.http_app import create_app
    from mcp_server.settings import ServerSettings
    from twenty_api.settings import TwentySettings

    caplog.set_level(logging.WARNING)
    fields = {k.lower(): v for k, v in http_env.items() if k.startswith("MCP_")}
    create_app(ServerSettings(twenty=TwentySettings.from_env(http_env), **fields))
    assert "kept in memory only" in caplog.text
