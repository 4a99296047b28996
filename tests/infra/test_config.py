"""Stack settings are validated before anything is declared; errors name the key and the fix."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infra.config import (
    PROFILES,
    ConfigError,
    load_from_pulumi,
    parse_stack_config,
    read_stack_file,
    required_user_secrets,
    with_profile,
)
from infra.plan import PlanMocks
from tests.infra.conftest import base

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def staging_runtime() -> None:
    """load_from_pulumi reads the stack name from the runtime; pin it (other tests run other stacks)."""
    pulumi.runtime.set_mocks(
        PlanMocks("my-twenty-staging", "us-central1"), project="twenty-gcp", stack="staging"
    )


MINIMAL = {
    "gcp:project": "my-twenty-staging",
    "twenty-gcp:domain": "crm.example.com",
    "twenty-gcp:googleClientId": "1-x.apps.googleusercontent.com",
    "twenty-gcp:smtpHost": "smtp.example.com",
    "twenty-gcp:emailFromAddress": "crm@example.com",
}


def test_example_stack_files_parse_and_use_lean() -> None:
    staging = parse_stack_config(read_stack_file(str(ROOT / "Pulumi.staging.yaml")), "staging")
    prod = parse_stack_config(read_stack_file(str(ROOT / "Pulumi.prod.yaml")), "prod")
    assert staging.profile == prod.profile == "lean"
    assert prod.environment == "prod" and prod.deletion_protection is True
    assert staging.environment == "staging" and staging.deletion_protection is False
    assert staging.server_min_instances == 0
    assert prod.redis_mode == "vm" and prod.vpc_egress == "direct"
    assert staging.twenty_image == prod.twenty_image == "twentycrm/twenty:v2.21.0"


def test_stack_files_hold_no_secret_values() -> None:
    for name in ("Pulumi.staging.yaml", "Pulumi.prod.yaml"):
        raw = read_stack_file(str(ROOT / name))
        for key, value in raw.items():
            assert not isinstance(value, dict), f"{name}: {key} should be a plain setting"
            assert "Secret" not in key and "ApiKey" not in key, (
                f"{name}: {key} belongs in `pulumi config set --secret`"
            )


def test_string_values_from_pulumi_are_coerced() -> None:
    cfg = parse_stack_config(
        {**MINIMAL, "twenty-gcp:serverMaxInstances": "4", "twenty-gcp:freeTier": "true"}, "dev"
    )
    assert cfg.server_max_instances == 4 and cfg.free_tier is True


def test_profile_defaults_and_overrides() -> None:
    lean = parse_stack_config(MINIMAL, "staging")
    assert lean.redis_mode == "vm"
    std = parse_stack_config({**MINIMAL, "twenty-gcp:profile": "standard"}, "staging")
    assert std.redis_mode == "memorystore" and std.redis_tier == "BASIC"
    override = parse_stack_config(
        {**MINIMAL, "twenty-gcp:profile": "standard", "twenty-gcp:redisTier": "STANDARD_HA"}, "staging"
    )
    assert override.redis_tier == "STANDARD_HA"
    ha = with_profile(lean, "ha")
    assert ha.db_availability == "REGIONAL" and ha.server_min_instances == 1
    assert set(PROFILES) == {"lean", "standard", "ha"}


@pytest.mark.parametrize(
    ("raw", "key", "fix"),
    [
        (
            {"twenty-gcp:serverMaxInstance": "3"},
            "twenty-gcp:serverMaxInstance",
            "twenty-gcp:serverMaxInstances",
        ),
        ({"twenty-gcp:dbTeir": "db-g1-small"}, "twenty-gcp:dbTeir", "twenty-gcp:dbTier"),
        ({"gcp:region": "us-centrl1"}, "gcp:region", "us-central1"),
        ({"gcp:region": "mars-north1"}, "gcp:region", "us-central1"),
        ({"twenty-gcp:dbEdition": "ENTERPRISE_PLUS"}, "twenty-gcp:dbEdition", "ENTERPRISE"),
        ({"twenty-gcp:serverMaxInstances": "9"}, "twenty-gcp:serverMaxInstances", "at most 4"),
        ({"twenty-gcp:profile": "leen"}, "twenty-gcp:profile", "lean"),
        ({"twenty-gcp:workerMode": "workerpool"}, "twenty-gcp:redisMode", "memorystore"),
        ({"twenty-gcp:dbTier": "db-huge"}, "twenty-gcp:dbTier", "db-g1-small"),
        ({"twenty-gcp:workerMachineType": "e2-micro"}, "twenty-gcp:workerMachineType", "e2-small"),
        ({"twenty-gcp:domain": "not a domain"}, "twenty-gcp:domain", "crm.example.com"),
        ({"twenty-gcp:serverMinInstances": "-1"}, "twenty-gcp:serverMinInstances", "docs/infra.md"),
        ({"twenty-gcp:googleClientId": ""}, "twenty-gcp:googleClientId", "googleAuthEnabled: false"),
        (
            {"twenty-gcp:googleClientSecret": {"secure": "v1:abc"}, "twenty-gcp:vpcEgress": "satellite"},
            "twenty-gcp:vpcEgress",
            "docs/infra.md",
        ),
    ],
)
def test_bad_settings_name_the_key_and_the_fix(raw: dict[str, object], key: str, fix: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_stack_config({**MINIMAL, **raw}, "staging")
    message = str(err.value)
    assert message.startswith(key), message
    assert "Fix:" in message and fix in message, message


def test_prod_requires_deletion_protection() -> None:
    with pytest.raises(
        ConfigError, match="twenty-gcp:deletionProtection: prod must keep deletion protection on"
    ):
        parse_stack_config(MINIMAL, "prod")


def test_missing_project_is_named() -> None:
    with pytest.raises(
        ConfigError, match=r"^gcp:project: required setting is missing. Fix: set `gcp:project`"
    ):
        parse_stack_config(
            {"twenty-gcp:domain": "crm.example.com", "twenty-gcp:googleClientId": "x"}, "staging"
        )


def test_connection_budget_boundary() -> None:
    # 2.21 opens a core pool (10) beside PG_POOL_MAX_CONNECTIONS in every process, and the migration
    # job runs beside the server: 3 × (10+8) + worker (10+8) + job (10+8) = 90 <= 100 - 3 reserved.
    assert (
        base(server_max_instances=3, pg_pool_max_connections=8, worker_pg_connections=8).connection_demand
        == 90
    )
    with pytest.raises(ConfigError, match=r"= 100 connections, over Cloud SQL max_connections=100 less 3"):
        base(server_max_instances=3, pg_pool_max_connections=10, worker_pg_connections=10)
    ten = {"pg_pool_max_connections": 10, "worker_pg_connections": 10}
    assert base(server_max_instances=3, db_max_connections=103, **ten).connection_demand == 100


def test_other_providers_settings_are_ignored() -> None:
    cfg = parse_stack_config({**MINIMAL, "random:foo": "1", "gcp:impersonateServiceAccount": "x"}, "staging")
    assert cfg.project == "my-twenty-staging"


def test_plain_setting_given_a_secure_value_is_refused() -> None:
    with pytest.raises(ConfigError, match="only secret keys may be secure"):
        parse_stack_config({**MINIMAL, "twenty-gcp:domain": {"secure": "v1:abc"}}, "staging")


def test_shared_core_refuses_regional() -> None:
    with pytest.raises(ConfigError, match="twenty-gcp:dbAvailability"):
        base(db_availability="REGIONAL")


def test_validation_happens_before_any_resource(
    monkeypatch: pytest.MonkeyPatch, staging_runtime: None
) -> None:
    """A bad setting stops the Pulumi program before it declares anything."""
    declared: list[str] = []
    monkeypatch.setattr(pulumi.CustomResource, "__init__", lambda self, *a, **k: declared.append(a[0]))
    pulumi.runtime.set_all_config({**MINIMAL, "twenty-gcp:serverMaxInstances": "20"})
    try:
        with pytest.raises(ConfigError, match="serverMaxInstances"):
            load_from_pulumi()
    finally:
        pulumi.runtime.set_all_config({})
    assert declared == []


def test_load_from_pulumi_requires_user_secrets_with_the_command(staging_runtime: None) -> None:
    pulumi.runtime.set_all_config(dict(MINIMAL))
    try:
        with pytest.raises(ConfigError) as err:
            load_from_pulumi()
    finally:
        pulumi.runtime.set_all_config({})
    assert "pulumi config set --secret twenty-gcp:googleClientSecret" in str(err.value)


def test_load_from_pulumi_reads_secrets_as_secrets(staging_runtime: None) -> None:
    config = {**MINIMAL, "twenty-gcp:googleClientSecret": "s3cr3t", "twenty-gcp:aiApiKey": "sk-test"}
    pulumi.runtime.set_all_config(
        config, secret_keys=["twenty-gcp:googleClientSecret", "twenty-gcp:aiApiKey"]
    )
    try:
        cfg, secrets = load_from_pulumi()
    finally:
        pulumi.runtime.set_all_config({})
    assert cfg.project == "my-twenty-staging"
    assert set(secrets) == {"googleClientSecret", "aiApiKey"}
    assert all(isinstance(v, pulumi.Output) for v in secrets.values())


@pytest.mark.parametrize(
    ("provider", "env"),
    [("anthropic", "ANTHROPIC_API_KEY"), ("mistral", "MISTRAL_API_KEY"), ("none", None)],
)
def test_ai_provider_key_goes_to_the_env_twenty_reads(provider: str, env: str | None) -> None:
    from infra.twenty_env import secret_env

    refs = secret_env(base(ai_provider=provider))
    keys = {k for k, v in refs.items() if v == "ai-api-key"}
    assert keys == ({env} if env else set())
    assert ("aiApiKey" in required_user_secrets(base(ai_provider=provider))) is (env is not None)


@settings(max_examples=150, deadline=None)
@given(
    instances=st.integers(1, 100),
    pool=st.integers(1, 20),
    worker=st.integers(1, 20),
    limit=st.integers(25, 1000),
)
def test_connection_budget_is_exactly_the_rule(instances: int, pool: int, worker: int, limit: int) -> None:
    values = {
        "server_max_instances": instances,
        "pg_pool_max_connections": pool,
        "worker_pg_connections": worker,
        "db_max_connections": limit,
    }
    demand = instances * (10 + pool) + (10 + worker) + (10 + pool)
    if demand <= limit - 3:
        assert base(**values).connection_demand == demand
    else:
        with pytest.raises(ConfigError, match=r"^twenty-gcp:serverMaxInstances: .* over Cloud SQL"):
            base(**values)


def test_budget_fix_never_suggests_zero_instances() -> None:
    with pytest.raises(ConfigError) as err:
        base(
            server_max_instances=1,
            pg_pool_max_connections=20,
            worker_pg_connections=20,
            db_max_connections=25,
        )
    # 1 × (10+20) + worker (10+20) + job (10+20) = 90, plus 3 reserved
    assert "raise dbMaxConnections to at least 93" in str(err.value) and "at most 0" not in str(err.value)
