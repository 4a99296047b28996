"""No secret reaches Cloud Run env values or VM metadata; and mutating the program turns checks red."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_gcp as gcp
import pytest

import infra.twenty_server
import infra.twenty_worker
from infra.plan import MOCK_SECRET_PREFIX, PlanResult, mock_user_secrets, run_program
from tests.infra.conftest import VARIANTS, base, plan_of
from tests.infra.test_resources import assert_sql_private_and_tls

WORKLOADS = (
    "gcp:cloudrunv2/service:Service",
    "gcp:cloudrunv2/job:Job",
    "gcp:cloudrunv2/workerPool:WorkerPool",
    "gcp:compute/instance:Instance",
)


def leaks(plan: PlanResult) -> list[str]:
    """Every way a secret value could reach a workload's definition."""
    found = []
    for r in plan.resources:
        if r.typ not in WORKLOADS:
            continue
        flagged = r.secret_props & {"template", "metadata", "metadataStartupScript"}
        if flagged:
            found.append(f"{r.name}: secret-flagged input {sorted(flagged)}")
        if MOCK_SECRET_PREFIX in json.dumps(r.props):
            found.append(f"{r.name}: a (mock) secret value appears in its inputs")
    return found


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_no_secret_reaches_cloud_run_env_or_vm_metadata(variant: str) -> None:
    plan = plan_of(variant)
    assert [r for r in plan.resources if r.typ in WORKLOADS]
    assert leaks(plan) == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_secret_values_do_exist_and_are_flagged_secret(variant: str) -> None:
    """The sweep above is meaningful: secret values are in the program, flagged, in Secret Manager only."""
    plan = plan_of(variant)
    versions = plan.by_type("gcp:secretmanager/secretVersion:SecretVersion")
    assert len(versions) >= 9
    for v in versions:
        assert "secretData" in v.secret_props, v.name
    pg = next(v for v in versions if v.name == "twenty-pg-url-v")
    assert pg.props["secretData"].startswith("postgres://twenty:" + MOCK_SECRET_PREFIX)
    assert "10.20.0.3:5432/default" in pg.props["secretData"]
    user_keys = {v.props["secretData"] for v in versions}
    assert f"{MOCK_SECRET_PREFIX}googleClientSecret" in user_keys


def _run_mutated(monkeypatch: pytest.MonkeyPatch, target: Any, attr: str, wrapper: Any) -> PlanResult:
    monkeypatch.setattr(target, attr, wrapper(getattr(target, attr)))
    cfg = base(environment="prod", deletion_protection=True)
    return run_program(cfg, mock_user_secrets(cfg))


def test_mutation_public_sql_ip_turns_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrapper(original: Any) -> Any:
        return lambda **kw: original(**{**kw, "ipv4_enabled": True})

    plan = _run_mutated(monkeypatch, gcp.sql, "DatabaseInstanceSettingsIpConfigurationArgs", wrapper)
    assert {v.rule for v in plan.policy_report().violations} >= {"sql-no-public-ip"}
    with pytest.raises(AssertionError):
        assert_sql_private_and_tls(plan)


def test_mutation_public_bucket_turns_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrapper(original: Any) -> Any:
        return lambda *a, **kw: original(*a, **{**kw, "public_access_prevention": "inherited"})

    plan = _run_mutated(monkeypatch, gcp.storage, "Bucket", wrapper)
    assert "bucket-not-public" in {v.rule for v in plan.policy_report().violations}


def test_mutation_public_bucket_grant_turns_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrapper(original: Any) -> Any:
        return lambda *a, **kw: original(*a, **{**kw, "member": "allUsers"})

    plan = _run_mutated(monkeypatch, gcp.storage, "BucketIAMMember", wrapper)
    assert "bucket-iam-not-public" in {v.rule for v in plan.policy_report().violations}


def test_mutation_plaintext_password_in_cloud_run_env_turns_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrapper(original: Any) -> Any:
        def plain_env(*args: Any, **kw: Any) -> dict[str, Any]:
            return {**original(*args, **kw), "PG_PASSWORD": "hunter2-literal"}

        return plain_env

    plan = _run_mutated(monkeypatch, infra.twenty_server, "plain_env", wrapper)
    violations = plan.policy_report().violations
    assert {v.rule for v in violations} == {"run-secrets-by-reference"}
    assert any("PG_PASSWORD" in v.message for v in violations)


def test_mutation_secret_output_in_cloud_run_env_turns_red(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Pulumi secret (e.g. the generated DB password) put in a plain env value is caught by the sweep."""

    def wrapper(original: Any) -> Any:
        def plain_env(*args: Any, **kw: Any) -> dict[str, Any]:
            return {**original(*args, **kw), "DB_URL_COPY": pulumi.Output.secret(MOCK_SECRET_PREFIX + "pw")}

        return plain_env

    plan = _run_mutated(monkeypatch, infra.twenty_server, "plain_env", wrapper)
    assert any("twenty-server" in leak for leak in leaks(plan))
    assert "run-secrets-by-reference" in {v.rule for v in plan.policy_report().violations}


def test_mutation_password_in_vm_metadata_turns_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrapper(original: Any) -> Any:
        def render(cfg: Any, plain: dict[str, str], *rest: Any, **kw: Any) -> Any:
            return original(cfg, {**plain, "REDIS_PASSWORD": "hunter2-literal"}, *rest, **kw)

        return render

    plan = _run_mutated(monkeypatch, infra.twenty_worker, "render_worker_boot", wrapper)
    assert "vm-metadata-no-secrets" in {v.rule for v in plan.policy_report().violations}


def test_mutation_external_ip_on_worker_turns_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrapper(original: Any) -> Any:
        return lambda **kw: original(
            **{**kw, "access_configs": [gcp.compute.InstanceNetworkInterfaceAccessConfigArgs()]}
        )

    plan = _run_mutated(monkeypatch, gcp.compute, "InstanceNetworkInterfaceArgs", wrapper)
    assert "vm-no-public-ip" in {v.rule for v in plan.policy_report().violations}


def test_mutation_prod_without_deletion_protection_turns_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def wrapper(original: Any) -> Any:
        return lambda *a, **kw: original(*a, **{**kw, "deletion_protection": False})

    plan = _run_mutated(monkeypatch, gcp.sql, "DatabaseInstance", wrapper)
    assert "sql-deletion-protection-prod" in {v.rule for v in plan.policy_report().violations}
