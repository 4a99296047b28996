"""Missing Pulumi CLI / credentials / passphrase stop everything at once, with the fix spelled out."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from infra import automation
from infra.automation import PreconditionError, preflight

REPO = Path(__file__).resolve().parents[2]
INSTALL = "curl -fsSL https://get.pulumi.com | sh"


def fake_cli(tmp_path: Path) -> Path:
    bindir = tmp_path / "bin"
    bindir.mkdir()
    cli = bindir / "pulumi"
    cli.write_text("#!/bin/sh\necho v3.272.0\n")
    cli.chmod(0o755)
    return bindir


def creds_file(tmp_path: Path) -> str:
    path = tmp_path / "wif.json"
    path.write_text('{"type": "external_account"}')
    return str(path)


def test_inv_stage_test_without_the_cli_stops_at_once_with_the_install_instruction(tmp_path):
    """The real task, through the real precondition code, on a PATH with no pulumi."""
    env = {"PATH": "", "HOME": str(tmp_path), "PYTHONPATH": str(REPO), "LANG": "C.UTF-8"}
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "invoke", "stage.test", "--name", "precheck"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    elapsed = time.monotonic() - start
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert INSTALL in out and "pulumi/actions@v6" in out
    assert "gcloud auth application-default login" in out  # no credentials either
    assert "nothing was created" in out
    assert "── up" not in out, "no step may start"
    assert elapsed < 30


def test_cli_missing_is_reported_even_when_everything_else_is_there(tmp_path):
    env = {
        "PATH": "/nonexistent",
        "HOME": str(tmp_path),
        "GOOGLE_APPLICATION_CREDENTIALS": creds_file(tmp_path),
        "PULUMI_CONFIG_PASSPHRASE": "x",
    }
    with pytest.raises(PreconditionError) as err:
        preflight(env)
    assert len(err.value.problems) == 1 and INSTALL in err.value.problems[0]


def test_cli_installed_in_home_but_not_on_path_is_found(tmp_path):
    bindir = tmp_path / ".pulumi" / "bin"
    bindir.mkdir(parents=True)
    (bindir / "pulumi").write_text("#!/bin/sh\n")
    (bindir / "pulumi").chmod(0o755)
    assert automation.find_pulumi_cli({"PATH": ""}, home=tmp_path) == bindir / "pulumi"


def test_credentials_missing_names_the_fix(tmp_path):
    env = {"PATH": str(fake_cli(tmp_path)), "HOME": str(tmp_path), "PULUMI_CONFIG_PASSPHRASE": "x"}
    if automation.find_gcp_credentials(env, home=tmp_path):
        pytest.skip("this host is a GCE VM: the metadata server supplies credentials")
    with pytest.raises(PreconditionError) as err:
        preflight(env, home=tmp_path)
    (problem,) = err.value.problems
    assert "gcloud auth application-default login" in problem
    assert "GOOGLE_APPLICATION_CREDENTIALS" in problem and "workload_identity_provider" in problem


def test_credentials_file_that_does_not_exist_is_named(tmp_path):
    env = {
        "PATH": str(fake_cli(tmp_path)),
        "GOOGLE_APPLICATION_CREDENTIALS": "/no/such/key.json",
        "PULUMI_CONFIG_PASSPHRASE": "x",
    }
    if automation.find_gcp_credentials(env, home=tmp_path):
        pytest.skip("this host is a GCE VM: the metadata server supplies credentials")
    with pytest.raises(
        PreconditionError, match=r"GOOGLE_APPLICATION_CREDENTIALS is set to '/no/such/key.json'"
    ):
        preflight(env, home=tmp_path)


@pytest.mark.parametrize(
    "source",
    ["GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS", "adc"],
)
def test_each_credential_source_is_accepted(tmp_path, source):
    env = {"PATH": str(fake_cli(tmp_path)), "PULUMI_CONFIG_PASSPHRASE": "x"}
    if source == "adc":
        adc = tmp_path / ".config" / "gcloud" / "application_default_credentials.json"
        adc.parent.mkdir(parents=True)
        adc.write_text("{}")
    elif source == "GOOGLE_CREDENTIALS":
        env[source] = '{"type": "service_account"}'
    else:
        env[source] = creds_file(tmp_path)
    pre = preflight(env, home=tmp_path)
    assert pre.cli.name == "pulumi"
    assert "{" not in pre.credentials, "the source is named, never its content"


def test_passphrase_provider_needs_a_passphrase_and_kms_does_not(tmp_path):
    base = {"PATH": str(fake_cli(tmp_path)), "GOOGLE_APPLICATION_CREDENTIALS": creds_file(tmp_path)}
    with pytest.raises(PreconditionError, match="PULUMI_CONFIG_PASSPHRASE"):
        preflight(base, home=tmp_path)
    kms = "gcpkms://projects/p/locations/global/keyRings/pulumi/cryptoKeys/stacks"
    pre = preflight({**base, "PULUMI_SECRETS_PROVIDER": kms}, home=tmp_path)
    assert pre.backend.secrets_provider == kms
    with pytest.raises(PreconditionError, match="not supported"):
        preflight({**base, "PULUMI_SECRETS_PROVIDER": "awskms://x"}, home=tmp_path)


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("gs://my-pulumi-state", True),
        ("gs://my-pulumi-state/twenty", True),
        ("file:///var/pulumi", True),
        ("file://~/.pulumi-state", True),
        ("s3://bucket", False),
        ("https://api.pulumi.com", False),
    ],
)
def test_backend_urls(tmp_path, url, ok):
    env = {
        "PATH": str(fake_cli(tmp_path)),
        "GOOGLE_APPLICATION_CREDENTIALS": creds_file(tmp_path),
        "PULUMI_CONFIG_PASSPHRASE": "x",
        "PULUMI_BACKEND_URL": url,
    }
    if ok:
        assert preflight(env, home=tmp_path).backend.url == url
    else:
        with pytest.raises(PreconditionError, match="not a supported state backend"):
            preflight(env, home=tmp_path)


def test_default_backend_is_the_ignored_local_directory():
    backend, _ = automation.backend_from_env({"PULUMI_CONFIG_PASSPHRASE": "x"})
    assert backend.url == f"file://{REPO / '.pulumi-local'}"
    assert "/.pulumi-local/" in (REPO / ".gitignore").read_text()


def test_infra_entry_points_stop_before_touching_pulumi(monkeypatch, tmp_path):
    """preview/up/destroy/outputs/remove (used by `inv infra.*`) all run the checks first."""
    monkeypatch.setattr(os, "environ", {"PATH": "", "HOME": str(tmp_path)})
    for fn in (automation.preview, automation.up, automation.destroy, automation.outputs, automation.remove):
        with pytest.raises(PreconditionError, match=r"get\.pulumi\.com"):
            fn("staging-x")
