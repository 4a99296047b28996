"""A real Twenty named by TWENTY_LIVE_URL / TWENTY_LIVE_KEY (and TWENTY_LIVE_USER_EMAIL /
TWENTY_LIVE_USER_PASSWORD for the user-session tools), with the part of the fake's test interface
that tests written for both need: base_url, api_key, user credentials, and records(plural)."""

from __future__ import annotations

import os
from typing import Any

import httpx


class LiveTwenty:
    def __init__(self) -> None:
        self.base_url = os.environ["TWENTY_LIVE_URL"].rstrip("/")
        self.api_key = os.environ["TWENTY_LIVE_KEY"]
        self.user_token = os.environ.get("TWENTY_LIVE_USER_TOKEN", "")
        self.user_email = os.environ.get("TWENTY_LIVE_USER_EMAIL", "")
        self.user_password = os.environ.get("TWENTY_LIVE_USER_PASSWORD", "")

    def records(self, plural: str, limit: int = 60) -> list[dict[str, Any]]:
        """The oldest records of an object (the seed's, on a seeded workspace)."""
        answer = httpx.get(
            f"{self.base_url}/rest/{plural}",
            params={"limit": limit, "order_by": "createdAt[AscNullsFirst]", "depth": 0},
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=30,
        )
        answer.raise_for_status()
        return list(answer.json()["data"][plural])
