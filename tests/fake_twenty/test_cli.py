"""``python -m tests.fake_twenty`` starts alone, prints its URL and key, and serves until killed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def test_cli_prints_url_and_key_and_serves() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_twenty", "--port", "0", "--empty"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(3))  # type: ignore[union-attr]
        assert lines["base_url"].startswith("http://127.0.0.1:")
        resp = httpx.get(
            f"{lines['base_url']}/rest/companies",
            timeout=10,
            headers={"Authorization": f"Bearer {lines['api_key']}"},
        )
        assert resp.status_code == 200
        assert resp.json()["totalCount"] == 0  # --empty
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0
