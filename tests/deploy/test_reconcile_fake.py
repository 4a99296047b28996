"""The reconciler against the fake Twenty (real HTTP on loopback, answers shaped like the captured
2.21.0 contract): full deploy, no-op redeploy, changed manifest, killed run resumed, user objects
untouched."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from deploy.manifests import load_manifests
from deploy.reconcile import reconcile
from deploy.secrets import DictSecretSource
from tests.deploy.apps_fixture import SECRETS, STACK, make_apps_dir
from tests.deploy.wire import CountingTransport, Killed
from twenty_api import TwentyClient

pytestmark = pytest.mark.anyio


@pytest.fixture
def twenty(fake_twenty_empty):
    probe = httpx.post(f"{fake_twenty_empty.base_url}/metadata", json={"query": "{ findManyAgents { id } }"},
                       headers={"Authorization": f"Bearer {fake_twenty_empty.api_key}"})
    if probe.status_code == 404 or "findManyAgents" not in probe.text:
        pytest.skip("the fake Twenty does not serve /metadata agents yet (tests/fake_twenty)")
    return fake_twenty_empty


async def deploy(fake, apps: Path, *, transport: CountingTransport | None = None, apply: bool = True,
                 rotate: bool = False):
    transport = transport or CountingTransport()
    client = TwentyClient(fake.base_url, api_key=fake.api_key, transport=transport, rate_limit=None)
    user = TwentyClient(fake.base_url, access_token=fake.user_token, transport=transport, rate_limit=None)
    try:
        outcome = await reconcile(client, load_manifests(apps), stack=STACK,
                                  secrets=DictSecretSource(SECRETS), server_url="https://crm.example.com",
                                  apply=apply, user_client=user, rotate_secrets=rotate)
    finally:
        await client.aclose()
        await user.aclose()
    return outcome, transport


async def live_state(fake) -> dict[str, list]:
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as c:
        agents = (await c.graphql("{ findManyAgents { id name label prompt description isCustom } }",
                                  endpoint="metadata"))["findManyAgents"]
        hooks = await c.list_webhooks()
        workflows = (await c.list_records("workflows", limit=200)).records
        versions = (await c.list_records("workflowVersions", limit=200)).records
    return {"agents": agents, "webhooks": hooks, "workflows": workflows, "versions": versions}


def ops(outcome) -> dict[str, str]:
    return {f"{i.kind}/{i.name}": i.op for i in outcome.items}


async def test_full_deploy_from_empty_then_noop(twenty, tmp_path):
    apps = make_apps_dir(tmp_path / "apps")
    first, wire = await deploy(twenty, apps)
    assert [(i.kind, i.name, i.status) for i in first.items if i.status != "done"] == []
    assert ops(first) == {"apps/hello": "create", "agents/analyst": "create", "agents/writer": "create",
                          "webhooks/crm-events": "create", "workflows/new-lead": "create"}
    state = await live_state(twenty)
    assert sorted(a["name"] for a in state["agents"] if a["isCustom"]) == ["analyst", "writer"]
    assert len(state["webhooks"]) == 1 and len(state["workflows"]) == 1
    assert [v["status"] for v in state["versions"]] == ["ACTIVE"]
    app_item = next(i for i in first.items if i.kind == "apps")
    assert "route GET https://crm.example.com/s/hello-sync  (hello-sync)" in app_item.notes
    assert first.gateway.write_count == len(wire.writes)  # our count agrees with the wire

    second, wire2 = await deploy(twenty, apps)
    assert wire2.writes == []
    assert set(ops(second).values()) == {"unchanged"}
    assert second.gateway.write_count == 0
    assert await live_state(twenty) == state


async def test_changed_manifest_makes_exactly_the_matching_updates(twenty, tmp_path):
    await deploy(twenty, make_apps_dir(tmp_path / "v1"))
    changed = make_apps_dir(tmp_path / "v2", analyst_extra="Always cite record ids.",
                            ops="person.created, company.*, opportunity.created")
    outcome, wire = await deploy(twenty, changed)
    assert {k: v for k, v in ops(outcome).items() if v != "unchanged"} == {
        "agents/analyst": "update", "webhooks/crm-events": "update"}
    assert Counter(wire.writes) == Counter({"updateOneAgent": 1, "updateWebhook": 1})
    state = await live_state(twenty)
    assert "Always cite record ids." in next(a["prompt"] for a in state["agents"] if a["name"] == "analyst")


async def test_killed_run_resumed_converges_without_duplicates(twenty, tmp_path):
    apps = make_apps_dir(tmp_path / "apps")
    for kill_after in (2, 5, 9):
        twenty.reset(seeded=False)
        with pytest.raises(BaseException) as died:  # parallel items: Killed may come in a group
            await deploy(twenty, apps, transport=CountingTransport(kill_after=kill_after))
        assert died.type is Killed or died.group_contains(Killed), died.value
        resumed, _ = await deploy(twenty, apps)
        assert [i for i in resumed.items if i.status == "failed"] == []
        state = await live_state(twenty)
        assert sorted(a["name"] for a in state["agents"] if a["isCustom"]) == ["analyst", "writer"]
        assert len(state["webhooks"]) == 1 and len(state["workflows"]) == 1
        assert [v["status"] for v in state["versions"] if v["status"] == "ACTIVE"] == ["ACTIVE"]
        _, wire = await deploy(twenty, apps)
        assert wire.writes == [], f"not converged after a kill at write {kill_after}"


async def test_objects_created_by_a_user_are_untouched(twenty, tmp_path):
    apps = make_apps_dir(tmp_path / "apps")
    async with TwentyClient(twenty.base_url, access_token=twenty.user_token, rate_limit=None) as user:
        theirs = await user.create_webhook("https://sink.example.com/twenty", ["person.created"],
                                           "their own hook")
        their_wf = await user.create_record("workflows", {"name": "New lead: triage"})
    before = await live_state(twenty)
    outcome, _ = await deploy(twenty, apps)
    assert all(i.status == "done" for i in outcome.items)
    after = await live_state(twenty)
    assert next(h for h in after["webhooks"] if h["id"] == theirs["id"]) == \
        next(h for h in before["webhooks"] if h["id"] == theirs["id"])
    assert next(w for w in after["workflows"] if w["id"] == their_wf["id"]) == \
        next(w for w in before["workflows"] if w["id"] == their_wf["id"])
    assert len(after["webhooks"]) == 2 and len(after["workflows"]) == 2


async def test_agent_name_taken_by_someone_else_is_a_conflict(twenty, tmp_path):
    apps = make_apps_dir(tmp_path / "apps")
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as c:
        await c.graphql("mutation($i: CreateAgentInput!){ createOneAgent(input:$i){ id } }",
                        {"i": {"name": "writer", "label": "Writer", "prompt": "theirs",
                               "modelId": "gpt-4o-mini"}},
                        endpoint="metadata")
    outcome, _ = await deploy(twenty, apps)
    item = next(i for i in outcome.items if i.name == "writer")
    assert item.op == "conflict" and "not ours" in item.changes[0]
    state = await live_state(twenty)
    assert next(a for a in state["agents"] if a["name"] == "writer")["prompt"] == "theirs"


async def test_plan_only_writes_nothing(twenty, tmp_path):
    outcome, wire = await deploy(twenty, make_apps_dir(tmp_path / "apps"), apply=False)
    assert wire.writes == [] and all(i.status == "planned" for i in outcome.items)
    assert {i.op for i in outcome.items} == {"create"}
