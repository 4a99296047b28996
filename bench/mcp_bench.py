"""MCP server benchmark: our server, a floor and a direct httpx call, measured in one run.

    uv run python bench/mcp_bench.py [--rounds 30] [--starts 9]

The floor is a bare `mcp` SDK server (MCPServer, one tool) that GETs a Twenty REST path and
sends Twenty's answer back ONCE, as text, unchanged: no model, no structured copy. The direct
call is a keep-alive httpx.AsyncClient in this process (request + JSON parse). All three hit the
same Twenty with the same URL; our server runs over stdio exactly as Claude Code starts it.

Target: the fake Twenty (`python -m tests.fake_twenty`, its own process), which serves the
captured seed workspace through its own loader (tests/fake_twenty/contract_data.py): 60 of the
seed's companies with all their fields. With TWENTY_LIVE_URL and TWENTY_LIVE_KEY set, a live
Twenty instead (calls are paced to stay under its 100 requests a minute).

Each round calls ours, the floor and direct once, in a rotating order, so machine noise hits
all three alike; every ratio is printed as a median with its spread (IQR and min-max). Printed:
  list 60 companies   ours/direct and floor/direct, and ours/floor (target <= 1.05)
  get one company     ours/direct (target <= 1.05), floor/direct for reference
  stdio round trip    the same SDK client to servers answering from memory: a minimal line loop
                      (client + pipe) and an SDK MCPServer, against get one's 5% budget
  bytes per answer    wire bytes of the JSON-RPC answer per copy of the records sent, against
                      Twenty's own answer (target <= 1.1), and tools/list bytes
  cold start          spawn -> initialize -> tools/list answered, ours/floor (target <= 1.0)
  peak RSS            VmHWM of each server after the run (target <= 1.2)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

OBJECT = "companies"
LIST_LIMIT = 60

FLOOR_SERVER = '''
import logging
import os

import httpx
from mcp.server import MCPServer

logging.getLogger("httpx").setLevel(logging.WARNING)  # no per-request log line, as in ours
BASE = os.environ["TWENTY_API_URL"].rstrip("/").removesuffix("/rest")
mcp = MCPServer("floor")
_client: httpx.AsyncClient | None = None


@mcp.tool(structured_output=False)
async def twenty_get(path: str) -> str:
    """GET a Twenty REST path (e.g. /rest/companies?limit=60) and return Twenty's answer."""
    global _client
    if _client is None:
        key = os.environ["TWENTY_API_KEY"]
        _client = httpx.AsyncClient(base_url=BASE, headers={"Authorization": f"Bearer {key}"}, timeout=30)
    r = await _client.get(path)
    r.raise_for_status()
    return r.text


if __name__ == "__main__":
    mcp.run()
'''

# Two servers answering tools/call from memory with a fixed text (our get-one answer): the SDK's
# MCPServer, and a minimal stdio line loop (stdlib json, no SDK). Driven by the same SDK client
# as ours, they split a call's stdio round trip into the SDK client + pipe (the line loop) and
# the SDK server on top (MCPServer), with no Twenty in the way.
NULL_SDK_SERVER = """
import os, sys
from mcp.server import MCPServer
TEXT = open(sys.argv[1], encoding="utf-8").read()
mcp = MCPServer("null")


@mcp.tool(structured_output=False)
async def answer() -> str:
    \"\"\"The fixed text.\"\"\"
    return TEXT


if __name__ == "__main__":
    mcp.run()
"""

NULL_LINE_SERVER = """
import json, sys
TEXT = open(sys.argv[1], encoding="utf-8").read()
TOOL = {"name": "answer", "description": "The fixed text.", "inputSchema": {"type": "object"}}
out = sys.stdout.buffer
for raw in sys.stdin.buffer:
    msg = json.loads(raw)
    if "id" not in msg or "method" not in msg:
        continue
    method, params = msg["method"], msg.get("params") or {}
    if method == "initialize":
        result = {"protocolVersion": params["protocolVersion"], "capabilities": {"tools": {}},
                  "serverInfo": {"name": "null-line", "version": "1"}}
    elif method == "tools/list":
        result = {"tools": [TOOL]}
    elif method == "tools/call":
        result = {"content": [{"type": "text", "text": TEXT}], "isError": False}
    else:
        out.write(json.dumps({"jsonrpc": "2.0", "id": msg["id"],
                              "error": {"code": -32601, "message": "Method not found"}}).encode() + b"\\n")
        out.flush()
        continue
    out.write(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}).encode() + b"\\n")
    out.flush()
"""


# ---- statistics ---------------------------------------------------------------------------------


def spread(values: list[float], fmt: str = "{:.3f}") -> str:
    """median (IQR q1-q3, min-max, n)"""
    qs = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    f = fmt.format
    return (
        f"{f(statistics.median(values))} (IQR {f(qs[0])}-{f(qs[2])}, "
        f"min-max {f(min(values))}-{f(max(values))}, n={len(values)})"
    )


# ---- the Twenty under test ----------------------------------------------------------------------


@dataclass
class Target:
    base_url: str
    api_key: str
    live: bool


@contextlib.contextmanager
def fake_twenty() -> Iterator[Target]:
    """The fake Twenty in its own process (so it does not share this process's GIL), seeded with
    the captured seed workspace by its own loader; `python -m tests.fake_twenty` also sets
    TCP_NODELAY, without which keep-alive answers wait ~40 ms for delayed ACKs."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_twenty", "--port", "0"],
        cwd=str(REPO),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        values: dict[str, str] = {}
        assert proc.stdout is not None and proc.stderr is not None
        while "api_key" not in values:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError(f"the fake Twenty did not start: {proc.stderr.read()[-2000:]}")
            for part in line.split():
                if "=" in part:
                    k, v = part.split("=", 1)
                    values[k] = v
        yield Target(values["base_url"], values["api_key"], live=False)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def seed_companies() -> list[dict[str, Any]]:
    from tests.fake_twenty import contract_data

    return contract_data.seed_records()[OBJECT]


class Pace:
    """Live Twenty allows 100 API-key record requests a minute per workspace (API_RATE_LIMITING_
    LONG_LIMIT), shared by all three sides and by whatever else runs there (apps' triggers and
    crons, workflows); waiting here (outside the timed part) keeps the run under 60."""

    def __init__(self, live: bool) -> None:
        from twenty_api.pacer import Pacer

        self._pacer = Pacer(60, 60.0) if live else None

    async def __call__(self) -> None:
        if self._pacer is not None:
            await self._pacer.acquire()


# ---- processes ----------------------------------------------------------------------------------


def _children() -> dict[int, str]:
    me = os.getpid()
    out: dict[int, str] = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == me:
                out[int(pid)] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError, IndexError):
            continue
    return out


def _peak_rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmHWM for {pid}")


def cpu_ns(pid: int) -> int:
    """CPU time (ns) of a process, every thread including those that have ended (utime + stime
    of /proc/<pid>/stat, 10 ms ticks): far less sensitive to load than wall time."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def _params(cmd: list[str], env: dict[str, str]) -> Any:
    from mcp.client.stdio import StdioServerParameters

    return StdioServerParameters(command=cmd[0], args=cmd[1:], env=env, cwd=str(REPO))


def wire_bytes(
    cmd: list[str], env: dict[str, str], calls: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """Plain JSON-RPC over the server's stdio: the exact bytes of tools/list and of each answer."""
    proc = subprocess.Popen(
        cmd, cwd=str(REPO), env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    assert proc.stdin is not None and proc.stdout is not None
    next_id = 0

    def request(method: str, params: dict[str, Any]) -> bytes:
        nonlocal next_id
        next_id += 1
        msg = {"jsonrpc": "2.0", "id": next_id, "method": method, "params": params}
        proc.stdin.write(json.dumps(msg).encode() + b"\n")  # type: ignore[union-attr]
        proc.stdin.flush()  # type: ignore[union-attr]
        while True:
            line = proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError(f"{cmd} closed stdout during {method}")
            if json.loads(line).get("id") == next_id:
                return line.rstrip(b"\n")

    try:
        request(
            "initialize",
            {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "mcp-bench", "version": "1"},
            },
        )
        proc.stdin.write(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
        proc.stdin.flush()
        listed = request("tools/list", {})
        out: dict[str, Any] = {"tools/list": len(listed), "tools": len(json.loads(listed)["result"]["tools"])}
        for name, args in calls:
            line = request("tools/call", {"name": name, "arguments": args})
            result = json.loads(line)["result"]
            copies = sum(1 for c in result["content"] if c.get("type") == "text") + (
                1 if result.get("structuredContent") is not None else 0
            )
            text = "".join(c.get("text", "") for c in result["content"])
            out[name] = {"wire": len(line), "copies": copies, "text": len(text.encode()), "result": result}
        return out
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


async def cold_start(cmd: list[str], env: dict[str, str], marker: str, mode: str) -> tuple[float, float]:
    """Wall seconds from spawn to tools/list answered, and the CPU seconds the server used by then.
    mode 'legacy' opens with initialize, as Claude Code does; 'auto' (the SDK client's default)
    first probes the 2026-07-28 server/discover."""
    from mcp import Client

    start = time.perf_counter()
    async with Client(_params(cmd, env), cache=None, mode=mode) as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - start
        pid = next(p for p, c in _children().items() if marker in c)
        cpu = cpu_ns(pid) / 1e9
    assert tools
    return elapsed, cpu


async def rounds(
    n: int, sides: dict[str, Callable[[], Awaitable[float]]], pace: Pace
) -> dict[str, list[float]]:
    """n rounds; each calls every side once, the order rotating from round to round."""
    names = list(sides)
    out: dict[str, list[float]] = {k: [] for k in names}
    for i in range(n):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            await pace()
            out[name].append(await sides[name]())
    return out


def _text_json(result: Any) -> Any:
    return json.loads("".join(getattr(c, "text", "") for c in result.content))


# ---- the run ------------------------------------------------------------------------------------


async def run(target: Target, n_rounds: int, n_starts: int) -> dict[str, Any]:
    from mcp import Client

    pace = Pace(target.live)
    list_path = f"/rest/{OBJECT}?limit={LIST_LIMIT}&depth=0"
    headers = {"Authorization": f"Bearer {target.api_key}"}
    async with httpx.AsyncClient(base_url=target.base_url, headers=headers, timeout=30) as direct:
        first = await direct.get(list_path)
        first.raise_for_status()
        body = first.json()
        records = body["data"][OBJECT]
        if len(records) < LIST_LIMIT:
            raise SystemExit(
                f"{target.base_url} has {len(records)} {OBJECT}; the benchmark needs {LIST_LIMIT}"
            )
        record_id = records[0]["id"]
        get_path = f"/rest/{OBJECT}/{record_id}?depth=0"
        twenty_get_bytes = len((await direct.get(get_path)).content)
        out: dict[str, Any] = {"twenty_list_bytes": len(first.content), "twenty_get_bytes": twenty_get_bytes}
        if not target.live:
            seed_ids = {r["id"] for r in seed_companies()}
            assert {r["id"] for r in records} <= seed_ids, "the fake is not serving the captured seed"
            out["seed_companies"] = len(seed_ids)

        with tempfile.TemporaryDirectory() as tmp:
            floor_py = Path(tmp) / "floor_server.py"
            floor_py.write_text(FLOOR_SERVER)
            # Servers run as on a developer's machine from the second start on: bytecode cached (in a
            # private prefix, so nothing is written to the tree) even where PYTHONDONTWRITEBYTECODE
            # is set. uv compiles the venv's packages at install (pyproject [tool.uv]).
            env = {
                **{
                    k: v
                    for k, v in os.environ.items()
                    if not k.startswith(("MCP_", "TWENTY_")) and k != "PYTHONDONTWRITEBYTECODE"
                },
                "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pycache"),
                "TWENTY_API_URL": target.base_url,
                "TWENTY_API_KEY": target.api_key,
                "MCP_PRIMER_PATH": str(Path(tmp) / "primer.md"),
            }
            ours_cmd = [sys.executable, "-m", "mcp_server"]
            floor_cmd = [sys.executable, str(floor_py)]
            ours_list = {"object": OBJECT, "limit": LIST_LIMIT}
            ours_get = {"object": OBJECT, "id": record_id}

            # Bytes on the wire (plain JSON-RPC, one fresh process each).
            out["wire_ours"] = wire_bytes(
                ours_cmd, env, [("twenty_list_records", ours_list), ("twenty_get_record", ours_get)]
            )
            out["wire_floor"] = wire_bytes(floor_cmd, env, [("twenty_get", {"path": list_path})])
            out["wire_floor_get"] = wire_bytes(floor_cmd, env, [("twenty_get", {"path": get_path})])

            # Cold start: process start -> tools/list answered, alternating which goes first.
            # One untimed start each first: it writes the bytecode cache (see env above).
            order = [("ours", ours_cmd, "-m mcp_server"), ("floor", floor_cmd, "floor_server.py")]
            for _name, cmd, marker in order:
                await cold_start(cmd, env, marker, "legacy")
            for mode in ("legacy", "auto"):
                starts: dict[str, list[float]] = {"ours": [], "floor": [], "ours_cpu": [], "floor_cpu": []}
                for i in range(n_starts):
                    for name, cmd, marker in order if i % 2 == 0 else order[::-1]:
                        wall, cpu = await cold_start(cmd, env, marker, mode)
                        starts[name].append(wall)
                        starts[f"{name}_cpu"].append(cpu)
                out[f"starts_{mode}"] = starts

            async with (
                Client(_params(ours_cmd, env), cache=None) as ours,
                Client(_params(floor_cmd, env), cache=None) as floor,
            ):

                async def timed(call: Callable[[], Awaitable[Any]], check: Callable[[Any], None]) -> float:
                    t = time.perf_counter()
                    r = await call()
                    dt = time.perf_counter() - t
                    check(r)
                    return dt

                def ok_list(r: Any) -> None:
                    assert not r.is_error, r.content
                    assert len(_text_json(r)["records"]) == LIST_LIMIT

                def ok_floor_list(r: Any) -> None:
                    assert not r.is_error, r.content
                    assert len(_text_json(r)["data"][OBJECT]) == LIST_LIMIT

                def ok_get(r: Any) -> None:
                    assert not r.is_error and _text_json(r)["record"]["id"] == record_id, r.content

                def ok_floor_get(r: Any) -> None:
                    assert not r.is_error, r.content

                def ok_http(r: httpx.Response) -> None:
                    r.raise_for_status()
                    r.json()

                list_sides = {
                    "ours": lambda: timed(lambda: ours.call_tool("twenty_list_records", ours_list), ok_list),
                    "floor": lambda: timed(
                        lambda: floor.call_tool("twenty_get", {"path": list_path}), ok_floor_list
                    ),
                    "direct": lambda: timed(lambda: direct.get(list_path), ok_http),
                }
                get_sides = {
                    "ours": lambda: timed(lambda: ours.call_tool("twenty_get_record", ours_get), ok_get),
                    "floor": lambda: timed(
                        lambda: floor.call_tool("twenty_get", {"path": get_path}), ok_floor_get
                    ),
                    "direct": lambda: timed(lambda: direct.get(get_path), ok_http),
                }
                kids = _children()
                pids = {
                    "ours": next(p for p, c in kids.items() if "-m mcp_server" in c),
                    "floor": next(p for p, c in kids.items() if "floor_server.py" in c),
                }
                await rounds(3, list_sides, pace)  # warm: schema cache, connections, first binds
                await rounds(2, get_sides, pace)
                for key, sides in (("list", list_sides), ("get", get_sides)):
                    before = {k: cpu_ns(p) for k, p in pids.items()}
                    out[key] = await rounds(n_rounds, sides, pace)
                    out[f"{key}_cpu_ms"] = {
                        k: (cpu_ns(p) - before[k]) / n_rounds / 1e6 for k, p in pids.items()
                    }
                ours_pid, floor_pid = pids["ours"], pids["floor"]
                out["rss_kb"] = {"ours": _peak_rss_kb(ours_pid), "floor": _peak_rss_kb(floor_pid)}

            # The stdio round trip alone: the same SDK client, servers answering from memory.
            text_path = Path(tmp) / "answer.txt"
            get_text = out["wire_ours"]["twenty_get_record"]["result"]["content"][0]["text"]
            text_path.write_text(get_text, encoding="utf-8")
            null_cmds = {}
            for name, source in (("null_sdk", NULL_SDK_SERVER), ("null_line", NULL_LINE_SERVER)):
                (Path(tmp) / f"{name}.py").write_text(source)
                null_cmds[name] = [sys.executable, str(Path(tmp) / f"{name}.py"), str(text_path)]
            async with (
                Client(_params(null_cmds["null_sdk"], env), cache=None) as null_sdk,
                Client(_params(null_cmds["null_line"], env), cache=None) as null_line,
            ):

                async def from_memory(client: Any) -> float:
                    t = time.perf_counter()
                    r = await client.call_tool("answer", {})
                    dt = time.perf_counter() - t
                    assert not r.is_error and r.content[0].text == get_text
                    return dt

                null_sides = {
                    "null_sdk": lambda: from_memory(null_sdk),
                    "null_line": lambda: from_memory(null_line),
                }
                await rounds(10, null_sides, Pace(False))
                out["null"] = await rounds(max(n_rounds, 100), null_sides, Pace(False))
    return out


def report(r: dict[str, Any], target: Target) -> None:
    def ratios(a: list[float], b: list[float]) -> list[float]:
        return [x / y for x, y in zip(a, b, strict=True)]

    ms = "{:.2f}"
    where = (
        "live Twenty"
        if target.live
        else f"fake Twenty with the captured seed ({r['seed_companies']} companies)"
    )
    print(f"\ntarget: {where}, {OBJECT} with all their fields")
    for label, key in (("list 60", "list"), ("get one", "get")):
        t = r[key]
        print(f"\n{label}:")
        for side in ("ours", "floor", "direct"):
            print(f"  {side:<6} ms        {spread([x * 1000 for x in t[side]], ms)}")
        cpu = r[f"{key}_cpu_ms"]
        print(
            f"  server CPU/call  ours {cpu['ours']:.2f} ms, floor {cpu['floor']:.2f} ms "
            f"(ratio {cpu['ours'] / cpu['floor']:.3f}; utime+stime over the rounds / n)"
        )
        print(f"  ours/direct      {spread(ratios(t['ours'], t['direct']))}")
        print(f"  floor/direct     {spread(ratios(t['floor'], t['direct']))}")
        target_note = "(target <= 1.05)" if key == "list" else ""
        print(f"  ours/floor       {spread(ratios(t['ours'], t['floor']))} {target_note}")
        if key == "get":
            print("  target: ours/direct <= 1.05")

    nl = r["null"]
    direct_get = statistics.median(r["get"]["direct"]) * 1000
    line_ms, sdk_ms = (statistics.median(nl[k]) * 1000 for k in ("null_line", "null_sdk"))
    print("\nstdio round trip with no Twenty (the SDK client, get one's answer from memory):")
    print(f"  minimal line server ms {spread([x * 1000 for x in nl['null_line']], ms)} (client + pipe)")
    print(f"  SDK MCPServer ms       {spread([x * 1000 for x in nl['null_sdk']], ms)}")
    print(
        f"  get one's 5% budget    {direct_get * 0.05:.2f} ms of direct {direct_get:.2f} ms; client + pipe: "
        f"{line_ms / direct_get * 100:.1f}% of direct, with an MCPServer {sdk_ms / direct_get * 100:.1f}%"
    )

    wo, wf = r["wire_ours"], r["wire_floor"]
    print("\nbytes per answer (JSON-RPC line on stdout; 'text' = the text block's payload):")
    for label, w, twenty in (
        ("ours list 60", wo["twenty_list_records"], r["twenty_list_bytes"]),
        ("floor list 60", wf["twenty_get"], r["twenty_list_bytes"]),
        ("ours get one", wo["twenty_get_record"], r["twenty_get_bytes"]),
        ("floor get one", r["wire_floor_get"]["twenty_get"], r["twenty_get_bytes"]),
    ):
        per_copy = w["wire"] / w["copies"]
        copies = f"{w['copies']} cop{'y' if w['copies'] == 1 else 'ies'}"
        print(
            f"  {label:<14} {w['wire']:>7} B on the wire, {copies}, "
            f"text {w['text']:>7} B; Twenty {twenty:>7} B -> wire/copy {per_copy / twenty:.3f}, "
            f"text {w['text'] / twenty:.3f} (target <= 1.1 per copy)"
        )
    print(
        f"  tools/list     ours {wo['tools/list']} B ({wo['tools']} tools), "
        f"floor {wf['tools/list']} B ({wf['tools']} tool)"
    )

    for mode, opening in (
        ("legacy", "initialize, as Claude Code"),
        ("auto", "server/discover, then initialize"),
    ):
        s = r[f"starts_{mode}"]
        print(f"\ncold start, client mode {mode!r} ({opening}): spawn -> tools/list answered")
        print(f"  ours  ms         {spread([x * 1000 for x in s['ours']], '{:.0f}')}")
        print(f"  floor ms         {spread([x * 1000 for x in s['floor']], '{:.0f}')}")
        print(f"  ours/floor       {spread(ratios(s['ours'], s['floor']))} (target <= 1.0, stretch 0.5)")
        print(f"  ours CPU ms      {spread([x * 1000 for x in s['ours_cpu']], '{:.0f}')}")
        print(f"  floor CPU ms     {spread([x * 1000 for x in s['floor_cpu']], '{:.0f}')}")
        print(f"  CPU ours/floor   {spread(ratios(s['ours_cpu'], s['floor_cpu']))}")

    rss = r["rss_kb"]
    print(
        f"\npeak RSS: ours {rss['ours'] / 1024:.1f} MiB, floor {rss['floor'] / 1024:.1f} MiB, "
        f"ratio {rss['ours'] / rss['floor']:.3f} (target <= 1.2)"
    )
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cpus")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--starts", type=int, default=9)
    args = parser.parse_args()
    live_url, live_key = os.environ.get("TWENTY_LIVE_URL"), os.environ.get("TWENTY_LIVE_KEY")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if live_url and live_key:
        target = Target(live_url.rstrip("/").removesuffix("/rest"), live_key, live=True)
        report(anyio.run(run, target, args.rounds, args.starts), target)
        return 0
    with fake_twenty() as target:
        report(anyio.run(run, target, args.rounds, args.starts), target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
