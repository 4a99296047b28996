"""Typed, validated stack settings: profiles (lean | standard | ha) plus per-key overrides.

Everything is checked here, before a single resource is declared. Errors name the stack key
(as it is spelled in Pulumi.<stack>.yaml) and say how to fix it.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from infra.config_checks import (
    SQL_TIER_EXAMPLES,
    closest,
    field_problem,
    schedule_problems,
    size_problems,
    yaml_problem,
)

PROJECT_NAMESPACE = "twenty-gcp"
TWENTY_IMAGE = "twentycrm/twenty:v2.21.0"

# Regions where Cloud Run, Cloud SQL, Memorystore and Serverless VPC Access are all offered.
GCP_REGIONS: frozenset[str] = frozenset(
    {
        "asia-east1", "asia-east2", "asia-northeast1", "asia-northeast2", "asia-northeast3",
        "asia-south1", "asia-south2", "asia-southeast1", "asia-southeast2", "australia-southeast1",
        "australia-southeast2", "europe-central2", "europe-north1", "europe-southwest1",
        "europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-west6",
        "europe-west8", "europe-west9", "europe-west10", "europe-west12", "me-central1",
        "me-west1", "northamerica-northeast1", "northamerica-northeast2", "southamerica-east1",
        "southamerica-west1", "us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
        "us-west1", "us-west2", "us-west3", "us-west4",
    }
)  # fmt: skip

SHARED_CORE_TIERS = frozenset({"db-f1-micro", "db-g1-small"})
# Memory (GB) per Cloud SQL tier we know; used for the RAM-vs-max_connections sanity check.
SQL_TIER_MEMORY_GB = {"db-f1-micro": 0.6, "db-g1-small": 1.7}

Profile = Literal["lean", "standard", "ha"]

# Twenty 2.21 core.datasource.ts sets no poolSize, so node-postgres' default max (10) applies per process.
CORE_POOL = 10
PG_RESERVED_CONNECTIONS = 3  # PostgreSQL superuser_reserved_connections default


class ConfigError(ValueError):
    """A stack setting is wrong. The message names the key and the fix."""


class StackConfig(BaseModel):
    """Settings of one stack. Field names are snake_case; stack files use camelCase keys."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)

    # identity of the environment
    project: str = Field(min_length=6, max_length=30)
    region: str = "us-central1"
    zone: str = ""
    stack: str = "staging"
    environment: Literal["staging", "prod"] = "staging"
    profile: Profile = "lean"
    name_prefix: str = Field(default="twenty", pattern=r"^[a-z][a-z0-9-]{1,14}$")
    domain: str
    twenty_image: str = TWENTY_IMAGE
    mcp_image: str = ""

    # Twenty server on Cloud Run
    server_min_instances: int = Field(default=0, ge=0, le=10)
    server_max_instances: int = Field(default=3, ge=1, le=100)
    server_cpu: str = "1"
    server_memory: str = "2Gi"
    server_active_hours_per_day: float = Field(default=2.0, ge=0, le=24)
    pg_pool_max_connections: int = Field(default=5, ge=1, le=100)

    # worker
    worker_mode: Literal["vm", "workerpool"] = "vm"
    worker_machine_type: str = "e2-small"
    worker_disk_gb: int = Field(default=10, ge=10, le=200)
    worker_disk_type: Literal["pd-standard", "pd-balanced", "pd-ssd"] = "pd-balanced"
    worker_pg_connections: int = Field(default=5, ge=1, le=100)  # the worker's PG_POOL_MAX_CONNECTIONS

    # Redis
    redis_mode: Literal["memorystore", "vm"] = "memorystore"
    redis_tier: Literal["BASIC", "STANDARD_HA"] = "BASIC"
    redis_memory_gb: int = Field(default=1, ge=1, le=300)
    redis_vm_max_memory_mb: int = Field(default=256, ge=32, le=4096)  # Redis on the VM (lean)

    # network
    vpc_egress: Literal["direct", "connector"] = "direct"
    subnet_cidr: str = "10.10.0.0/24"
    run_subnet_cidr: str = "10.10.16.0/24"
    connector_cidr: str = "10.8.0.0/28"
    psa_prefix_length: int = Field(default=20, ge=16, le=24)

    # Cloud SQL
    db_version: str = "POSTGRES_16"
    db_tier: str = "db-g1-small"
    db_edition: Literal["ENTERPRISE", "ENTERPRISE_PLUS"] = "ENTERPRISE"
    db_availability: Literal["ZONAL", "REGIONAL"] = "ZONAL"
    db_disk_gb: int = Field(default=10, ge=10, le=1000)
    db_disk_type: Literal["PD_SSD", "PD_HDD"] = "PD_SSD"
    db_max_connections: int = Field(default=100, ge=25, le=1000)
    db_backup_retention: int = Field(default=7, ge=1, le=365)
    db_pitr_days: int = Field(default=7, ge=1, le=7)

    # protection
    deletion_protection: bool = False

    # Twenty features
    google_auth_enabled: bool = True
    google_client_id: str = ""
    gmail_enabled: bool = True
    calendar_enabled: bool = True
    # AI: a provider of Twenty's catalog (its key goes to <PROVIDER>_API_KEY), or a custom endpoint
    # (azure: an Azure OpenAI resource's v1 API; openai-compatible: any OpenAI-compatible base URL),
    # which becomes AI_PROVIDERS. aiModel is the model id as Twenty lists it ("<provider>/<model or
    # deployment>"): the default model, and the agents' model through `inv deploy`.
    ai_provider: Literal[
        "none", "openai", "anthropic", "google", "xai", "groq", "mistral", "azure", "openai-compatible"
    ] = "openai"
    ai_base_url: str = ""
    # Any other Twenty 2.21 variable: plain values, and secrets by Secret Manager id (this project).
    twenty_env: dict[str, str] = Field(default_factory=dict)
    twenty_secret_env: dict[str, str] = Field(default_factory=dict)
    storage_s3_region: str = "us-east-1"
    # E-mail (invitations, password resets): 2.21 defaults EMAIL_DRIVER to LOGGER, which sends nothing.
    # auto: SMTP when smtpHost is set, else LOGGER (and `inv plan` flags it: twenty-sends-email).
    email_driver: Literal["auto", "smtp", "logger"] = "auto"
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_user: str = ""
    smtp_no_tls: bool = False
    email_from_address: str = ""
    email_from_name: str = "Twenty"
    # False on a fresh stack: the server is not public until the first workspace exists (docs/infra.md).
    workspace_bootstrapped: bool = False

    # read by inv deploy for `${stack.<key>}` in apps/ manifests (agents' model, workflow e-mail)
    ai_model: str = ""
    workflow_email_account_id: str = ""
    enrichment_api_url: str = ""
    crm_events_webhook_url: str = ""

    # the monthly usage-dashboard refresh (infra/usage_dashboard.py): a Cloud Scheduler cron in
    # unix-cron form, or "" / "off" for no schedule (the job stays, run it by hand)
    usage_dashboard_schedule: str = "0 6 1 * *"
    usage_dashboard_time_zone: str = "Etc/UTC"

    # pricing assumptions
    free_tier: bool = False
    mcp_active_hours_per_day: float = Field(default=0.5, ge=0, le=24)

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def worker_zone(self) -> str:
        return self.zone or f"{self.region}-b"

    @property
    def server_url(self) -> str:
        return f"https://{self.domain}"

    @property
    def google_callback_url(self) -> str:
        return f"{self.server_url}/auth/google/redirect"

    @property
    def google_apis_callback_url(self) -> str:
        return f"{self.server_url}/auth/google-apis/get-access-token"

    @property
    def smtp_enabled(self) -> bool:
        return self.email_driver == "smtp" or (self.email_driver == "auto" and bool(self.smtp_host))

    @property
    def usage_dashboard_scheduled(self) -> bool:
        return self.usage_dashboard_schedule.strip().lower() not in ("", "off")

    @property
    def connection_demand(self) -> int:
        """Connections Twenty may open at once: every process opens TypeORM's core pool (pg's default
        10, not configurable in 2.21) plus the workspace pool (PG_POOL_MAX_CONNECTIONS); the migration
        job runs beside the old revision during a rollout."""
        server = self.server_max_instances * (CORE_POOL + self.pg_pool_max_connections)
        job = CORE_POOL + self.pg_pool_max_connections
        return server + (CORE_POOL + self.worker_pg_connections) + job

    @property
    def connection_limit(self) -> int:
        """max_connections minus PostgreSQL's superuser_reserved_connections (3)."""
        return self.db_max_connections - PG_RESERVED_CONNECTIONS

    @model_validator(mode="after")
    def _cross_checks(self) -> StackConfig:
        _check_cross_field_rules(self)
        return self


PROFILES: dict[str, dict[str, Any]] = {
    # Redis on the worker VM, Direct VPC egress, zonal shared-core SQL.
    "lean": {"redis_mode": "vm", "vpc_egress": "direct", "worker_mode": "vm", "server_max_instances": 3},
    # The seed's shape: Memorystore Basic, worker VM, zonal db-g1-small.
    "standard": {"redis_mode": "memorystore", "redis_tier": "BASIC", "worker_mode": "vm"},
    # Regional SQL, Memorystore Standard HA, one warm server instance.
    "ha": {
        "redis_mode": "memorystore",
        "redis_tier": "STANDARD_HA",
        "db_availability": "REGIONAL",
        "db_tier": "db-custom-1-3840",
        "server_min_instances": 1,
        "worker_mode": "vm",
    },
}

_FIXES = {
    "project": "set `gcp:project` to your GCP project id (6-30 chars)",
    "domain": "set `twenty-gcp:domain` to the host name Twenty is served on, e.g. crm.example.com",
}


def _key(field: str) -> str:
    if field in ("project", "region", "zone"):
        return f"gcp:{field}"
    return f"{PROJECT_NAMESPACE}:{to_camel(field)}"


def _fail(field: str, problem: str, fix: str) -> None:
    raise ConfigError(f"{_key(field)}: {problem}. Fix: {fix}")


def _check_cross_field_rules(c: StackConfig) -> None:
    for field, problem, fix in [*size_problems(c), *schedule_problems(c)]:  # Google's formats first
        _fail(field, problem, fix)
    if c.region not in GCP_REGIONS:
        close = difflib.get_close_matches(c.region, sorted(GCP_REGIONS), n=1, cutoff=0.85)
        hint = f"did you mean `{close[0]}`?" if close else "use a region such as us-central1"
        _fail("region", f"`{c.region}` is not a GCP region with Cloud Run, Cloud SQL and Memorystore", hint)
    if c.zone and not c.zone.startswith(c.region + "-"):
        _fail("zone", f"`{c.zone}` is not in region {c.region}", f"use e.g. {c.region}-b or leave it unset")
    if c.db_tier in SHARED_CORE_TIERS and c.db_edition != "ENTERPRISE":
        _fail(
            "db_edition",
            f"Cloud SQL {c.db_edition} rejects the shared-core tier {c.db_tier}",
            "set twenty-gcp:dbEdition to ENTERPRISE, or pick a dedicated tier such as db-perf-optimized-N-2",
        )
    if not re.fullmatch(r"db-(f1-micro|g1-small|custom-\d+-\d+|perf-optimized-N-\d+|n1-\w+-\d+)", c.db_tier):
        close = closest(c.db_tier, SQL_TIER_EXAMPLES)
        hint = f"did you mean `{close}`?" if close else "use db-f1-micro, db-g1-small or db-custom-1-3840"
        _fail("db_tier", f"`{c.db_tier}` is not a Cloud SQL PostgreSQL tier", hint)
    if c.connection_demand > c.connection_limit:
        per = CORE_POOL + c.pg_pool_max_connections
        fits = (c.connection_limit - (CORE_POOL + c.worker_pg_connections) - per) // per
        raise_to = f"raise dbMaxConnections to at least {c.connection_demand + PG_RESERVED_CONNECTIONS}"
        _fail(
            "server_max_instances",
            f"{c.server_max_instances} instances × ({CORE_POOL} core + {c.pg_pool_max_connections} pool) + "
            f"worker ({CORE_POOL} + {c.worker_pg_connections}) + migration job ({per}) = "
            f"{c.connection_demand} connections, over Cloud SQL max_connections={c.db_max_connections} "
            f"less {PG_RESERVED_CONNECTIONS} reserved",
            f"lower serverMaxInstances to at most {fits} or pgPoolMaxConnections, or {raise_to}"
            if fits >= 1
            else raise_to,
        )
    if c.redis_mode == "vm" and c.worker_mode != "vm":
        _fail(
            "redis_mode",
            "Redis on the worker VM needs workerMode=vm",
            "set redisMode=memorystore or workerMode=vm",
        )
    if c.db_availability == "REGIONAL" and c.db_tier in SHARED_CORE_TIERS:
        _fail(
            "db_availability",
            "REGIONAL (HA) Cloud SQL is not offered on shared-core tiers",
            "use db-custom-1-3840",
        )
    if c.is_prod and not c.deletion_protection:
        _fail("deletion_protection", "prod must keep deletion protection on", "set deletionProtection: true")
    if c.google_auth_enabled and not c.google_client_id:
        _fail(
            "google_client_id",
            "Google sign-in is enabled but no OAuth client id is set",
            "set googleClientId to your OAuth client id, or googleAuthEnabled: false",
        )
    if not re.fullmatch(r"(?=.{4,253}$)([a-z0-9-]+\.)+[a-z]{2,}", c.domain):
        _fail("domain", f"`{c.domain}` is not a DNS host name", _FIXES["domain"])
    if c.smtp_enabled and not (c.smtp_host and c.email_from_address):
        _fail(
            "smtp_host",
            "e-mail is sent by SMTP but smtpHost or emailFromAddress is not set",
            "set smtpHost, smtpPort, smtpUser, emailFromAddress (and the smtpPassword secret), "
            "or emailDriver: logger to send no e-mail at all",
        )
    _check_ai(c)
    _check_extra_env(c)
    if c.worker_machine_type in ("e2-micro", "f1-micro"):
        _fail(
            "worker_machine_type",
            f"{c.worker_machine_type} has 1 GB in all, but Twenty's worker requests 1 GiB",
            "use e2-small (2 GB) or larger",
        )


CUSTOM_AI_PROVIDERS = ("azure", "openai-compatible")


def _check_ai(c: StackConfig) -> None:
    if c.ai_provider in CUSTOM_AI_PROVIDERS:
        if not re.fullmatch(r"https://[^\s/]+(/[^\s]*)?", c.ai_base_url):
            _fail(
                "ai_base_url",
                f"aiProvider {c.ai_provider} needs the endpoint's https base URL (got {c.ai_base_url!r})",
                "set aiBaseUrl, e.g. https://<resource>.openai.azure.com/openai/v1",
            )
        if c.ai_provider == "azure" and not c.ai_base_url.rstrip("/").endswith("/openai/v1"):
            _fail(
                "ai_base_url",
                f"`{c.ai_base_url}` is not an Azure OpenAI v1 API base URL",
                "use https://<resource>.openai.azure.com/openai/v1",
            )
        if not c.ai_model:
            _fail(
                "ai_model",
                f"aiProvider {c.ai_provider} needs the model or deployment to use",
                f"set aiModel to {c.ai_provider}/<deployment>, e.g. {c.ai_provider}/gpt-5.2",
            )
    elif c.ai_base_url:
        _fail("ai_base_url", "aiBaseUrl is only read with aiProvider azure or openai-compatible", "remove it")
    if c.ai_model and c.ai_provider != "none" and not c.ai_model.startswith(f"{c.ai_provider}/"):
        _fail(
            "ai_model",
            f"`{c.ai_model}` is not a model of provider {c.ai_provider} (2.21 names them <provider>/<model>)",
            f"set aiModel to {c.ai_provider}/{c.ai_model.split('/')[-1]}",
        )


def _check_extra_env(c: StackConfig) -> None:
    from infra.twenty_variables import ALL, PROGRAM_ENV, SENSITIVE

    for field, names in (("twenty_env", c.twenty_env), ("twenty_secret_env", c.twenty_secret_env)):
        for name in names:
            if name not in ALL:
                close = difflib.get_close_matches(name, sorted(ALL), n=1, cutoff=0.75)
                hint = f"did you mean `{close[0]}`?" if close else "see config-variables.ts of Twenty 2.21"
                _fail(field, f"`{name}` is not a variable Twenty 2.21 reads", hint)
            if name in PROGRAM_ENV:
                _fail(field, f"`{name}` is set by the program itself", "use the stack setting that owns it")
    for name in c.twenty_env:
        if name in SENSITIVE:
            _fail(
                "twenty_env",
                f"2.21 marks `{name}` sensitive; a plain value would sit in the revision and VM metadata",
                f"store it in Secret Manager and list it under twentySecretEnv: {{{name}: <secret id>}}",
            )
    for name, secret in c.twenty_secret_env.items():
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,255}", secret):
            _fail(
                "twenty_secret_env",
                f"`{secret}` (for {name}) is not a Secret Manager secret id",
                "use its short id",
            )


def known_keys() -> dict[str, str]:
    """Stack-file key → field name, for every key the program accepts."""
    keys = {_key(name): name for name in StackConfig.model_fields if name not in ("stack", "environment")}
    keys[f"{PROJECT_NAMESPACE}:environment"] = "environment"
    keys.update({f"{PROJECT_NAMESPACE}:{k}": k for k in USER_SECRET_KEYS})
    return keys


# Secrets the user owns and supplies with `pulumi config set --secret`.
USER_SECRET_KEYS: dict[str, str] = {
    "googleClientSecret": "the Google OAuth client secret (Google Cloud console → Credentials)",
    "aiApiKey": "the API key of the AI provider named by aiProvider",
    "smtpPassword": "the password of smtpUser on smtpHost (EMAIL_SMTP_PASSWORD)",
}


def _unknown_key_error(key: str) -> ConfigError:
    known = sorted(known_keys())
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"did you mean `{close[0]}`?" if close else f"known keys: {', '.join(known)}"
    return ConfigError(f"{key}: unknown stack setting. Fix: remove it or rename it; {hint}")


def parse_stack_config(raw: dict[str, Any], stack: str) -> StackConfig:
    """Build a StackConfig from the `config:` block of a stack file (namespaced keys).

    `secure:` values are ignored here: they are secrets, read separately.
    """
    keys = known_keys()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not key.startswith((f"{PROJECT_NAMESPACE}:", "gcp:")):
            continue  # other providers' settings are none of our business
        if key not in keys:
            if key.startswith("gcp:"):
                continue  # the gcp provider has many settings of its own
            raise _unknown_key_error(key)
        field = keys[key]
        if field in USER_SECRET_KEYS:
            continue
        values[field] = _coerce(value)
    values.setdefault("stack", stack)
    values.setdefault("environment", "prod" if stack.startswith("prod") else "staging")
    profile = values.get("profile", "lean")
    if profile not in PROFILES:
        close = difflib.get_close_matches(str(profile), list(PROFILES), n=1)
        hint = f"did you mean `{close[0]}`?" if close else "use lean, standard or ha"
        raise ConfigError(f"{_key('profile')}: unknown profile `{profile}`. Fix: {hint}")
    merged = {**PROFILES[profile], **values}
    return build_config(**merged)


def _coerce(value: Any) -> Any:
    if isinstance(value, dict) and "secure" in value:
        raise ConfigError("a `secure:` value is set on a plain setting; only secret keys may be secure")
    return value


def build_config(**values: Any) -> StackConfig:
    """Validate settings (snake_case names); raise ConfigError naming the key and the fix."""
    try:
        return StackConfig(**values)
    except ValidationError as exc:
        raise _translate(exc) from None


def with_profile(cfg: StackConfig, profile: str, overrides: dict[str, Any] | None = None) -> StackConfig:
    """The same stack on another profile (the profile's keys win over the stack's)."""
    if profile not in PROFILES:
        raise ConfigError(f"{_key('profile')}: unknown profile `{profile}`. Fix: use lean, standard or ha")
    base = cfg.model_dump()
    base.update(PROFILES[profile], profile=profile, **(overrides or {}))
    return build_config(**base)


def _translate(exc: ValidationError) -> ConfigError:
    lines = []
    for err in exc.errors():
        loc = [str(p) for p in err["loc"]]
        ctx_error = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_error, ConfigError):
            return ctx_error
        if not loc:
            lines.append(err["msg"])
            continue
        field = loc[0]
        if err["type"] == "extra_forbidden":
            return _unknown_key_error(_key(field))
        fix = _FIXES.get(field, "see docs/infra.md (stack settings reference)")
        spec = StackConfig.model_fields.get(field)
        friendly = spec and field_problem(_key(field), err, spec.annotation, spec.metadata, spec.default)
        if friendly:
            lines.append(friendly)
        elif err["type"] == "missing":
            lines.append(f"{_key(field)}: required setting is missing. Fix: {fix}")
        else:
            lines.append(f"{_key(field)}: {err['msg']} (got {err.get('input')!r}). Fix: {fix}")
    return ConfigError("; ".join(lines))


def required_user_secrets(cfg: StackConfig) -> list[str]:
    keys = []
    if cfg.google_auth_enabled:
        keys.append("googleClientSecret")
    if cfg.ai_provider != "none":
        keys.append("aiApiKey")
    if cfg.smtp_enabled and cfg.smtp_user:
        keys.append("smtpPassword")
    return keys


def secret_set_command(key: str, stack: str) -> str:
    return f"pulumi config set --secret {PROJECT_NAMESPACE}:{key} <value> -s {stack}"


def load_from_pulumi() -> tuple[StackConfig, dict[str, Any]]:
    """Settings and user-owned secrets of the running Pulumi stack (inside `pulumi up/preview`)."""
    import pulumi
    from pulumi.runtime.config import CONFIG, get_config_env

    raw = {**get_config_env(), **CONFIG.get()}
    cfg = parse_stack_config(raw, pulumi.get_stack())
    conf = pulumi.Config(PROJECT_NAMESPACE)
    secrets: dict[str, Any] = {}
    for key in required_user_secrets(cfg):
        value = conf.get_secret(key)
        if value is None:
            raise ConfigError(
                f"{PROJECT_NAMESPACE}:{key}: {USER_SECRET_KEYS[key]} is not set. "
                f"Fix: {secret_set_command(key, cfg.stack)}"
            )
        secrets[key] = value
    return cfg, secrets


def read_stack_file(path: str) -> dict[str, Any]:
    """The `config:` block of a Pulumi.<stack>.yaml file, values as Pulumi would pass them."""
    from pathlib import Path

    import yaml

    file = Path(path)
    if not file.exists():
        raise ConfigError(
            f"{file}: no such stack file. Fix: create it, or pick one of the Pulumi.*.yaml files"
        )
    try:
        doc = yaml.safe_load(file.read_text()) or {}
    except yaml.YAMLError as err:  # one line with file:line:column instead of a scanner traceback
        raise ConfigError(yaml_problem(file.name, err)) from None
    if not isinstance(doc, dict):
        raise ConfigError(f"{file.name}: expected a mapping with a `config:` block, got {type(doc).__name__}")
    raw = doc.get("config") or {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: `config:` must be a mapping of settings")
    return raw
