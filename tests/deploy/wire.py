"""Counting writes on the wire: an httpx transport that classifies every request the client sends
(GraphQL mutations other than dry runs, multipart uploads, REST POST/PATCH/PUT/DELETE are writes)
and can simulate the deploy process dying right after the server processed the n-th write."""

from __future__ import annotations

import json
import re

import httpx

MUTATION = re.compile(r"^\s*mutation\b")


class Killed(BaseException):
    """Raised after the server processed a write; BaseException so nothing swallows it."""


def classify(request: httpx.Request) -> str | None:
    """The write's label, or None for a read."""
    if request.method == "GET":
        return None
    path = request.url.path
    if path in ("/graphql", "/metadata"):
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("multipart/"):
            return "upload"
        body = json.loads(request.content or b"{}")
        query = str(body.get("query", ""))
        if not MUTATION.match(query):
            return None
        if (body.get("variables") or {}).get("dryRun") is True:
            return None
        name = re.search(r"\{\s*(\w+)", query[query.index("{"):]) if "{" in query else None
        return name.group(1) if name else "mutation"
    return f"{request.method} {path}"


class CountingTransport(httpx.AsyncBaseTransport):
    def __init__(self, kill_after: int | None = None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.writes: list[str] = []
        self.requests = 0
        self.kill_after = kill_after

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        label = classify(request)
        response = await self.inner.handle_async_request(request)
        self.requests += 1
        if label is not None:
            self.writes.append(label)
            if self.kill_after is not None and len(self.writes) >= self.kill_after:
                await response.aread()
                raise Killed(f"killed after write #{len(self.writes)} ({label})")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
