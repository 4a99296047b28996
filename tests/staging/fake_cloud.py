"""A fake `CloudLayer`: records every call, advances a fake clock, fails where told to."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Mapping
from typing import Any

from staging.cloud import HttpResult
from twenty_api.workspace_setup import Bootstrapped

API_KEY = "eyJhbGciOiJIUzI1NiJ9.fake-deploy-api-key-0123456789"
ACCESS_TOKEN = "eyJhbGciOiJIUzI1NiJ9.fake-user-access-token-abcdef"
SERVER = "https://st-t1-server-abc-uc.a.run.app"
MCP = "https://st-t1-mcp-abc-uc.a.run.app"
KEY_SECRET = "st-t1-twenty-api-key"
OUTPUTS = {
    "server_url": "https://st-t1.crm-staging.example.com",  # no DNS: the run must use server_uri
    "server_uri": SERVER,
    "mcp_uri": MCP,
    "project": "twenty-stage",
    "twenty_api_key_secret": KEY_SECRET,
}


class FakeFailure(RuntimeError):
    pass


class FakeCloud:
    """`fail` names the step whose cloud call fails; `leak` makes calls echo secrets into the log."""

    def __init__(
        self, fail: str | None = None, *, leak: bool = False, log: Callable[[str], None] | None = None
    ):
        self.fail = fail
        self.leak = leak
        self.log = log or (lambda _line: None)
        self.calls: list[str] = []
        self.now = 1000.0
        self.secrets: dict[tuple[str, str], list[str]] = {}
        self.health_503s = 0
        self.records_after_polls = 0
        self.interrupt_on: str | None = None
        self.outputs = dict(OUTPUTS)
        self.stack_secrets = {("twenty-stage", KEY_SECRET)}  # declared by the stack
        self.deploy_env: dict[str, str] = {}

    def _enter(self, name: str, seconds: float = 1.0) -> None:
        self.calls.append(name)
        self.now += seconds
        if self.interrupt_on == name:
            raise KeyboardInterrupt

    def preflight(self, stack: str) -> None:
        self.calls.append("preflight")

    def stack_up(self, stack: str, config: Mapping[str, str]) -> dict[str, Any]:
        self._enter("stack_up", 600.0)
        self.config = dict(config)
        if self.fail == "up":
            raise FakeFailure("pulumi up failed: quota exceeded")
        return dict(self.outputs)

    def stack_destroy(self, stack: str) -> None:
        self._enter("stack_destroy", 300.0)
        if self.fail == "destroy":
            raise FakeFailure("pulumi destroy failed: resource in use")

    def stack_remove(self, stack: str) -> None:
        self._enter("stack_remove")

    def http_get(self, url: str) -> HttpResult:
        self._enter("http_get")
        if not url.startswith(SERVER):
            return HttpResult(0, "ConnectError: no DNS for this host")
        if self.fail == "healthz" or self.health_503s > 0:
            self.health_503s -= 1
            return HttpResult(503, "Service Unavailable")
        return HttpResult(200, '{"status":"ok"}')

    def http_post(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpResult:
        self._enter("http_post")
        if self.fail == "stripe":
            return HttpResult(400, "bad signature")
        if not url.startswith(SERVER):
            return HttpResult(0, "ConnectError: no DNS for this host")
        secret = self.deploy_env["TWENTY_APP_STRIPE_WEBHOOK_SECRET"]  # what the app was deployed with
        parts = dict(p.split("=", 1) for p in headers["Stripe-Signature"].split(","))
        want = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, parts["v1"]):
            return HttpResult(400, "signature mismatch")
        self.posted = json.loads(body)
        return HttpResult(200, '{"received":true}')

    def bootstrap_twenty(
        self,
        base_url: str,
        email: str,
        password: str,
        workspace_name: str,
        on_secret: Callable[[str], object],
    ) -> Bootstrapped:
        self._enter("bootstrap_twenty", 20.0)
        self.password = password
        on_secret(ACCESS_TOKEN)  # as the real flow does the moment a token arrives
        if self.leak:
            self.log(f"signUp ok for {email} with password {password}; access token {ACCESS_TOKEN}")
        if self.fail == "bootstrap":
            raise FakeFailure(f"createApiKey refused for token {ACCESS_TOKEN}")
        return Bootstrapped(
            workspace_id="ws-1", api_key=API_KEY, api_key_id="ak-1", access_token=ACCESS_TOKEN
        )

    def find_records(self, base_url: str, api_key: str, plural: str, filter: str) -> list[dict[str, Any]]:
        self._enter("find_records")
        if self.records_after_polls > 0:
            self.records_after_polls -= 1
            return []
        email = self.posted["data"]["object"]["email"]
        return [{"id": "person-1", "emails": {"primaryEmail": email}}] if email in filter else []

    def mcp_smoke(self, mcp_url: str, api_key: str) -> list[str]:
        self._enter("mcp_smoke")
        if self.fail == "mcp":
            raise FakeFailure(f"401 from {mcp_url} with Authorization: Bearer {api_key}")
        return ["list_records", "get_record"]

    def store_secret(self, project: str, secret_id: str, value: str) -> bool:
        self._enter("store_secret")
        if self.leak:
            self.log(f"gcloud secrets versions add {secret_id} <<< {value}")
        created = (project, secret_id) not in self.secrets and (project, secret_id) not in self.stack_secrets
        self.secrets.setdefault((project, secret_id), []).append(value)
        return created

    def delete_secret(self, project: str, secret_id: str) -> None:
        self._enter("delete_secret")
        self.secrets.pop((project, secret_id), None)

    def run(self, argv: list[str], env: Mapping[str, str]) -> int:
        kind = "pytest" if "pytest" in argv else argv[argv.index("invoke") + 1] if "invoke" in argv else "?"
        self._enter(f"run:{kind}", 60.0)
        if self.leak:
            self.log(f"env TWENTY_LIVE_KEY={env.get('TWENTY_LIVE_KEY')}")
        self.last_env = dict(env)
        if kind == "deploy":
            self.deploy_env = dict(env)
        if kind == "pytest":
            self.contract_env = dict(env)
        if (self.fail, kind) in (("contract", "pytest"), ("deploy", "deploy"), ("mcp-image", "mcp.deploy")):
            return 1
        return 0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.calls.append("sleep")
        self.now += seconds
