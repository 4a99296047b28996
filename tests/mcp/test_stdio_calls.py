"""tools/call over stdio answered beside the SDK's session (mcp_server/stdio_calls.py): the same
answers, byte for byte once parsed, as the SDK's own pipeline gives with the front off; the gate
and the object scope on that path; what it leaves to the SDK; cancellation and end of input as
the SDK's dispatcher does them."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp.types import CallToolResult, TextContent
from mcp_types.version import HANDSHAKE_PROTOCOL_VERSIONS, MODERN_PROTOCOL_VERSIONS

from mcp_server.stdio_calls import Calls, LineWriter

from .conftest import REPO, server_env

pytestmark = pytest.mark.anyio
MODERN = MODERN_PROTOCOL_VERSIONS[-1]
OLDEST, LATEST = HANDSHAKE_PROTOCOL_VERSIONS[0], HANDSHAKE_PROTOCOL_VERSIONS[-1]
BAD_ID = "not-a-uuid"


def _meta(version: str) -> dict[str, Any]:
    return {
        "io.modelcontextprotocol/protocolVersion": version,
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }


def _calls(version: str, person_id: str) -> list[dict[str, Any]]:
    """Requests a session sends after its opening; ids are unique so answers compare by id."""
    modern = version in MODERN_PROTOCOL_VERSIONS

    def call(i: Any, name: str, arguments: Any, **params: Any) -> dict[str, Any]:
        p = {"name": name, "arguments": arguments, **params}
        if modern:
            p["_meta"] = {**_meta(version), **p.get("_meta", {})}
        return {"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": p}

    return [
        call(10, "twenty_list_records", {"object": "people", "limit": 2}),
        call("11", "twenty_get_record", {"object": "people", "id": person_id}),
        call(12, "twenty_get_record", {"object": "people", "id": BAD_ID}),  # argument check
        call(13, "twenty_no_such_tool", {}),
        call(14, "twenty_create_record", {"object": "people", "data": {"name": "x"}}),  # read-only gate
        call(15, "twenty_list_records", {"object": "companies"}),  # outside the object scope
        call(16, "twenty_list_records", {"object": "people", "limit": 1}, _meta={"progressToken": "p"}),
        call(17, "twenty_list_records", ["people"]),  # not an object: the SDK's INVALID_PARAMS
        call(18, 42, {}),  # a name that is no string
    ]


# `python -m mcp_server`, noting in $TAKEN_LOG the id of each request stdio_calls answered.
_COUNTING_SERVER = """
import json, os, runpy, sys
from mcp_server import stdio_calls

take = stdio_calls.Calls.take


def counting_take(self, raw):
    taken = take(self, raw)
    if taken and json.loads(raw).get("method") == "tools/call":
        with open(os.environ["TAKEN_LOG"], "a") as log:
            log.write(json.dumps(json.loads(raw)["id"]) + "\\n")
    return taken


stdio_calls.Calls.take = counting_take
sys.argv = ["mcp_server"]
runpy.run_module("mcp_server", run_name="__main__", alter_sys=True)
"""


def _session(env: dict[str, str], version: str, requests: list[dict[str, Any]]) -> dict[Any, Any]:
    """Plain JSON-RPC over the server's stdio: the opening, then every request; answers by id."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _COUNTING_SERVER],
        cwd=str(REPO),
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None and proc.stdout is not None
    if version in MODERN_PROTOCOL_VERSIONS:
        opening = [
            {"jsonrpc": "2.0", "id": 0, "method": "server/discover", "params": {"_meta": _meta(version)}}
        ]
    else:
        init = {"protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
        opening = [
            {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": init},
            {"jsonrpc": "2.0", "method": "notifications/initialized"},
        ]
    expected = {m["id"] for m in opening + requests if "id" in m}
    answers: dict[Any, Any] = {}
    try:
        proc.stdin.write("".join(json.dumps(m) + "\n" for m in opening + requests).encode())
        proc.stdin.flush()
        while set(answers) != expected:  # stdin stays open until every answer is in
            line = proc.stdout.readline()
            assert line, f"the server ended with {sorted(map(str, expected - set(answers)))} unanswered"
            msg = json.loads(line)
            if "method" not in msg:
                answers[msg["id"]] = {k: v for k, v in msg.items() if k != "id"}
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
    return answers


@pytest.mark.parametrize("version", [OLDEST, LATEST, MODERN])
def test_calls_beside_the_sdk_answer_as_the_sdk_does(fake_twenty: Any, tmp_path: Path, version: str) -> None:
    person_id = fake_twenty.records("people")[0]["id"]
    requests = _calls(version, person_id)
    base = {"MCP_READ_ONLY": "true", "MCP_ALLOWED_OBJECTS": "people"}
    env_sdk = server_env(fake_twenty, tmp_path, MCP_STDIO_FRONT="0", **base)
    taken_log = tmp_path / "taken"
    env_ours = server_env(fake_twenty, tmp_path, TAKEN_LOG=str(taken_log), **base)
    sdk = _session(env_sdk, version, requests)
    assert not taken_log.exists()  # the front off: every call through the SDK
    ours = _session(env_ours, version, requests)
    taken = [json.loads(x) for x in taken_log.read_text().splitlines()]
    # answered beside the SDK: all but the progress-token call and the malformed ones
    assert sorted(taken, key=str) == [10, "11", 12, 13, 14, 15]
    assert set(ours) == set(sdk) == {0, *(r["id"] for r in requests)}
    for r in requests:
        assert ours[r["id"]] == sdk[r["id"]], r
    listed = json.loads(ours[10]["result"]["content"][0]["text"])
    assert len(listed["records"]) == 2 and all("searchVector" not in rec for rec in listed["records"])
    assert json.loads(ours["11"]["result"]["content"][0]["text"])["record"]["id"] == person_id
    for i, words in ((12, "must be a UUID"), (13, "Unknown tool"), (14, "read-only"), (15, "companies")):
        result = ours[i]["result"]
        assert result["isError"] is True and words in result["content"][0]["text"], (i, result)
    assert "error" in ours[17] and "error" in ours[18]
    if version in MODERN_PROTOCOL_VERSIONS:
        assert ours[10]["result"]["resultType"] == "complete"
        assert "io.modelcontextprotocol/serverInfo" in ours[10]["result"]["_meta"]


# ---- what is taken, cancellation, end of input (no subprocess) ---------------------------------


class _Server:
    """Stands in for TwentyMCPServer: each call waits until released."""

    def __init__(self) -> None:
        self.started = anyio.Event()
        self.release = anyio.Event()
        self.names: list[str] = []

    async def _handle_call_tool(self, _ctx: Any, params: Any) -> CallToolResult:
        self.names.append(params.name)
        self.started.set()
        await self.release.wait()
        return CallToolResult(content=[TextContent(type="text", text=f"done {params.name}")])


def _line(msg_id: Any = 1, **params: Any) -> bytes:
    p = {"name": "twenty_list_records", "arguments": {"object": "people"}, **params}
    return json.dumps({"jsonrpc": "2.0", "id": msg_id, "method": "tools/call", "params": p}).encode()


def _cancel(request_id: Any) -> bytes:
    msg = {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": request_id}}
    return json.dumps(msg).encode()


@pytest.mark.parametrize(
    ("version", "raw", "taken"),
    [
        (LATEST, _line(), True),
        (LATEST, _line("7"), True),
        (LATEST, _line(arguments=None), True),
        (LATEST, _line(_meta={"x": 1}), True),
        (None, _line(), False),  # no handshake yet: the SDK refuses it
        (LATEST, _line(True), False),  # a bool is no JSON-RPC id
        (LATEST, _line(None), False),
        (LATEST, _line(_meta={"progressToken": "p"}), False),  # progress: the SDK's
        (LATEST, _line(task={"ttl": 1}), False),  # task-augmented: the SDK's
        (LATEST, _line(arguments=["x"]), False),
        (LATEST, _line(name=3), False),
        (LATEST, b'{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}', False),
        (LATEST, b'{"jsonrpc":"2.0","id":1,"method":"tools/call"}', False),
        (LATEST, b'{"jsonrpc":"2.0","id":1,"method":"tools/call",', False),
        (LATEST, _cancel(99), False),  # not one of ours: the SDK's to correlate
        (MODERN, _line(), False),  # 2026-07-28 requests name their version
        (MODERN, _line(_meta=_meta(MODERN)), True),
        (MODERN, _line(_meta=_meta("2099-01-01")), False),
    ],
)
async def test_what_is_answered_beside_the_sdk(version: str | None, raw: bytes, taken: bool) -> None:
    server = _Server()
    server.release.set()
    async with anyio.create_task_group() as tg:
        calls = Calls(server, version, version in MODERN_PROTOCOL_VERSIONS, LineWriter(io.BytesIO()), tg)
        assert calls.take(raw) is taken


async def test_a_second_initialize_leaves_every_later_call_to_the_sdk() -> None:
    def init(i: int) -> bytes:
        params = {"protocolVersion": LATEST, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}
        return json.dumps({"jsonrpc": "2.0", "id": i, "method": "initialize", "params": params}).encode()

    server = _Server()
    server.release.set()
    async with anyio.create_task_group() as tg:
        calls = Calls(server, LATEST, False, LineWriter(io.BytesIO()), tg)
        assert not calls.take(init(0))  # the replayed handshake: the SDK's, and the session's own
        assert calls.take(_line(1))
        assert not calls.take(init(2))
        assert not calls.take(_line(3))


async def _run(lines: list[bytes], *, finish: str) -> tuple[list[dict[str, Any]], _Server]:
    sink = io.BytesIO()
    server = _Server()
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            calls = Calls(server, LATEST, False, LineWriter(sink), tg)
            for raw in lines:
                assert calls.take(raw)
                await server.started.wait()
            if finish == "release":
                server.release.set()
            else:
                calls.end_of_input()
    return [json.loads(x) for x in sink.getvalue().splitlines()], server


async def test_a_call_is_answered_once_with_the_sdks_shape() -> None:
    answers, _ = await _run([_line(5)], finish="release")
    assert answers == [
        {
            "jsonrpc": "2.0",
            "id": 5,
            "result": {"content": [{"type": "text", "text": "done twenty_list_records"}], "isError": False},
        }
    ]


async def test_a_cancelled_call_is_interrupted_and_never_answered() -> None:
    answers, server = await _run([_line(5), _cancel(5), _line(6)], finish="release")
    assert [a["id"] for a in answers] == [6]
    assert server.names == ["twenty_list_records", "twenty_list_records"]


async def test_calls_running_at_end_of_input_are_answered_connection_closed() -> None:
    answers, _ = await _run([_line(5), _line("6")], finish="end")
    assert sorted(answers, key=lambda a: str(a["id"])) == [
        {"jsonrpc": "2.0", "id": 5, "error": {"code": -32000, "message": "Connection closed"}},
        {"jsonrpc": "2.0", "id": "6", "error": {"code": -32000, "message": "Connection closed"}},
    ]


class _Returns:
    """Stands in for TwentyMCPServer: each call returns the given result at once."""

    def __init__(self, result: Any) -> None:
        self.result = result

    async def _handle_call_tool(self, _ctx: Any, _params: Any) -> Any:
        return self.result


@pytest.mark.parametrize(
    ("result", "answer"),
    [
        (  # as the SDK's runner: a server bug is INTERNAL_ERROR, its detail only in the log
            {"content": "not a list"},
            {"error": {"code": -32603, "message": "Handler returned an invalid result"}},
        ),
        (  # beyond orjson: Python's json writes it
            CallToolResult(content=[], structured_content={"n": 2**70}),
            {"result": {"content": [], "structuredContent": {"n": 2**70}, "isError": False}},
        ),
    ],
)
async def test_results_the_sdk_would_refuse_or_orjson_cannot_write(
    result: Any, answer: dict[str, Any]
) -> None:
    sink = io.BytesIO()
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            assert Calls(_Returns(result), LATEST, False, LineWriter(sink), tg).take(_line(3))
    assert json.loads(sink.getvalue()) == {"jsonrpc": "2.0", "id": 3, **answer}
