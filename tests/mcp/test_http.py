"""Streamable HTTP: 401 + protected-resource metadata, /healthz, Bearer Twenty key, admin primer."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from mcp_server import catalog
from twenty_api.settings import TwentySettings

from .conftest import HttpServer, answer_of

pytestmark = pytest.mark.anyio


@asynccontextmanager
async def mcp_over_http(url: str, token: str) -> Any:
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    async with http, Client(streamable_http_client(f"{url}/mcp", http_client=http), cache=None) as client:
        yield client


async def test_unauthenticated_gets_401_with_resource_metadata(http_env: dict[str, str]) -> None:
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            r = await http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            assert r.status_code == 401
            challenge = r.headers["www-authenticate"]
            assert "resource_metadata=" in challenge
            meta_url = challenge.split('resource_metadata="')[1].split('"')[0]
            assert meta_url.startswith(srv.url)
            meta = (await http.get(meta_url)).json()
            assert meta["resource"].rstrip("/") == f"{srv.url}/mcp"
            assert meta["authorization_servers"]
            assert (await http.get("/healthz")).json() == {"status": "ok"}
            r = await http.post("/mcp", json={}, headers={"Authorization": "Bearer not-a-twenty-key"})
            assert r.status_code == 401


async def test_bearer_twenty_key_lists_and_calls_tools(http_env: dict[str, str], fake_twenty: Any) -> None:
    with HttpServer(http_env) as srv:
        async with mcp_over_http(srv.url, fake_twenty.api_key) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert len(names) == len(catalog.load()["tools"])
            r = await client.call_tool("twenty_list_records", {"object": "people", "limit": 3})
            assert not r.is_error, r.content
            assert len(answer_of(r)["records"]) == 3
    auth_kinds = {kind for _, path, kind in fake_twenty.requests if path.startswith("/rest")}
    assert auth_kinds <= {"api_key"}


async def test_bearer_path_honours_server_read_only(http_env: dict[str, str], fake_twenty: Any) -> None:
    env = {**http_env, "MCP_READ_ONLY": "true"}
    with HttpServer(env) as srv:
        async with mcp_over_http(srv.url, fake_twenty.api_key) as client:
            names = {t.name for t in (await client.list_tools()).tools}
            assert "twenty_create_record" not in names
            r = await client.call_tool(
                "twenty_create_record", {"object": "people", "data": {"firstName": "X"}}
            )
            assert r.is_error and "read-only" in r.content[0].text


async def test_admin_primer_endpoints(http_env: dict[str, str], fake_twenty: Any) -> None:
    admin = {"Authorization": f"Bearer {http_env['MCP_ADMIN_TOKEN']}"}
    with HttpServer(http_env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            assert (await http.get("/admin/primer")).status_code == 401
            wrong = {"Authorization": "Bearer " + "y" * 30}
            assert (await http.put("/admin/primer", content="x", headers=wrong)).status_code == 401
            assert (await http.get("/admin/primer", headers=admin)).status_code == 404
            r = await http.put("/admin/primer", content=b"# We sell engines", headers=admin)
            assert r.status_code == 204
            r = await http.get("/admin/primer", headers=admin)
            assert r.status_code == 200 and r.text == "# We sell engines"
            too_big = b"x" * 100_001
            assert (await http.put("/admin/primer", content=too_big, headers=admin)).status_code == 413
            async with mcp_over_http(srv.url, fake_twenty.api_key) as client:
                primer = await client.call_tool("twenty_get_primer", {})
                assert answer_of(primer)["context"] == "# We sell engines"
                resource = await client.read_resource("twenty://primer")
                assert resource.contents[0].text.startswith("# We sell engines")
                assert "people" in resource.contents[0].text
            assert (await http.delete("/admin/primer", headers=admin)).status_code == 204
            assert (await http.get("/admin/primer", headers=admin)).status_code == 404
    env = {k: v for k, v in http_env.items() if k != "MCP_ADMIN_TOKEN"}
    with HttpServer(env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            assert (await http.get("/admin/primer", headers=admin)).status_code == 503


def test_module_entrypoint_serves_http_with_json_logs(http_env: dict[str, str]) -> None:
    """`python -m mcp_server --transport http --port N` (the image's CMD) on its own."""
    import subprocess
    import sys
    import time

    from .conftest import REPO, free_port

    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "mcp_server",
        "--transport",
        "http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    env = {**http_env, "MCP_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen(cmd, cwd=str(REPO), env=env, stderr=subprocess.PIPE, text=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            deadline = time.monotonic() + 30
            while True:
                try:
                    r = http.get("/healthz")
                    break
                except httpx.ConnectError:
                    assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
                    time.sleep(0.2)
            assert r.json() == {"status": "ok"}
            r = http.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
            assert r.status_code == 401 and "resource_metadata" in r.headers["www-authenticate"]
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=15)
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("{") and '"severity"' in line for line in lines), lines[:3]
    assert http_env["TWENTY_API_KEY"] not in err


async def test_silent_connections_are_closed_and_keys_share_one_pool(http_env: dict[str, str]) -> None:
    import asyncio
    import time

    env = {**http_env, "MCP_FIRST_REQUEST_TIMEOUT": "0.5"}
    with HttpServer(env) as srv:
        silent = [await asyncio.open_connection("127.0.0.1", srv.port) for _ in range(20)]
        started = time.monotonic()
        for reader, writer in silent:
            assert await asyncio.wait_for(reader.read(1), 5) == b""  # closed by the server
            writer.close()
        assert time.monotonic() - started < 3
        async with httpx.AsyncClient(base_url=srv.url) as http:  # the server still serves
            assert (await http.get("/healthz")).status_code == 200


def test_clients_of_different_keys_share_one_pool() -> None:
    import anyio

    from mcp_server.runtime import Runtime
    from mcp_server.settings import ServerSettings

    async def main() -> None:
        rt = Runtime(ServerSettings(twenty=TwentySettings(api_url="https://crm.example.com")))
        a, b = rt.client_for("key-a"), rt.client_for("key-b")
        assert a._http._transport is b._http._transport is rt.shared_transport()
        await a.aclose()  # one client closing leaves the pool to the others
        await rt.aclose()

    anyio.run(main)


async def test_work_stops_when_the_client_goes(http_env: dict[str, str], fake_twenty: Any) -> None:
    import asyncio
    import time

    person = fake_twenty.records("people")[0]["id"]
    with HttpServer(http_env) as srv:
        fake_twenty.faults.latency = 1.0
        fake_twenty.faults.fail_next(503, 4, path_prefix=f"/rest/people/{person}")
        call = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "twenty_get_record", "arguments": {"object": "people", "id": person}},
        }
        headers = {
            "Authorization": f"Bearer {fake_twenty.api_key}",
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-06-18",
        }
        async with httpx.AsyncClient(base_url=srv.url, timeout=0.5) as http:
            fake_twenty.faults.latency = 0.0  # key checked and schema cached first
            warm = {**call, "params": {"name": "twenty_list_objects", "arguments": {}}}
            assert (await http.post("/mcp", json=warm, headers=headers, timeout=30)).status_code == 200
            fake_twenty.faults.latency = 1.0
            with pytest.raises(httpx.ReadTimeout):
                await http.post("/mcp", json=call, headers=headers)
        left_at = time.monotonic()
        await asyncio.sleep(0.3)
        seen = len(fake_twenty.requests)
        await asyncio.sleep(6)
        fake_twenty.faults.latency = 0.0
        after = len(fake_twenty.requests) - seen
    # Without cancellation the call went on: schema, then five attempts at the record.
    assert after == 0, (
        f"{after} upstream request(s) in the {time.monotonic() - left_at:.0f} s after the client left"
    )


@pytest.mark.live
async def test_a_remote_client_with_a_twenty_key_works_against_a_real_twenty(tmp_path: Any) -> None:
    """Streamable HTTP with the SDK's client and a real 2.21.0's API key as Bearer (marker `live`)."""
    from mcp_server.auth.sealing import new_key
    from tests.live_twenty import LiveTwenty

    from .conftest import server_env

    live = LiveTwenty()
    env = server_env(live, tmp_path, MCP_SEALING_KEY=new_key(), MCP_ADMIN_TOKEN="admin-" + "x" * 24)
    with HttpServer(env) as srv:
        async with httpx.AsyncClient(base_url=srv.url) as http:
            junk = await http.post("/mcp", json={}, headers={"Authorization": "Bearer not-a-twenty-key"})
            assert junk.status_code == 401
        async with mcp_over_http(srv.url, live.api_key) as client:
            assert len((await client.list_tools()).tools) == len(catalog.load()["tools"])
            r = await client.call_tool("twenty_list_records", {"object": "companies", "limit": 3})
            assert not r.is_error, r.content
            assert len(answer_of(r)["records"]) == 3
            agg = await client.call_tool("twenty_aggregate", {"object": "companies", "operation": "count"})
            assert not agg.is_error and answer_of(agg)
