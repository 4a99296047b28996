"""Shared steps of the OAuth flow (register, authorize, token, revoke) for the httpx and browser tests."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import httpx


@dataclass
class Pending:
    client_id: str
    redirect_uri: str
    verifier: str
    state: str
    consent_url: str


async def register_and_authorize(http: httpx.AsyncClient, redirect_uri: str) -> Pending:
    meta = (await http.get("/.well-known/oauth-authorization-server")).json()
    assert meta["registration_endpoint"].endswith("/register")
    assert "S256" in meta["code_challenge_methods_supported"]
    r = await http.post(
        "/register",
        json={
            "redirect_uris": [redirect_uri],
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "client_name": "Test Agent",
        },
    )
    assert r.status_code == 201, r.text
    client_id = r.json()["client_id"]
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    state = secrets.token_urlsafe(8)
    r = await http.get(
        "/authorize",
        params={
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
        },
    )
    assert r.status_code == 302, r.text
    consent_url = r.headers["location"]
    assert "/consent?request=" in consent_url
    return Pending(client_id, redirect_uri, verifier, state, consent_url)


def hidden(html: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert match, f"no hidden {name}"
    return match.group(1).replace("&amp;", "&")


def code_from(location: str, state: str) -> str:
    query = parse_qs(urlparse(location).query)
    assert query["state"] == [state]
    return query["code"][0]


async def exchange(http: httpx.AsyncClient, pending: Pending, code: str) -> dict[str, str]:
    r = await http.post(
        "/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": pending.redirect_uri,
            "client_id": pending.client_id,
            "code_verifier": pending.verifier,
        },
    )
    assert r.status_code == 200, r.text
    return r.json()
