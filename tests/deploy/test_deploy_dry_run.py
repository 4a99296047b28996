"""`inv deploy --dry-run`: every precondition first, in seconds; nothing built, no gcloud call with a
project it does not know (issue 17)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deploy.deploy_task import resolve
from deploy.manifests import load_manifests
from deploy.preconditions import PreconditionError
from deploy.runner import RecordingRunner

ROOT = Path(__file__).resolve().parents[2]
NEEDED = {
    "TWENTY_STACK_AI_MODEL": "azure/gpt-5.2",
    "TWENTY_STACK_CRM_EVENTS_WEBHOOK_URL": "https://hooks.example.com/crm",
    "TWENTY_STACK_ENRICHMENT_API_URL": "https://enrich.example.com/v2/people/find",
    "TWENTY_STACK_WORKFLOW_EMAIL_ACCOUNT_ID": "00000000-0000-0000-0000-000000000001",
}


def _run(tmp_path: Path, extra: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for tool in ("gcloud", "npm"):  # record any call: a dry run must make none of these
        (bin_dir / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> {tmp_path}/calls.log\nexit 1\n')
        (bin_dir / tool).chmod(0o755)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("PULUMI_", "GOOGLE_", "CLOUDSDK_", "TWENTY_"))
    }
    env.update(PATH=f"{bin_dir}:{Path(sys.executable).parent}", HOME=str(tmp_path), **extra)
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "invoke", "deploy", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return proc, time.monotonic() - start


def test_outputs_without_a_project_stop_before_any_gcloud_or_build(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps({"server_url": "https://crm.example.com"}))
    proc, elapsed = _run(tmp_path, {"TWENTY_GCP_OUTPUTS": str(outputs)}, "--dry-run", "--stack", "staging")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in out
    assert "cannot run yet (nothing was built or changed)" in out
    assert "name no GCP project" in out and "--project=None" not in out
    assert not (tmp_path / "calls.log").exists(), (tmp_path / "calls.log").read_text()
    assert elapsed < 30, elapsed


def test_without_the_pulumi_cli_every_gap_is_listed_at_once(tmp_path: Path) -> None:
    proc, elapsed = _run(tmp_path, {}, "--dry-run", "--stack", "staging")
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in out
    assert "# dry-run: preconditions first" in out
    assert "cannot read the outputs of stack `staging`" in out
    assert not (tmp_path / "calls.log").exists()
    assert elapsed < 30, elapsed


def test_a_missing_setting_stops_a_real_deploy_before_the_build(tmp_path: Path) -> None:
    env = {"TWENTY_API_URL": "http://127.0.0.1:9", "TWENTY_API_KEY": "k"}
    proc, _ = _run(tmp_path, env, "--stack", "nosuchstack")
    out = proc.stdout + proc.stderr
    assert "need stack settings that are not set" in out and "twenty-gcp:enrichmentApiUrl" in out
    assert not (tmp_path / "calls.log").exists()  # no npm ci / npm run build was started


def test_resolve_with_every_precondition_met() -> None:
    manifests = load_manifests(ROOT / "apps")
    env = {"TWENTY_API_URL": "https://crm.example.com", "TWENTY_API_KEY": "k", **NEEDED}
    resolved = resolve("nosuchstack", manifests, ["agents", "workflows", "webhooks"], RecordingRunner(), env)
    assert resolved.target.base_url == "https://crm.example.com" and resolved.outputs is None
    assert resolved.settings["enrichment_api_url"] == "https://enrich.example.com/v2/people/find"


def test_resolve_lists_half_a_target_and_missing_settings_together() -> None:
    manifests = load_manifests(ROOT / "apps")
    with pytest.raises(PreconditionError) as err:
        resolve(
            "nosuchstack",
            manifests,
            ["agents", "workflows"],
            RecordingRunner(),
            {"TWENTY_API_URL": "https://crm.example.com"},
        )
    whats = " | ".join(p.what for p in err.value.problems)
    assert "TWENTY_API_KEY is not set" in whats and "need stack settings" in whats
