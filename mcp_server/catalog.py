"""The tool catalogue: every tool's published definition (name, description, schemas, annotations)
plus its group and write flag, committed as tool_catalog.json.

Why: building 43 pydantic argument/result models costs ~0.3 s at start, more than the whole
cold-start budget. The server answers tools/list from this catalogue and binds a tool's function
(importing its module, building its models) the first time that tool is called. The catalogue is
generated from the code (`python -m mcp_server.catalog`) and a test fails if it drifts.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("tool_catalog.json")


def generate(*, compact: bool = True) -> dict[str, Any]:
    """Build the catalogue from the tool code, as MCPServer would publish it; `compact` writes the
    same schemas shorter (see `compact_schema`; tests compare both)."""
    import anyio
    from mcp.server.mcpserver import MCPServer

    from . import tools as _tools  # noqa: F401 - fills the registry
    from .registry import TOOLS

    server: MCPServer[Any] = MCPServer("catalog")
    for spec in TOOLS.values():
        # Text-only results (server.answer): no outputSchema is published, none is promised.
        server.add_tool(spec.fn, name=spec.name, annotations=spec.annotations, structured_output=False)
    published = anyio.run(server.list_tools)
    for tool in published:
        # The server refuses unknown arguments (server.py); publish that, so clients see it too.
        tool.input_schema["additionalProperties"] = False
        _drop_titles(tool.input_schema)
        if compact:
            tool.input_schema = compact_schema(tool.input_schema)
            tool.description = _one_line(tool.description)
            ann = tool.annotations
            if ann is not None and ann.read_only_hint:  # meaningful only for a tool that writes (spec)
                ann.idempotent_hint = None
    tools = {
        "tools": [
            {
                "group": TOOLS[t.name].group,
                "writes": TOOLS[t.name].writes,
                "module": TOOLS[t.name].fn.__module__,
                "definition": t.model_dump(mode="json", by_alias=True, exclude_none=True),
            }
            for t in sorted(published, key=lambda t: t.name)
        ]
    }
    return {**tools, "handshake": anyio.run(_capture_handshake, tools)}


def _drop_titles(schema: Any) -> None:
    """pydantic's generated titles ("Order By", "twenty_list_recordsArguments") repeat the names:
    ~2 KB of tools/list that tells a model nothing. A property named "title" stays."""
    if isinstance(schema, dict):
        if isinstance(schema.get("title"), str):
            del schema["title"]
        for value in schema.values():
            _drop_titles(value)
    elif isinstance(schema, list):
        for value in schema:
            _drop_titles(value)


def _one_line(text: str | None) -> str | None:
    """A docstring's line breaks and indentation as single spaces."""
    return re.sub(r"\s*\n\s*", " ", text).strip() if text else text


def compact_schema(schema: Any) -> Any:
    """The same JSON Schema, shorter: what it accepts and what it tells a model are unchanged.

    - `anyOf: [X, {type: null}]` (pydantic's `X | None`) as X with `type: [t, "null"]` when X is one
      plain type (an `enum`/`const` gains null), so `{"anyOf":[{"type":"string","maxLength":9},
      {"type":"null"}]}` becomes `{"type":["string","null"],"maxLength":9}`; a `$ref` stays an anyOf;
    - no `default: null` (an annotation; leaving the property out means the same);
    - no `discriminator` (OpenAPI's, not JSON Schema's: each branch's `const` already tells them apart);
    - no `additionalProperties: true` (JSON Schema's default);
    - descriptions on one line (docstring indentation).
    """
    if isinstance(schema, list):
        return [compact_schema(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "discriminator" or (key == "additionalProperties" and value is True):
            continue
        if key == "default" and value is None:
            continue
        if key in ("enum", "const", "default", "examples"):
            out[key] = value  # values, not schemas
        elif key == "description" and isinstance(value, str):
            out[key] = _one_line(value)
        elif key in ("properties", "$defs") and isinstance(value, dict):
            out[key] = {name: compact_schema(sub) for name, sub in value.items()}  # names, not keywords
        else:
            out[key] = compact_schema(value)
    return _nullable(out)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2 or {"type": "null"} not in branches:
        return schema
    other = branches[0] if branches[1] == {"type": "null"} else branches[1]
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    if not isinstance(other.get("type"), str) or set(other) & set(rest):
        return schema
    merged = {**rest, **other, "type": [other["type"], "null"]}
    if "const" in merged:
        merged["enum"] = [merged.pop("const")]
    if "enum" in merged:
        merged["enum"] = [*merged["enum"], None]
    return merged


async def _capture_handshake(tools: dict[str, Any]) -> dict[str, Any]:
    """What our server answers at a session's start, per protocol version, from the server itself
    over its stdio code path: stdio_front.py answers from this before the SDK is imported."""
    import tempfile

    from mcp_types.version import (
        HANDSHAKE_PROTOCOL_VERSIONS,
        LATEST_HANDSHAKE_VERSION,
        MODERN_PROTOCOL_VERSIONS,
    )

    from twenty_api.settings import TwentySettings

    from .server import build_server
    from .settings import ServerSettings

    fixed = ("resources/list", "resources/templates/list", "prompts/list")
    catalog_tools = [e["definition"] for e in tools["tools"]]
    answers: dict[str, Any] = {}
    as_catalog = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = ServerSettings(
            twenty=TwentySettings(api_url="http://127.0.0.1:9", api_key="catalog"),
            mcp_primer_path=f"{tmp}/p.md",
        )
        server = build_server(settings, tool_catalog=tools)
        lowlevel = server._lowlevel_server
        for version in HANDSHAKE_PROTOCOL_VERSIONS:
            init = {
                "protocolVersion": version,
                "capabilities": {},
                "clientInfo": {"name": "catalog", "version": "1"},
            }
            requests = [("initialize", init), ("tools/list", {}), *((m, {}) for m in fixed)]
            results = await _answers(lowlevel, requests, initialized=True)
            if results.pop("tools/list", None) == {"tools": catalog_tools}:
                as_catalog.append(version)
            if "initialize" in results:
                answers[version] = results
        modern: dict[str, Any] = {}
        for version in MODERN_PROTOCOL_VERSIONS:
            # 2026-07-28: no handshake; server/discover, then every request carries the version.
            meta = {
                "_meta": {
                    "io.modelcontextprotocol/protocolVersion": version,
                    "io.modelcontextprotocol/clientInfo": {"name": "catalog", "version": "1"},
                    "io.modelcontextprotocol/clientCapabilities": {},
                }
            }
            requests = [("server/discover", meta), ("tools/list", meta), *((m, meta) for m in fixed)]
            results = await _answers(lowlevel, requests, initialized=False)
            listed = results.pop("tools/list", None)
            envelope = {k: v for k, v in (listed or {}).items() if k != "tools"}
            if "server/discover" in results and listed == {**envelope, "tools": catalog_tools}:
                modern[version] = {**results, "tools/list": envelope}
    return {
        "versions": list(HANDSHAKE_PROTOCOL_VERSIONS),
        "latest": LATEST_HANDSHAKE_VERSION,
        "answers": answers,
        "tools_list_as_catalog": as_catalog,
        "modern": modern,
    }


async def _answers(lowlevel: Any, requests: list[tuple[str, Any]], *, initialized: bool) -> dict[str, Any]:
    """Run our server over an in-memory stdio session: each request's result, by method."""
    from mcp.server.stdio import stdio_server

    lines = [
        json.dumps({"jsonrpc": "2.0", "id": i, "method": m, "params": p}) + "\n"
        for i, (m, p) in enumerate(requests)
    ]
    if initialized:
        lines.insert(1, json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
    session = _Session(lines, expected=len(requests))
    async with stdio_server(stdin=session, stdout=session) as (read_stream, write_stream):  # type: ignore[arg-type]
        await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())
    return {m: session.got[i]["result"] for i, (m, _p) in enumerate(requests) if "result" in session.got[i]}


class _Session:
    """stdin and stdout of one captured session: the lines, then EOF once every answer is in."""

    def __init__(self, lines: list[str], expected: int) -> None:
        import anyio

        self._lines = lines
        self._expected = expected
        self._done = anyio.Event()
        self.got: dict[Any, dict[str, Any]] = {}

    def __aiter__(self) -> _Session:
        return self

    async def __anext__(self) -> str:
        if self._lines:
            return self._lines.pop(0)
        import anyio

        with anyio.fail_after(30):
            await self._done.wait()
        raise StopAsyncIteration

    async def write(self, data: str) -> None:
        msg = json.loads(data)
        if "id" in msg and "method" not in msg:
            self.got[msg["id"]] = msg
            if len(self.got) == self._expected:
                self._done.set()

    async def flush(self) -> None:
        return None


def load() -> dict[str, Any] | None:
    try:
        return json.loads(PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None


def main() -> int:
    PATH.write_text(json.dumps(generate(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
