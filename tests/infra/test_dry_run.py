"""`inv infra.preview|up|destroy --dry-run` and `inv stage.test --dry-run`: every precondition
checked and listed, nothing touched, done in seconds (issue 17)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from invoke.context import Context

from infra import automation
from infra import tasks as infra_tasks
from staging import tasks as staging_tasks

ROOT = Path(__file__).resolve().parents[2]


def _bare_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "GOOGLE_", "CLOUDSDK_"))}
    env.update(PATH=f"{tmp_path}:{Path(sys.executable).parent}", HOME=str(tmp_path))
    return env


def _never(*args: object, **kwargs: object) -> None:
    raise AssertionError("a dry run must not reach the Automation API")


@pytest.mark.parametrize("task", ["infra.up", "infra.preview", "infra.destroy", "stage.test"])
def test_dry_run_is_accepted_lists_what_is_missing_and_touches_nothing(task: str, tmp_path: Path) -> None:
    start = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            task,
            "--dry-run",
            *(["--stack", "staging"] if "infra" in task else []),
        ],
        cwd=ROOT,
        env=_bare_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    elapsed = time.monotonic() - start
    out = proc.stdout + proc.stderr
    assert "No idea what '--dry-run' is" not in out
    assert proc.returncode != 0 and "Traceback" not in out
    assert "nothing is created, changed or deleted" in out
    assert "ok      settings: Pulumi.staging.yaml is valid" in out
    assert "MISSING The Pulumi CLI is not installed" in out and "get.pulumi.com" in out
    assert "MISSING No Google Cloud credentials found" in out
    assert elapsed < 30, elapsed
    assert not (tmp_path / ".pulumi").exists() and not (ROOT / ".pulumi-local" / "stacks" / "x").exists()


def test_with_every_precondition_met_the_dry_run_says_what_it_would_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pre = automation.Preflight(
        tmp_path / "pulumi", "$GOOGLE_APPLICATION_CREDENTIALS", automation.Backend("gs://state", "passphrase")
    )
    monkeypatch.setattr(automation, "preflight", lambda: pre)
    monkeypatch.setattr(automation, "config_to_set", lambda stack, new_stack: {})
    for name in ("up", "preview", "destroy", "open_stack"):
        monkeypatch.setattr(automation, name, _never)
    infra_tasks.up(Context(), stack="prod", dry_run=True)
    out = capsys.readouterr().out
    assert "ok      state backend: gs://state" in out and "MISSING" not in out
    assert "would run: pulumi up --stack prod" in out


def test_a_bad_stack_file_is_named_by_the_dry_run_and_by_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "Pulumi.staging.yaml").write_text("config:\n  gcp:project: my-twenty-staging\n  x: [1\n")
    real = automation.example_for
    monkeypatch.setattr(automation, "example_for", lambda stack: real(stack, tmp_path))
    _ready, problems = infra_tasks.stack_problems("staging")
    assert problems[0].startswith("settings: Pulumi.staging.yaml:4:1: YAML syntax error")
    monkeypatch.setattr(automation, "up", _never)
    with pytest.raises(SystemExit, match=r"inv infra.up --stack staging: Pulumi.staging.yaml:4:1: YAML"):
        infra_tasks.up(Context(), stack="staging")


def test_stage_dry_run_rejects_a_bad_name_at_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert staging_tasks.preflight_report("Bad_Name") == 2
    assert "is not usable in GCP resource names" in capsys.readouterr().out


def test_stage_test_names_a_broken_stack_file_before_creating_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (ROOT / "Pulumi.staging.yaml").read_text().replace("serverMemory: 1Gi", "serverMemory: 1GB")
    (tmp_path / "Pulumi.staging.yaml").write_text(text)
    real = automation.example_for
    monkeypatch.setattr(automation, "example_for", lambda stack: real(stack, tmp_path))
    monkeypatch.setattr("staging.runner.main", _never)
    with pytest.raises(SystemExit, match=r"stage.test cannot start .*twenty-gcp:serverMemory: `1GB`"):
        staging_tasks.test(Context(), name="pr1")
