"""Loopback-only load probe for the HTTP server's auth path and connection handling (issue 12).

Starts the fake Twenty and `python -m mcp_server --transport http` on 127.0.0.1, then:
1. N requests with distinct random Bearer values: the server's CPU seconds per rejection, the
   upstream calls they caused, and the server's RSS afterwards;
2. C idle TCP connections that send nothing: how many the server still holds after S seconds.
Bounded in count and time; stops by itself. `uv run python bench/auth_load.py [--repo DIR]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def _junk_tokens(url: str, n: int) -> float:
    started = time.monotonic()
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        for _ in range(n):
            r = await http.post(
                "/mcp", json={}, headers={"Authorization": f"Bearer {secrets.token_urlsafe(24)}"}
            )
            assert r.status_code == 401, r.status_code
    return time.monotonic() - started


async def _idle(port: int, count: int, wait: float) -> int:
    conns = []
    for _ in range(count):
        try:
            conns.append(await asyncio.open_connection("127.0.0.1", port))
        except OSError:
            break
    await asyncio.sleep(wait)
    still = 0
    for reader, writer in conns:
        try:
            data = await asyncio.wait_for(reader.read(1), 0.05)
            still += 0 if data == b"" else 1
        except TimeoutError:
            still += 1  # nothing read and not closed: the server still holds it
        writer.close()
    return still


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--tokens", type=int, default=200)
    parser.add_argument("--idle", type=int, default=140)
    parser.add_argument("--idle-wait", type=float, default=10.0)
    args = parser.parse_args()
    repo = Path(args.repo)
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_twenty", "--port", "0"],
        cwd=repo,
        stdout=subprocess.PIPE,
        text=True,
    )
    info: dict[str, str] = {}
    assert fake.stdout is not None
    try:
        return _run(args, repo, fake, info)
    finally:
        fake.terminate()
        fake.wait(10)


def _run(args: argparse.Namespace, repo: Path, fake: subprocess.Popen[str], info: dict[str, str]) -> int:
    assert fake.stdout is not None
    while "api_key" not in info:
        line = fake.stdout.readline()
        if not line:
            raise SystemExit("the fake did not start")
        for part in line.split():
            if "=" in part:
                k, v = part.split("=", 1)
                info[k] = v
    port = _free_port()
    sys.path.insert(0, str(repo))
    from mcp_server.auth.sealing import new_key

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "TWENTY_"))}
    env.update(
        TWENTY_API_URL=info["base_url"] + "/rest/",
        MCP_SEALING_KEY=new_key(),
        MCP_PUBLIC_URL=f"http://127.0.0.1:{port}",
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mcp_server",
            "--transport",
            "http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(url + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        cpu0, rss0 = _cpu_seconds(server.pid), _rss_mb(server.pid)
        wall = asyncio.run(_junk_tokens(url, args.tokens))
        cpu = _cpu_seconds(server.pid) - cpu0
        print(
            f"junk bearer x{args.tokens}: {wall:.2f} s wall, "
            f"server CPU {cpu * 1000 / args.tokens:.1f} ms each, "
            f"RSS {rss0:.0f} -> {_rss_mb(server.pid):.0f} MB"
        )
        still = asyncio.run(_idle(port, args.idle, args.idle_wait))
        print(f"idle connections: {still} of {args.idle} still open after {args.idle_wait:.0f} s")
    finally:
        server.terminate()
        server.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
