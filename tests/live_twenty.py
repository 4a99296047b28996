"""A real Twenty named by TWENTY_LIVE_URL / TWENTY_LIVE_KEY (and TWENTY_LIVE_USER_EMAIL /
TWENTY_LIVE_USER_PASSWORD for the user-session tools), with the part of the fake's test interface
that tests written for both need: base_url, api_key, user credentials, and records(plural); and
for the live-only tests, the API key's own calls: rest(), meta(), all(), run_function(), wait() for
what the worker does, and build_apps() for the apps a test deploys."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

import httpx


class LiveTwenty:
    def __init__(self) -> None:
        self.base_url = os.environ["TWENTY_LIVE_URL"].rstrip("/")
        self.api_key = os.environ["TWENTY_LIVE_KEY"]
        self.user_token = os.environ.get("TWENTY_LIVE_USER_TOKEN", "")
        self.user_email = os.environ.get("TWENTY_LIVE_USER_EMAIL", "")
        self.user_password = os.environ.get("TWENTY_LIVE_USER_PASSWORD", "")
        self.created: list[tuple[str, str]] = []  # (plural, id) made by create(), for the clean-up

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

    @cached_property
    def http(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url, timeout=900, headers={"Authorization": f"Bearer {self.api_key}"}
        )

    def rest(self, method: str, path: str, **kw: Any) -> Any:
        """A REST call with the API key, its JSON answer; a 429 (the workspace's 100 requests a
        minute, shared with the apps' own calls) waits 6 s and tries again, up to 9 times."""
        for _ in range(10):
            answer = self.http.request(method, f"/rest/{path}", **kw)
            if answer.status_code != 429:
                break
            time.sleep(6)
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text[:300]}"
        return answer.json() if answer.content else {}

    def create(self, plural: str, singular: str, data: dict[str, Any]) -> dict[str, Any]:
        """POST a record and remember it in ``created`` (the test's clean-up deletes those)."""
        made = self.rest("POST", plural, json=data)["data"][f"create{singular}"]
        self.created.append((plural, made["id"]))
        return made

    def wait(self, what: str, probe: Callable[[], Any], seconds: float, every: float = 2.0) -> Any:
        """The first truthy answer of ``probe`` within ``seconds`` (what the worker does later)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            got = probe()
            if got:
                return got
            time.sleep(every)
        raise AssertionError(f"{what}: not within {seconds:.0f} s")

    def meta(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = self.http.post("/metadata", json={"query": query, "variables": variables or {}}).json()
        assert not body.get("errors"), body["errors"]
        return body["data"]

    def all(self, plural: str, filter: str | None = None) -> list[dict[str, Any]]:
        """Every record of an object (a REST filter string optional), page by page."""
        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 200, "depth": 0}
            if filter:
                params["filter"] = filter
            if cursor:
                params["starting_after"] = cursor
            answer = self.http.get(f"/rest/{plural}", params=params)
            assert answer.status_code < 300, f"GET {plural}: {answer.status_code} {answer.text[:300]}"
            body = answer.json()
            out.extend(body["data"][plural])
            if not body["pageInfo"]["hasNextPage"]:
                return out
            cursor = body["pageInfo"]["endCursor"]

    def run_function(self, name: str) -> dict[str, Any]:
        """Run an app's cron logic function now (executeOneLogicFunction) and return its data."""
        functions = self.meta("{ findManyLogicFunctions { id name cronTriggerSettings } }")
        (fn,) = [f for f in functions["findManyLogicFunctions"] if f["name"] == name]
        assert fn["cronTriggerSettings"]["pattern"]
        started = time.monotonic()
        run = self.meta(
            "mutation($input: ExecuteOneLogicFunctionInput!){ executeOneLogicFunction(input:$input)"
            "{ data status error duration } }",
            {"input": {"id": fn["id"], "payload": {}}},
        )["executeOneLogicFunction"]
        assert run["status"] == "SUCCESS", run["error"]
        data = run["data"] if isinstance(run["data"], dict) else json.loads(run["data"])
        took = time.monotonic() - started
        print(f"\n{name}: {json.dumps(data)} in {run.get('duration')} ms ({took:.1f} s)")
        return data


def build_apps(*names: str) -> None:
    """`node scripts/build-apps.mjs <names>` in apps/, with the project's Node (tooling.node)."""
    from tooling.node import node_env

    env = {**os.environ, **node_env(install=False)}
    apps = Path(__file__).resolve().parents[1] / "apps"
    build = subprocess.run(
        ["node", "scripts/build-apps.mjs", *names],
        cwd=apps,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stdout + build.stderr
