"""Replay the captured examples, in order, against a Twenty (the fake or a real one).

Examples depend on each other (a later one uses the id an earlier create returned), so the
replayer keeps a map from captured values (new record ids, cursors, tokens) to the values the
target answered, learnt by walking each captured answer alongside the target's answer.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import quote

import httpx

from tests.fake_twenty import contract_data

from .shape import compare_error_texts, compare_response, compare_shapes

SKIPS: dict[str, str] = {
    "199n-rest-get-person-after-change": (
        "reads a person created by a call outside the examples (app-sync/calls/06-…/02-rest-people.json), "
        "so a replay of the examples alone has no such record"
    ),
}
# Known, explained differences: example -> {problem prefix: why it is accepted}.
ALLOWED: dict[str, dict[str, str]] = {
    "109-graphql-restore-company": {
        "$.data.r.deletedAt": (
            "2.21 ran the aliased restore alongside the delete (see the capture's note); the fake runs "
            "root mutations in order, as the GraphQL spec says, so the restore answers deletedAt null"
        ),
    },
}
SUMMARISED = "198-cli-apply-8-graphql-introspection-app-token"  # types replaced by a summary string
# The capture names the application token differently in 197's answer and 198's header.
TOKEN_ALIASES = {"<APPLICATION_TOKEN>": "<APPLICATION_ACCESS_TOKEN>"}
_NO_BUNDLE = (
    "the capture does not include the app's built bundles, so a replay uploads placeholder bytes and a real "
    "Twenty would run them; only the fake (with the emulated handler) can be compared"
)
LIVE_SKIPS: dict[str, str] = {
    name: _NO_BUNDLE
    for name in (
        "199-route-get-hello-sync-after-deploy",
        "199d-route-get-hello-sync-secret-visible",
        "199m-route-get-hello-sync-after-change",
        "199r-route-after-resync-keeps-admin-value",
        "199f-rest-get-person-jobTitle-set-by-trigger",
    )
}
_PLACEHOLDER = re.compile(r"^<[A-Z_]+>$")
_LEARN_KEYS = re.compile(r"(^id$|Id$|[cC]ursor$|^token$|[tT]oken$)")


@dataclass
class Outcome:
    name: str
    status: int | None = None
    body: Any = None
    problems: list[str] = field(default_factory=list)
    skip: str | None = None


@dataclass
class Target:
    """Where to replay: a base URL and credentials; hooks let the fake switch its rate limiter."""

    base_url: str
    api_key: str
    user_token: str | None = None
    set_rate_limit: Callable[[bool], None] | None = None
    timeout: float = 30.0
    pace: float = 0.0  # seconds between examples (a real Twenty throttles API keys at 100 per 60 s)
    live: bool = False


class Replayer:
    def __init__(self, target: Target, names: list[str]) -> None:
        self.target = target
        self.names = names
        self.outcomes: dict[str, Outcome] = {}
        self.values: dict[str, str] = {}
        self._next = 0
        self._rate_limited = False
        self._seed_ids = _seed_ids()
        self.client = httpx.Client(base_url=target.base_url, timeout=target.timeout, follow_redirects=False)

    def close(self) -> None:
        self.client.close()

    def outcome(self, name: str) -> Outcome:
        while name not in self.outcomes and self._next < len(self.names):
            current = self.names[self._next]
            self._next += 1
            self.outcomes[current] = self._replay(current)
        return self.outcomes[name]

    # ---- one example -------------------------------------------------------------------------
    def _replay(self, name: str) -> Outcome:
        if name in SKIPS:
            return Outcome(name, skip=SKIPS[name])
        if self.target.live and name in LIVE_SKIPS:
            return Outcome(name, skip=LIVE_SKIPS[name])
        if self.target.pace:
            time.sleep(self.target.pace)
        ex = contract_data.load_example(name)
        headers = dict(ex.get("request_headers") or {})
        auth = headers.get("Authorization", "")
        if "<USER_TOKEN>" in auth and not self.target.user_token:
            return Outcome(name, skip="needs a user access token (set TWENTY_CONTRACT_USER_TOKEN)")
        if name.startswith(("200-rate-limit", "201-rate-limit")):
            response = self._send_when_limited(ex, headers)
        else:
            response = self._send(ex, headers)
        if name.startswith("201-rate-limit") and self.target.set_rate_limit:
            self.target.set_rate_limit(False)
        body = _decode(response)
        if ex.get("response_body") is None:
            problems = _compare_raw(ex, response)
        elif name == SUMMARISED:
            problems = _compare_summarised_introspection(ex, response.status_code, body)
        else:
            records_api = ex["path"].startswith(("/rest/", "/graphql")) and not ex["path"].startswith(
                "/rest/metadata"
            )
            problems = compare_response(
                ex["status"],
                ex.get("response_body"),
                response.status_code,
                body,
                _free_form_fields(),
                records_api,
            )
            problems += compare_error_texts(ex.get("response_body"), body, self._substitute_text)
        allowed = ALLOWED.get(name, {})
        problems = [p for p in problems if not any(p.startswith(prefix) for prefix in allowed)]
        self._learn(ex.get("response_body"), body)
        return Outcome(name, response.status_code, body, problems)

    def _send(self, ex: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        headers = {k: self._substitute_text(v) for k, v in headers.items()}
        if "Authorization" in headers:
            headers["Authorization"] = (
                headers["Authorization"]
                .replace("<API_KEY>", self.target.api_key)
                .replace("<USER_TOKEN>", self.target.user_token or "")
            )
        path = self._substitute_path(ex["path"])
        body = self._substitute(ex.get("request_body"))
        if isinstance(body, dict) and "multipart" in body:
            headers.pop("Content-Type", None)
            return self.client.request(ex["method"], path, headers=headers, **_multipart(body["multipart"]))
        content = json.dumps(body).encode() if body is not None else None
        return self.client.request(ex["method"], path, headers=headers, content=content)

    def _send_when_limited(self, ex: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        """Empty the bucket, then send; it refills ~1.7 tokens/s, so on a busy machine a token can
        come back in between: try again (a few times) until the request meets an empty bucket."""
        for _ in range(5):
            self._exhaust_rate_limit()
            response = self._send(ex, headers)
            if response.status_code == 429 or "LIMIT_REACHED" in response.text:
                break
        return response

    def _exhaust_rate_limit(self) -> None:
        if self.target.set_rate_limit and not self._rate_limited:
            self.target.set_rate_limit(True)
            self._rate_limited = True
        headers = {"Authorization": f"Bearer {self.target.api_key}"}
        for _ in range(400):
            if self.client.get("/rest/companies?limit=1&depth=0", headers=headers).status_code == 429:
                return

    # ---- id / cursor / token mapping ---------------------------------------------------------
    def _learn(self, captured: Any, actual: Any, key: str = "") -> None:
        if isinstance(captured, dict) and isinstance(actual, dict):
            for k, v in captured.items():
                if k in actual:
                    self._learn(v, actual[k], k)
        elif isinstance(captured, list) and isinstance(actual, list):
            for c, a in zip(captured, actual, strict=False):
                self._learn(c, a, key)
        elif isinstance(captured, str) and isinstance(actual, str) and captured != actual:
            learnable = _PLACEHOLDER.match(captured) or (
                _LEARN_KEYS.search(key) and captured not in self._seed_ids
            )
            if learnable and captured not in self.values:
                self.values[captured] = actual

    def _substitute_text(self, text: str) -> str:
        for alias, captured in TOKEN_ALIASES.items():
            if alias in text and captured in self.values:
                text = text.replace(alias, self.values[captured])
        for old, new in self.values.items():
            if old in text:
                text = text.replace(old, new)
        return text

    def _substitute_path(self, path: str) -> str:
        for old, new in self.values.items():
            if old in path:
                path = path.replace(old, new)
            encoded = quote(old, safe="")
            if encoded != old and encoded in path:
                path = path.replace(encoded, quote(new, safe=""))
        return path

    def _substitute(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._substitute_text(value)
        if isinstance(value, list):
            return [self._substitute(v) for v in value]
        if isinstance(value, dict):
            return {k: self._substitute(v) for k, v in value.items()}
        return value


def _sse_data(text: str) -> Any:
    lines = [ln[5:].strip() for ln in text.splitlines() if ln.startswith("data:")]
    return json.loads(lines[0]) if lines else None


def _compare_raw(ex: dict[str, Any], response: httpx.Response) -> list[str]:
    """Answers captured as raw text: an empty body (202) or a server-sent event (213)."""
    problems = compare_response(ex["status"], {}, response.status_code, {})
    raw = ex.get("response_body_raw") or ""
    content_type = str(ex.get("response_content_type") or "")
    if not raw:
        if response.content:
            problems.append(f"expected an empty body, got {response.text[:200]!r}")
        return problems
    if content_type.startswith("text/event-stream"):
        if not response.headers.get("content-type", "").startswith("text/event-stream"):
            problems.append(f"expected text/event-stream, got {response.headers.get('content-type')}")
            return problems
        problems += compare_shapes(_sse_data(raw), _sse_data(response.text))
    return problems


def _compare_summarised_introspection(ex: dict[str, Any], status: int, body: Any) -> list[str]:
    """198 keeps root types and a sample of type names: hold the answer to exactly those."""
    captured = ex["response_body"]["data"]["__schema"]
    problems = compare_response(ex["status"], {}, status, {})
    schema = (body or {}).get("data", {}).get("__schema") if isinstance(body, dict) else None
    if not isinstance(schema, dict):
        return [*problems, f"no data.__schema in the answer: {str(body)[:200]}"]
    for key in ("queryType", "mutationType", "subscriptionType"):
        if schema.get(key) != captured[key]:
            problems.append(f"$.data.__schema.{key}: expected {captured[key]}, got {schema.get(key)}")
    names = {t.get("name") for t in schema.get("types") or []}
    missing = [n for n in captured["typeNames(sample)"] if n not in names]
    if missing:
        problems.append(f"$.data.__schema.types: missing {missing[:10]}")
    return problems


def _multipart(spec: dict[str, Any]) -> dict[str, Any]:
    files = {
        f["name"]: (
            f["filename"],
            b"x" * int(f.get("size") or 1),
            f.get("content_type") or "application/octet-stream",
        )
        for f in spec.get("files") or []
    }
    data = {"operations": json.dumps(spec["operations"]), "map": json.dumps(spec["map"])}
    return {"data": data, "files": files}


def _decode(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


@cache
def _free_form_fields() -> frozenset[str]:
    """Names of RAW_JSON fields: their content is data, compared by type only."""
    return frozenset(
        f["name"] for o in contract_data.objects_metadata() for f in o["fields"] if f["type"] == "RAW_JSON"
    )


def _seed_ids() -> set[str]:
    ids: set[str] = set()
    for records in contract_data.seed_records().values():
        ids.update(r["id"] for r in records)
    return ids
