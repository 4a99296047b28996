"""More reconciler behaviour against the fake Twenty: application variables (what wins), webhook
secrets (Secret Manager wins), the deploy user's session, and `inv deploy.diff` end to end."""

from __future__ import annotations

import pytest
from invoke import Context

from deploy.manifests import load_manifests
from deploy.reconcile import reconcile
from deploy.secrets import DictSecretSource
from deploy.target import deploy_user_session
from tests.deploy.apps_fixture import APP_UID, SECRETS, STACK, make_apps_dir
from tests.deploy.test_reconcile_fake import deploy, twenty  # noqa: F401  (fixture)
from tests.deploy.wire import CountingTransport
from twenty_api import TwentyClient, TwentyRateLimitError

pytestmark = pytest.mark.anyio
Q_VARS = ("query($u: UUID!){ findOneApplication(universalIdentifier: $u) "
          "{ id applicationVariables { key value isSecret } } }")


async def app_vars(fake) -> tuple[str, dict[str, str]]:
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as c:
        app = (await c.graphql(Q_VARS, {"u": APP_UID}, endpoint="metadata"))["findOneApplication"]
    return app["id"], {v["key"]: v["value"] for v in app["applicationVariables"]}


async def set_var(fake, app_id: str, key: str, value: str) -> None:
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as c:
        await c.graphql("mutation($k: String!, $v: String!, $a: UUID!){ updateOneApplicationVariable("
                        "key: $k, value: $v, applicationId: $a) }", {"k": key, "v": value, "a": app_id},
                        endpoint="metadata")


async def test_secret_variables_seeded_then_workspace_wins_unless_rotated(twenty, tmp_path):  # noqa: F811
    apps = make_apps_dir(tmp_path / "apps", agents=False)
    _, wire = await deploy(twenty, apps, only=["apps"])
    assert wire.writes.count("updateOneApplicationVariable") == 1  # SECRET_TOKEN seeded
    app_id, _ = await app_vars(twenty)
    await set_var(twenty, app_id, "SECRET_TOKEN", "rotated-by-admin")
    await set_var(twenty, app_id, "GREETING", "Hi from the admin")

    kept, wire = await deploy(twenty, apps, only=["apps"])
    assert wire.writes == []
    lines = kept.items[0].changes
    assert any("SECRET_TOKEN: keeps the workspace value" in x for x in lines)
    assert "variable GREETING: admin value 'Hi from the admin' kept (manifest default 'Hello')" in lines

    rotated, wire = await deploy(twenty, apps, only=["apps"], rotate=True)
    assert wire.writes == ["updateOneApplicationVariable"]
    changes = rotated.items[0].changes
    assert any("overwrite the workspace value with `test-hello-secret`" in x for x in changes)
    assert not any("s3cr3t-value-123" in x for i in rotated.items for x in i.changes + i.notes)


async def test_webhook_secret_from_secret_manager_wins(twenty, tmp_path):  # noqa: F811
    apps = make_apps_dir(tmp_path / "apps", agents=False)
    await deploy(twenty, apps, only=["webhooks"])
    secrets = {**SECRETS, "test-webhook-secret": "whsec_rotated"}
    client = TwentyClient(twenty.base_url, api_key=twenty.api_key, transport=CountingTransport(),
                          rate_limit=None)
    async with client:
        plan = await reconcile(client, load_manifests(apps), stack=STACK, secrets=DictSecretSource(secrets),
                               server_url="https://crm.example.com", apply=True, only=["webhooks"])
    item = plan.items[0]
    assert item.op == "update" and item.changes == ["secret: (secret) differs"]
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as c:
        assert (await c.list_webhooks())[0]["secret"] == "whsec_rotated"


async def test_workflows_log_in_as_the_deploy_user_once(twenty, tmp_path):  # noqa: F811
    apps = make_apps_dir(tmp_path / "apps", agents=False)
    env = {"TWENTY_DEPLOY_USER_EMAIL": twenty.user_email, "TWENTY_DEPLOY_USER_PASSWORD": twenty.user_password}
    logins = 0
    real = deploy_user_session(twenty.base_url, DictSecretSource({}), env, "twenty-deploy-user")

    async def counted():  # type: ignore[no-untyped-def]
        nonlocal logins
        logins += 1
        return await real()

    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as client:
        out = await reconcile(client, load_manifests(apps), stack=STACK, secrets=DictSecretSource(SECRETS),
                              server_url="https://crm.example.com", apply=True, user_session=counted)
    assert [i.status for i in out.items] == ["done", "done", "done"] and logins == 1


async def test_workflows_without_deploy_user_say_how_to_set_it_up(twenty, tmp_path):  # noqa: F811
    apps = make_apps_dir(tmp_path / "apps", agents=False)
    session = deploy_user_session(twenty.base_url, DictSecretSource({}), {}, "twenty-deploy-user")
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as client:
        out = await reconcile(client, load_manifests(apps), stack=STACK, secrets=DictSecretSource(SECRETS),
                              server_url="https://crm.example.com", apply=True, user_session=session,
                              only=["workflows"])
    item = out.items[0]
    assert item.status == "failed" and "twenty-deploy-user" in item.notes[-1]
    assert "TWENTY_DEPLOY_USER_EMAIL" in item.notes[-1]


def test_inv_deploy_diff_prints_the_plan_and_writes_nothing(fake_twenty_empty, tmp_path, monkeypatch, capsys):
    from deploy.tasks import deploy_apply, diff

    apps = make_apps_dir(tmp_path / "apps", agents=False)
    monkeypatch.setenv("TWENTY_API_URL", fake_twenty_empty.base_url)
    monkeypatch.setenv("TWENTY_API_KEY", fake_twenty_empty.api_key)
    monkeypatch.setenv("TWENTY_DEPLOY_USER_EMAIL", fake_twenty_empty.user_email)
    monkeypatch.setenv("TWENTY_DEPLOY_USER_PASSWORD", fake_twenty_empty.user_password)
    monkeypatch.setenv("TWENTY_STACK_SINK_URL", STACK["sink_url"])
    # secrets by env (EnvSecretSource: `test-webhook-secret` → TEST_WEBHOOK_SECRET)
    monkeypatch.setenv("TEST_WEBHOOK_SECRET", SECRETS["test-webhook-secret"])
    monkeypatch.setenv("TEST_HELLO_SECRET", SECRETS["test-hello-secret"])
    before = len([r for r in fake_twenty_empty.requests if r.method != "GET"])
    diff(Context(), apps_dir=str(apps))
    out = capsys.readouterr().out
    assert "deploy plan (nothing changed)" in out and "would write" in out
    deploy_apply(Context(), apps_dir=str(apps), build=False)
    out = capsys.readouterr().out
    assert "deploy report" in out and "failed" not in out
    assert len([r for r in fake_twenty_empty.requests if r.method != "GET"]) > before
    diff(Context(), apps_dir=str(apps))
    assert "0 writes" in capsys.readouterr().out


async def test_missing_secrets_block_items_before_any_write(twenty, tmp_path):  # noqa: F811
    apps = make_apps_dir(tmp_path / "apps", agents=False)
    wire = CountingTransport()
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, transport=wire, rate_limit=None) as c:
        out = await reconcile(c, load_manifests(apps), stack=STACK, secrets=DictSecretSource({}),
                              server_url="https://crm.example.com", apply=True, only=["apps", "webhooks"])
    assert [(i.name, i.op) for i in out.items] == [("hello", "blocked"), ("crm-events", "blocked")]
    assert any("test-hello-secret" in c for c in out.items[0].changes)
    assert any("test-webhook-secret" in c for c in out.items[1].changes)
    assert wire.writes == []


async def test_webhook_triggered_workflow_prints_its_public_url(twenty, tmp_path):  # noqa: F811
    from deploy.kinds.workflows import workflow_id

    apps = make_apps_dir(tmp_path / "apps", agents=False)
    (apps / "workflows" / "inbound.yaml").write_text(
        "name: inbound\nlabel: Inbound lead\ntrigger:\n  type: WEBHOOK\n  httpMethod: POST\n"
        "  expectedBody: {leadName: Lead name}\nstart: [mk]\nsteps:\n  - id: mk\n    name: Create company\n"
        "    type: CREATE_RECORD\n    input:\n      objectName: company\n"
        "      objectRecord: {name: '{{trigger.leadName}}'}\n")
    out, _ = await deploy(twenty, apps, only=["workflows"])
    item = next(i for i in out.items if i.name == "inbound")
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as c:
        ws = await c.workspace_id()
    wid = workflow_id(next(w for w in load_manifests(apps).workflows if w.name == "inbound"))
    assert item.status == "done"
    assert f"trigger POST https://crm.example.com/webhooks/workflows/{ws}/{wid}" in item.notes


async def test_deploy_paces_itself_under_twentys_rate_limit(twenty, tmp_path):  # noqa: F811
    """Parallel items, one bucket: with Twenty's limiter shrunk to 1 record request per 0.4 s and the
    client pacing to just under that budget, the whole deploy goes through without a refused request
    (and without the pacing, the same deploy is refused: the limiter really bites)."""
    from tests.fake_twenty.runtime import TokenBucket

    try:
        apps = make_apps_dir(tmp_path / "apps", agents=False)
        (apps / "workflows" / "second.yaml").write_text(
            (apps / "workflows" / "new-lead.yaml").read_text().replace("name: new-lead", "name: second")
            .replace('label: "New lead: triage"', "label: Second"))
        async def run(rate_limit: int | None, window: float, server_window: float):  # type: ignore[no-untyped-def]
            twenty.reset(seeded=False)  # (reset also restores the default limiter and disables it)
            twenty.runtime.limiter = TokenBucket(1, server_window)
            twenty.rate_limit_enabled = True
            async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=rate_limit,
                                    rate_window=window, max_retries=0) as client, \
                    TwentyClient(twenty.base_url, access_token=twenty.user_token) as user:
                return await reconcile(client, load_manifests(apps), stack=STACK,
                                       secrets=DictSecretSource(SECRETS), server_url="https://crm.example.com",
                                       apply=True, user_client=user, concurrency=8)

        refused = False
        try:
            unpaced = await run(None, 1.0, 5.0)  # several record requests within 5 s: refused
            refused = any("Limit reached" in " ".join(n) for _, n in failures_of(unpaced))
        except* TwentyRateLimitError:  # refused while planning (parallel reads: in a group)
            refused = True
        assert refused
        # paced a little under the server's budget (two clocks never tick together)
        assert failures_of(await run(1, 0.55, 0.4)) == []
    finally:
        twenty.reset(seeded=False)


def failures_of(outcome):  # type: ignore[no-untyped-def]
    return [(i.name, i.notes) for i in outcome.items if i.status == "failed"]


async def test_workflow_label_change_renames_the_record(twenty, tmp_path):  # noqa: F811
    apps = make_apps_dir(tmp_path / "apps", agents=False)
    await deploy(twenty, apps, only=["workflows"])
    f = apps / "workflows" / "new-lead.yaml"
    f.write_text(f.read_text().replace('label: "New lead: triage"', 'label: "New lead: triage v2"'))
    out, wire = await deploy(twenty, apps, only=["workflows"])
    from deploy.kinds.workflows import workflow_id

    wid = workflow_id(load_manifests(apps).workflows[0])
    assert out.items[0].op == "update" and f"PATCH /rest/workflows/{wid}" in wire.writes
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as c:
        assert (await c.get_record("workflows", wid))["name"] == "New lead: triage v2"
    _, again = await deploy(twenty, apps, only=["workflows"])
    assert again.writes == []
