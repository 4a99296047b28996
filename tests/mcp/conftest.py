"""Helpers for driving the MCP server with the SDK's real client against the fake Twenty."""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

REPO = Path(__file__).resolve().parents[2]


def answer_of(result: Any) -> dict[str, Any]:
    """A tool's answer: one compact JSON text block and no structuredContent (docs/mcp.md,
    "One copy per answer"); it used to come twice, pretty text plus structuredContent."""
    assert result.structured_content is None
    (block,) = result.content
    assert not result.is_error, block.text
    assert "\n" not in block.text, "answers are compact JSON"
    return json.loads(block.text)


def server_env(fake: Any, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "TWENTY_"))}
    env.update(
        TWENTY_API_URL=fake.base_url + "/rest/",
        TWENTY_API_KEY=fake.api_key,
        MCP_PRIMER_PATH=str(tmp_path / "primer.md"),
    )
    env.update(extra)
    return env


@asynccontextmanager
async def stdio_session(env: dict[str, str]) -> AsyncIterator[Client]:
    params = StdioServerParameters(command=sys.executable, args=["-m", "mcp_server"], env=env, cwd=str(REPO))
    async with Client(params, cache=None) as client:
        yield client


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class HttpServer:
    """Our HTTP app under uvicorn in a thread, on a loopback port."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> HttpServer:
        import uvicorn

        from mcp_server.http_app import create_app, uvicorn_options
        from mcp_server.settings import ServerSettings
        from twenty_api.settings import TwentySettings

        fields = {k.lower(): v for k, v in self.env.items() if k.startswith("MCP_")}
        settings = ServerSettings(twenty=TwentySettings.from_env(self.env), **fields)
        app = create_app(settings, port=self.port)
        options = {**uvicorn_options(settings), "log_config": uvicorn.config.LOGGING_CONFIG}
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on", **options
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("MCP HTTP server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def http_env(fake_twenty: Any, tmp_path: Path) -> Iterator[dict[str, str]]:
    from mcp_server.auth.sealing import new_key

    yield server_env(fake_twenty, tmp_path, MCP_SEALING_KEY=new_key(), MCP_ADMIN_TOKEN="admin-" + "x" * 24)
