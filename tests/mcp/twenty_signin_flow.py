"""Shared steps of "Sign in with Twenty" for the fake and the live tests: our consent page's
Twenty button, then Twenty's consent route played the way its front end does
(packages/twenty-front/src/pages/auth/Authorize.tsx: findApplicationRegistrationByClientId, then
authorizeApp with the signed-in user's session token, then the browser goes to the answered
redirectUrl with ``theme`` appended), then our callback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from twenty_api import TwentyClient
from twenty_api.oauth import authorize_app, find_application_registration

from .oauth_flow import Pending, hidden


@dataclass
class TwentyTrip:
    authorize_url: str  # where our server sent the browser: Twenty's consent route
    client_id: str  # our server's client_id at Twenty
    registration: dict  # what Twenty's consent page shows (232)
    landed: httpx.Response  # our callback's answer


async def consent_with_twenty(
    http: httpx.AsyncClient, pending: Pending, *, mode: str = "read-write", objects: str = ""
) -> str:
    """Our consent page, "Sign in with Twenty": Twenty's consent URL we are sent to."""
    page = await http.get(pending.consent_url)
    assert page.status_code == 200 and 'id="twenty"' in page.text
    form = {
        "request": hidden(page.text, "request"),
        "csrf": hidden(page.text, "csrf"),
        "mode": mode,
        "objects": objects,
        "action": "twenty",
    }
    r = await http.post("/consent", data=form)
    assert r.status_code == 303, r.text
    return r.headers["location"]


async def play_twenty_front(
    http: httpx.AsyncClient, authorize_url: str, twenty_url: str, user_token: str
) -> TwentyTrip:
    """Twenty's front-end consent route, as the browser would run it, then our callback."""
    query = {k: v[0] for k, v in parse_qs(urlparse(authorize_url).query).items()}
    client_id = query["client_id"]
    registration = await find_application_registration(twenty_url, client_id)
    assert registration is not None, "Twenty does not know our server's client_id"
    redirect = await authorize_app(
        twenty_url, user_token, client_id, query["redirect_uri"], query["code_challenge"], query["state"]
    )
    landed = await http.get(redirect + "&theme=light")
    return TwentyTrip(authorize_url, client_id, registration, landed)


async def sign_in_with_twenty(
    http: httpx.AsyncClient,
    pending: Pending,
    twenty_url: str,
    user_token: str,
    *,
    mode: str = "read-write",
    objects: str = "",
) -> TwentyTrip:
    authorize_url = await consent_with_twenty(http, pending, mode=mode, objects=objects)
    return await play_twenty_front(http, authorize_url, twenty_url, user_token)


async def user_session_token(target: Any, email: str | None = None) -> str:
    """A signed-in user's session token for Twenty's consent step: the fake's, the live one from
    TWENTY_LIVE_USER_TOKEN, or a fresh login with TWENTY_LIVE_USER_EMAIL (or ``email``) and
    TWENTY_LIVE_USER_PASSWORD."""
    if getattr(target, "user_token", "") and email is None:
        return str(target.user_token)
    session = await TwentyClient.login(target.base_url, email or target.user_email, target.user_password)
    try:
        return session._token
    finally:
        await session.aclose()
