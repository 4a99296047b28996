"""`python -m mcp_server` fails at start, naming the missing setting, instead of listing 43 tools
that each fail (stdio) or advertising OAuth whose /register is a 404 (HTTP) — issue 17."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mcp_server.__main__ import startup_problems

REPO = Path(__file__).resolve().parents[2]
KEY = "A" * 43  # urlsafe base64 of 32 bytes


def _start(*args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "TWENTY_"))}
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "mcp_server", *args],
        cwd=REPO,
        env={**clean, **env},
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc, time.monotonic() - start


def test_stdio_without_settings_exits_at_once_naming_both() -> None:
    proc, elapsed = _start()
    assert proc.returncode == 2 and proc.stdout == ""  # no MCP handshake, no tool list
    assert "mcp_server (stdio) cannot start:" in proc.stderr
    assert "TWENTY_API_URL is not set" in proc.stderr and "TWENTY_API_KEY is not set" in proc.stderr
    assert "Settings > APIs & Webhooks" in proc.stderr and "Traceback" not in proc.stderr
    assert elapsed < 10, elapsed


def test_http_without_a_sealing_key_exits_instead_of_advertising_oauth() -> None:
    proc, _ = _start("--transport", "http", "--port", "1", TWENTY_API_URL="https://crm.example.com")
    assert proc.returncode == 2
    assert "mcp_server (http) cannot start:" in proc.stderr and "MCP_SEALING_KEY is not set" in proc.stderr
    assert "new_key()" in proc.stderr and "TWENTY_API_KEY" not in proc.stderr  # callers bring their own


@pytest.mark.parametrize(
    ("transport", "env", "expected"),
    [
        ("stdio", {"TWENTY_API_URL": "https://crm.example.com", "TWENTY_API_KEY": "k"}, []),
        ("stdio", {"TWENTY_API_URL": "https://crm.example.com", "TWENTY_API_KEY": "  "}, ["TWENTY_API_KEY"]),
        ("stdio", {"TWENTY_API_KEY": "k"}, ["TWENTY_API_URL"]),
        ("http", {"TWENTY_API_URL": "https://crm.example.com", "MCP_SEALING_KEY": KEY}, []),
        (
            "http",
            {"TWENTY_API_URL": "https://crm.example.com", "MCP_SEALING_KEY": "short"},
            ["MCP_SEALING_KEY"],
        ),
        ("http", {}, ["TWENTY_API_URL", "MCP_SEALING_KEY"]),
    ],
)
def test_each_problem_names_its_variable(transport: str, env: dict[str, str], expected: list[str]) -> None:
    problems = startup_problems(transport, env)
    assert [p.split(" ", 1)[0] for p in problems] == expected


def test_a_secret_value_is_never_echoed() -> None:
    problems = startup_problems("http", {"TWENTY_API_URL": "u", "MCP_SEALING_KEY": "not-a-key-SECRETVALUE"})
    assert problems and not any("SECRETVALUE" in p for p in problems)
