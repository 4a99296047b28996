"""The real layer's MCP smoke test: the SDK's own client, bearer key, streamable HTTP on loopback."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import uvicorn
from mcp.server.mcpserver import MCPServer

from staging.cloud import RealCloudLayer

KEY = "twenty-api-key-for-mcp"


def _app():  # an MCP server that, like ours on Cloud Run, refuses requests without the bearer key
    server = MCPServer("stage-smoke")

    @server.tool()
    def ping() -> str:
        """Answer pong."""
        return "pong"

    inner = server.streamable_http_app(stateless_http=True, json_response=True)

    async def app(scope, receive, send):
        if (
            scope["type"] == "http"
            and dict(scope["headers"]).get(b"authorization") != f"Bearer {KEY}".encode()
        ):
            await send(
                {"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"text/plain")]}
            )
            await send({"type": "http.response.body", "body": b"unauthorized"})
            return
        await inner(scope, receive, send)

    return app


@pytest.fixture(scope="module")
def mcp_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(_app(), host="127.0.0.1", port=port, log_level="error", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/mcp"
    server.should_exit = True
    thread.join(5)


def test_smoke_lists_the_tools_with_the_bearer_key(mcp_url):
    assert RealCloudLayer(lambda _l: None).mcp_smoke(mcp_url, KEY) == ["ping"]


def test_smoke_fails_with_a_wrong_key(mcp_url):
    with pytest.raises(Exception):  # noqa: B017  (whatever the SDK raises: the step must fail)
        RealCloudLayer(lambda _l: None).mcp_smoke(mcp_url, "wrong-key")
