"""A stand-in for the GCE metadata server and Secret Manager's REST API, on loopback.

Run in-process (`FakeGce`) or as `python -m tests.infra.fake_gce PORT STATE.json` inside a network
namespace. STATE.json: {"secrets": {id: value}, "fail_first": {id-or-"token": n}, "attributes": {k: v}};
it is re-read on every request, so a test can change an attribute (the config watcher's fingerprint)
while a script long-polls it. Every request is appended to STATE.json + ".log" with its time.
"""

from __future__ import annotations

import base64
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

TOKEN = "ya29.fake-token"  # a fake token this stand-in hands out
PROJECT = "boot-test-project"


class Handler(BaseHTTPRequestHandler):
    state_file: Path
    counts: dict[str, int]

    def log_message(self, *args: Any) -> None:
        return

    def _state(self) -> dict[str, Any]:
        return json.loads(self.state_file.read_text())

    def _send(self, code: int, body: str, ctype: str = "application/json", etag: str = "") -> None:
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        if etag:
            self.send_header("ETag", etag)
        self.end_headers()
        self.wfile.write(data)

    def _failing(self, key: str, state: dict[str, Any]) -> bool:
        Handler.counts[key] = Handler.counts.get(key, 0) + 1
        return Handler.counts[key] <= int(state.get("fail_first", {}).get(key, 0))

    def do_GET(self) -> None:
        url = urlparse(self.path)
        with open(f"{self.state_file}.log", "a") as log:
            log.write(f"{time.monotonic():.4f} {url.path}\n")
        state = self._state()
        if url.path.startswith("/md/"):
            if self.headers.get("Metadata-Flavor") != "Google":
                return self._send(403, "missing Metadata-Flavor")
            if url.path == "/md/project/project-id":
                return self._send(200, PROJECT, "text/plain")
            if url.path == "/md/instance/service-accounts/default/token":
                if self._failing("token", state):
                    return self._send(404, "service account not ready")
                return self._send(200, json.dumps({"access_token": TOKEN, "expires_in": 3599}))
            if url.path.startswith("/md/instance/attributes/"):
                return self._attribute(url.path.rsplit("/", 1)[1], parse_qs(url.query))
        prefix = f"/sm/v1/projects/{PROJECT}/secrets/"
        if url.path.startswith(prefix) and url.path.endswith("/versions/latest:access"):
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                return self._send(401, '{"error": "unauthenticated"}')
            name = url.path[len(prefix) : -len("/versions/latest:access")]
            if name not in state["secrets"]:
                return self._send(404, '{"error": "not found"}')
            if self._failing(name, state):  # IAM grant not propagated yet
                return self._send(403, '{"error": {"code": 403, "status": "PERMISSION_DENIED"}}')
            data = base64.b64encode(state["secrets"][name].encode()).decode()
            body = {"name": f"projects/1/secrets/{name}/versions/3", "payload": {"data": data}}
            return self._send(200, json.dumps(body, indent=2))  # Google pretty-prints
        return self._send(404, "{}")

    def _attribute(self, key: str, query: dict[str, list[str]]) -> None:
        """`?wait_for_change=true&last_etag=E` blocks until the value's etag differs from E."""
        deadline = time.monotonic() + float((query.get("timeout_sec") or ["5"])[0])
        while True:
            value = self._state().get("attributes", {}).get(key)
            if value is None:
                return self._send(404, "no such attribute", "text/plain")
            etag = str(abs(hash(value)))
            waiting = (query.get("wait_for_change") or [""])[0] == "true"
            if not waiting or (query.get("last_etag") or ["0"])[0] != etag or time.monotonic() > deadline:
                return self._send(200, value, "text/plain", etag)
            time.sleep(0.05)


def serve(port: int, state_file: Path) -> ThreadingHTTPServer:
    handler = type("BoundHandler", (Handler,), {"state_file": state_file})
    Handler.counts = {}
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


if __name__ == "__main__":
    server = serve(int(sys.argv[1]), Path(sys.argv[2]))
    print("ready", flush=True)
    server.serve_forever()
