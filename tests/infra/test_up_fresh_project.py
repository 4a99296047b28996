"""Issue 11: what a `pulumi up` on a fresh GCP project needs beyond what mocks accept.

One test (or more) per item; each fails on the program before the issue. The worker VM's boot is
run for real in test_worker_vm_run.py (firewall, order, retries) and test_boot_script.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra import policies as P
from infra.config import ConfigError
from infra.identity import REQUIRED_APIS
from infra.twenty_server import MIGRATE_SH, migrate_token
from infra.worker_boot import CONFIG_SHA_KEY, render_worker_boot
from tests.infra import fake_gce
from tests.infra.conftest import VARIANTS, WITH_VM, base, plan_of

REPO = Path(__file__).resolve().parents[2]
RUN, JOB, POOL, VM = P.RUN_SERVICE, P.RUN_JOB, P.RUN_POOL, P.VM
ALL = sorted(VARIANTS)


def _container(r: Any) -> dict[str, Any]:
    t = r.props["template"]
    return (t.get("template") or t)["containers"][0]


def _envs(r: Any) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in _container(r).get("envs") or []}


def _boot_files(plan: Any) -> dict[str, str]:
    ud = plan.one(VM).props["metadata"]["user-data"]
    return {
        f["path"]: f["content"] for f in yaml.safe_load(ud.removeprefix("#cloud-config\n"))["write_files"]
    }


def _worker_env(plan: Any) -> tuple[dict[str, str], dict[str, str]]:
    """(plain env, env name → secret id) of the worker, on the VM or in the worker pool."""
    if plan.by_type(POOL):
        envs = _envs(plan.one(POOL))
        plain = {k: e["value"] for k, e in envs.items() if "value" in e}
        return plain, {
            k: e["valueSource"]["secretKeyRef"]["secret"] for k, e in envs.items() if "valueSource" in e
        }
    files = _boot_files(plan)
    plain = dict(line.split("=", 1) for line in files["/etc/twenty/worker.env"].splitlines())
    return plain, dict(line.split() for line in files["/etc/twenty/secret-map"].splitlines())


def _workloads(plan: Any) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    out = []
    for r in (plan.one(RUN, "twenty-server"), plan.one(JOB, "twenty-migrate")):
        envs = _envs(r)
        plain = {k: e["value"] for k, e in envs.items() if "value" in e}
        out.append(
            (
                r.name,
                plain,
                {
                    k: e["valueSource"]["secretKeyRef"]["secret"]
                    for k, e in envs.items()
                    if "valueSource" in e
                },
            )
        )
    out.append(("worker", *_worker_env(plan)))
    return out


# --- 2. probes within Cloud Run's limits ------------------------------------------------------


@pytest.mark.parametrize("variant", ALL)
def test_2_every_probe_fits_cloud_run(variant: str) -> None:
    plan = plan_of(variant)
    probe = _container(plan.one(RUN, "twenty-server"))["startupProbe"]
    assert probe["failureThreshold"] * probe["periodSeconds"] <= 240
    report = plan.policy_report()
    assert report.checked["run-probe-limits"] >= 2
    assert not [v for v in report.violations if v.rule == "run-probe-limits"]


# --- 3. S3 interop checksums, 4. e-mail, 5. sign-up lock ---------------------------------------


@pytest.mark.parametrize("variant", ALL)
def test_3_s3_checksums_only_when_required_on_server_job_and_worker(variant: str) -> None:
    for name, plain, _ in _workloads(plan_of(variant)):
        assert plain["AWS_REQUEST_CHECKSUM_CALCULATION"] == "WHEN_REQUIRED", name
        assert plain["AWS_RESPONSE_CHECKSUM_VALIDATION"] == "WHEN_REQUIRED", name


@pytest.mark.parametrize("variant", ALL)
def test_4_smtp_everywhere_with_the_password_from_secret_manager(variant: str) -> None:
    plan = plan_of(variant)
    for name, plain, refs in _workloads(plan):
        assert plain["EMAIL_DRIVER"] == "SMTP", name
        assert plain["EMAIL_SMTP_HOST"] == plan.cfg.smtp_host and plain["EMAIL_SMTP_PORT"] == "587"
        assert plain["EMAIL_FROM_ADDRESS"] == plan.cfg.email_from_address
        assert "EMAIL_SMTP_PASSWORD" not in plain and refs["EMAIL_SMTP_PASSWORD"] == "twenty-smtp-password"
    grants = {g.props["member"] for g in plan.by_type(P.SECRET_IAM) if "smtp-password" in g.name}
    assert {m.split("@")[0].removeprefix("serviceAccount:") for m in grants} == {
        "twenty-server",
        "twenty-worker",
    }


def test_4_smtp_settings_are_required_when_smtp_is_asked_for() -> None:
    with pytest.raises(ConfigError, match=r"^twenty-gcp:smtpHost: .*Fix: set smtpHost"):
        base(smtp_host="", email_driver="smtp")
    with pytest.raises(ConfigError, match=r"^twenty-gcp:smtpHost: .*emailFromAddress"):
        base(email_from_address="")
    assert not base(smtp_host="").smtp_enabled  # auto without a host: LOGGER, flagged by inv plan


def test_4_inv_plan_flags_a_stack_that_sends_no_email() -> None:
    from infra.plan import mock_user_secrets, run_program

    cfg = base(smtp_host="", smtp_user="")
    report = run_program(cfg, mock_user_secrets(cfg)).policy_report()
    flagged = [v for v in report.violations if v.rule == "twenty-sends-email"]
    assert flagged and flagged[0].severity == "advisory" and report.passed


@pytest.mark.parametrize("variant", ALL)
def test_5_a_fresh_stack_keeps_the_server_private_and_sign_up_locked(variant: str) -> None:
    plan = plan_of(variant)
    assert plan.cfg.workspace_bootstrapped is False  # both example stacks describe a fresh project
    public = {r.name for r in plan.by_type(P.RUN_IAM) if r.props["member"] == "allUsers"}
    assert public == {"twenty-mcp-public"}
    for _, plain, _ in _workloads(plan):
        assert plain["IS_MULTIWORKSPACE_ENABLED"] == "false"
        assert plain["IS_WORKSPACE_CREATION_LIMITED_TO_SERVER_ADMINS"] == "true"


def test_5_the_server_turns_public_once_bootstrapped() -> None:
    from infra.plan import mock_user_secrets, run_program

    cfg = base(workspace_bootstrapped=True)
    plan = run_program(cfg, mock_user_secrets(cfg))
    public = {r.name for r in plan.by_type(P.RUN_IAM) if r.props["member"] == "allUsers"}
    assert public == {"twenty-server-public", "twenty-mcp-public"}


# --- 8. worker configuration changes reach the VM ------------------------------------------------


@pytest.mark.parametrize("variant", WITH_VM)
def test_8_vm_metadata_carries_the_fingerprint_its_user_data_applies(variant: str) -> None:
    plan = plan_of(variant)
    meta = plan.one(VM).props["metadata"]
    assert _boot_files(plan)["/etc/twenty/config-sha"] == meta[CONFIG_SHA_KEY]


def test_8_any_worker_change_changes_the_fingerprint() -> None:
    cfg = base()
    one = render_worker_boot(cfg, {"A": "1"}, {"APP_SECRET": "s"}, {})
    assert render_worker_boot(cfg, {"A": "1"}, {"APP_SECRET": "s"}, {}).config_sha == one.config_sha
    newer = base(twenty_image="twentycrm/twenty:v2.22.0")
    assert render_worker_boot(newer, {"A": "1"}, {"APP_SECRET": "s"}, {}).config_sha != one.config_sha
    assert render_worker_boot(cfg, {"A": "2"}, {"APP_SECRET": "s"}, {}).config_sha != one.config_sha


@pytest.fixture
def gce(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    state = tmp_path / "gce.json"
    state.write_text(json.dumps({"secrets": {}, "attributes": {CONFIG_SHA_KEY: "aaaa"}}))
    server = fake_gce.serve(0, state)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", state
    finally:
        server.shutdown()


def test_8_config_watcher_reboots_only_when_the_fingerprint_changes(
    tmp_path: Path, gce: tuple[str, Path]
) -> None:
    url, state = gce
    files = _boot_files(plan_of("prod"))
    (tmp_path / "etc/twenty").mkdir(parents=True)
    (tmp_path / "etc/twenty/config-sha").write_text("aaaa")
    script = tmp_path / "config-watch.sh"
    script.write_text(files["/etc/twenty/config-watch.sh"])
    marker = tmp_path / "rebooted"
    env = {
        "PATH": os.environ["PATH"],
        "TWENTY_ROOT": str(tmp_path),
        "TWENTY_METADATA_URL": f"{url}/md",
        "TWENTY_REBOOT_CMD": f"touch {marker}",
        "TWENTY_WATCH_TIMEOUT": "1",
    }
    proc = subprocess.Popen(["bash", str(script)], env=env, stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(2.5)  # long-polls an unchanged value: no reboot
        assert proc.poll() is None and not marker.exists()
        state.write_text(json.dumps({"secrets": {}, "attributes": {CONFIG_SHA_KEY: "bbbb"}}))
        assert proc.wait(timeout=10) == 0
        assert marker.exists()
        assert "configuration changed (aaaa -> bbbb)" in (proc.stdout.read() if proc.stdout else "")
        polls = Path(f"{state}.log").read_text()
        assert f"/md/instance/attributes/{CONFIG_SHA_KEY}" in polls
    finally:
        if proc.poll() is None:
            proc.kill()


# --- 9. the migration gate fails on a failed upgrade ---------------------------------------------


def _migrate(tmp_path: Path, failing: str = "", empty_db: bool = True) -> tuple[int, list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "calls"
    log.write_text("")
    (bin_dir / "yarn").write_text(
        f'#!/bin/sh\necho "$*" >> {log}\n[ "$*" = "{failing}" ] && exit 1\nexit 0\n'
    )
    (bin_dir / "psql").write_text(f"#!/bin/sh\necho {'f' if empty_db else 't'}\n")
    for f in ("yarn", "psql"):
        (bin_dir / f).chmod(0o755)
    job = plan_of("prod").one(JOB, "twenty-migrate")
    container = _container(job)
    assert container["commands"] == ["/bin/sh", "-c"]
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "PG_DATABASE_URL": "postgres://stand-in"}
    proc = subprocess.run(
        [*container["commands"], container["args"][0]], env=env, capture_output=True, text=True
    )
    return proc.returncode, log.read_text().splitlines()


def test_9_migration_job_runs_every_step_in_order(tmp_path: Path) -> None:
    code, calls = _migrate(tmp_path)
    assert code == 0
    assert calls == [
        "database:init:prod",
        "command:prod cache:flush",
        "command:prod upgrade",
        "command:prod cache:flush",
        "command:prod cron:register:all",
    ]
    code, calls = _migrate(tmp_path, empty_db=False)
    assert code == 0 and "database:init:prod" not in calls


@pytest.mark.parametrize(
    "step", ["command:prod upgrade", "command:prod cron:register:all", "database:init:prod"]
)
def test_9_a_failed_step_fails_the_job(tmp_path: Path, step: str) -> None:
    code, calls = _migrate(tmp_path, failing=step)
    assert code != 0  # entrypoint.sh would print a warning and exit 0
    assert calls[-1] == step


def test_9_the_job_reruns_when_anything_it_reads_changes() -> None:
    one = migrate_token("img:1", {"A": "1"}, ["v1"])
    assert migrate_token("img:1", {"A": "1"}, ["v1"]) == one
    assert migrate_token("img:2", {"A": "1"}, ["v1"]) != one
    assert migrate_token("img:1", {"A": "2"}, ["v1"]) != one
    assert migrate_token("img:1", {"A": "1"}, ["v2"]) != one  # a rotated secret
    assert "set -eu" in MIGRATE_SH


# --- 10. crons survive a Redis flush, 11. connection budget ---------------------------------------


def test_10_the_worker_pool_registers_crons_on_start() -> None:
    args = _container(plan_of("standard-workerpool").one(POOL))["args"]
    assert args[:2] == ["sh", "-c"] and re.fullmatch(
        r"yarn command:prod cron:register:all && exec yarn worker:prod", args[2]
    )


def test_11_budget_policy_counts_core_pools_and_the_migration_job() -> None:
    sql = P.PolicyResource(
        P.SQL, "pg", {"settings": {"databaseFlags": [{"name": "max_connections", "value": "60"}]}}
    )

    def run(name: str, typ: str, extra: dict[str, Any]) -> P.PolicyResource:
        envs = [
            {"name": "PG_DATABASE_URL", "valueSource": {}},
            {"name": "PG_POOL_MAX_CONNECTIONS", "value": "5"},
        ]
        template = {"containers": [{"envs": envs}], **extra}
        return P.PolicyResource(typ, name, {"template": template if typ != JOB else {"template": template}})

    server = run("twenty-server", RUN, {"scaling": {"maxInstanceCount": 2}})
    job = run("twenty-migrate", JOB, {})
    check = P.rule("sql-connection-budget").check
    # 2 × (10+5) = 30 fits in 57; with the job's 15 it is 45; plus a worker VM's (10+5) = 60 > 57
    assert check(sql, P.PolicyContext(False, (sql, server, job))) is None
    vm = P.PolicyResource(
        VM, "w", {"metadata": {"user-data": "PG_DATABASE_URL x\nPG_POOL_MAX_CONNECTIONS=5\n"}}
    )
    assert "60 connections" in str(check(sql, P.PolicyContext(False, (sql, server, job, vm))))


@pytest.mark.parametrize("variant", ALL)
def test_11_the_worker_gets_its_own_pool_size(variant: str) -> None:
    plan = plan_of(variant)
    plain, _ = _worker_env(plan)
    assert plain["PG_POOL_MAX_CONNECTIONS"] == str(plan.cfg.worker_pg_connections)


# --- 13. every API a task uses is enabled ----------------------------------------------------------

GCLOUD_API = {
    "sql": "sqladmin.googleapis.com",
    "secrets": "secretmanager.googleapis.com",
    "run": "run.googleapis.com",
    "redis": "redis.googleapis.com",
    "logging": "logging.googleapis.com",
    "compute": "compute.googleapis.com",
    "builds": "cloudbuild.googleapis.com",
    "cloud-sql-proxy": "sqladmin.googleapis.com",
    "artifacts": "artifactregistry.googleapis.com",
    "storage": "storage.googleapis.com",
    "auth": "",
    "config": "",
}


def test_13_every_api_the_tasks_call_is_enabled() -> None:
    sources = [p for d in ("deploy", "staging", "infra") for p in (REPO / d).rglob("*.py")]
    text = "\n".join(p.read_text() for p in sources)
    groups = set(re.findall(r'"gcloud",\s*"([a-z-]+)"', text))
    assert {"builds", "compute", "sql"} <= groups  # the scan sees the tasks' calls
    unknown = groups - set(GCLOUD_API)
    assert not unknown, f"map these gcloud groups to their API in GCLOUD_API: {unknown}"
    needed = {GCLOUD_API[g] for g in groups} - {""}
    if "--tunnel-through-iap" in text:
        needed.add("iap.googleapis.com")
    if "builds" in groups:  # Cloud Build uploads the source to a bucket and pushes to Artifact Registry
        needed |= {"storage.googleapis.com", "artifactregistry.googleapis.com"}
    assert needed <= set(REQUIRED_APIS), sorted(needed - set(REQUIRED_APIS))
    enabled = {r.props["service"] for r in plan_of("prod").by_type("gcp:projects/service:Service")}
    assert needed <= enabled


# --- 14. Redis TLS verified, Redis on the VM bounded, the worker disk pruned ------------------------


@pytest.mark.parametrize("variant", ["prod-standard", "prod-ha", "standard-workerpool"])
def test_14_memorystore_tls_is_verified_with_its_own_ca(variant: str) -> None:
    plan = plan_of(variant)
    for name, plain, refs in _workloads(plan):
        assert plain["NODE_EXTRA_CA_CERTS"] == "/etc/twenty/redis-ca/ca.pem", name
        assert "NODE_TLS_REJECT_UNAUTHORIZED" not in plain and refs["REDIS_URL"] == "twenty-redis-url"
    ca = plan.one(P.SECRET, "twenty-redis-ca")
    assert ca.props["secretId"] == "twenty-redis-ca"


def test_14_redis_on_the_vm_is_bounded_and_old_images_are_pruned() -> None:
    files = _boot_files(plan_of("prod"))
    assert "maxmemory 256mb" in files["/etc/twenty/fetch-secrets.sh"].replace("\\n", "\n")
    timer = files["/etc/systemd/system/twenty-prune.timer"]
    assert "OnUnitActiveSec=1d" in timer
    assert "image prune --all --force" in files["/etc/systemd/system/twenty-prune.service"]


# --- 16. prices: idle minimum instances, and an image repository that deletes -------------------


def test_16_warm_minimum_instances_are_priced_at_the_idle_rate() -> None:
    from infra import pricing

    plan = plan_of("prod-ha")
    server = next(c for c in plan.costs() if c.name == "twenty-server")
    cfg = plan.cfg
    busy_s = cfg.server_active_hours_per_day * 3600 * pricing.DAYS_PER_MONTH
    cpu, mem = 1.0, pricing.parse_memory_gib(cfg.server_memory)
    busy = busy_s * (cpu * pricing.PRICES["run.cpu_s"].amount + mem * pricing.PRICES["run.mem_gib_s"].amount)
    idle_s = pricing.SECONDS_PER_MONTH - busy_s
    idle = idle_s * (
        cpu * pricing.PRICES["run.cpu_s.idle"].amount + mem * pricing.PRICES["run.mem_gib_s.idle"].amount
    )
    assert server.monthly == pytest.approx(busy + idle, rel=1e-6)
    assert "idle rate" in server.basis


def test_16_artifact_registry_deletes_old_images_and_keeps_the_newest() -> None:
    repo = plan_of("prod").one("gcp:artifactregistry/repository:Repository").props
    policies = {p["id"]: p for p in repo["cleanupPolicies"]}
    assert policies["delete-old"]["action"] == "DELETE" and policies["delete-old"]["condition"]["olderThan"]
    assert policies["keep-recent"]["action"] == "KEEP"
    assert repo["cleanupPolicyDryRun"] is False


# --- 6. the seed's AI provider, 7. any other Twenty variable ------------------------------------


@pytest.mark.parametrize("variant", ALL)
def test_6_azure_openai_is_a_typed_setting_with_its_key_in_secret_manager(variant: str) -> None:
    plan = plan_of(variant)
    cfg = plan.cfg
    assert (cfg.ai_provider, cfg.ai_model) == ("azure", "azure/gpt-5.2")
    for name, plain, refs in _workloads(plan):
        assert refs["AI_PROVIDERS"] == "twenty-ai-providers", name
        assert "AI_PROVIDERS" not in plain and "OPENAI_API_KEY" not in refs
        assert json.loads(plain["AI_MODELS_DEFAULT_SMART"]) == ["azure/gpt-5.2"]
    version = plan.one("gcp:secretmanager/secretVersion:SecretVersion", "twenty-ai-providers-v")
    assert "secretData" in version.secret_props  # the JSON holds the key: secret as a whole


def test_6_ai_providers_json_is_what_2_21_reads() -> None:
    from infra.twenty_env import ai_providers_doc

    cfg = base(
        ai_provider="azure", ai_base_url="https://r.openai.azure.com/openai/v1/", ai_model="azure/gpt-5.2"
    )
    assert json.loads(ai_providers_doc(cfg, "k-123")) == {
        "azure": {
            "npm": "@ai-sdk/openai-compatible",  # one of 2.21's AI_SDK_PACKAGES
            "name": "azure",
            "label": "Azure OpenAI",
            "baseUrl": "https://r.openai.azure.com/openai/v1",
            "apiKey": "k-123",
            "models": [{"name": "gpt-5.2", "label": "gpt-5.2"}],  # listed by Twenty as azure/gpt-5.2
        }
    }


@pytest.mark.parametrize(
    ("values", "key", "fix"),
    [
        ({"ai_provider": "azure", "ai_model": "azure/gpt-5.2"}, "twenty-gcp:aiBaseUrl", "openai.azure.com"),
        (
            {"ai_provider": "azure", "ai_base_url": "https://x.example.com/v1", "ai_model": "azure/m"},
            "twenty-gcp:aiBaseUrl",
            "/openai/v1",
        ),
        (
            {"ai_provider": "azure", "ai_base_url": "https://r.openai.azure.com/openai/v1"},
            "twenty-gcp:aiModel",
            "azure/",
        ),
        ({"ai_provider": "openai", "ai_model": "gpt-5.2"}, "twenty-gcp:aiModel", "openai/gpt-5.2"),
        ({"ai_provider": "openai", "ai_base_url": "https://x"}, "twenty-gcp:aiBaseUrl", "remove it"),
    ],
)
def test_6_ai_settings_are_validated(values: dict[str, Any], key: str, fix: str) -> None:
    with pytest.raises(ConfigError, match=rf"^{re.escape(key)}: .*Fix: .*{re.escape(fix)}"):
        base(**values)


def test_7_extra_twenty_variables_plain_and_secret() -> None:
    from infra.plan import mock_user_secrets, run_program

    cfg = base(
        twenty_env={"IS_EMAIL_VERIFICATION_REQUIRED": "true"},
        twenty_secret_env={"SENTRY_DSN": "my-sentry-dsn"},
    )
    plan = run_program(cfg, mock_user_secrets(cfg))
    for name, plain, refs in _workloads(plan):
        assert plain["IS_EMAIL_VERIFICATION_REQUIRED"] == "true", name
        assert refs["SENTRY_DSN"] == "my-sentry-dsn", name
    grants = [g for g in plan.by_type(P.SECRET_IAM) if g.props["secretId"].endswith("/secrets/my-sentry-dsn")]
    assert {g.props["member"].split("@")[0] for g in grants} == {
        "serviceAccount:twenty-server",
        "serviceAccount:twenty-worker",
    }
    assert not [r for r in plan.by_type(P.SECRET) if r.props["secretId"] == "my-sentry-dsn"]  # the operator's
    assert plan.policy_report().passed


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        (
            {"twenty_env": {"IS_EMAIL_VERIFCATION_REQUIRED": "true"}},
            "did you mean `IS_EMAIL_VERIFICATION_REQUIRED`",
        ),
        ({"twenty_env": {"SENTRY_DSN": "https://k@sentry"}}, "marks `SENTRY_DSN` sensitive"),
        ({"twenty_env": {"IS_MULTIWORKSPACE_ENABLED": "true"}}, "set by the program itself"),
        ({"twenty_secret_env": {"APP_SECRET": "mine"}}, "set by the program itself"),
        ({"twenty_secret_env": {"SENTRY_DSN": "projects/p/secrets/x"}}, "not a Secret Manager secret id"),
    ],
)
def test_7_extra_variables_are_checked_against_2_21(values: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(problem)):
        base(**values)


@pytest.mark.parametrize("variant", ALL)
def test_7_program_env_lists_every_variable_the_program_sets(variant: str) -> None:
    from infra.twenty_variables import ALL as TWENTY_VARS
    from infra.twenty_variables import PROGRAM_ENV

    ours = {
        "NODE_EXTRA_CA_CERTS",
        "AWS_REQUEST_CHECKSUM_CALCULATION",
        "AWS_RESPONSE_CHECKSUM_VALIDATION",
        "DISABLE_DB_MIGRATIONS",
        "DISABLE_CRON_JOBS_REGISTRATION",
    }  # not Twenty settings
    for name, plain, refs in _workloads(plan_of(variant)):
        declared = set(plain) | set(refs)
        assert declared - ours <= PROGRAM_ENV, (name, sorted(declared - ours - PROGRAM_ENV))
    assert PROGRAM_ENV <= TWENTY_VARS


def test_5_stage_test_stacks_are_public_because_they_sign_up_their_own_first_user() -> None:
    from infra.automation import config_to_set

    env = {
        "TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET": "g",
        "TWENTY_GCP_SECRET_AI_API_KEY": "a",
        "TWENTY_GCP_SECRET_SMTP_PASSWORD": "s",
    }
    derived = config_to_set("staging-pr42", env, REPO)
    assert derived["twenty-gcp:workspaceBootstrapped"].value == "true"
    assert "twenty-gcp:workspaceBootstrapped" not in config_to_set("staging", env, REPO)


# --- 15. one source of truth for the MCP image -------------------------------------------------------


def test_15_mcp_deploy_writes_the_image_into_the_stack_and_updates_only_the_mcp_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from infra import automation

    calls: dict[str, Any] = {}

    class FakeStack:
        def up(self, **kwargs: Any) -> None:
            calls["up"] = kwargs

    def fake_open(stack: str, env: Any = None, *, configure: bool = True, overrides: Any = None) -> FakeStack:
        calls.update(stack=stack, configure=configure, overrides=dict(overrides or {}))
        return FakeStack()

    monkeypatch.setattr(automation, "open_stack", fake_open)
    image = "us-central1-docker.pkg.dev/p/twenty-images/twenty-mcp:abc123"
    job_name = "twenty-usage-dashboard"
    automation.roll_mcp_image("prod", "twenty-mcp", image, on_output=lambda _: None, jobs=[job_name])
    assert calls["overrides"] == {"twenty-gcp:mcpImage": image} and calls["configure"] is True
    urn = "urn:pulumi:prod::twenty-gcp::twenty:infra:McpService$gcp:cloudrunv2/service:Service::twenty-mcp"
    job = "urn:pulumi:prod::twenty-gcp::twenty:infra:UsageDashboard$gcp:cloudrunv2/job:Job::" + job_name
    # the usage-dashboard job runs the same image; its dependents (the paused-until-imaged schedule) follow
    assert calls["up"]["target"] == [urn, job] and calls["up"]["target_dependents"] is True


def test_15_the_program_deploys_the_image_the_stack_names() -> None:
    from infra.plan import mock_user_secrets, run_program

    image = "us-central1-docker.pkg.dev/p/twenty-images/twenty-mcp:abc123"
    cfg = base(mcp_image=image)
    plan = run_program(cfg, mock_user_secrets(cfg))
    mcp = plan.one(RUN, "twenty-mcp")
    assert _container(mcp)["image"] == image
    assert _container(plan.one(JOB, "twenty-usage-dashboard"))["image"] == image  # the same image
    # the URNs roll_mcp_image targets are the ones the program declares (seen from the resources using them)
    from infra.automation import mcp_service_urn, usage_job_urn

    urns = {u for r in plan.resources for u in r.depends_on}
    assert (
        mcp_service_urn("test", "twenty-mcp") in urns
        and usage_job_urn("test", "twenty-usage-dashboard") in urns
    )
