"""The worker VM's boot script, run for real (bash + curl) against a fake metadata server and a fake
Secret Manager on loopback: what the VM would do at boot, minus Google."""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from tests.infra.conftest import plan_of

pytestmark = pytest.mark.skipif(
    not all(shutil.which(t) for t in ("bash", "curl", "base64", "sed")),
    reason="needs bash, curl, base64, sed",
)

TOKEN = "ya29.fake-token"  # a fake token the fake metadata server hands out
PROJECT = "boot-test-project"


class FakeGoogle(BaseHTTPRequestHandler):
    secrets: ClassVar[dict[str, str]] = {}
    seen: ClassVar[list[str]] = []
    timed: ClassVar[list[tuple[float, str]]] = []
    fail_first: ClassVar[dict[str, int]] = {}

    def log_message(self, *args: Any) -> None:
        return

    def _send(self, code: int, body: str, ctype: str = "application/json") -> None:
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        self.seen.append(self.path)
        self.timed.append((time.monotonic(), self.path))
        if self.path.startswith("/md/"):
            if self.headers.get("Metadata-Flavor") != "Google":
                return self._send(403, "missing Metadata-Flavor")
            if self.path == "/md/project/project-id":
                return self._send(200, PROJECT, "text/plain")
            if self.path == "/md/instance/service-accounts/default/token":
                return self._send(
                    200, json.dumps({"access_token": TOKEN, "expires_in": 3599, "token_type": "Bearer"})
                )
        prefix = f"/sm/v1/projects/{PROJECT}/secrets/"
        if self.path.startswith(prefix) and self.path.endswith("/versions/latest:access"):
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, '{"error": "unauthenticated"}')
            name = self.path[len(prefix) : -len("/versions/latest:access")]
            if name not in self.secrets:
                return self._send(404, '{"error": "not found"}')
            if self.fail_first.get(name, 0) > 0:  # the accessor grant has not propagated yet
                self.fail_first[name] -= 1
                return self._send(403, '{"error": {"status": "PERMISSION_DENIED"}}')
            data = base64.b64encode(self.secrets[name].encode()).decode()
            body = {
                "name": f"projects/1/secrets/{name}/versions/3",
                "payload": {"data": data, "dataCrc32c": "1"},
            }
            return self._send(200, json.dumps(body, indent=2))  # Google pretty-prints
        return self._send(404, "{}")


@pytest.fixture
def fake_google() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGoogle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeGoogle.seen = []
    FakeGoogle.timed = []
    FakeGoogle.fail_first = {}
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def _files(variant: str) -> dict[str, str]:
    vm = plan_of(variant).one("gcp:compute/instance:Instance")
    doc = yaml.safe_load(vm.props["metadata"]["user-data"].removeprefix("#cloud-config\n"))
    return {f["path"]: f["content"] for f in doc["write_files"]}


def _boot(
    variant: str, root: Path, base: str, secrets: dict[str, str], retry_base_ms: int = 20
) -> subprocess.CompletedProcess[str]:
    files = _files(variant)
    for path in ("/etc/twenty/secret-map", "/etc/twenty/file-secrets"):
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[path])
    script = root / "fetch-secrets.sh"
    script.write_text(files["/etc/twenty/fetch-secrets.sh"])
    FakeGoogle.secrets = secrets
    env = {
        "PATH": os.environ["PATH"],
        "TWENTY_ROOT": str(root),
        "TWENTY_METADATA_URL": f"{base}/md",
        "TWENTY_SECRETMANAGER_URL": f"{base}/sm",
        "TWENTY_RETRY_BASE_MS": str(retry_base_ms),
        "TWENTY_RETRY_ATTEMPTS": "4",
    }
    return subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, timeout=60)


def _secret_values(variant: str) -> dict[str, str]:
    ids = [line.split()[1] for line in _files(variant)["/etc/twenty/secret-map"].splitlines() if line.strip()]
    ids += [
        line.split()[1] for line in _files(variant)["/etc/twenty/file-secrets"].splitlines() if line.strip()
    ]
    values = {sid: f"value-of-{sid}" for sid in ids}
    values["twenty-pg-url"] = "postgres://twenty:Abc123@10.20.0.3:5432/default"
    values["twenty-redis-ca"] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
    return values


def test_lean_boot_fetches_every_secret_into_a_root_only_env_file(tmp_path: Path, fake_google: str) -> None:
    if os.geteuid() != 0:
        pytest.skip("the lean boot script chowns redis.conf to the redis image's uid; needs root")
    values = _secret_values("prod")
    proc = _boot("prod", tmp_path, fake_google, values)
    assert proc.returncode == 0, proc.stderr
    env_file = tmp_path / "run/twenty/secrets.env"
    lines = dict(line.split("=", 1) for line in env_file.read_text().splitlines())
    assert lines["PG_DATABASE_URL"] == "postgres://twenty:Abc123@10.20.0.3:5432/default"
    assert lines["APP_SECRET"] == "value-of-twenty-app-secret"
    assert set(lines) >= {
        "REDIS_URL",
        "ENCRYPTION_KEY",
        "STORAGE_S3_SECRET_ACCESS_KEY",
        "AUTH_GOOGLE_CLIENT_SECRET",
    }
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    conf = (tmp_path / "run/twenty/redis.conf").read_text()
    assert "requirepass value-of-twenty-redis-password\n" in conf and "maxmemory-policy noeviction" in conf
    assert "maxmemory 256mb\n" in conf  # bounded: noeviction then refuses writes instead of OOM-killing
    assert (tmp_path / "run/twenty/redis.conf").stat().st_uid == 999
    assert all("latest:access" in p or p.startswith("/md/") for p in FakeGoogle.seen)


def test_memorystore_boot_writes_the_public_ca_readable(tmp_path: Path, fake_google: str) -> None:
    values = _secret_values("prod-standard")
    proc = _boot("prod-standard", tmp_path, fake_google, values)
    assert proc.returncode == 0, proc.stderr
    ca = tmp_path / "etc/twenty/redis-ca/ca.pem"
    assert ca.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert stat.S_IMODE(ca.stat().st_mode) == 0o644
    assert not (tmp_path / "run/twenty/redis.conf").exists()


def test_a_multi_line_secret_stops_the_boot(tmp_path: Path, fake_google: str) -> None:
    values = {**_secret_values("prod-standard"), "twenty-app-secret": "line1\nline2"}
    proc = _boot("prod-standard", tmp_path, fake_google, values)
    assert proc.returncode != 0
    assert "twenty-app-secret is empty or spans several lines" in proc.stderr
    assert not (tmp_path / "run/twenty/secrets.env").exists()


def test_a_missing_secret_stops_the_boot_after_bounded_retries(tmp_path: Path, fake_google: str) -> None:
    values = _secret_values("prod-standard")
    del values["twenty-pg-url"]
    proc = _boot("prod-standard", tmp_path, fake_google, values)
    assert proc.returncode != 0
    assert not (tmp_path / "run/twenty/secrets.env").exists()
    tries = [p for p in FakeGoogle.seen if "/twenty-pg-url/" in p]
    assert len(tries) == 4  # TWENTY_RETRY_ATTEMPTS, then the unit fails (and systemd retries it)
    assert "giving up on fetch_once twenty-pg-url after 4 attempts" in proc.stderr


def test_secret_fetch_retries_with_backoff_until_iam_propagates(tmp_path: Path, fake_google: str) -> None:
    """First boot on a fresh project: the grant is not visible yet; the fetch waits for it."""
    values = _secret_values("prod-standard")
    FakeGoogle.fail_first = {"twenty-app-secret": 3}
    proc = _boot("prod-standard", tmp_path, fake_google, values, retry_base_ms=200)
    assert proc.returncode == 0, proc.stderr
    times = [t for t, p in FakeGoogle.timed if "/twenty-app-secret/" in p]
    assert len(times) == 4
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # 200 ms doubling: waits of 0.2, 0.4 and 0.8 s between the attempts (plus each request's own time).
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4 and gaps[2] >= 0.8, gaps
    assert gaps[1] - gaps[0] >= 0.1 and gaps[2] - gaps[1] >= 0.25, gaps
    env = dict(line.split("=", 1) for line in (tmp_path / "run/twenty/secrets.env").read_text().splitlines())
    assert env["APP_SECRET"] == "value-of-twenty-app-secret"
