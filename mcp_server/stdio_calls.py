"""tools/call over stdio answered next to the SDK's session, not through it.

The SDK's request pipeline costs more CPU per call than our whole tool on a loopback Twenty:
each message is validated as a JSON-RPC union, then per method and version, wrapped in an
OpenTelemetry middleware and a dispatch context, handed through memory streams to a task, its
result dumped, re-validated against the version's surface and dumped again, and the line written
with two thread hops (write, flush). docs/mcp.md ("Tests and benchmark") has the figures.

Here a tools/call line is read once (orjson) and run through the same MCPServer handler the SDK
calls (`_handle_call_tool`: the gate, the argument check, errors as isError results), its result
shaped for the wire by the SDK's own per-version serializer (`serialize_server_result`, the
2026-07-28 serverInfo stamp) and written as one line. Everything else, and any tools/call this
module is not sure of (a progress token, task or input-response parameters, malformed params,
a 2026-07-28 request naming another version), goes to the SDK's session unchanged, which answers
it as it always has. Cancellation follows the SDK: a cancelled call is interrupted and never
answered; at end of input, calls still running are cancelled and answered CONNECTION_CLOSED.
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import anyio
import anyio.abc
import orjson

from .stdio_front import modern_version

log = logging.getLogger(__name__)

_CALL_KEYS = frozenset({"name", "arguments", "_meta"})
_SHUTDOWN_WRITE_TIMEOUT = 2.0


class LineWriter:
    """stdout as whole lines, one at a time, each written and flushed in one worker-thread hop (an
    answer can be larger than a pipe's buffer, so the write may block until the client reads)."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink
        self._lock = anyio.Lock()

    def _write(self, data: bytes) -> None:
        self._sink.write(data)
        self._sink.flush()

    async def line(self, data: bytes) -> None:
        async with self._lock:
            await anyio.to_thread.run_sync(self._write, data)


class Calls:
    """The tools/call requests of one stdio session that this module answers itself."""

    def __init__(
        self,
        server: Any,
        version: str | None,
        modern: bool,
        out: LineWriter,
        tg: anyio.abc.TaskGroup,
    ) -> None:
        self._server = server
        self._version = version
        self._modern = modern
        self._out = out
        self._tg = tg
        self._in_flight: dict[Any, anyio.CancelScope] = {}
        self._peer_cancelled: set[Any] = set()
        self._handshake_seen = False

    def take(self, raw: bytes) -> bool:
        """Start this line here if it is a tools/call (or the cancellation of one) we answer;
        False hands it to the SDK."""
        if self._version is not None and not self._modern and b'"initialize"' in raw:
            self._initialize_seen(raw)
        if self._version is None or (b'"tools/call"' not in raw and b'"notifications/cancelled"' not in raw):
            return False
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return False
        if not isinstance(msg, dict) or msg.get("jsonrpc") != "2.0":
            return False
        method = msg.get("method")
        if method == "notifications/cancelled" and "id" not in msg:
            return self._cancel(msg.get("params"))
        if method != "tools/call" or set(msg) != {"jsonrpc", "id", "method", "params"}:
            return False
        msg_id, params = msg["id"], msg["params"]
        if not self._ours(msg_id, params):
            return False
        key = _key(msg_id)
        scope = anyio.CancelScope()
        self._in_flight[key] = scope
        self._peer_cancelled.discard(key)
        call = (msg_id, params["name"], params.get("arguments") or {}, self._version)
        self._tg.start_soon(self._run, key, scope, call)
        return True

    def _initialize_seen(self, raw: bytes) -> None:
        """The replayed handshake's initialize is the session's; another one (the SDK decides what
        it does with it) leaves every later call to the SDK, whose session then knows the version."""
        try:
            msg = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return
        if isinstance(msg, dict) and msg.get("method") == "initialize":
            if self._handshake_seen:
                self._version = None
            self._handshake_seen = True

    def _ours(self, msg_id: Any, params: Any) -> bool:
        if not isinstance(msg_id, str | int) or isinstance(msg_id, bool):
            return False
        if not isinstance(params, dict) or not set(params) <= _CALL_KEYS:
            return False
        if not isinstance(params.get("name"), str):
            return False
        arguments = params.get("arguments")
        if arguments is not None and not isinstance(arguments, dict):
            return False
        meta = params.get("_meta")
        if meta is None:
            return not self._modern
        if not isinstance(meta, dict) or "progressToken" in meta:
            return False
        return not self._modern or modern_version(params) == self._version

    def _cancel(self, params: Any) -> bool:
        request_id = params.get("requestId") if isinstance(params, dict) else None
        if not isinstance(request_id, str | int) or isinstance(request_id, bool):
            return False
        key = _key(request_id)
        scope = self._in_flight.get(key)
        if scope is None:
            return False  # not ours: the SDK's session correlates it
        self._peer_cancelled.add(key)
        scope.cancel()
        return True

    async def _run(
        self, key: Any, scope: anyio.CancelScope, call: tuple[Any, str, dict[str, Any], str]
    ) -> None:
        msg_id = call[0]
        body: bytes | None = None
        with scope:
            try:
                body = await self._answer(*call)
            finally:
                if self._in_flight.get(key) is scope:
                    del self._in_flight[key]
        if key in self._peer_cancelled:  # the client cancelled it: never answered
            self._peer_cancelled.discard(key)
            return
        if body is not None:
            await self._out.line(body)
            return
        # Cancelled at the end of input: answered as the SDK answers its own.
        with anyio.move_on_after(_SHUTDOWN_WRITE_TIMEOUT, shield=True), contextlib.suppress(OSError):
            await self._out.line(_error_line(msg_id, _closed()))

    def end_of_input(self) -> None:
        """The client closed stdin: cancel the calls still running (each answers CONNECTION_CLOSED)."""
        for scope in self._in_flight.values():
            scope.cancel()

    async def _answer(self, msg_id: Any, name: str, arguments: dict[str, Any], version: str) -> bytes:
        from mcp.shared.jsonrpc_dispatcher import handler_exception_to_error_data
        from mcp.types import CallToolRequestParams

        params = CallToolRequestParams.model_construct(name=name, arguments=arguments)
        try:
            # The SDK's own tools/call handler with no request context (our tools use none): the
            # gate and the argument check in TwentyMCPServer.call_tool, failures as isError.
            result = await self._server._handle_call_tool(None, params)
            return _result_line(msg_id, self._wire(result, version))
        except Exception as exc:
            error = handler_exception_to_error_data(exc)
            if error is None:
                log.exception("handler for 'tools/call' raised")
                return _error_line(msg_id, {"code": 0, "message": str(exc)})
            return _error_line(msg_id, error.model_dump(by_alias=True, mode="json", exclude_none=True))

    def _wire(self, result: Any, version: str) -> dict[str, Any]:
        """The result as the SDK's runner shapes it for this session's protocol version."""
        from mcp.server.runner import _dump_result
        from mcp.shared.exceptions import MCPError
        from mcp_types import INTERNAL_ERROR, SERVER_INFO_META_KEY
        from mcp_types import methods as _methods
        from pydantic import ValidationError

        try:
            dumped = _methods.serialize_server_result("tools/call", version, _dump_result(result))
        except ValidationError:  # as the SDK's runner: a server bug, its detail (the result) in the log
            log.exception("handler for 'tools/call' returned an invalid result")
            raise MCPError(code=INTERNAL_ERROR, message="Handler returned an invalid result") from None
        if self._modern:
            dumped.setdefault("resultType", "complete")
            meta = dumped.get("_meta")
            if meta is None or (isinstance(meta, dict) and meta.get(SERVER_INFO_META_KEY) is None):
                stamp = self._server._lowlevel_server.server_info_stamp
                dumped["_meta"] = {**(meta or {}), SERVER_INFO_META_KEY: stamp}
        return dumped


def _key(request_id: Any) -> Any:
    """ "7" and 7 are one id for correlation, as in the SDK's dispatcher (coerce_request_id)."""
    if isinstance(request_id, str):
        with contextlib.suppress(ValueError):
            return int(request_id)
    return request_id


def _closed() -> dict[str, Any]:
    from mcp_types.jsonrpc import CONNECTION_CLOSED

    return {"code": CONNECTION_CLOSED, "message": "Connection closed"}


def _result_line(msg_id: Any, result: dict[str, Any]) -> bytes:
    line = {"jsonrpc": "2.0", "id": msg_id, "result": result}
    try:
        return orjson.dumps(line) + b"\n"
    except orjson.JSONEncodeError:  # an integer beyond 64 bits: Python's json writes it
        return json.dumps(line, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def _error_line(msg_id: Any, error: dict[str, Any]) -> bytes:
    return orjson.dumps({"jsonrpc": "2.0", "id": msg_id, "error": error}) + b"\n"
