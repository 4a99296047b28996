"""`inv stage.test`: a throwaway staging stack, proven end to end, then destroyed.

Steps run in order; each names the steps it needs, and runs only if they passed (a failed
contract suite does not stop the deploy, a failed deploy does stop the Stripe check). Cleanup
(destroy, remove, secrets this run created outside the stack) runs after any outcome, also after
Ctrl-C, unless `keep`. `remove` runs only after a successful `destroy`: removing a stack whose
resources still exist would forget them while they keep billing.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from staging.cloud import CloudLayer
from staging.cost import accrued_cost
from staging.redact import Redactor
from staging.stackplan import StagePlan, secret_env_var
from staging.stripe import WEBHOOK_PATH, customer_created

MAIN_STEPS = ("up", "healthz", "bootstrap", "contract", "deploy", "mcp-image", "mcp", "stripe")
CLEANUP_STEPS = ("destroy", "remove", "secrets")

# The run talks to the Cloud Run URLs: a stage stack's domain has no DNS records.
# What each step reads, by the infra program's output names (infra/outputs.py). stage.test talks
# to the run.app URLs: the stack's custom domain has no DNS record during the run.
OUTPUT_FIELDS: dict[str, str] = {
    "server_url": "server_uri",
    "mcp_url": "mcp_uri",
    "project": "project",
    "deploy_api_key_secret": "twenty_api_key_secret",
}


class StepFailed(RuntimeError):
    pass


@dataclass(frozen=True)
class StageSettings:
    health_timeout: float = 900.0  # first start of Twenty runs its migrations
    health_interval: float = 10.0
    record_timeout: float = 180.0
    record_interval: float = 5.0
    email_domain: str = "example.com"


@dataclass
class StepResult:
    name: str
    status: str  # passed | failed | skipped
    seconds: float = 0.0
    detail: str = ""


@dataclass
class StageReport:
    stack: str
    kept: bool
    steps: list[StepResult] = field(default_factory=list)
    lifetime_seconds: float = 0.0
    monthly_usd: float | None = None

    @property
    def ok(self) -> bool:
        return all(self.status(name) == "passed" for name in MAIN_STEPS) and not any(
            s.status == "failed" for s in self.steps
        )

    @property
    def cost_usd(self) -> float | None:
        if self.monthly_usd is None:
            return None
        return accrued_cost(self.monthly_usd, self.lifetime_seconds)

    def status(self, name: str) -> str | None:
        return next((s.status for s in self.steps if s.name == name), None)


@dataclass
class _Context:
    outputs: dict[str, Any] = field(default_factory=dict)
    api_key: str = ""
    created_secrets: list[tuple[str, str]] = field(default_factory=list)

    def output(self, name: str, default: str | None = None) -> str:
        value = self.outputs.get(OUTPUT_FIELDS[name])
        if value not in (None, ""):
            return str(value)
        if default is not None:
            return default
        raise StepFailed(f"the stack has no output {OUTPUT_FIELDS[name]}")


class StageRun:
    def __init__(
        self,
        cloud: CloudLayer,
        stack: str,
        *,
        keep: bool,
        redactor: Redactor,
        log: Callable[[str], None],
        settings: StageSettings | None = None,
        monthly_usd: float | None = None,
        run_id: str | None = None,
        plan: StagePlan | None = None,
    ) -> None:
        self.cloud = cloud
        self.plan = plan or StagePlan()
        self.stack = stack
        self.keep = keep
        self.redactor = redactor
        self.log = log
        self.settings = settings or StageSettings()
        self.run_id = run_id or secrets.token_hex(4)
        self.report = StageReport(stack=stack, kept=keep, monthly_usd=monthly_usd)
        self.ctx = _Context()
        self._steps: dict[str, tuple[Callable[[], str], tuple[str, ...]]] = {
            "up": (self._up, ()),
            "healthz": (self._healthz, ("up",)),
            "bootstrap": (self._bootstrap, ("healthz",)),
            "contract": (self._contract, ("bootstrap",)),
            "deploy": (self._deploy, ("bootstrap",)),
            "mcp-image": (self._mcp_image, ("up",)),
            "mcp": (self._mcp, ("bootstrap", "mcp-image")),
            "stripe": (self._stripe, ("deploy",)),
        }

    # ------------------------------------------------------------ driver

    def execute(self) -> StageReport:
        """Run every step, then clean up. `cloud.preflight` must have passed already."""
        born = self.cloud.monotonic()
        try:
            for name in MAIN_STEPS:
                fn, needs = self._steps[name]
                self._attempt(name, fn, needs)
        except KeyboardInterrupt:
            self.log("interrupted (Ctrl-C): cleaning up — a second Ctrl-C would leave the stack behind")
            for name in MAIN_STEPS:
                if self.report.status(name) is None:
                    self._record(StepResult(name, "skipped", detail="interrupted"))
        finally:
            self._cleanup()
            self.report.lifetime_seconds = max(0.0, self.cloud.monotonic() - born)
        return self.report

    def _attempt(self, name: str, fn: Callable[[], str], needs: tuple[str, ...]) -> bool:
        missing = [n for n in needs if self.report.status(n) != "passed"]
        if missing:
            self._record(StepResult(name, "skipped", detail=f"needs {', '.join(missing)}"))
            return False
        self.log(f"── {name}")
        start = self.cloud.monotonic()
        try:
            detail = fn()
        except KeyboardInterrupt:
            self._record(StepResult(name, "failed", self.cloud.monotonic() - start, "interrupted (Ctrl-C)"))
            raise
        except Exception as err:  # every failure is reported, then cleanup runs
            message = self.redactor.mask(
                f"{type(err).__name__}: {err}" if not isinstance(err, StepFailed) else str(err)
            )
            self.log(f"✗ {name}: {message}")
            self._record(StepResult(name, "failed", self.cloud.monotonic() - start, message))
            return False
        self._record(StepResult(name, "passed", self.cloud.monotonic() - start, self.redactor.mask(detail)))
        return True

    def _record(self, result: StepResult) -> None:
        self.report.steps = [s for s in self.report.steps if s.name != result.name] + [result]

    def _cleanup(self) -> None:
        ran_up = self.report.status("up") in ("passed", "failed")
        if self.keep:
            for name in CLEANUP_STEPS:
                self._record(StepResult(name, "skipped", detail="--keep"))
            if ran_up:
                self.log(f"stack {self.stack} kept: `inv infra.destroy --stack {self.stack}` removes it")
            return
        if not ran_up:
            for name in CLEANUP_STEPS:
                self._record(StepResult(name, "skipped", detail="nothing was created"))
            return
        self._attempt("destroy", lambda: self._call(self.cloud.stack_destroy, "destroyed"), ())
        if self.report.status("destroy") == "passed":
            self._attempt("remove", lambda: self._call(self.cloud.stack_remove, "removed"), ())
        else:
            hint = f"re-run `inv infra.destroy --stack {self.stack}`, then `pulumi stack rm {self.stack}`"
            self.log(f"! destroy failed, so the stack is NOT removed (resources may still exist): {hint}")
            self._record(
                StepResult("remove", "skipped", detail=f"destroy failed: resources may still exist; {hint}")
            )
        self._attempt("secrets", self._delete_secrets, ())

    def _call(self, fn: Callable[[str], None], done: str) -> str:
        fn(self.stack)
        return f"{self.stack} {done}"

    # ------------------------------------------------------------ steps

    def _up(self) -> str:
        self.ctx.outputs = dict(self.cloud.stack_up(self.stack, self.plan.overrides))
        return f"{len(self.ctx.outputs)} outputs"

    def _healthz(self) -> str:
        url = self.ctx.output("server_url").rstrip("/") + "/healthz"
        deadline = self.cloud.monotonic() + self.settings.health_timeout
        last = "no answer"
        while True:
            res = self.cloud.http_get(url)
            if res.status == 200:
                return f"{url} → 200"
            last = f"{res.status} {res.text[:200]}".strip()
            if self.cloud.monotonic() >= deadline:
                raise StepFailed(
                    f"{url} not healthy after {self.settings.health_timeout:.0f}s (last: {last})"
                )
            self.cloud.sleep(self.settings.health_interval)

    def _bootstrap(self) -> str:
        server = self.ctx.output("server_url")
        project = self.ctx.output("project")
        self._email = f"stage-{self.run_id}@{self.settings.email_domain}"
        self._password = self.redactor.add(secrets.token_urlsafe(24)) or ""
        done = self.cloud.bootstrap_twenty(
            server, self._email, self._password, f"Stage {self.stack}", self.redactor.add
        )
        self.ctx.api_key = self.redactor.add(done.api_key) or ""
        self._access_token = done.access_token
        # the stack declares the deploy-key secret; a stack without that output gets one of its own
        secret_id = self.ctx.output("deploy_api_key_secret", default=f"{self.stack}-deploy-api-key")
        if self.cloud.store_secret(project, secret_id, done.api_key):
            self.ctx.created_secrets.append((project, secret_id))
        # the apps' secrets go to `inv deploy` by env, never under staging's shared secret names
        self._app_secrets = {
            sid: self.redactor.add(("whsec_" if "webhook" in sid else "stage_") + secrets.token_hex(24)) or ""
            for sid in self.plan.app_secret_ids
        }
        return f"workspace {done.workspace_id}; deploy key stored in Secret Manager `{secret_id}`"

    def _env(self) -> dict[str, str]:
        server = self.ctx.output("server_url")
        return {
            "TWENTY_LIVE_URL": server,
            "TWENTY_LIVE_KEY": self.ctx.api_key,
            "TWENTY_API_URL": server,
            "TWENTY_API_KEY": self.ctx.api_key,
        }

    def _contract(self) -> str:
        argv = [
            "{python}",
            "-m",
            "pytest",
            "tests/contract",
            "-m",
            "live",
            "-q",
            "-p",
            "no:cacheprovider",
        ]
        env = self._env()
        env["TWENTY_LIVE_USER_TOKEN"] = self._access_token  # the examples that need a user session
        rc = self.cloud.run(argv, env)
        if rc != 0:
            raise StepFailed(f"contract suite exited {rc}")
        return "contract suite passed"

    def _deploy(self) -> str:
        env = self._env()
        env.update({"TWENTY_DEPLOY_USER_EMAIL": self._email, "TWENTY_DEPLOY_USER_PASSWORD": self._password})
        env.update({secret_env_var(sid): value for sid, value in self._app_secrets.items()})
        rc = self.cloud.run(["{python}", "-m", "invoke", "deploy", "--stack", self.stack], env)
        if rc != 0:
            raise StepFailed(f"`inv deploy --stack {self.stack}` exited {rc}")
        return "inv deploy passed"

    def _mcp_image(self) -> str:
        """Our MCP server, built from this checkout (Cloud Build) and rolled out on the stack."""
        for task in (["mcp.build", "--allow-dirty"], ["mcp.deploy"]):
            argv = ["{python}", "-m", "invoke", task[0], "--stack", self.stack, *task[1:]]
            rc = self.cloud.run(argv, {})
            if rc != 0:
                raise StepFailed(f"`inv {task[0]} --stack {self.stack}` exited {rc}")
        return "MCP image built from this checkout and serving"

    def _mcp(self) -> str:
        url = self.ctx.output("mcp_url").rstrip("/")
        if not url.endswith("/mcp"):
            url += "/mcp"
        tools = self.cloud.mcp_smoke(url, self.ctx.api_key)
        if not tools:
            raise StepFailed(f"{url} listed no tools")
        return f"{len(tools)} tools listed at {url}"

    def _stripe(self) -> str:
        server = self.ctx.output("server_url").rstrip("/")
        scenario = customer_created(self.run_id)
        webhook_secret = self._app_secrets[self.plan.stripe_secret_id]
        res = self.cloud.http_post(server + WEBHOOK_PATH, scenario.body(), scenario.headers(webhook_secret))
        if not 200 <= res.status < 300:
            raise StepFailed(f"POST {WEBHOOK_PATH} answered {res.status}: {res.text[:300]}")
        deadline = self.cloud.monotonic() + self.settings.record_timeout
        while True:
            found = self.cloud.find_records(server, self.ctx.api_key, scenario.object_plural, scenario.filter)
            if found:
                return f"{scenario.label} created ({scenario.object_plural} {found[0].get('id', '?')})"
            if self.cloud.monotonic() >= deadline:
                raise StepFailed(f"no {scenario.label} after {self.settings.record_timeout:.0f}s")
            self.cloud.sleep(self.settings.record_interval)

    _email = ""
    _password = ""
    _access_token = ""
    _app_secrets: dict[str, str] = {}  # noqa: RUF012  (replaced per run in _bootstrap)

    def _delete_secrets(self) -> str:
        for project, secret_id in self.ctx.created_secrets:
            self.cloud.delete_secret(project, secret_id)
        return f"{len(self.ctx.created_secrets)} deleted"
