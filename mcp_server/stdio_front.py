"""stdio start-up that answers the handshake and tools/list before the `mcp` SDK is imported.

The SDK costs ~0.7 s of imports (its protocol models, mostly) before it can answer anything, and
a client waits for `initialize` and `tools/list` before it can use a server. This front answers
those two, and the other fixed answers of a session's start (ping, resources/prompts lists), from
tool_catalog.json: the tool catalogue plus what catalog generation captured from the SDK itself
for each protocol version (`handshake`). Meanwhile a thread imports the SDK and builds the server.

The first request the front does not answer is handed to the SDK together with the session's
handshake, replayed, so the SDK's session is as if it had read the connection from the start;
its answer to the replayed `initialize` is dropped. A 2026-07-28 client (server/discover, then
requests that each name the version) is served the same way, its discover replayed. Anything
else is handed over at once.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from typing import Any

_BOOL = {"1": True, "on": True, "t": True, "true": True, "y": True, "yes": True}
_BOOL.update({"0": False, "off": False, "f": False, "false": False, "n": False, "no": False})


def quick_scope(catalog: dict[str, Any], env: Any = os.environ) -> tuple[bool, frozenset[str]] | None:
    """(read-only, tool groups) as ServerSettings reads them, without pydantic; None when unsure
    (then the classic start-up reports bad settings as it always has). The catalogue's groups
    are settings.ALL_GROUPS (a test holds them equal)."""
    read_only = _BOOL.get(env.get("MCP_READ_ONLY", "false").lower())
    known = frozenset(e["group"] for e in catalog["tools"])
    names = env.get("MCP_TOOL_GROUPS", "all").replace(",", " ").split()
    if read_only is None or any(n != "all" and n not in known for n in names):
        return None
    groups = known if not names or "all" in names else frozenset(names) | {"core"}
    return read_only, groups


def tools_list(catalog: dict[str, Any], read_only: bool, groups: frozenset[str]) -> dict[str, Any]:
    """tools/list as TwentyMCPServer.list_tools publishes it (same filter, catalogue order)."""
    return {
        "tools": [
            e["definition"]
            for e in catalog["tools"]
            if e["group"] in groups and not (read_only and e["writes"])
        ]
    }


_META_KEYS = ("protocolVersion", "clientInfo", "clientCapabilities")


def _valid_initialize(params: dict[str, Any]) -> bool:
    """The shape the SDK requires of initialize; anything else goes to the SDK to refuse."""
    info = params.get("clientInfo")
    return (
        isinstance(params.get("protocolVersion"), str)
        and isinstance(params.get("capabilities"), dict)
        and isinstance(info, dict)
        and isinstance(info.get("name"), str)
        and isinstance(info.get("version"), str)
    )


def modern_version(params: dict[str, Any]) -> str | None:
    """The version a 2026-07-28 request names, when its _meta has every key the SDK requires."""
    meta = params.get("_meta") or {}
    if not all(f"io.modelcontextprotocol/{key}" in meta for key in _META_KEYS):
        return None
    return meta["io.modelcontextprotocol/protocolVersion"]


def _line(msg_id: Any, result: dict[str, Any]) -> bytes:
    body = {"jsonrpc": "2.0", "id": msg_id, "result": result}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


class _Builder(threading.Thread):
    """Imports the SDK and builds the server while the front answers, then fills the schema
    cache (the SDK never sees the tools/list that used to start that warm-up)."""

    def __init__(self) -> None:
        super().__init__(name="mcp-build", daemon=True)
        self.server: Any = None
        self.error: BaseException | None = None
        self.built = threading.Event()
        self.workspace_id: str | None = None

    def run(self) -> None:
        try:
            from pydantic import ValidationError

            from .settings import ServerSettings

            try:
                settings = ServerSettings()
            except ValidationError as err:
                problems = "; ".join(
                    f"{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in err.errors()
                )
                print(f"mcp_server: bad settings: {problems}", file=sys.stderr, flush=True)
                os._exit(2)  # as the classic start-up: the client sees the server end
            from .server import build_server

            self.server = build_server(settings, warm=True)
        except BaseException as err:  # re-raised on the main thread at hand-over
            self.error = err
            self.built.set()
            return
        self.built.set()
        self._warm(settings)

    def _warm(self, settings: Any) -> None:
        """The workspace's schema into the process-wide cache, through a client of this thread's
        own event loop (a client is bound to its loop); the hand-over gives the server's client
        the workspace id, so its first call finds the schema cached. Failures show on first use."""
        import asyncio

        async def fetch() -> str | None:
            from twenty_api import TwentyClient

            twenty = settings.twenty
            key = twenty.api_key.get_secret_value() if twenty.api_key else ""
            if not twenty.api_url or not key:
                return None
            async with TwentyClient(
                base_url=twenty.api_url, api_key=key, schema_ttl=settings.mcp_schema_ttl
            ) as client:
                await asyncio.wait_for(client.schema(), timeout=15)
                return await client.workspace_id()

        try:
            self.workspace_id = asyncio.run(fetch())
        except Exception as err:
            import logging

            logging.getLogger(__name__).warning("schema warm-up failed: %s", err)


def serve(catalog: dict[str, Any], scope: tuple[bool, frozenset[str]]) -> int:
    handshake = catalog["handshake"]
    builder = _Builder()
    builder.start()
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    modern = handshake.get("modern", {})
    replay: list[bytes] = []
    version: str | None = None
    is_modern = False
    init_id: Any = None
    while True:
        raw = stdin.readline()
        if not raw:  # the client went away before needing more than the front
            stdout.flush()
            os._exit(0)  # not sys.exit: finalising while the builder imports can abort the process
        try:
            msg = json.loads(raw)
        except ValueError:
            msg = None
        method = msg.get("method") if isinstance(msg, dict) else None
        params = msg.get("params") if isinstance(msg, dict) else None
        params = params if isinstance(params, dict) else {}
        answer: dict[str, Any] | None = None
        has_id = isinstance(msg, dict) and "id" in msg
        if method == "initialize" and version is None and has_id and _valid_initialize(params):
            requested = params.get("protocolVersion")
            negotiated = requested if requested in handshake["versions"] else handshake["latest"]
            if negotiated in handshake["answers"]:
                version, init_id = negotiated, msg["id"]
                replay.append(raw)
                answer = handshake["answers"][negotiated]["initialize"]
        elif method == "server/discover" and version is None and has_id:
            requested = modern_version(params)
            if requested in modern:  # 2026-07-28: no handshake, every request names its version
                version, init_id, is_modern = requested, msg["id"], True
                replay.append(raw)
                answer = modern[requested]["server/discover"]
        elif method == "notifications/initialized" and version is not None and not is_modern:
            replay.append(raw)
            continue
        elif version is not None and has_id and not params.get("cursor"):
            if is_modern:
                if modern_version(params) == version and method != "server/discover":
                    known = modern[version].get(method)
                    answer = {**known, **tools_list(catalog, *scope)} if method == "tools/list" else known
            elif method == "tools/list" and version in handshake["tools_list_as_catalog"]:
                answer = tools_list(catalog, *scope)
            elif method == "ping":
                answer = {}
            else:
                answer = handshake["answers"][version].get(method)
        if answer is None:
            replay.append(raw)
            break
        stdout.write(_line(msg["id"], answer))
        stdout.flush()
    builder.built.wait()
    if builder.error is not None:
        raise builder.error
    import anyio

    anyio.run(_hand_over, builder, replay, init_id, version, is_modern)
    return 0


async def _hand_over(
    builder: _Builder, replay: list[bytes], init_id: Any, version: str | None, modern: bool
) -> None:
    """The SDK's session from here on, with the handshake replayed; tools/call lines are answered
    beside it (stdio_calls.py)."""
    import anyio
    from mcp.server.stdio import stdio_server

    from .stdio_calls import Calls, LineWriter

    server = builder.server
    if builder.workspace_id is not None:  # warmed: the schema is in the shared cache
        runtime = server.runtime
        try:
            client = runtime.client_for(runtime.current_principal().api_key)
        except Exception:  # noqa: S110 - the first call reports an unusable URL or key itself
            pass
        else:
            client._workspace_id = client._workspace_id or builder.workspace_id

    out = LineWriter(sys.stdout.buffer)
    async with anyio.create_task_group() as calls_tg:
        calls = Calls(server, version, modern, out, calls_tg)
        stdin = _ReplayStdin(replay, calls.take, calls.end_of_input)
        stdout = _Stdout(init_id, out)
        async with stdio_server(stdin=stdin, stdout=stdout) as (read_stream, write_stream):  # type: ignore[arg-type]
            lowlevel = server._lowlevel_server
            await lowlevel.run(read_stream, write_stream, lowlevel.create_initialization_options())


class _ReplayStdin:
    """The lines the front read, then the rest of stdin (same buffer: nothing read ahead is lost),
    for the SDK; a line `take` claims (a tools/call answered beside the SDK) is not passed on."""

    def __init__(
        self, lines: list[bytes], take: Any = None, end_of_input: Any = None, source: Any = None
    ) -> None:
        self._lines = lines
        self._take = take or (lambda _raw: False)
        self._end_of_input = end_of_input or (lambda: None)
        self._source = source or sys.stdin.buffer

    def __aiter__(self) -> _ReplayStdin:
        return self

    async def __anext__(self) -> str:
        import anyio

        while True:
            if self._lines:
                raw = self._lines.pop(0)
            else:
                raw = await anyio.to_thread.run_sync(self._source.readline)
                if not raw:
                    self._end_of_input()
                    raise StopAsyncIteration
            if not self._take(raw):
                return raw.decode("utf-8", "replace")


class _Stdout:
    """stdout for the SDK, dropping its answer to the replayed initialize (the front sent one);
    its lines and stdio_calls' share one writer, so lines never interleave."""

    def __init__(self, drop_id: Any, out: Any) -> None:
        self._drop = drop_id
        self._out = out

    async def write(self, data: str) -> None:
        if self._drop is not None:
            msg = json.loads(data)
            if isinstance(msg, dict) and "method" not in msg and msg.get("id") == self._drop:
                self._drop = None
                return
        await self._out.line(data.encode())

    async def flush(self) -> None:  # each line is flushed as it is written
        return None
