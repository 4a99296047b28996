"""The offline plan: resources, policies and costs of the example stacks, and `inv plan` itself."""

from __future__ import annotations

import io
import os
import re
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pulumi
import pulumi_gcp as gcp
import pytest
import yaml
from rich.console import Console

from infra import policies as P
from infra import pricing
from infra.plan import MOCK_SECRET_PREFIX, PlanMocks, main, render
from tests.infra.conftest import plan_of

ROOT = Path(__file__).resolve().parents[2]


def _render(stack: str) -> tuple[str, bool]:
    buf = io.StringIO()
    ok = render(plan_of(stack), Console(file=buf, width=220, color_system=None))
    return buf.getvalue(), ok


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_plan_prints_every_resource_by_concern_policies_and_costs(stack: str) -> None:
    text, ok = _render(stack)
    assert ok
    result = plan_of(stack)
    custom = result.custom_resources
    assert len(custom) >= 20
    for r in custom:
        assert r.name in text
    tokens = set(re.findall(r"gcp:[a-zA-Z0-9]+/[a-zA-Z0-9]+:[A-Za-z0-9]+", text))
    assert {
        "gcp:sql/databaseInstance:DatabaseInstance",
        "gcp:cloudrunv2/service:Service",
        "gcp:compute/instance:Instance",
        "gcp:secretmanager/secret:Secret",
    } <= tokens
    for concern in (
        "Network",
        "Database",
        "Cache",
        "Storage",
        "Secrets",
        "Identity",
        "TwentyServer",
        "TwentyWorker",
        "Domain",
        "McpService",
    ):
        assert concern in text
    assert f"Policies ({len(P.RULES)} rules)" in text and "FAIL" not in text
    assert "total" in text and "ENCRYPTED_ONLY" in text
    assert "DNS records to create" in text
    assert MOCK_SECRET_PREFIX not in text  # secret values are never printed, not even mock ones


def test_cost_targets() -> None:
    staging = pricing.total(plan_of("staging").costs())
    prod = pricing.total(plan_of("prod").costs())
    standard = pricing.total(plan_of("prod-standard").costs())
    assert staging <= 25, staging
    assert prod <= 50, prod
    assert 70 <= standard <= 90, standard
    assert pricing.total(plan_of("prod-ha").costs()) > standard


def test_profiles_differ_where_they_should_in_cost() -> None:
    lean = {c.typ for c in plan_of("prod").costs()}
    standard = {c.typ for c in plan_of("prod-standard").costs()}
    assert "gcp:redis/instance:Instance" in standard - lean
    connector = [
        c for c in plan_of("standard-connector").costs() if c.typ == "gcp:vpcaccess/connector:Connector"
    ]
    assert connector and connector[0].monthly > 10


def test_every_price_has_a_source_and_a_date() -> None:
    for key, price in pricing.PRICES.items():
        assert price.source.startswith("https://"), key
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.read_on), key
        assert price.confidence in {"google", "third-party", "recollection"}, key
        assert price.amount > 0, key


def test_resource_units_parse() -> None:
    assert pricing.parse_cpu("1") == 1 and pricing.parse_cpu("500m") == 0.5
    assert pricing.parse_memory_gib("512Mi") == 0.5 and pricing.parse_memory_gib("2Gi") == 2


def test_exit_code_is_non_zero_when_a_policy_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    original = gcp.storage.Bucket
    monkeypatch.setattr(
        gcp.storage,
        "Bucket",
        lambda *a, **kw: original(*a, **{**kw, "public_access_prevention": "inherited"}),
    )
    buf = io.StringIO()
    assert main("staging", console=Console(file=buf, width=220, color_system=None)) == 1
    assert "FAIL" in buf.getvalue() and "bucket-not-public" in buf.getvalue()


def test_bad_stack_file_exits_2_with_the_fix(tmp_path: Path) -> None:
    doc = yaml.safe_load((ROOT / "Pulumi.staging.yaml").read_text())
    doc["config"]["twenty-gcp:serverMaxInstances"] = 12
    (tmp_path / "Pulumi.broken.yaml").write_text(yaml.safe_dump(doc))
    buf = io.StringIO()
    assert main("broken", root=tmp_path, console=Console(file=buf, width=220, color_system=None)) == 2
    assert "serverMaxInstances" in buf.getvalue() and "Fix:" in buf.getvalue()


def test_missing_stack_file_is_explained(tmp_path: Path) -> None:
    buf = io.StringIO()
    assert main("nope", root=tmp_path, console=Console(file=buf, width=220, color_system=None)) == 2
    assert "no such stack file" in buf.getvalue()


def test_pulumi_entry_point_runs_under_mocks() -> None:
    """infra/__main__.py, as `pulumi up` runs it: config from Pulumi, secrets as secrets, outputs exported."""
    config = {
        f"twenty-gcp:{k}" if not k.startswith("gcp:") else k: v
        for k, v in {
            "gcp:project": "entry-point-proj",
            "domain": "crm.entry.example.com",
            "googleClientId": "1-x.apps.googleusercontent.com",
            "googleClientSecret": "s3cr3t",
            "aiApiKey": "sk-x",
            "smtpHost": "smtp.entry.example.com",
            "emailFromAddress": "crm@entry.example.com",
        }.items()
    }
    mocks = PlanMocks("entry-point-proj", "us-central1")
    pulumi.runtime.set_mocks(mocks, project="twenty-gcp", stack="staging", preview=False)
    pulumi.runtime.set_all_config(
        config, secret_keys=["twenty-gcp:googleClientSecret", "twenty-gcp:aiApiKey"]
    )
    try:

        @pulumi.runtime.test
        def run() -> None:
            runpy.run_path(str(ROOT / "infra" / "__main__.py"), run_name="__main__")

        run()
    finally:
        pulumi.runtime.set_all_config({})
    types = {t for t, _, _ in mocks.calls}
    assert "gcp:sql/databaseInstance:DatabaseInstance" in types and len(mocks.calls) > 60
    versions = {n: raw for t, n, raw in mocks.calls if t == "gcp:secretmanager/secretVersion:SecretVersion"}
    assert "twenty-google-client-secret-v" in versions


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is needed to syntax-check the boot script")
def test_boot_script_is_valid_bash(tmp_path: Path) -> None:
    vm = plan_of("prod").one("gcp:compute/instance:Instance")
    doc = yaml.safe_load(vm.props["metadata"]["user-data"].removeprefix("#cloud-config\n"))
    files = {f["path"]: f for f in doc["write_files"]}
    script = tmp_path / "fetch.sh"
    script.write_text(files["/etc/twenty/fetch-secrets.sh"]["content"])
    subprocess.run(["bash", "-n", str(script)], check=True)
    assert files["/etc/twenty/fetch-secrets.sh"]["permissions"] == "0700"
    assert "[Service]" in files["/etc/systemd/system/twenty-worker.service"]["content"]
    assert (
        "Requires=twenty-secrets.service twenty-redis.service"
        in files["/etc/systemd/system/twenty-worker.service"]["content"]
    )
    started = [c[2] for c in doc["runcmd"] if c[:2] == ["systemctl", "start"]]
    assert started.index("twenty-redis.service") < started.index("twenty-worker.service")
    for name in ("run-worker.sh", "run-redis.sh", "host-firewall.sh", "config-watch.sh"):
        (tmp_path / name).write_text(files[f"/etc/twenty/{name}"]["content"])
        subprocess.run(["bash", "-n", str(tmp_path / name)], check=True)


def test_inv_plan_runs_from_the_command_line() -> None:
    """The README's first command, minus the uv install: `inv plan --stack staging`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
    proc = subprocess.run(
        [sys.executable, "-m", "invoke", "plan", "--stack", "staging"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "gcp:sql/databaseInstance:DatabaseInstance" in proc.stdout
    assert "all mandatory policies pass" in proc.stdout
