"""MCP server benchmark: our server vs a floor (a bare `mcp` server with one tool making the
same Twenty call), both over stdio against the fake Twenty on loopback HTTP. Ratios come from
one run, measured in alternating pairs so machine noise hits both sides alike.

    uv run python bench/mcp_bench.py [--pairs 30] [--starts 7]

Prints: list of 60 records (median of pair ratios, target <= 1.05), cold start from process
start to tools/list answered (target <= 1.0), peak RSS (target <= 1.2).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FLOOR_SERVER = '''
import logging
import os
from typing import Any

import httpx
from pydantic import BaseModel
from mcp.server import MCPServer

logging.getLogger("httpx").setLevel(logging.WARNING)  # as our server does: no per-request log lines
BASE = os.environ["TWENTY_API_URL"].rstrip("/").removesuffix("/rest")
KEY = os.environ["TWENTY_API_KEY"]
mcp = MCPServer("floor")
_client: httpx.AsyncClient | None = None


class Page(BaseModel):
    object: str
    records: list[dict[str, Any]]
    total_count: int | None = None
    has_next_page: bool = False
    end_cursor: str | None = None


@mcp.tool()
async def list_records(object: str, limit: int = 60) -> Page:
    """List records of one object."""
    global _client
    if _client is None:
        _client = httpx.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=30)
    r = await _client.get(f"{BASE}/rest/{object}", params={"limit": limit})
    r.raise_for_status()
    body = r.json()
    info = body.get("pageInfo") or {}
    return Page(object=object, records=body["data"][object], total_count=body.get("totalCount"),
                has_next_page=bool(info.get("hasNextPage")), end_cursor=info.get("endCursor"))


if __name__ == "__main__":
    mcp.run()
'''


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


def _ensure_records(base_url: str, key: str, minimum: int = 60) -> str:
    headers = {"Authorization": f"Bearer {key}"}
    for plural in ("opportunities", "people", "companies"):
        r = httpx.get(f"{base_url}/rest/{plural}", params={"limit": 1}, headers=headers, timeout=30)
        if r.status_code == 200 and (r.json().get("totalCount") or 0) >= minimum:
            return plural
    rows = [{"name": f"Bench company {i}"} for i in range(minimum)]
    r = httpx.post(f"{base_url}/rest/batch/companies", json=rows, headers=headers, timeout=30)
    r.raise_for_status()
    return "companies"


class _Fake:
    def __init__(self, base_url: str, api_key: str) -> None:
        self.base_url, self.api_key = base_url, api_key


@contextlib.contextmanager
def _fake_twenty() -> Iterator[_Fake]:
    """The fake Twenty in its own process, so it does not share this process's GIL."""
    proc = subprocess.Popen(
        # `python -m tests.fake_twenty` sets TCP_NODELAY on its connections (keep-alive answers
        # would otherwise wait ~40 ms for delayed ACKs and dominate the ratio)
        [sys.executable, "-m", "tests.fake_twenty", "--port", "0"],
        cwd=str(REPO),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        values: dict[str, str] = {}
        assert proc.stdout is not None
        while "api_key" not in values:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the fake Twenty did not start")
            for part in line.split():
                if "=" in part:
                    k, v = part.split("=", 1)
                    values[k] = v
        yield _Fake(values["base_url"], values["api_key"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _params(cmd: list[str], env: dict[str, str]) -> Any:
    from mcp.client.stdio import StdioServerParameters

    return StdioServerParameters(command=cmd[0], args=cmd[1:], env=env, cwd=str(REPO))


async def _cold_start(cmd: list[str], env: dict[str, str]) -> float:
    from mcp import Client

    start = time.perf_counter()
    async with Client(_params(cmd, env), cache=None) as client:
        tools = (await client.list_tools()).tools
        elapsed = time.perf_counter() - start
    assert tools
    return elapsed


async def run(pairs: int, starts: int) -> dict[str, float]:
    from mcp import Client

    with _fake_twenty() as fake, tempfile.TemporaryDirectory() as tmp:
        plural = _ensure_records(fake.base_url, fake.api_key)
        floor_py = Path(tmp) / "floor_server.py"
        floor_py.write_text(FLOOR_SERVER)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "TWENTY_"))},
            "TWENTY_API_URL": fake.base_url,
            "TWENTY_API_KEY": fake.api_key,
            "MCP_PRIMER_PATH": str(Path(tmp) / "primer.md"),
        }
        ours_cmd = [sys.executable, "-m", "mcp_server"]
        floor_cmd = [sys.executable, str(floor_py)]

        # Cold start: process start -> tools/list answered, alternating which goes first.
        start_ratios = []
        for i in range(starts):
            if i % 2:
                f = await _cold_start(floor_cmd, env)
                o = await _cold_start(ours_cmd, env)
            else:
                o = await _cold_start(ours_cmd, env)
                f = await _cold_start(floor_cmd, env)
            start_ratios.append(o / f)
            print(f"  cold start {i + 1}: ours {o * 1000:.0f} ms, floor {f * 1000:.0f} ms")

        # Latency of one 60-record list through each server, then peak RSS of each process.
        async with (
            Client(_params(ours_cmd, env), cache=None) as ours,
            Client(_params(floor_cmd, env), cache=None) as floor,
        ):
            ours_args = {"object": plural, "limit": 60}

            async def call_ours() -> float:
                t = time.perf_counter()
                r = await ours.call_tool("twenty_list_records", ours_args)
                dt = time.perf_counter() - t
                assert not r.is_error and len(r.structured_content["records"]) == 60, r.content
                return dt

            async def call_floor() -> float:
                t = time.perf_counter()
                r = await floor.call_tool("list_records", {"object": plural, "limit": 60})
                dt = time.perf_counter() - t
                assert not r.is_error and len(r.structured_content["records"]) == 60, r.content
                return dt

            for _ in range(3):  # warm both (schema cache, connections)
                await call_ours()
                await call_floor()
            ratios, ours_t, floor_t = [], [], []
            for i in range(pairs):
                if i % 2:
                    f, o = await call_floor(), await call_ours()
                else:
                    o, f = await call_ours(), await call_floor()
                ratios.append(o / f)
                ours_t.append(o)
                floor_t.append(f)
            kids = _children()
            ours_pid = next(p for p, c in kids.items() if "-m mcp_server" in c)
            floor_pid = next(p for p, c in kids.items() if "floor_server.py" in c)
            ours_rss, floor_rss = _peak_rss_kb(ours_pid), _peak_rss_kb(floor_pid)

    result = {
        "list60_ratio": statistics.median(ratios),
        "list60_ratio_of_medians": statistics.median(ours_t) / statistics.median(floor_t),
        "list60_ours_ms": statistics.median(ours_t) * 1000,
        "list60_floor_ms": statistics.median(floor_t) * 1000,
        "cold_start_ratio": statistics.median(start_ratios),
        "rss_ratio": ours_rss / floor_rss,
        "ours_rss_mb": ours_rss / 1024,
        "floor_rss_mb": floor_rss / 1024,
    }
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=30)
    parser.add_argument("--starts", type=int, default=7)
    args = parser.parse_args()
    r = anyio.run(run, args.pairs, args.starts)
    print()
    print(
        f"list 60 records   : ours {r['list60_ours_ms']:.1f} ms, floor {r['list60_floor_ms']:.1f} ms "
        "(medians); "
        f"median of pair ratios {r['list60_ratio']:.3f}, ratio of medians {r['list60_ratio_of_medians']:.3f} "
        "(target <= 1.05)"
    )
    print(f"cold start        : ratio {r['cold_start_ratio']:.3f} (target <= 1.0)")
    print(
        f"peak RSS          : ours {r['ours_rss_mb']:.1f} MB, floor {r['floor_rss_mb']:.1f} MB, "
        f"ratio {r['rss_ratio']:.3f} (target <= 1.2)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
