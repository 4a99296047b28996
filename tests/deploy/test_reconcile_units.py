"""Reconciler pieces that need no server: diffing, ownership marks, build output, targets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploy.appbuild import BuildMissing, load_built_app
from deploy.engine import contains, field_changes, marker, with_marker
from deploy.manifests import ManifestError, load_manifests
from deploy.preconditions import PreconditionError
from deploy.reconcile import parse_only
from deploy.secrets import DictSecretSource, SecretMissing
from deploy.target import stack_settings, target_from_env, target_from_stack
from tests.deploy.apps_fixture import APP_UID, make_apps_dir


def test_contains_is_a_subset_match():
    assert contains({"a": 1, "b": {"c": 2, "extra": 3}}, {"b": {"c": 2}})
    assert not contains({"a": [1, 2]}, {"a": [1]})
    assert not contains(None, {"a": 1})
    assert field_changes({"label": "A", "prompt": "x"}, {"label": "A", "prompt": "y"}) == {"prompt": "y"}


def test_marker_added_once():
    m = marker("webhook", "crm-events")
    assert m == "[twenty-gcp:webhook:crm-events]"
    assert with_marker("Sink", m) == f"Sink {m}"
    assert with_marker(f"Sink {m}", m) == f"Sink {m}"
    assert with_marker(None, m) == m


def test_parse_only():
    assert parse_only("workflows,agents") == ["agents", "workflows"]
    assert parse_only("") == ["apps", "agents", "webhooks", "workflows", "dashboards"]
    with pytest.raises(ValueError, match="choose from apps, agents, webhooks, workflows, dashboards"):
        parse_only("agent")


def test_built_app_files_and_routes(tmp_path):
    root = make_apps_dir(tmp_path / "apps")
    built = load_built_app("hello", root / "hello" / ".twenty" / "output")
    assert built.universal_identifier == APP_UID
    assert [(f.folder, f.path) for f in built.files] == [
        ("BuiltLogicFunction", "src/logic-functions/hello.mjs"), ("Dependencies", "package.json")]
    assert built.routes() == [("hello-sync", "GET", "/hello-sync")]
    assert built.checksum_problems() == []
    (root / "hello" / ".twenty" / "output" / "src" / "logic-functions" / "hello.mjs").write_text("tampered")
    assert "rebuild the app" in built.checksum_problems()[0]


def test_unbuilt_app_names_the_fix(tmp_path):
    with pytest.raises(BuildMissing, match="npm run build"):
        load_built_app("x", tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"application": {"universalIdentifier": "u"},
                                                        "logicFunctions": [{"builtHandlerPath": "a.mjs"}]}))
    with pytest.raises(BuildMissing, match=r"a\.mjs"):
        load_built_app("x", tmp_path)


def test_bad_manifests_rejected_naming_file_and_field(tmp_path):
    root = make_apps_dir(tmp_path / "apps")
    (root / "agents" / "writer.yaml").write_text((root / "agents" / "writer.yaml").read_text()
                                                 + "temperature: 2\n")
    wf = root / "workflows" / "new-lead.yaml"
    wf.write_text(wf.read_text().replace("agent: analyst", "agent: nobody"))
    with pytest.raises(ManifestError) as err:
        load_manifests(root)
    text = str(err.value)
    assert f"{root / 'agents' / 'writer.yaml'}: temperature: unknown key" in text
    assert f"{wf}: steps.0.input.agent: no agent 'nobody'" in text


def test_bad_manifests_stop_inv_deploy_before_any_request(tmp_path, monkeypatch):
    from invoke import Context

    from deploy.tasks import deploy_apply

    root = make_apps_dir(tmp_path / "apps")
    (root / "webhooks.yaml").write_text("webhooks:\n  - name: x\n    targetUrl: http://example.com\n"
                                        "    operations: [person.created]\n")
    monkeypatch.setenv("TWENTY_API_URL", "http://127.0.0.1:9")  # nothing listens: a request would fail
    monkeypatch.setenv("TWENTY_API_KEY", "k")
    with pytest.raises(SystemExit) as err:
        deploy_apply(Context(), apps_dir=str(root), build=False)
    assert "webhooks.yaml: webhooks.0.targetUrl" in str(err.value) and "https" in str(err.value)


def test_targets():
    assert target_from_env({}) is None
    t = target_from_env({"TWENTY_API_URL": "https://crm.x", "TWENTY_API_KEY": "k"})
    assert t is not None and t.base_url == "https://crm.x" and "k" not in t.source
    with pytest.raises(PreconditionError, match="TWENTY_API_KEY is not set"):
        target_from_env({"TWENTY_API_URL": "https://crm.x"})
    with pytest.raises(PreconditionError) as err:
        target_from_stack(None, "twenty-deploy-api-key", DictSecretSource({}), "prod")
    assert "no `server_url` output" in str(err.value) and "gcloud secrets versions add" in str(err.value)
    ok = target_from_stack("https://crm.x", "k", DictSecretSource({"k": "v"}), "prod")
    assert ok.api_key == "v"


def test_stack_settings_layers(tmp_path):
    (tmp_path / "Pulumi.s.yaml").write_text(
        "config:\n  twenty-gcp:aiModel: openai/m1\n  twenty-gcp:enrichmentApiUrl: https://e.x/find\n"
        "  twenty-gcp:aiApiKey:\n    secure: abc\n  gcp:project: my-proj\n  gcp:region: us-central1\n"
        "  twenty-gcp:domain: crm.example.com\n  twenty-gcp:googleAuthEnabled: false\n")
    got = stack_settings("s", {"server_url": "https://x"}, env={"TWENTY_STACK_AI_MODEL": "m2"}, root=tmp_path)
    assert got["ai_model"] == "m2"  # env overrides the file
    assert got["enrichment_api_url"] == "https://e.x/find"  # camelCase in the file, snake_case in manifests
    assert got["server_url"] == "https://x" and got["domain"] == "crm.example.com"
    assert "ai_api_key" not in got and "abc" not in got.values()  # secrets never become settings


def test_stack_settings_refuses_an_unknown_key(tmp_path):
    from infra.config import ConfigError

    (tmp_path / "Pulumi.s.yaml").write_text(
        "config:\n  twenty-gcp:ai_model: m1\n  gcp:project: my-proj\n  twenty-gcp:domain: crm.example.com\n")
    with pytest.raises(ConfigError, match="ai_model"):
        stack_settings("s", {}, env={}, root=tmp_path)


def test_dict_secrets_name_what_is_missing():
    with pytest.raises(SecretMissing, match="known: a"):
        DictSecretSource({"a": "1"}).get("b")


def test_build_apps_runs_the_sdk_build_and_checks_npm(tmp_path):
    from deploy.appbuild import build_apps
    from deploy.runner import RecordingRunner

    (tmp_path / "package.json").write_text("{}")
    runner = RecordingRunner(dry_run=False)
    build_apps(runner, tmp_path, which=lambda _: "/usr/bin/npm")
    assert runner.commands == [["npm", "ci", "--prefix", str(tmp_path), "--no-audit", "--no-fund"],
                               ["npm", "run", "build", "--prefix", str(tmp_path)]]
    with pytest.raises(PreconditionError, match="npm"):
        build_apps(RecordingRunner(dry_run=False), tmp_path, which=lambda _: None)


def test_node_modules_from_another_lockfile_are_reinstalled(tmp_path):
    """An apps/node_modules made by an older lockfile (before the @twenty-gcp/apps-shared workspace
    link) was never refreshed, so the build failed on "Could not resolve @twenty-gcp/apps-shared"."""
    from deploy.appbuild import build_apps, mark_node_modules_current, node_modules_current
    from deploy.runner import RecordingRunner

    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 3, "old": true}')
    (tmp_path / "node_modules").mkdir()
    assert not node_modules_current(tmp_path)  # present, but nobody knows from which lockfile
    mark_node_modules_current(tmp_path)
    assert node_modules_current(tmp_path)
    runner = RecordingRunner(dry_run=False)
    build_apps(runner, tmp_path, which=lambda _: "/usr/bin/npm")
    assert [c[1] for c in runner.commands] == ["run"]  # current: no reinstall
    (tmp_path / "package-lock.json").write_text('{"lockfileVersion": 3, "new": true}')
    assert not node_modules_current(tmp_path)
    runner = RecordingRunner(dry_run=False)
    build_apps(runner, tmp_path, which=lambda _: "/usr/bin/npm")
    assert [c[1] for c in runner.commands] == ["ci", "run"]
    assert node_modules_current(tmp_path)


def test_missing_stack_settings_stop_the_deploy_naming_each_key_and_both_fixes():
    from deploy.deploy_task import require_settings

    with pytest.raises(SystemExit) as stop:
        require_settings({"ai_model", "digest_recipients"}, {"ai_model": "gpt-5.2"}, "prod")
    message = str(stop.value)
    assert "digest_recipients" in message and "ai_model," not in message
    assert "`twenty-gcp:digestRecipients` in Pulumi.prod.yaml" in message
    assert "TWENTY_STACK_DIGEST_RECIPIENTS" in message
    require_settings({"ai_model"}, {"ai_model": "gpt-5.2"}, "prod")  # all set: no stop


def test_required_stack_keys_follow_the_selected_kinds():
    from deploy.manifests import load_manifests

    m = load_manifests(Path(__file__).resolve().parents[2] / "apps")
    assert m.required_stack_keys(["agents"]) == {"ai_model"}
    assert m.required_stack_keys(["apps"]) == set()
    assert {"workflow_email_account_id", "enrichment_api_url"} <= m.required_stack_keys(["workflows"])


def test_a_failure_inside_concurrent_work_ends_in_one_line():
    """Errors from concurrent planning escaped as a raw ExceptionGroup traceback past the task's
    error handling; now each ends in one `error: …` line."""
    from deploy.cli import guard
    from twenty_api import TwentyServerError

    def boom() -> None:
        inner = TwentyServerError("Twenty answered 502 on POST /metadata", status=502)
        raise ExceptionGroup("unhandled errors in a TaskGroup", [ExceptionGroup("nested", [inner])])

    with pytest.raises(SystemExit) as exit_:
        guard(boom)
    message = str(exit_.value)
    assert message.startswith("error: Twenty answered 502") and "\n" not in message


@pytest.mark.anyio
async def test_gather_raises_the_first_failure_itself():
    from deploy.engine import gather

    async def ok() -> int:
        return 1

    async def bad() -> int:
        raise ValueError("manifest x: bad")

    with pytest.raises(ValueError, match="manifest x: bad"):
        await gather(2, [ok, bad])
