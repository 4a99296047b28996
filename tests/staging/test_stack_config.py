"""Stack names, example files and secure settings for the Automation API wrapper."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from infra.automation import (
    AutomationError,
    ConfigEntry,
    PreconditionError,
    config_to_set,
    example_for,
    secret_env_var,
)

EXAMPLE = {
    "config": {
        "gcp:project": "my-twenty-staging",
        "gcp:region": "us-central1",
        "twenty-gcp:profile": "lean",
        "twenty-gcp:domain": "crm-staging.example.com",
        "twenty-gcp:serverMinInstances": 0,
        "twenty-gcp:deletionProtection": False,
        "twenty-gcp:googleAuthEnabled": True,
        "twenty-gcp:googleClientId": "000-staging.apps.googleusercontent.com",
        "twenty-gcp:aiProvider": "none",
        "twenty-gcp:googleClientSecret": {"secure": "v1:REPLACE_WITH_pulumi_config_set_--secret"},
    }
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: twenty-gcp\nruntime: python\n")
    (tmp_path / "Pulumi.staging.yaml").write_text(yaml.safe_dump(EXAMPLE))
    return tmp_path


def test_secret_env_var_names():
    assert (
        secret_env_var("twenty-gcp:googleClientSecret", "twenty-gcp")
        == "TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET"
    )
    assert secret_env_var("twenty-gcp:aiApiKey", "twenty-gcp") == "TWENTY_GCP_SECRET_AI_API_KEY"
    assert secret_env_var("gcp:accessToken", "twenty-gcp") == "TWENTY_GCP_SECRET_GCP_ACCESS_TOKEN"


def test_derived_stack_copies_plain_settings_and_takes_secrets_from_env(root):
    env = {"TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET": "oauth-secret-value"}
    entries = config_to_set("staging-42", env, root)
    assert entries["gcp:project"] == ConfigEntry("my-twenty-staging", secret=False)
    assert entries["twenty-gcp:serverMinInstances"] == ConfigEntry("0", secret=False)
    assert entries["twenty-gcp:deletionProtection"] == ConfigEntry("false", secret=False)
    assert entries["twenty-gcp:googleClientSecret"] == ConfigEntry("oauth-secret-value", secret=True)
    assert "twenty-gcp:aiApiKey" not in entries  # aiProvider none: not needed, none given


def test_optional_user_secret_from_env_is_set_and_required_one_is_asked_for(root):
    cfg = dict(EXAMPLE["config"])
    del cfg["twenty-gcp:googleClientSecret"]  # as the real examples: set with `pulumi config set --secret`
    (root / "Pulumi.staging.yaml").write_text(yaml.safe_dump({"config": cfg}))
    with pytest.raises(PreconditionError, match="TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET"):
        config_to_set("staging-1", {}, root)
    entries = config_to_set(
        "staging-1",
        {"TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET": "g", "TWENTY_GCP_SECRET_AI_API_KEY": "k"},
        root,
    )
    assert entries["twenty-gcp:aiApiKey"] == ConfigEntry("k", secret=True)


def test_plain_values_keep_their_yaml_meaning():
    from infra.automation import _plain

    assert _plain(True) == "true" and _plain(3) == "3" and _plain({"a": [1]}) == '{"a": [1]}'


def test_invalid_example_settings_stop_before_anything_is_created(root):
    (root / "Pulumi.staging.yaml").write_text(yaml.safe_dump({"config": {"twenty-gcp:nope": 1}}))
    with pytest.raises(AutomationError, match="nope"):
        config_to_set("staging-1", {}, root)


def test_derived_stack_missing_secret_names_env_var_and_pulumi_command(root):
    with pytest.raises(PreconditionError) as err:
        config_to_set("staging-42", {}, root)
    (problem,) = err.value.problems  # only the required one: aiProvider is none
    assert "export TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET=" in problem
    assert "pulumi config set --secret twenty-gcp:googleClientSecret --stack staging-42" in problem
    assert "REPLACE" not in problem


def test_existing_derived_stack_keeps_its_own_config(root):
    assert config_to_set("staging-42", {}, root, new_stack=False) == {}


def test_named_stack_uses_its_file_and_fills_only_placeholders(root):
    assert config_to_set("staging", {"TWENTY_GCP_SECRET_GOOGLE_CLIENT_SECRET": "s"}, root) == {
        "twenty-gcp:googleClientSecret": ConfigEntry("s", secret=True)
    }
    real = dict(EXAMPLE["config"], **{"twenty-gcp:googleClientSecret": {"secure": "v1:abc:def"}})
    (root / "Pulumi.staging.yaml").write_text(yaml.safe_dump({"config": real}))
    assert config_to_set("staging", {}, root) == {}


def test_example_resolution(root):
    assert example_for("staging-pr-7", root).name == "Pulumi.staging.yaml"
    assert example_for("staging", root).name == "Pulumi.staging.yaml"
    with pytest.raises(AutomationError, match=r"Pulumi\.prod\.yaml, which does not exist"):
        example_for("prod-eu", root)
    with pytest.raises(AutomationError, match="no configuration for stack 'qa'"):
        example_for("qa", root)
    with pytest.raises(AutomationError, match="not valid"):
        example_for("bad name!", root)


@pytest.mark.parametrize("base", ["staging", "prod"])
def test_the_repository_examples_derive_a_stack(base):
    """The real example files: a derived stack gets every plain setting, secure ones from env."""
    repo = Path(__file__).resolve().parents[2]
    example = repo / f"Pulumi.{base}.yaml"
    config = (yaml.safe_load(example.read_text()) or {}).get("config") or {}
    from infra.config import USER_SECRET_KEYS

    secrets = {f"twenty-gcp:{k}" for k in USER_SECRET_KEYS}
    env = {secret_env_var(k, "twenty-gcp"): "v" for k in secrets}
    entries = config_to_set(f"{base}-ci", env, repo)
    plain = {k for k, v in config.items() if not (isinstance(v, dict) and "secure" in v)}
    assert {k for k, e in entries.items() if not e.secret} == plain
    assert {k for k, e in entries.items() if e.secret} == secrets
    with pytest.raises(PreconditionError, match="TWENTY_GCP_SECRET_"):
        config_to_set(f"{base}-ci", {}, repo)
