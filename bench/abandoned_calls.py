"""Loopback-only probe: what the server still asks Twenty after its clients gave up (issue 12).

40 concurrent `twenty_get_record` calls on one key over streamable HTTP, each client giving up
after 1 s, against the fake Twenty with 1.5 s latency and every third record read failing with
503. Counts the upstream requests made after the last client left, for 20 s. Bounded; stops by
itself. `uv run python bench/abandoned_calls.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


async def main() -> None:
    from mcp_server.auth.sealing import new_key
    from tests.fake_twenty import FakeTwenty
    from tests.mcp.conftest import HttpServer, server_env

    fake = FakeTwenty(seeded=True).start()
    try:
        env = server_env(fake, Path(tempfile.mkdtemp()), MCP_SEALING_KEY=new_key())
        people = [p["id"] for p in fake.records("people")[:40]]
        with HttpServer(env) as srv:
            headers = {
                "Authorization": f"Bearer {fake.api_key}",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-06-18",
            }

            def call(name: str, args: dict[str, object]) -> dict[str, object]:
                params = {"name": name, "arguments": args}
                return {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params}

            async with httpx.AsyncClient(base_url=srv.url, timeout=30) as http:
                await http.post("/mcp", json=call("twenty_list_objects", {}), headers=headers)
            fake.faults.latency = 1.5
            for pid in people[::3]:
                fake.faults.fail_next(503, 3, path_prefix=f"/rest/people/{pid}")

            async def one(pid: str) -> None:
                async with httpx.AsyncClient(base_url=srv.url, timeout=1.0) as http:
                    with contextlib.suppress(httpx.TimeoutException):
                        await http.post(
                            "/mcp",
                            json=call("twenty_get_record", {"object": "people", "id": pid}),
                            headers=headers,
                        )

            await asyncio.gather(*(one(p) for p in people))
            left = len(fake.requests)
            started = time.monotonic()
            await asyncio.sleep(20)
            after = fake.requests[left:]
            print(
                f"40 abandoned calls: {len(after)} upstream requests in the "
                f"{time.monotonic() - started:.0f} s after the last client left"
            )
            fake.faults.latency = 0.0
    finally:
        fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
