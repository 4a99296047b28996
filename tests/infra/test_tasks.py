"""`inv infra.preview/up/destroy`: thin tasks over infra.automation that stop with a clear message."""

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

ROOT = Path(__file__).resolve().parents[2]


def test_namespace_has_plan_preview_up_destroy() -> None:
    assert {"plan", "preview", "up", "destroy"} <= set(infra_tasks.ns.task_names)


@pytest.mark.parametrize("name", ["preview", "up", "destroy"])
def test_tasks_call_the_automation_function_of_the_same_name(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(automation, name, lambda stack: calls.append(stack))
    getattr(infra_tasks, name)(Context(), stack="prod")
    assert calls == ["prod"]


def test_automation_errors_become_a_clean_exit(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(stack: str) -> None:
        raise automation.AutomationError("install the Pulumi CLI")

    monkeypatch.setattr(automation, "up", fail)
    with pytest.raises(SystemExit, match=r"inv infra.up --stack prod: install the Pulumi CLI"):
        infra_tasks.up(Context(), stack="prod")


def test_without_the_pulumi_cli_preview_stops_at_once_saying_what_to_install(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "GOOGLE_", "CLOUDSDK_"))}
    env.update(PATH=str(tmp_path), HOME=str(tmp_path))  # no pulumi, no gcloud, no ~/.pulumi
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "invoke", "infra.preview", "--stack", "staging"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Pulumi CLI is not installed" in proc.stderr and "get.pulumi.com" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert time.monotonic() - start < 60


def test_inv_list_stays_light() -> None:
    """infra/tasks.py imports neither pulumi nor rich at module level (inv --list must stay fast)."""
    code = "import sys, infra.tasks; assert not {'pulumi', 'rich', 'pulumi_gcp'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
