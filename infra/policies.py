"""Security and cost rules over recorded resources, callable without the Pulumi CLI.

A rule is a plain function of one resource (type token, name, camelCase inputs as the engine sees
them, and which top-level inputs carry a secret) plus the stack context. `inv plan` and the tests
run them over what the program declares under mocks; nothing here imports pulumi.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from infra.props import get_path

SQL = "gcp:sql/databaseInstance:DatabaseInstance"
REDIS = "gcp:redis/instance:Instance"
BUCKET = "gcp:storage/bucket:Bucket"
BUCKET_IAM = "gcp:storage/bucketIAMMember:BucketIAMMember"
VM = "gcp:compute/instance:Instance"
FIREWALL = "gcp:compute/firewall:Firewall"
RUN_SERVICE = "gcp:cloudrunv2/service:Service"
RUN_JOB = "gcp:cloudrunv2/job:Job"
RUN_POOL = "gcp:cloudrunv2/workerPool:WorkerPool"
RUN_IAM = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember"
RUN_JOB_IAM = "gcp:cloudrunv2/jobIamMember:JobIamMember"
SCHEDULER = "gcp:cloudscheduler/job:Job"
SECRET_IAM = "gcp:secretmanager/secretIamMember:SecretIamMember"  # noqa: S105
SECRET = "gcp:secretmanager/secret:Secret"  # noqa: S105
CLOUD_RUN = (RUN_SERVICE, RUN_JOB, RUN_POOL)

PRIMITIVE_ROLES = {"roles/owner", "roles/editor"}
PUBLIC_MEMBERS = {"allUsers", "allAuthenticatedUsers"}
SHARED_CORE_TIERS = {"db-f1-micro", "db-g1-small"}
CORE_POOL = 10  # Twenty 2.21 core.datasource.ts: no poolSize, so node-postgres' default of 10
PG_RESERVED_CONNECTIONS = 3  # PostgreSQL superuser_reserved_connections
# Services that are public by design: Twenty's web app and the MCP server (each authenticates itself).
PUBLIC_SERVICE_SUFFIXES = ("-server", "-mcp")
SECRET_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY|DATABASE_URL|REDIS_URL)"
)
ASSIGNMENT = re.compile(r"\b([A-Z][A-Z0-9_]*)=([^\s'\"]+)")
CREDENTIAL_URL = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]*:[^@\s/]+@")
RUN_JOB_URI = re.compile(r"https://run\.googleapis\.com/v2/projects/[^/]+/locations/[^/]+/jobs/([^/:]+):run")


@dataclass(frozen=True)
class PolicyResource:
    typ: str
    name: str
    props: Mapping[str, Any]
    secret_props: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PolicyContext:
    is_prod: bool
    resources: tuple[PolicyResource, ...] = ()


@dataclass(frozen=True)
class Violation:
    rule: str
    resource: str
    message: str
    severity: str = "mandatory"


Check = Callable[[PolicyResource, PolicyContext], str | None]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    types: tuple[str, ...]
    check: Check
    severity: str = "mandatory"


@dataclass
class PolicyReport:
    checked: dict[str, int] = field(default_factory=dict)  # rule → resources examined
    violations: list[Violation] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when no mandatory rule is violated (advisory findings are reported, not fatal)."""
        return not any(v.severity == "mandatory" for v in self.violations)


def _containers(r: PolicyResource) -> list[Mapping[str, Any]]:
    if r.typ == RUN_JOB:
        return get_path(r.props, "template", "template", "containers") or []
    return get_path(r.props, "template", "containers") or []


# --- Cloud SQL -------------------------------------------------------------------------------


def sql_no_public_ip(r: PolicyResource, ctx: PolicyContext) -> str | None:
    ip = get_path(r.props, "settings", "ipConfiguration") or {}
    if ip.get("ipv4Enabled") is not False:
        return "Cloud SQL has a public IPv4 address (settings.ipConfiguration.ipv4Enabled must be false)"
    if ip.get("authorizedNetworks"):
        return "Cloud SQL lists authorizedNetworks; it must be reachable on its private IP only"
    if not ip.get("privateNetwork"):
        return "Cloud SQL has no private network (settings.ipConfiguration.privateNetwork)"
    return None


def sql_tls_required(r: PolicyResource, ctx: PolicyContext) -> str | None:
    mode = get_path(r.props, "settings", "ipConfiguration", "sslMode")
    if mode not in ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"):
        return f"Cloud SQL accepts unencrypted connections (sslMode={mode!r}; use ENCRYPTED_ONLY)"
    return None


def sql_backups_and_pitr(r: PolicyResource, ctx: PolicyContext) -> str | None:
    backup = get_path(r.props, "settings", "backupConfiguration") or {}
    if not backup.get("enabled") or not backup.get("pointInTimeRecoveryEnabled"):
        return "Cloud SQL needs automated backups and point-in-time recovery"
    return None


def sql_deletion_protection_on_prod(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if not ctx.is_prod:
        return None
    if r.props.get("deletionProtection") is not True or not get_path(
        r.props, "settings", "deletionProtectionEnabled"
    ):
        return "prod Cloud SQL must have deletionProtection and settings.deletionProtectionEnabled"
    return None


def sql_edition_accepts_tier(r: PolicyResource, ctx: PolicyContext) -> str | None:
    settings = r.props.get("settings") or {}
    tier, edition = settings.get("tier"), settings.get("edition")
    if tier in SHARED_CORE_TIERS and edition != "ENTERPRISE":
        return f"shared-core tier {tier} needs edition ENTERPRISE (got {edition!r}; PG16 defaults to PLUS)"
    return None


def sql_connection_budget(r: PolicyResource, ctx: PolicyContext) -> str | None:
    flags = {f.get("name"): f.get("value") for f in get_path(r.props, "settings", "databaseFlags") or []}
    if "max_connections" not in flags:
        return "Cloud SQL max_connections is not set explicitly"
    limit = int(flags["max_connections"])
    demand = 0
    for res in ctx.resources:
        if res.typ not in (RUN_SERVICE, RUN_POOL, RUN_JOB, VM):
            continue
        pool = _pool_size(res)
        if pool is None:
            continue
        pool += CORE_POOL  # every Twenty process also opens TypeORM's core pool (pg default 10)
        if res.typ == RUN_JOB:
            demand += pool * int(get_path(res.props, "template", "parallelism") or 1)
        elif res.typ == RUN_SERVICE:
            demand += pool * int(get_path(res.props, "template", "scaling", "maxInstanceCount") or 100)
        elif res.typ == RUN_POOL:
            demand += pool * int(get_path(res.props, "scaling", "manualInstanceCount") or 1)
        else:
            demand += pool
    if demand > limit - PG_RESERVED_CONNECTIONS:
        return (
            f"workloads may open {demand} connections (core pool + PG_POOL_MAX_CONNECTIONS per process, "
            f"migration job included), over max_connections={limit} less {PG_RESERVED_CONNECTIONS} reserved"
        )
    return None


def _pool_size(r: PolicyResource) -> int | None:
    """PG_POOL_MAX_CONNECTIONS of a Twenty workload (10 by default), None if it doesn't use Postgres."""
    if r.typ == VM:
        data = str(get_path(r.props, "metadata", "user-data") or "")
        if "PG_DATABASE_URL" not in data:
            return None
        m = re.search(r"PG_POOL_MAX_CONNECTIONS=(\d+)", data)
        return int(m.group(1)) if m else 10
    envs = [e for c in _containers(r) for e in (c.get("envs") or [])]
    names = {e.get("name"): e.get("value") for e in envs}
    if "PG_DATABASE_URL" not in names:
        return None
    return int(names.get("PG_POOL_MAX_CONNECTIONS") or 10)


# --- Redis -----------------------------------------------------------------------------------


def redis_auth_and_tls(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if r.props.get("authEnabled") is not True:
        return "Memorystore AUTH is off (authEnabled must be true)"
    if r.props.get("transitEncryptionMode") != "SERVER_AUTHENTICATION":
        return "Memorystore in-transit encryption is off (transitEncryptionMode SERVER_AUTHENTICATION)"
    return None


def redis_noeviction(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if get_path(r.props, "redisConfigs", "maxmemory-policy") != "noeviction":
        return "Twenty's BullMQ queues need maxmemory-policy noeviction"
    return None


def redis_private_service_access(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if r.props.get("connectMode") != "PRIVATE_SERVICE_ACCESS":
        return f"Memorystore connectMode is {r.props.get('connectMode')!r}; use PRIVATE_SERVICE_ACCESS"
    return None


def vm_redis_requires_password(r: PolicyResource, ctx: PolicyContext) -> str | None:
    data = str(get_path(r.props, "metadata", "user-data") or "")
    if "redis-server" in data and "requirepass" not in data:
        return "Redis on the worker VM runs without a password (requirepass)"
    return None


# --- Storage ---------------------------------------------------------------------------------


def bucket_not_public(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if r.props.get("publicAccessPrevention") != "enforced":
        return "bucket public access prevention must be 'enforced'"
    if r.props.get("uniformBucketLevelAccess") is not True:
        return "bucket must use uniform bucket-level access (no object ACLs)"
    return None


def bucket_iam_not_public(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if r.props.get("member") in PUBLIC_MEMBERS:
        return f"bucket granted to {r.props.get('member')}"
    return None


def bucket_no_force_destroy_on_prod(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if ctx.is_prod and r.props.get("forceDestroy"):
        return "prod bucket has forceDestroy (a destroy would delete every file)"
    return None


# --- Workloads: secrets by reference ------------------------------------------------------------


def run_secrets_by_reference(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if "template" in r.secret_props:
        return "a secret value flows into the Cloud Run template (env values are plain text in the revision)"
    for container in _containers(r):
        for env in container.get("envs") or []:
            value = env.get("value")
            if value in (None, ""):
                continue
            if SECRET_NAME.search(env.get("name", "")) or CREDENTIAL_URL.search(str(value)):
                return f"env {env.get('name')} has a literal value; use value_source.secret_key_ref"
    return None


def vm_metadata_without_secrets(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if "metadata" in r.secret_props or "metadataStartupScript" in r.secret_props:
        return "a secret value flows into VM metadata (readable with compute.instances.get)"
    for key, value in (r.props.get("metadata") or {}).items():
        text = str(value)
        if CREDENTIAL_URL.search(text):
            return f"metadata {key} contains a URL with credentials"
        for m in ASSIGNMENT.finditer(text):
            # `NAME=$(...)` is the boot script computing a value at boot, not a literal in metadata.
            if SECRET_NAME.search(m.group(1)) and not m.group(2).startswith("$"):
                return f"metadata {key} sets {m.group(1)} to a literal value"
    return None


# --- Compute -----------------------------------------------------------------------------------


def vm_no_public_ip(r: PolicyResource, ctx: PolicyContext) -> str | None:
    for nic in r.props.get("networkInterfaces") or []:
        if nic.get("accessConfigs"):
            return "the VM has an external IP; use Cloud NAT for egress and IAP for ssh"
    return None


def vm_hardened(r: PolicyResource, ctx: PolicyContext) -> str | None:
    shielded = r.props.get("shieldedInstanceConfig") or {}
    meta = r.props.get("metadata") or {}
    if not shielded.get("enableSecureBoot"):
        return "the VM must use Shielded VM secure boot"
    if str(meta.get("enable-oslogin", "")).upper() != "TRUE":
        return "the VM must use OS Login (metadata enable-oslogin=TRUE)"
    if get_path(r.props, "serviceAccount", "email") in (None, "") or "compute@developer" in str(
        get_path(r.props, "serviceAccount", "email")
    ):
        return "the VM must run as its own service account, not the default compute one"
    return None


def vm_worker_memory(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if r.props.get("machineType") in ("e2-micro", "f1-micro", "g1-small"):
        return f"{r.props.get('machineType')} is too small for Twenty's worker (requests 1 GiB)"
    return None


def firewall_not_open_to_world(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if r.props.get("direction", "INGRESS") == "INGRESS" and "0.0.0.0/0" in (
        r.props.get("sourceRanges") or []
    ):
        return "ingress firewall open to 0.0.0.0/0"
    return None


# --- IAM ---------------------------------------------------------------------------------------


def no_primitive_roles(r: PolicyResource, ctx: PolicyContext) -> str | None:
    role = r.props.get("role")
    if role in PRIMITIVE_ROLES:
        return f"grants {role}; grant a predefined role on the one resource instead"
    return None


def secret_access_only_to_service_accounts(r: PolicyResource, ctx: PolicyContext) -> str | None:
    member = str(r.props.get("member") or "")
    if not member.startswith("serviceAccount:"):
        return f"secret access granted to {member!r}; only workload service accounts may read secrets"
    if r.props.get("role") != "roles/secretmanager.secretAccessor":
        return f"secret granted with {r.props.get('role')}; use roles/secretmanager.secretAccessor"
    return None


def public_invoker_only_on_public_services(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if r.props.get("member") not in PUBLIC_MEMBERS:
        return None
    if not str(r.name).endswith(tuple(f"{s}-public" for s in PUBLIC_SERVICE_SUFFIXES)):
        return f"{r.name} makes a Cloud Run service public; only the Twenty server and the MCP server are"
    return None


def scheduler_runs_one_job_least_privilege(r: PolicyResource, ctx: PolicyContext) -> str | None:
    """A Cloud Scheduler job starts a declared Cloud Run job through jobs.run, with the OAuth token of
    an account whose one grant is roles/run.invoker on that job."""
    target = r.props.get("httpTarget") or {}
    m = RUN_JOB_URI.fullmatch(str(target.get("uri") or ""))
    if not m or target.get("httpMethod") != "POST":
        return f"calls {target.get('httpMethod')} {target.get('uri')!r}, not POST on a Cloud Run job's :run"
    job = m.group(1)
    if job not in {res.props.get("name") for res in ctx.resources if res.typ == RUN_JOB}:
        return f"runs the Cloud Run job {job!r}, which this stack does not declare"
    email = get_path(target, "oauthToken", "serviceAccountEmail")
    if not email or target.get("oidcToken"):
        return "a googleapis.com target needs an OAuth access token (oauthToken), not OIDC or none"
    grants = [res for res in ctx.resources if res.props.get("member") == f"serviceAccount:{email}"]
    wrong = [
        f"{res.props.get('role')} on {res.typ.split(':')[1]} {res.props.get('name') or ''}".strip()
        for res in grants
        if (res.typ, res.props.get("role"), res.props.get("name")) != (RUN_JOB_IAM, "roles/run.invoker", job)
    ]
    if wrong or not grants:
        return f"{email} must hold only roles/run.invoker on job {job}; it has {wrong or 'no grant'}"
    return None


# --- Cloud Run ---------------------------------------------------------------------------------


def run_deletion_protection_on_prod(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if ctx.is_prod and r.props.get("deletionProtection") is not True:
        return "prod Cloud Run resources must keep deletionProtection"
    return None


def run_own_service_account(r: PolicyResource, ctx: PolicyContext) -> str | None:
    template = r.props.get("template") or {}
    sa = template.get("serviceAccount") or get_path(template, "template", "serviceAccount")
    if not sa or "compute@developer" in str(sa):
        return "runs as the default compute service account; give it its own"
    return None


def run_server_health_probes(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if not str(r.name).endswith("-server"):
        return None
    container = (_containers(r) or [{}])[0]
    if get_path(container, "startupProbe", "httpGet", "path") != "/healthz":
        return "the Twenty server needs a /healthz startup probe (its boot can take minutes)"
    return None


# Cloud Run v2 Probe limits (run.googleapis.com reference, "Configure container health checks"):
# startup: initialDelaySeconds and periodSeconds at most 240, failureThreshold × periodSeconds at
# most 240; liveness: initialDelaySeconds and periodSeconds at most 3600; always timeout <= period.
PROBE_LIMITS = {"startupProbe": 240, "livenessProbe": 3600}


def run_probe_limits(r: PolicyResource, ctx: PolicyContext) -> str | None:
    for container in _containers(r):
        for kind, limit in PROBE_LIMITS.items():
            probe = container.get(kind)
            if not probe:
                continue
            period = int(probe.get("periodSeconds") or 10)
            failures = int(probe.get("failureThreshold") or 3)
            delay = int(probe.get("initialDelaySeconds") or 0)
            timeout = int(probe.get("timeoutSeconds") or 1)
            if period > limit or delay > limit:
                return (
                    f"{kind}: periodSeconds {period} / initialDelaySeconds {delay} over Cloud Run's {limit}"
                )
            if kind == "startupProbe" and failures * period > limit:
                return (
                    f"startupProbe: failureThreshold {failures} × periodSeconds {period} = "
                    f"{failures * period} s, over Cloud Run's {limit} s (the deploy is rejected)"
                )
            if timeout > period:
                return f"{kind}: timeoutSeconds {timeout} exceeds periodSeconds {period}"
    return None


def twenty_sends_email(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if not str(r.name).endswith("-server"):
        return None
    envs = {e.get("name"): e.get("value") for c in _containers(r) for e in (c.get("envs") or [])}
    if envs.get("EMAIL_DRIVER", "LOGGER") == "LOGGER":
        return "EMAIL_DRIVER is LOGGER: invitations and password resets are logged, never sent (set smtpHost)"
    return None


def secret_auto_replication(r: PolicyResource, ctx: PolicyContext) -> str | None:
    if not get_path(r.props, "replication"):
        return "secret without a replication policy"
    return None


RULES: tuple[Rule, ...] = (
    Rule("sql-no-public-ip", "Cloud SQL reachable on its private IP only", (SQL,), sql_no_public_ip),
    Rule("sql-tls-required", "Cloud SQL refuses unencrypted connections", (SQL,), sql_tls_required),
    Rule("sql-backups-pitr", "Automated backups and point-in-time recovery", (SQL,), sql_backups_and_pitr),
    Rule(
        "sql-deletion-protection-prod",
        "Prod database protected from deletion",
        (SQL,),
        sql_deletion_protection_on_prod,
    ),
    Rule(
        "sql-edition-tier",
        "Edition accepts the tier (shared-core needs ENTERPRISE)",
        (SQL,),
        sql_edition_accepts_tier,
    ),
    Rule(
        "sql-connection-budget",
        "Server instances × pool + worker stay under max_connections",
        (SQL,),
        sql_connection_budget,
    ),
    Rule("redis-auth-tls", "Memorystore AUTH and in-transit encryption", (REDIS,), redis_auth_and_tls),
    Rule("redis-noeviction", "Redis keeps queue keys (noeviction)", (REDIS,), redis_noeviction),
    Rule(
        "redis-private-access",
        "Memorystore over private service access",
        (REDIS,),
        redis_private_service_access,
    ),
    Rule("vm-redis-password", "Redis on the VM requires a password", (VM,), vm_redis_requires_password),
    Rule(
        "bucket-not-public", "Bucket: public access prevented, uniform access", (BUCKET,), bucket_not_public
    ),
    Rule(
        "bucket-iam-not-public",
        "No bucket grant to allUsers/allAuthenticatedUsers",
        (BUCKET_IAM,),
        bucket_iam_not_public,
    ),
    Rule(
        "bucket-no-force-destroy-prod",
        "Prod bucket not force-destroyable",
        (BUCKET,),
        bucket_no_force_destroy_on_prod,
    ),
    Rule(
        "run-secrets-by-reference",
        "No plaintext secret in Cloud Run env",
        CLOUD_RUN,
        run_secrets_by_reference,
    ),
    Rule("vm-metadata-no-secrets", "No secret in VM metadata", (VM,), vm_metadata_without_secrets),
    Rule("vm-no-public-ip", "Worker VM has no external IP", (VM,), vm_no_public_ip),
    Rule("vm-hardened", "Shielded VM, OS Login, own service account", (VM,), vm_hardened),
    Rule(
        "vm-worker-memory",
        "Worker VM has room for Twenty's worker",
        (VM,),
        vm_worker_memory,
        severity="advisory",
    ),
    Rule("firewall-not-world-open", "No ingress from 0.0.0.0/0", (FIREWALL,), firewall_not_open_to_world),
    Rule("no-primitive-roles", "No Owner/Editor grants", ("*",), no_primitive_roles),
    Rule(
        "secret-access-service-accounts",
        "Secrets readable by workload service accounts only",
        (SECRET_IAM,),
        secret_access_only_to_service_accounts,
    ),
    Rule(
        "run-public-allowlist",
        "Only the Twenty and MCP services are public",
        (RUN_IAM, RUN_JOB_IAM),
        public_invoker_only_on_public_services,
    ),
    Rule(
        "scheduler-least-privilege",
        "Cloud Scheduler runs a declared job via jobs.run, as an account with only run.invoker on it",
        (SCHEDULER,),
        scheduler_runs_one_job_least_privilege,
    ),
    Rule(
        "run-deletion-protection-prod",
        "Prod Cloud Run protected from deletion",
        CLOUD_RUN,
        run_deletion_protection_on_prod,
    ),
    Rule(
        "run-own-service-account",
        "Cloud Run runs as a dedicated service account",
        CLOUD_RUN,
        run_own_service_account,
    ),
    Rule(
        "run-server-health-probes",
        "Twenty server has a /healthz startup probe",
        (RUN_SERVICE,),
        run_server_health_probes,
    ),
    Rule(
        "run-probe-limits",
        "Every probe within Cloud Run's limits (startup: threshold × period <= 240 s)",
        CLOUD_RUN,
        run_probe_limits,
    ),
    Rule(
        "twenty-sends-email",
        "Twenty sends e-mail (SMTP, not 2.21's LOGGER default)",
        (RUN_SERVICE,),
        twenty_sends_email,
        severity="advisory",
    ),
    Rule("secret-replication", "Secrets declare a replication policy", (SECRET,), secret_auto_replication),
)


def evaluate(
    resources: Iterable[PolicyResource], is_prod: bool, rules: Iterable[Rule] = RULES
) -> PolicyReport:
    """Run every rule over every resource it applies to."""
    res = tuple(resources)
    ctx = PolicyContext(is_prod=is_prod, resources=res)
    report = PolicyReport()
    for rule in rules:
        report.checked[rule.name] = 0
        for r in res:
            if "*" not in rule.types and r.typ not in rule.types:
                continue
            if "*" in rule.types and "role" not in r.props:
                continue
            report.checked[rule.name] += 1
            message = rule.check(r, ctx)
            if message:
                report.violations.append(Violation(rule.name, f"{r.typ}::{r.name}", message, rule.severity))
    return report


def rule(name: str) -> Rule:
    for r in RULES:
        if r.name == name:
            return r
    raise KeyError(f"no policy rule {name!r}; known: {[r.name for r in RULES]}")
