"""OAuth 2.1 end to end over real HTTP: register, authorize, consent POST, token, call, refresh, revoke."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from .conftest import HttpServer
from .oauth_flow import code_from, exchange, hidden, register_and_authorize
from .test_http import mcp_over_http

pytestmark = pytest.mark.anyio


async def _consent(http: httpx.AsyncClient, consent_url: str, **form: str) -> httpx.Response:
    page = await http.get(consent_url)
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    data = {"request": hidden(page.text, "request"), "csrf": hidden(page.text, "csrf"), **form}
    return await http.post("/consent", data=data)


async def test_oauth_flow_end_to_end(
    http_env: dict[str, str], fake_twenty: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    key = fake_twenty.api_key
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, "http://127.0.0.1:9/callback")
            bad = await _consent(
                http, pending.consent_url, api_key="wrong-key", mode="read-only", action="approve"
            )
            assert bad.status_code == 400 and "did not accept" in bad.text
            r = await _consent(
                http, pending.consent_url, api_key=key, mode="read-only", objects="People", action="approve"
            )
            assert r.status_code == 303, r.text
            location = r.headers["location"]
            assert location.startswith("http://127.0.0.1:9/callback?")
            assert key not in location and key not in pending.consent_url
            tokens = await exchange(http, pending, code_from(location, pending.state))
            assert key not in tokens["access_token"]
            # The code is single use.
            again = await http.post(
                "/token",
                data={
                    "grant_type": "authorization_code",
                    "code": code_from(location, pending.state),
                    "redirect_uri": pending.redirect_uri,
                    "client_id": pending.client_id,
                    "code_verifier": pending.verifier,
                },
            )
            assert again.status_code == 400

            async with mcp_over_http(srv.url, tokens["access_token"]) as client:
                names = {t.name for t in (await client.list_tools()).tools}
                assert "twenty_create_record" not in names  # read-only chosen on the consent page
                ok = await client.call_tool("twenty_list_records", {"object": "people", "limit": 2})
                assert not ok.is_error, ok.content
                scoped = await client.call_tool("twenty_list_records", {"object": "companies"})
                assert scoped.is_error and "allowed objects" in scoped.content[0].text

            r = await http.post(
                "/token",
                data={
                    "grant_type": "refresh_token",
                    "client_id": pending.client_id,
                    "refresh_token": tokens["refresh_token"],
                },
            )
            assert r.status_code == 200, r.text
            fresh = r.json()
            old = await http.post(
                "/mcp", json={}, headers={"Authorization": f"Bearer {tokens['access_token']}"}
            )
            assert old.status_code == 401  # refresh rotated the grant

            r = await http.post(
                "/revoke",
                # mcp 2.3.0's RevocationRequest declares client_secret with no default: send it empty.
                data={"token": fresh["access_token"], "client_id": pending.client_id, "client_secret": ""},
            )
            assert r.status_code == 200, r.text
            gone = await http.post(
                "/mcp", json={}, headers={"Authorization": f"Bearer {fresh['access_token']}"}
            )
            assert gone.status_code == 401
    assert caplog.records, "the server logged nothing: the key check below would prove nothing"
    assert key not in caplog.text


async def test_consent_refuses_forgery(http_env: dict[str, str], fake_twenty: Any) -> None:
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            pending = await register_and_authorize(http, "http://127.0.0.1:9/callback")
            page = await http.get(pending.consent_url)
            request, csrf = hidden(page.text, "request"), hidden(page.text, "csrf")
            form = {"api_key": fake_twenty.api_key, "mode": "read-write", "action": "approve"}
            # No cookie (cross-site POST): refused.
            async with httpx.AsyncClient(base_url=srv.url) as other:
                r = await other.post("/consent", data={"request": request, "csrf": csrf, **form})
                assert r.status_code == 400 and "CSRF" in r.text
            # Tampered sealed request: refused.
            r = await http.post("/consent", data={"request": request[:-4] + "AAAA", "csrf": csrf, **form})
            assert r.status_code == 400
            # CSRF token from another consent request: refused.
            other_pending = await register_and_authorize(http, "http://127.0.0.1:9/callback")
            other_page = await http.get(other_pending.consent_url)
            r = await http.post(
                "/consent", data={"request": request, "csrf": hidden(other_page.text, "csrf"), **form}
            )
            assert r.status_code == 400
            # Deny goes back to the client with access_denied.
            page = await http.get(pending.consent_url)
            r = await http.post(
                "/consent",
                data={
                    "request": hidden(page.text, "request"),
                    "csrf": hidden(page.text, "csrf"),
                    "action": "deny",
                },
            )
            assert r.status_code == 303 and "error=access_denied" in r.headers["location"]
            assert urlparse(r.headers["location"]).netloc == "127.0.0.1:9"
