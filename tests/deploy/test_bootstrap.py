"""`inv bootstrap` against the fake Twenty over real HTTP: a fresh server (the fake's empty
workspace has no owner yet) gets its first workspace and admin, sign-up closed and a deploy key;
a re-run changes nothing; a server someone else signed up on first is refused; secrets are
stored, never printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from deploy.bootstrap import BootstrapError, bootstrap, run_bootstrap
from deploy.secrets import DirSecretStore
from twenty_api import TwentyClient

pytestmark = pytest.mark.anyio
USER, KEY = "twenty-deploy-user", "twenty-twenty-api-key"


async def test_first_run_signs_up_closes_sign_up_and_stores_a_working_key(fake_twenty_empty, tmp_path):
    store = DirSecretStore(tmp_path / "secrets")
    said: list[str] = []
    report = await bootstrap(
        fake_twenty_empty.base_url,
        store,
        user_secret=USER,
        key_secret=KEY,
        email="ops@example.com",
        workspace_name="Acme",
        say=said.append,
    )
    steps = dict(report.steps)
    assert steps["workspace"] == "created 'Acme'"
    assert steps["sign-up"].startswith("closed")
    assert steps["API key"].startswith("created (Admin role")
    creds = json.loads(store.get(USER))
    assert creds["email"] == "ops@example.com" and len(creds["password"]) >= 24
    assert (tmp_path / "secrets" / KEY).stat().st_mode & 0o777 == 0o600
    async with TwentyClient(fake_twenty_empty.base_url, api_key=store.get(KEY), rate_limit=None) as client:
        assert await client.workspace_id() == report.workspace_id
    assert not any(creds["password"] in line or store.get(KEY) in line for line in said)
    assert fake_twenty_empty.runtime.workspace_settings["isPublicInviteLinkEnabled"] is False

    again = await bootstrap(fake_twenty_empty.base_url, store, user_secret=USER, key_secret=KEY)
    assert dict(again.steps)["workspace"] == "exists; signed in"
    assert dict(again.steps)["sign-up"] == "already closed"
    assert dict(again.steps)["API key"].startswith("kept")
    assert json.loads(store.get(USER)) == creds


async def test_a_server_someone_else_signed_up_on_is_refused_without_touching_it(fake_twenty, tmp_path):
    store = DirSecretStore(tmp_path / "secrets")
    with pytest.raises(BootstrapError, match=r"already has a workspace and ops@example\.com is not in it"):
        await bootstrap(
            fake_twenty.base_url, store, user_secret=USER, key_secret=KEY, email="ops@example.com"
        )
    assert not (tmp_path / "secrets" / KEY).exists()
    assert not (tmp_path / "secrets" / USER).exists()  # the unused password is not left behind
    assert fake_twenty.runtime.workspace_settings.get("isPublicInviteLinkEnabled") is None


async def test_a_killed_first_run_is_finished_by_the_next(fake_twenty_empty, tmp_path):
    """The password is stored before signing up, so a run killed after sign-up can sign in."""
    store = DirSecretStore(tmp_path / "secrets")
    store.put(USER, json.dumps({"email": "ops@example.com", "password": "p" * 30}))
    first = await bootstrap(fake_twenty_empty.base_url, store, user_secret=USER, key_secret=KEY)
    assert dict(first.steps)["workspace"] == "created 'Twenty'"
    store.put(KEY, "not-a-key")  # a stale key is replaced, not kept
    second = await bootstrap(fake_twenty_empty.base_url, store, user_secret=USER, key_secret=KEY)
    assert dict(second.steps)["API key"].startswith("created")


def test_first_run_needs_an_email_and_url_needs_a_secrets_dir(tmp_path: Path) -> None:
    from deploy.bootstrap import _credentials
    from deploy.preconditions import PreconditionError

    with pytest.raises(BootstrapError, match="--email"):
        _credentials(DirSecretStore(tmp_path), USER, "")
    with pytest.raises(PreconditionError, match="--secrets-dir"):
        run_bootstrap("staging", "", "Twenty", "http://127.0.0.1:9", "", dry_run=False)


def test_a_stack_is_bootstrapped_through_gcloud_run_services_proxy(fake_twenty_empty, tmp_path, monkeypatch):
    """A fresh stack's server is private (infra: no allUsers invoker until workspaceBootstrapped),
    so bootstrap talks to it through `gcloud run services proxy` with the caller's identity; secret
    values go to gcloud on stdin only. Here the proxy's port is the fake's."""
    from urllib.parse import urlsplit

    from deploy.runner import RecordingRunner

    outputs = {
        "project": "acme-prod",
        "region": "europe-west1",
        "server_service": "twenty-server",
        "twenty_api_key_secret": "twenty-twenty-api-key",
        "deploy_user_secret": "twenty-deploy-user",
    }
    (tmp_path / "outputs.json").write_text(json.dumps(outputs))
    monkeypatch.setenv("TWENTY_GCP_OUTPUTS", str(tmp_path / "outputs.json"))
    stdin: list[str] = []

    class Runner(RecordingRunner):
        def run(self, cmd, **kw):
            if kw.get("stdin") is not None:
                stdin.append(kw["stdin"])
            return super().run(cmd, **kw)

    from deploy.runner import CommandResult

    runner = Runner(
        dry_run=False, responses={("gcloud", "secrets", "describe"): CommandResult(1, "", "NOT_FOUND")}
    )
    port = urlsplit(fake_twenty_empty.base_url).port
    report = run_bootstrap("prod", "ops@example.com", "Acme", "", "", dry_run=False, runner=runner, port=port)
    assert report is not None and dict(report.steps)["workspace"] == "created 'Acme'"
    proxy = [
        "gcloud",
        "run",
        "services",
        "proxy",
        "twenty-server",
        "--region=europe-west1",
        "--project=acme-prod",
        f"--port={port}",
        "&",
    ]
    assert proxy in runner.commands
    created = [c for c in runner.commands if c[:3] == ["gcloud", "secrets", "create"]]
    assert {c[3] for c in created} == {"twenty-deploy-user", "twenty-twenty-api-key"}
    assert all("--data-file=-" in c for c in created) and len(stdin) == 2
    assert not any(value in " ".join(" ".join(c) for c in runner.commands) for value in stdin)
