"""`infra.automation` stack handling with the Pulumi CLI side replaced (pulumi.automation patched)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pulumi import automation as auto

from infra import automation
from tests.staging.test_preconditions import creds_file, fake_cli


class FakeStack:
    def __init__(self, name: str) -> None:
        self.name = name
        self.config: dict[str, auto.ConfigValue] = {}
        self.calls: list[str] = []

    def set_all_config(self, config: dict[str, auto.ConfigValue]) -> None:
        self.config.update(config)

    def up(self, **kw: Any) -> Any:
        self.calls.append("up")
        self.up_kwargs = kw
        return type("R", (), {"outputs": {"server_url": auto.OutputValue("https://x", False)}})()

    def outputs(self) -> dict[str, auto.OutputValue]:
        return {"server_url": auto.OutputValue("https://x", False), "key": auto.OutputValue("s3cr3t", True)}


@pytest.fixture
def pulumi_side(monkeypatch, tmp_path):
    """Patch the CLI-backed calls; record what the wrapper asks of them."""
    seen: dict[str, Any] = {"existing": set(), "created": []}

    def select_stack(stack_name: str, work_dir: str, opts: auto.LocalWorkspaceOptions) -> FakeStack:
        seen["opts"] = opts
        if stack_name not in seen["existing"]:
            raise auto.StackNotFoundError(auto.CommandResult(stdout="", stderr="no stack", code=255))
        return FakeStack(stack_name)

    def create_stack(stack_name: str, work_dir: str, opts: auto.LocalWorkspaceOptions) -> FakeStack:
        seen["opts"] = opts
        stack = FakeStack(stack_name)
        seen["created"].append(stack)
        return stack

    monkeypatch.setattr(auto, "select_stack", select_stack)
    monkeypatch.setattr(auto, "create_stack", create_stack)
    env = {
        "PATH": str(fake_cli(tmp_path)),
        "HOME": str(tmp_path),
        "GOOGLE_APPLICATION_CREDENTIALS": creds_file(tmp_path),
        "PULUMI_CONFIG_PASSPHRASE": "pass",
        "PULUMI_BACKEND_URL": "gs://team-pulumi-state",
        "TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET": "google-oauth-secret",
        "TWENTY_GCP_SECRET_AI_API_KEY": "sk-ai-key",
        "TWENTY_GCP_SECRET_SMTP_PASSWORD": "smtp-password",  # the example stacks send e-mail by SMTP
    }
    seen["env"] = env
    return seen


REPO = Path(__file__).resolve().parents[2]


def test_new_derived_stack_is_created_on_the_backend_with_config_and_secrets(pulumi_side):
    stack = automation.open_stack("staging-77", pulumi_side["env"])
    (created,) = pulumi_side["created"]
    assert created is stack
    opts = pulumi_side["opts"]
    assert opts.env_vars["PULUMI_BACKEND_URL"] == "gs://team-pulumi-state"
    assert opts.secrets_provider is None  # passphrase: the self-managed backend's default
    assert opts.work_dir == str(REPO)
    assert stack.config["gcp:region"].value and stack.config["gcp:region"].secret is False
    assert stack.config["twenty-gcp:googleClientSecret"].value == "google-oauth-secret"
    assert stack.config["twenty-gcp:googleClientSecret"].secret is True


def test_missing_secret_stops_before_the_stack_is_created(pulumi_side):
    env = {k: v for k, v in pulumi_side["env"].items() if "GOOGLE_CLIENT_SECRET" not in k}
    with pytest.raises(automation.PreconditionError, match="TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET"):
        automation.open_stack("staging-78", env)
    assert pulumi_side["created"] == []


def test_kms_provider_is_passed_to_the_workspace(pulumi_side):
    kms = "gcpkms://projects/p/locations/global/keyRings/pulumi/cryptoKeys/stacks"
    pulumi_side["existing"].add("staging-79")
    automation.open_stack("staging-79", {**pulumi_side["env"], "PULUMI_SECRETS_PROVIDER": kms})
    assert pulumi_side["opts"].secrets_provider == kms


def test_outputs_of_a_missing_stack_do_not_create_it(pulumi_side, monkeypatch):
    monkeypatch.setattr(automation.os, "environ", pulumi_side["env"])
    with pytest.raises(automation.AutomationError, match="does not exist on gs://team-pulumi-state"):
        automation.outputs("staging-80")
    assert pulumi_side["created"] == []


def test_outputs_are_plain_values_and_up_hides_secrets(pulumi_side, monkeypatch):
    monkeypatch.setattr(automation.os, "environ", pulumi_side["env"])
    pulumi_side["existing"].add("staging-81")
    assert automation.outputs("staging-81") == {"server_url": "https://x", "key": "s3cr3t"}
    seen: list[FakeStack] = []
    monkeypatch.setattr(auto, "select_stack", lambda **kw: seen.append(FakeStack("s")) or seen[-1])
    assert automation.up("staging-81", on_output=lambda _line: None) == {"server_url": "https://x"}
    assert seen[0].up_kwargs["show_secrets"] is False


def test_preview_counts_changes_by_operation_name(pulumi_side, monkeypatch):
    monkeypatch.setattr(automation.os, "environ", pulumi_side["env"])
    pulumi_side["existing"].add("staging-82")

    class Previewing(FakeStack):
        def preview(self, **kw: Any) -> Any:
            summary = {auto.OpType.CREATE: 41, auto.OpType.SAME: 2}
            return type("P", (), {"change_summary": summary})()

    monkeypatch.setattr(auto, "select_stack", lambda **kw: Previewing("s"))
    assert automation.preview("staging-82", on_output=lambda _l: None) == {"create": 41, "same": 2}


def test_a_local_backend_directory_is_created(pulumi_side, tmp_path):
    state = tmp_path / "state" / "dir"
    pulumi_side["existing"].add("staging-83")
    automation.open_stack("staging-83", {**pulumi_side["env"], "PULUMI_BACKEND_URL": f"file://{state}"})
    assert state.is_dir()
    assert pulumi_side["opts"].env_vars["PULUMI_BACKEND_URL"] == f"file://{state}"
