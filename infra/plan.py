"""The offline plan: run the real Pulumi program under Pulumi's mocks (no CLI, no account).

Reads Pulumi.<stack>.yaml directly, validates it, declares every resource through the same
`build_environment` that `pulumi up` runs, records what each resource would be created with,
then prints the resources by concern, the policy results and the monthly cost.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks

from infra import policies, pricing
from infra.config import (
    PROJECT_NAMESPACE,
    ConfigError,
    StackConfig,
    parse_stack_config,
    read_stack_file,
    required_user_secrets,
    with_profile,
)
from infra.problems import REPO_ROOT
from infra.props import get_path

SECRET_SIG = pulumi.runtime.rpc._special_sig_key  # type: ignore[attr-defined]
SECRET_SIG_VALUE = pulumi.runtime.rpc._special_secret_sig  # type: ignore[attr-defined]
MOCK_SECRET_PREFIX = "MOCKSECRET-"  # noqa: S105 (marks mock values, not a password)

# Outputs the real provider marks secret (additional_secret_outputs); the mock monitor doesn't.
MOCK_PROJECT_NUMBER = "123456789012"
GET_PROJECT = "gcp:organizations/getProject:getProject"  # an invoke token, not a credential
SECRET_OUTPUTS = {
    "random:index/randomPassword:RandomPassword": ("result", "bcryptHash"),
    "random:index/randomId:RandomId": ("b64Url", "b64Std", "hex", "dec"),
    "gcp:storage/hmacKey:HmacKey": ("secret",),
    "gcp:redis/instance:Instance": ("authString",),
}


@dataclass(frozen=True)
class Recorded:
    """One resource as the engine would receive it."""

    typ: str
    name: str
    props: dict[str, Any]  # camelCase inputs, secret wrappers removed
    secret_props: frozenset[str]  # top-level inputs that carried a secret
    concern: str
    custom: bool
    depends_on: tuple[str, ...] = ()  # URNs this resource waits for

    def policy_resource(self) -> policies.PolicyResource:
        return policies.PolicyResource(self.typ, self.name, self.props, self.secret_props)


def is_secret_wrapper(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG) == SECRET_SIG_VALUE


def unwrap(value: Any) -> tuple[Any, bool]:
    """(value without secret wrappers, whether any part of it was secret)."""
    if is_secret_wrapper(value):
        inner, _ = unwrap(value.get("value"))
        return inner, True
    if isinstance(value, dict):
        out, secret = {}, False
        for k, v in value.items():
            out[k], s = unwrap(v)
            secret |= s
        return out, secret
    if isinstance(value, list):
        items = [unwrap(v) for v in value]
        return [i for i, _ in items], any(s for _, s in items)
    return value, False


class PlanMocks(pulumi.runtime.Mocks):
    """Answers like GCP would, just enough for every output the program reads."""

    def __init__(self, project: str, region: str) -> None:
        self.project, self.region = project, region
        self.calls: list[tuple[str, str, dict[str, Any]]] = []  # (type, name, raw inputs)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.calls.append((args.typ, args.name, dict(args.inputs)))
        state = dict(args.inputs)
        rid = f"{args.name}-id"
        t, p = args.typ, self.project
        if t == "random:index/randomPassword:RandomPassword":
            state["result"] = f"{MOCK_SECRET_PREFIX}{args.name}"
        elif t == "random:index/randomId:RandomId":
            for key in SECRET_OUTPUTS[t]:
                state[key] = f"{MOCK_SECRET_PREFIX}{args.name}-{key}"
        elif t == "gcp:serviceaccount/account:Account":
            email = f"{args.inputs['accountId']}@{p}.iam.gserviceaccount.com"
            state.update(
                email=email, member=f"serviceAccount:{email}", name=f"projects/{p}/serviceAccounts/{email}"
            )
        elif t == "gcp:sql/databaseInstance:DatabaseInstance":
            state.update(
                privateIpAddress="10.20.0.3", connectionName=f"{p}:{self.region}:{state.get('name')}"
            )
        elif t == "gcp:redis/instance:Instance":
            state.update(
                host="10.20.1.4",
                port=6378,
                authString=f"{MOCK_SECRET_PREFIX}redis-auth",
                serverCaCerts=[{"cert": "-----BEGIN CERTIFICATE-----\nMOCKCA\n-----END CERTIFICATE-----"}],
            )
        elif t == "gcp:storage/hmacKey:HmacKey":
            state.update(accessId="GOOG1EMOCKACCESSID", secret=f"{MOCK_SECRET_PREFIX}hmac-secret")
        elif t == "gcp:secretmanager/secret:Secret":
            rid = f"projects/{p}/secrets/{args.inputs['secretId']}"
            state["name"] = rid
        elif t == "gcp:compute/address:Address":
            state["address"] = "10.10.0.10"
        elif t in ("gcp:cloudrunv2/service:Service",):
            state["uri"] = f"https://{state.get('name', args.name)}-mock-uc.a.run.app"
        elif t == "gcp:artifactregistry/repository:Repository":
            state["name"] = state.get("repositoryId", args.name)
        state.setdefault("name", args.name)
        for key in SECRET_OUTPUTS.get(t, ()):
            if key in state:
                state[key] = pulumi.Output.secret(state[key])
        return rid, state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        if args.token == GET_PROJECT:
            return {"projectId": self.project, "number": MOCK_PROJECT_NUMBER, "name": self.project}, []
        return {}, []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """Keeps each resource's URN, whose type chain names the component (concern) it belongs to."""

    def __init__(self, mocks: PlanMocks) -> None:
        super().__init__(mocks)
        self.urns: dict[tuple[str, str], str] = {}
        self.dependencies: dict[tuple[str, str], tuple[str, ...]] = {}

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        self.urns[(request.type, request.name)] = response.urn
        self.dependencies[(request.type, request.name)] = tuple(request.dependencies)
        return response


@dataclass
class PlanResult:
    cfg: StackConfig
    resources: list[Recorded]
    outputs: dict[str, Any]
    mocked_secrets: list[str] = field(default_factory=list)

    @property
    def custom_resources(self) -> list[Recorded]:
        return [r for r in self.resources if r.custom]

    def policy_report(self) -> policies.PolicyReport:
        return policies.evaluate([r.policy_resource() for r in self.custom_resources], self.cfg.is_prod)

    def costs(self) -> list[pricing.CostLine]:
        return pricing.estimate([_PricingView(r) for r in self.custom_resources], self.cfg)

    def by_type(self, typ: str) -> list[Recorded]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str, name: str | None = None) -> Recorded:
        found = [r for r in self.by_type(typ) if name is None or r.name == name]
        if len(found) != 1:
            raise LookupError(f"expected one {typ} {name or ''}, found {[r.name for r in found]}")
        return found[0]


@dataclass(frozen=True)
class _PricingView:
    typ: str
    name: str
    props: dict[str, Any]

    def __init__(self, r: Recorded) -> None:
        object.__setattr__(self, "typ", r.typ)
        object.__setattr__(self, "name", r.name)
        object.__setattr__(self, "props", r.props)


def _concern(urn: str) -> str:
    qualified = urn.split("::")[2] if urn.count("::") >= 3 else ""
    first = qualified.split("$")[0]
    return first.split(":")[-1] if first.startswith("twenty:infra:") else "Stack"


def ensure_event_loop() -> None:
    """Pulumi's mocks resolve Outputs on the thread's current loop; an earlier `asyncio.run()` in
    this process (a deploy, a stage run) closes and unsets it, so give the plan a fresh one."""
    try:
        loop = asyncio.get_event_loop_policy().get_event_loop()
        if not loop.is_closed():
            return
    except RuntimeError:
        pass
    asyncio.set_event_loop(asyncio.new_event_loop())


def run_program(cfg: StackConfig, user_secrets: dict[str, Any] | None = None) -> PlanResult:
    """Declare the whole environment under mocks and record every resource."""
    from infra.environment import build_environment

    ensure_event_loop()
    mocks = PlanMocks(cfg.project, cfg.region)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(
        mocks, project=PROJECT_NAMESPACE, stack=cfg.stack, preview=False, monitor=monitor
    )
    box: dict[str, Any] = {}

    @pulumi.runtime.test
    def program() -> pulumi.Output[Any]:
        env = build_environment(cfg, user_secrets or {})
        box["env"] = env
        outputs = env.outputs()
        return pulumi.Output.all(**outputs).apply(lambda resolved: box.__setitem__("outputs", resolved))

    program()
    records = []
    for typ, name, raw in mocks.calls:
        props, secret_keys = {}, set()
        for key, value in raw.items():
            props[key], secret = unwrap(value)
            if secret:
                secret_keys.add(key)
        urn = monitor.urns.get((typ, name), "")
        custom = not typ.startswith("twenty:infra:")
        deps = monitor.dependencies.get((typ, name), ())
        records.append(Recorded(typ, name, props, frozenset(secret_keys), _concern(urn), custom, deps))
    return PlanResult(cfg, records, box.get("outputs", {}))


def mock_user_secrets(cfg: StackConfig) -> dict[str, Any]:
    """Stand-ins for the secrets the user sets with `pulumi config set --secret` (never decrypted here)."""
    ensure_event_loop()
    return {key: pulumi.Output.secret(f"{MOCK_SECRET_PREFIX}{key}") for key in required_user_secrets(cfg)}


def load_stack(stack: str, root: Path = REPO_ROOT, profile: str | None = None) -> StackConfig:
    raw = read_stack_file(str(root / f"Pulumi.{stack}.yaml"))
    cfg = parse_stack_config(raw, stack)
    return with_profile(cfg, profile) if profile else cfg


def plan_stack(stack: str, root: Path = REPO_ROOT, profile: str | None = None) -> PlanResult:
    cfg = load_stack(stack, root, profile)
    secrets = mock_user_secrets(cfg)
    result = run_program(cfg, secrets)
    result.mocked_secrets = sorted(secrets)
    return result


# --- rendering ---------------------------------------------------------------------------------


_NO_CTX = policies.PolicyContext(is_prod=False)
WIDE = 140  # columns from which resources print as tables (type | name | settings)


def _n(value: Any) -> str:
    """Numbers come back from the mock monitor as floats; print 3, not 3.0."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe(r: Recorded) -> str:
    """The settings that matter, per resource type, in one line."""
    p, g = r.props, get_path
    t = r.typ
    if t == policies.SQL:
        s = p.get("settings", {})
        ip = s.get("ipConfiguration", {})
        b = s.get("backupConfiguration", {})
        flags = {f["name"]: f["value"] for f in s.get("databaseFlags", [])}
        return (
            f"{p.get('databaseVersion')} {s.get('tier')} {s.get('edition')} {s.get('availabilityType')}, "
            f"public IP {ip.get('ipv4Enabled')}, ssl {ip.get('sslMode')}, backups {b.get('enabled')}, "
            f"PITR {b.get('pointInTimeRecoveryEnabled')}, max_connections {flags.get('max_connections')}, "
            f"deletion protection {p.get('deletionProtection')}"
        )
    if t == policies.REDIS:
        return (
            f"{p.get('tier')} {p.get('memorySizeGb')} GB {p.get('redisVersion')}, {p.get('connectMode')}, "
            f"AUTH {p.get('authEnabled')}, TLS {p.get('transitEncryptionMode')}, "
            f"{g(p, 'redisConfigs', 'maxmemory-policy')}"
        )
    if t in policies.CLOUD_RUN:
        c = (policies._containers(policies.PolicyResource(t, r.name, p)) or [{}])[0]
        envs = c.get("envs") or []
        refs = sum(1 for e in envs if e.get("valueSource"))
        vpc = g(p, "template", "vpcAccess") or g(p, "template", "template", "vpcAccess") or {}
        egress = (
            "connector"
            if vpc.get("connector")
            else ("direct VPC" if vpc.get("networkInterfaces") else "none")
        )
        lim = g(c, "resources", "limits") or {}
        scale = g(p, "template", "scaling") or g(p, "scaling") or {}
        return (
            f"{c.get('image')} {lim.get('cpu')} vCPU/{lim.get('memory')}, "
            f"instances {_n(scale.get('minInstanceCount', scale.get('manualInstanceCount', '')))}"
            f"–{_n(scale.get('maxInstanceCount', ''))}, egress {egress}, {len(envs) - refs} plain env, "
            f"{refs} secret refs"
        )
    if t == policies.VM:
        nic = (p.get("networkInterfaces") or [{}])[0]
        disk = g(p, "bootDisk", "initializeParams") or {}
        return (
            f"{p.get('machineType')} in {p.get('zone')}, "
            f"{_n(disk.get('size'))} GB {disk.get('type')}, "
            f"external IP {'yes' if nic.get('accessConfigs') else 'no'}, cloud-init "
            f"{len(str(g(p, 'metadata', 'user-data') or ''))} bytes, secrets in metadata: "
            f"{'FOUND' if policies.vm_metadata_without_secrets(r.policy_resource(), _NO_CTX) else 'none'}"
        )
    if t == policies.BUCKET:
        return (
            f"{p.get('location')}, public access {p.get('publicAccessPrevention')}, uniform "
            f"{p.get('uniformBucketLevelAccess')}, force destroy {p.get('forceDestroy')}"
        )
    if t == policies.SECRET:
        return f"{p.get('secretId')}: {g(p, 'annotations', 'purpose')}"
    if t in (policies.SECRET_IAM, policies.BUCKET_IAM, policies.RUN_IAM, policies.RUN_JOB_IAM,
             "gcp:projects/iAMMember:IAMMember"):  # fmt: skip
        return f"{p.get('role')} → {p.get('member')}"
    if t == policies.SCHEDULER:
        target = p.get("httpTarget") or {}
        account = g(target, "oauthToken", "serviceAccountEmail")
        return (
            f"`{p.get('schedule')}` {p.get('timeZone')}{' (paused)' if p.get('paused') else ''}: "
            f"{target.get('httpMethod')} {target.get('uri')} as {account}"
        )
    if t == policies.FIREWALL:
        ports = ",".join(pt for a in p.get("allows", []) for pt in a.get("ports", []))
        return f"tcp/{ports} from {', '.join(p.get('sourceRanges', []))} to tags {p.get('targetTags')}"
    if t == "gcp:compute/subnetwork:Subnetwork":
        return f"{p.get('ipCidrRange')}, private Google access {p.get('privateIpGoogleAccess')}"
    if t == "gcp:projects/service:Service":
        return str(p.get("service"))
    if t == "gcp:serviceaccount/account:Account":
        return str(p.get("displayName"))
    if t == "gcp:cloudrun/domainMapping:DomainMapping":
        return f"{p.get('name')} → {g(p, 'spec', 'routeName')}, certificate {g(p, 'spec', 'certificateMode')}"
    if t == "gcp:compute/routerNat:RouterNat":
        return f"{p.get('sourceSubnetworkIpRangesToNat')} (worker subnet only)"
    if t == "gcp:servicenetworking/connection:Connection":
        return f"private service access, deletion policy {p.get('deletionPolicy')}"
    if t.startswith("random:"):
        return "generated value (secret)"
    extra = {
        "gcp:compute/network:Network": lambda: (
            f"custom subnets {not p.get('autoCreateSubnetworks')}, routing {p.get('routingMode')}"
        ),
        "gcp:compute/globalAddress:GlobalAddress": lambda: (
            f"{p.get('purpose')} /{_n(p.get('prefixLength'))} for Cloud SQL and Memorystore"
        ),
        "gcp:compute/router:Router": lambda: f"{p.get('region')}, carries the NAT",
        "gcp:compute/address:Address": lambda: (
            f"{p.get('addressType')} address of the worker VM (Redis lives there)"
        ),
        "gcp:sql/database:Database": lambda: f"database {p.get('name')}",
        "gcp:sql/user:User": lambda: (
            f"user {p.get('name')}, password " + ("secret" if "password" in r.secret_props else "PLAIN")
        ),
        "gcp:secretmanager/secretVersion:SecretVersion": lambda: (
            "value " + ("secret (never printed)" if "secretData" in r.secret_props else "PLAIN")
        ),
        "gcp:storage/hmacKey:HmacKey": lambda: f"S3-interop key of {p.get('serviceAccountEmail')}",
        "gcp:artifactregistry/repository:Repository": lambda: (
            f"{p.get('format')} {p.get('mode')} in {p.get('location')}"
        ),
        "gcp:vpcaccess/connector:Connector": lambda: (
            f"{p.get('ipCidrRange')}, {p.get('machineType')} × "
            f"{_n(p.get('minInstances'))}–{_n(p.get('maxInstances'))}"
        ),
    }
    return extra[t]() if t in extra else ""


def render(result: PlanResult, console: Any = None) -> bool:
    """Print the plan; return True when every mandatory policy passed."""
    from rich.padding import Padding
    from rich.table import Table

    console = console or plan_console()
    cfg = result.cfg
    custom = result.custom_resources
    report = result.policy_report()
    lines = result.costs()
    console.rule(f"[bold]twenty-gcp plan: stack {cfg.stack} ({cfg.environment}), profile {cfg.profile}")
    console.print(verdict(report, lines))
    console.print(
        f"project {cfg.project}, region {cfg.region}, domain {cfg.domain}, image {cfg.twenty_image}"
    )
    console.print(
        f"worker {cfg.worker_mode}, redis {cfg.redis_mode}, egress {cfg.vpc_egress}; "
        f"{len(custom)} resources; offline under Pulumi mocks (no cloud calls)."
    )
    if result.mocked_secrets:
        console.print(
            "[yellow]mock values stand in for user secrets: "
            + ", ".join(f"{PROJECT_NAMESPACE}:{k}" for k in result.mocked_secrets)
        )

    concerns: dict[str, list[Recorded]] = {}
    for r in custom:
        concerns.setdefault(r.concern, []).append(r)
    for concern, items in concerns.items():
        if console.width < WIDE:  # a normal terminal: type and name on one line, settings under them
            console.print(f"[bold]{concern} ({len(items)})")
            for r in items:
                console.print(f"  [cyan]{r.typ}[/] {r.name}", overflow="fold", highlight=False)
                console.print(Padding(describe(r), (0, 0, 0, 6)), highlight=False)
            continue
        table = Table(title=f"{concern} ({len(items)})", title_justify="left", show_lines=False, expand=True)
        table.add_column("type", style="cyan", no_wrap=True)
        table.add_column("name", no_wrap=True)
        table.add_column("settings that matter", ratio=1, overflow="fold")
        for r in items:
            table.add_row(r.typ, r.name, describe(r))
        console.print(table)

    ptable = Table(title=f"Policies ({len(report.checked)} rules)", title_justify="left", expand=True)
    ptable.add_column("rule", ratio=3, overflow="fold")
    ptable.add_column("checked", justify="right", no_wrap=True)
    ptable.add_column("result", ratio=2, overflow="fold")
    by_rule: dict[str, list[policies.Violation]] = {}
    for v in report.violations:
        by_rule.setdefault(v.rule, []).append(v)
    for r in policies.RULES:
        found = by_rule.get(r.name, [])
        if found:
            status = "[red]FAIL[/]" if r.severity == "mandatory" else "[yellow]WARN[/]"
            status += " " + "; ".join(f"{v.resource}: {v.message}" for v in found)
        elif report.checked[r.name]:
            status = "[green]pass[/]"
        else:
            status = "[dim]n/a (no such resource)[/]"
        ptable.add_row(f"{r.name}: {r.description}", str(report.checked[r.name]), status)
    console.print(ptable)

    ctable = Table(title="Monthly cost (USD, us-central1 list prices)", title_justify="left", expand=True)
    ctable.add_column("type", style="cyan", no_wrap=True)
    ctable.add_column("name", no_wrap=True)
    ctable.add_column("$/month", justify="right", no_wrap=True)
    ctable.add_column("basis", ratio=1, overflow="fold")
    for line in sorted(lines, key=lambda x: -x.monthly):
        ctable.add_row(short_type(line.typ), line.name, f"{line.monthly:.2f}", line.basis)
    ctable.add_row(
        "", "[bold]total", f"[bold]{pricing.total(lines):.2f}", "everything else declared here is free"
    )
    console.print(ctable)
    used = sorted({k for line in lines for k in line.prices})
    stable = Table(
        title="Prices used (re-check in the GCP pricing calculator)", title_justify="left", expand=True
    )
    for col in ("price", "amount", "unit", "confidence", "source", "read on"):
        wide = {"unit": 2, "source": 3}.get(col)
        stable.add_column(col, no_wrap=not wide, ratio=wide, overflow="fold")
    for key in used:
        pr = pricing.PRICES[key]
        stable.add_row(key, f"{pr.amount:g}", pr.unit, pr.confidence, pr.source, pr.read_on)
    console.print(stable)
    dns = result.outputs.get("dns_records")
    if dns:
        console.print("DNS records to create: " + json.dumps(dns))
    console.print(verdict(report, lines))
    return report.passed


def short_type(typ: str) -> str:
    """`gcp:cloudrunv2/service:Service` → `cloudrunv2/service`: the module says it all, and is
    narrow enough for an 80-100 column terminal."""
    if typ.count(":") != 2:
        return typ
    provider, module, _ = typ.split(":")
    module = module.removeprefix("index/")
    return module if provider == "gcp" else f"{provider}:{module}"


def verdict(report: policies.PolicyReport, lines: list[pricing.CostLine]) -> str:
    """The one line that matters, printed first and last: policies and the monthly total."""
    failed = sorted({v.rule for v in report.violations if v.severity == "mandatory"})
    cost = f"total ${pricing.total(lines):.2f}/month"
    if report.passed:
        return f"[bold green]verdict: all mandatory policies pass[/], {cost}"
    return f"[bold red]verdict: policy violations ({', '.join(failed)}): plan refused[/], {cost}"


def plan_console() -> Any:
    """The terminal's width on a terminal; 100 columns (or $COLUMNS) when piped or in CI."""
    import os
    import sys

    from rich.console import Console

    if sys.stdout.isatty():
        return Console()
    columns = os.environ.get("COLUMNS", "")
    return Console(width=int(columns) if columns.isdigit() else 100)


def main(
    stack: str = "staging", profile: str | None = None, root: Path = REPO_ROOT, console: Any = None
) -> int:
    """Print the plan of Pulumi.<stack>.yaml: 0 when clean, 1 on a policy violation, 2 on bad settings."""
    console = console or plan_console()
    try:
        result = plan_stack(stack, root, profile=profile)
    except ConfigError as exc:
        console.print(f"[red]invalid stack settings for {stack}:[/] ", end="")
        console.print(str(exc), markup=False, highlight=False)
        return 2
    return 0 if render(result, console) else 1
