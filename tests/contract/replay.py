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

SKIPS: dict[str, str] = {}
# Captured calls outside the examples that an example reads the result of: replayed (and held to
# the capture) right before it.
PRELUDES: dict[str, tuple[str, ...]] = {
    "199n-rest-get-person-after-change": (
        "app-sync/calls/06-route-and-person-after-change/02-rest-people.json",
    ),
    # the sdk 2.23 deploy re-created the development application (uninstalled in 199s) first
    "199v-sdk223-uploadApplicationFile-source-ts": (
        "app-sync/calls/21-sdk223-apply/05-CreateDevelopmentApplication.json",
    ),
}
# Examples that read what a database-event logic function wrote: a real Twenty runs it on the
# worker a moment later (the capture saw it within 3 s), so a live replay polls for a while.
EVENTUAL = frozenset({"199f-rest-get-person-jobTitle-set-by-trigger", "199n-rest-get-person-after-change"})
EVENTUAL_SECONDS = 20.0
# Known, explained differences: example -> {problem prefix: why it is accepted}.
ALLOWED: dict[str, dict[str, str]] = {
    "109-graphql-restore-company": {
        "$.data.r.deletedAt": (
            "2.21 ran the aliased restore alongside the delete (see the capture's note); the fake runs "
            "root mutations in order, as the GraphQL spec says, so the restore answers deletedAt null"
        ),
        "$.data.d.deletedAt": (
            "the same race seen from the other side: a live 2.21.0 replay (docs/live.md) answered the "
            "delete with deletedAt null once, the restore having run first; which one wins varies"
        ),
    },
}
SUMMARISED = "198-cli-apply-8-graphql-introspection-app-token"  # types replaced by a summary string
# The capture names the application token differently in 197's answer and 198's header.
TOKEN_ALIASES = {"<APPLICATION_TOKEN>": "<APPLICATION_ACCESS_TOKEN>"}
# Known examples a live replay cannot run, with the reason (none today: the app's bundles are
# built for real by tests/contract/app_build.py).
LIVE_SKIPS: dict[str, str] = {}
# Examples whose answer depends on what earlier examples wrote: skipped (with the reason) when one
# of those was skipped, instead of failing on an answer that is only different because of it.
DEPENDS: dict[str, tuple[str, ...]] = {
    "067-rest-list-blocklists": (
        "065b-rest-create-blocklist-email-user-token",
        "066-rest-create-blocklist-domain",
    ),
}
# Keys that identify an item of a list independently of its position (metadata lists come back in
# random id order in 2.21: objects, fields, views, roles...).
IDENTITY_KEYS = ("universalIdentifier", "nameSingular", "namePlural", "name", "key", "label")
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
    # example -> the real bytes to upload (tests/contract/app_build.py); placeholders otherwise
    uploads: dict[str, bytes] = field(default_factory=dict)
    # captured value -> the value that goes with our uploads (the package.json checksum)
    aliases: dict[str, str] = field(default_factory=dict)


class Replayer:
    def __init__(self, target: Target, names: list[str]) -> None:
        self.target = target
        self.names = names
        self.outcomes: dict[str, Outcome] = {}
        self.values: dict[str, str] = dict(target.aliases)
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
        for dependency in DEPENDS.get(name, ()):
            earlier = self.outcome(dependency)
            if earlier.skip:
                return Outcome(name, skip=f"depends on {dependency}, which was skipped: {earlier.skip}")
        if self.target.pace:
            time.sleep(self.target.pace)
        for prelude in PRELUDES.get(name, ()):
            before = contract_data.load_json(prelude)
            problems = self._compare(
                prelude, before, self._send(before, dict(before.get("request_headers") or {}))
            )
            if problems:
                return Outcome(name, problems=[f"prelude {prelude}: {p}" for p in problems])
        ex = contract_data.load_example(name)
        headers = dict(ex.get("request_headers") or {})
        auth = headers.get("Authorization", "")
        if "<USER_TOKEN>" in auth and not self.target.user_token:
            return Outcome(name, skip="needs a user access token (set TWENTY_LIVE_USER_TOKEN)")
        if name.startswith(("200-rate-limit", "201-rate-limit")):
            response = self._send_when_limited(ex, headers)
        else:
            response = self._send(ex, headers, self.target.uploads.get(name))
        if name.startswith("201-rate-limit") and self.target.set_rate_limit:
            self.target.set_rate_limit(False)
        deadline = time.monotonic() + (EVENTUAL_SECONDS if self.target.live and name in EVENTUAL else 0)
        problems = self._compare(name, ex, response)
        while problems and time.monotonic() < deadline:
            time.sleep(1.0)
            response = self._send(ex, headers)
            problems = self._compare(name, ex, response)
        return Outcome(name, response.status_code, _decode(response), problems)

    def _compare(self, name: str, ex: dict[str, Any], response: httpx.Response) -> list[str]:
        """What differs from the capture (after the accepted differences); learns new ids as it goes."""
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
        return problems

    def _send(
        self, ex: dict[str, Any], headers: dict[str, str], upload: bytes | None = None
    ) -> httpx.Response:
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
            return self.client.request(
                ex["method"], path, headers=headers, **_multipart(body["multipart"], upload)
            )
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
            for c, a in pair_items(captured, actual):
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


def _identity(item: Any) -> tuple[str, str] | None:
    """(key, value) naming a list item independently of its position, if it has one."""
    if not isinstance(item, dict):
        return None
    node = item.get("node") if isinstance(item.get("node"), dict) else item
    for key in IDENTITY_KEYS:
        value = node.get(key)
        if isinstance(value, str) and value:
            return key, value
    return None


def pair_items(captured: list[Any], actual: list[Any]) -> list[tuple[Any, Any]]:
    """Pair the items of a captured list with the target's: by identity (universalIdentifier,
    nameSingular, name, ...) where the items have one, else by position. Metadata lists come back
    in random id order, so pairing by position would map one object's ids onto another's."""
    by_identity: dict[tuple[str, str], list[int]] = {}
    for index, item in enumerate(actual):
        ident = _identity(item)
        if ident is not None:
            by_identity.setdefault(ident, []).append(index)
    used: set[int] = set()
    pairs: list[tuple[Any, Any]] = []
    unmatched: list[int] = []
    for position, item in enumerate(captured):
        ident = _identity(item)
        candidates = [i for i in by_identity.get(ident, []) if i not in used] if ident else []
        if candidates:
            used.add(candidates[0])
            pairs.append((item, actual[candidates[0]]))
        elif ident is None:
            unmatched.append(position)
    for position in unmatched:  # items with no identity keep their place, if it is still free
        if position < len(actual) and position not in used:
            used.add(position)
            pairs.append((captured[position], actual[position]))
    return pairs


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


def _multipart(spec: dict[str, Any], upload: bytes | None = None) -> dict[str, Any]:
    files = {
        f["name"]: (
            f["filename"],
            upload if upload is not None else b"x" * int(f.get("size") or 1),
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
