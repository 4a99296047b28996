"""The reconciler's agents against the fake Twenty with an AI provider (`fake_twenty.ai_configured`):
the fake's createOneAgent/updateOneAgent/createOneRole/updateOneRole/assignRoleToAgent follow 2.21.0
(tests/fake_twenty/agents.py names the source files), over real HTTP: agents created with their
roles, a second run writes nothing (counted on the fake's request log), a label change is exactly one
updateOneAgent, a run killed between agent and role is finished by the next, agents not ours are
left alone."""

from __future__ import annotations

from typing import Any

import pytest

from deploy.manifests import load_manifests
from deploy.reconcile import reconcile
from deploy.secrets import DictSecretSource
from tests.deploy.apps_fixture import SECRETS, STACK, make_apps_dir
from twenty_api import TwentyClient

pytestmark = pytest.mark.anyio
Q = "{ findManyAgents { id name label prompt description isCustom roleId modelId } }"


@pytest.fixture
def twenty(fake_twenty_empty):
    fake_twenty_empty.ai_configured = True
    return fake_twenty_empty


async def run(fake, apps, **kw: Any):
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as client:
        return await reconcile(client, load_manifests(apps), stack=STACK, secrets=DictSecretSource(SECRETS),
                               server_url="https://crm.example.com", apply=True, only=["agents"], **kw)


async def metadata(fake, query: str) -> dict[str, Any]:
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as c:
        return await c.graphql(query, endpoint="metadata")


def metadata_ops(fake) -> list[str]:
    """The /metadata POSTs since the last clear (each is one GraphQL operation)."""
    return [f"{m} {p}" for m, p, *_ in fake.requests if p == "/metadata"]


async def test_agents_created_with_roles_then_noop_then_label_update(twenty, tmp_path):
    apps = make_apps_dir(tmp_path / "apps")
    first = await run(twenty, apps)
    assert [(i.name, i.op, i.status) for i in first.items] == [("analyst", "create", "done"),
                                                               ("writer", "create", "done")]
    assert first.gateway.write_count == 6  # per agent: createOneAgent, createOneRole, assignRoleToAgent
    agents = {a["name"]: a for a in (await metadata(twenty, Q))["findManyAgents"] if a["isCustom"]}
    assert sorted(agents) == ["twenty-gcp-analyst", "twenty-gcp-writer"]
    roles = {r["id"]: r for r in (await metadata(
        twenty, "{ getRoles { id label canReadAllObjectRecords canUpdateAllObjectRecords "
                "canDestroyAllObjectRecords canBeAssignedToAgents } }"))["getRoles"]}
    for name, agent in agents.items():
        assert agent["modelId"] == "gpt-4o-mini" and "\n" not in agent["prompt"]
        role = roles[agent["roleId"]]
        assert role["label"] == f"Agent: {name.removeprefix('twenty-gcp-')}"
        assert role["canReadAllObjectRecords"] is True and role["canDestroyAllObjectRecords"] is False

    twenty.requests.clear()
    second = await run(twenty, apps)
    assert {i.op for i in second.items} == {"unchanged"} and second.gateway.write_count == 0
    assert len(metadata_ops(twenty)) == 3  # currentWorkspace (model check) + findManyAgents + getRoles

    f = apps / "agents" / "writer.yaml"
    f.write_text(f.read_text().replace("label: Writer", "label: Copy writer"))
    twenty.requests.clear()
    third = await run(twenty, apps)
    assert {i.name: i.op for i in third.items} == {"analyst": "unchanged", "writer": "update"}
    assert third.gateway.write_count == 1 and len(metadata_ops(twenty)) == 4  # 3 reads + updateOneAgent
    writer = next(a for a in (await metadata(twenty, Q))["findManyAgents"] if a["label"] == "Copy writer")
    assert writer["name"] == "twenty-gcp-writer"  # sent with the label, so 2.21 does not recompute it

    twenty.requests.clear()
    fourth = await run(twenty, apps)
    assert fourth.gateway.write_count == 0 and len(metadata_ops(twenty)) == 3


async def test_fake_update_with_label_only_recomputes_the_name(twenty):
    """from-update-agent-input-to-flat-agent-to-update.util.ts: label without name → name from label;
    validate-agent-name-uniqueness.util.ts: names unique per workspace."""
    made = await metadata(twenty, 'mutation { createOneAgent(input: {label: "Sales  helper", prompt: " Hi ", '
                                  'modelId: "auto"}) { id name label prompt roleId isCustom } }')
    agent = made["createOneAgent"]
    assert agent["name"] == "salesHelper" and agent["label"] == "Sales helper" and agent["prompt"] == "Hi"
    assert agent["roleId"] is None and agent["isCustom"] is True
    upd = await metadata(twenty, f'mutation {{ updateOneAgent(input: {{id: "{agent["id"]}", '
                                 'label: "Deal desk"}) { name label } }')
    assert upd["updateOneAgent"] == {"name": "dealDesk", "label": "Deal desk"}
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as c:
        with pytest.raises(Exception) as dup:
            await c.graphql('mutation { createOneAgent(input: {name: "dealDesk", label: "X", prompt: "p", '
                            'modelId: "auto"}) { id } }', endpoint="metadata")
        assert "Multiple validation errors occurred while creating agent" in str(dup.value)
        gone = await c.graphql(f'mutation {{ deleteOneAgent(input: {{id: "{agent["id"]}"}}) {{ id name }} }}',
                               endpoint="metadata")
        assert gone["deleteOneAgent"]["name"] == "dealDesk"
        left = (await c.graphql("{ findManyAgents { id } }", endpoint="metadata"))["findManyAgents"]
        assert agent["id"] not in [a["id"] for a in left]


async def test_without_ai_provider_create_fails_as_captured(fake_twenty_empty):
    assert fake_twenty_empty.ai_configured is False
    fake = fake_twenty_empty
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as c:
        with pytest.raises(Exception) as err:
            await c.graphql('mutation { createOneAgent(input: {label: "A", prompt: "p", modelId: "auto"}) '
                            "{ id } }", endpoint="metadata")
    assert "The selected model is not available in this workspace." in str(err.value)


async def test_full_deploy_with_agents_and_the_workflow_that_uses_one(twenty, tmp_path):
    """With an AI provider the workflow's AI_AGENT step is no longer blocked: everything deploys and
    a second run writes nothing (compare test_reconcile_fake.test_agents_on_a_twenty_without_ai_provider)."""
    from tests.deploy.test_reconcile_fake import deploy, failures, ops

    apps = make_apps_dir(tmp_path / "apps")
    first, _ = await deploy(twenty, apps)
    assert failures(first) == [] and set(ops(first).values()) == {"create"}
    assert set(ops(first)) == {"apps/hello", "agents/analyst", "agents/writer", "webhooks/crm-events",
                               "workflows/new-lead"}
    second, wire = await deploy(twenty, apps)
    assert wire.writes == [] and set(ops(second).values()) == {"unchanged"}


# ---- what test_agents_double.py pinned against an in-memory double, now over real HTTP ----------

async def _agents_by_name(fake) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in (await metadata(fake, Q))["findManyAgents"]}


def _standard_agent(fake, name: str) -> None:
    """A non-custom agent as 2.21 seeds its own (`helper`), straight into the fake's table."""
    table = fake.runtime.store.entity_table("seed:findManyAgents")
    table["std-" + name] = {"__typename": "Agent", "id": "20202020-0000-4000-8000-00000000beef", "name": name,
                            "label": "Writer", "prompt": "standard", "isCustom": False,
                            "description": "Twenty's own", "roleId": None, "modelId": "auto",
                            "icon": None, "responseFormat": None, "applicationId": None,
                            "modelConfiguration": None}


async def test_prompt_change_is_one_update(twenty, tmp_path):
    await run(twenty, make_apps_dir(tmp_path / "v1"))
    out = await run(twenty, make_apps_dir(tmp_path / "v2", analyst_extra="Cite record ids."))
    assert dict(out.gateway.writes) == {"updateOneAgent": 1}
    item = next(i for i in out.items if i.name == "analyst")
    assert item.op == "update" and item.changes[0].startswith("prompt: ")


async def test_killed_between_agent_and_role_is_finished_next_run(twenty, tmp_path):
    from tests.deploy.wire import CountingTransport, Killed

    apps = make_apps_dir(tmp_path / "apps")
    (apps / "agents" / "writer.yaml").unlink()
    wire = CountingTransport(kill_after=1)  # dies once createOneAgent reached the server
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None,
                            transport=wire) as client:
        with pytest.raises(BaseException) as died:  # Killed, maybe inside a task group's exception group
            await reconcile(client, load_manifests(apps), stack=STACK, secrets=DictSecretSource(SECRETS),
                            server_url="https://crm.example.com", apply=True, only=["agents"])
    assert died.type is Killed or died.group_contains(Killed)
    assert wire.writes == ["createOneAgent"]
    analyst = (await _agents_by_name(twenty))["twenty-gcp-analyst"]
    assert analyst["roleId"] is None
    out = await run(twenty, apps)
    assert dict(out.gateway.writes) == {"createOneRole": 1, "assignRoleToAgent": 1}
    assert out.items[0].op == "update"
    custom = [a for a in (await _agents_by_name(twenty)).values() if a["isCustom"]]
    assert len(custom) == 1 and custom[0]["roleId"] is not None


async def test_a_name_taken_by_an_agent_that_is_not_ours_is_left_alone(twenty, tmp_path):
    await metadata(twenty, Q)  # the fake seeds its agents table on first read
    _standard_agent(twenty, "twenty-gcp-writer")
    out = await run(twenty, make_apps_dir(tmp_path / "apps"))
    writer = next(i for i in out.items if i.name == "writer")
    assert writer.op == "conflict" and "not ours" in writer.changes[0]
    assert (await _agents_by_name(twenty))["twenty-gcp-writer"]["prompt"] == "standard"
    assert "updateOneAgent" not in out.gateway.writes


async def test_orphaned_agent_reported_not_deleted(twenty, tmp_path):
    apps = make_apps_dir(tmp_path / "apps")
    await run(twenty, apps)
    (apps / "agents" / "writer.yaml").unlink()
    out = await run(twenty, apps)
    assert ("writer", "orphaned") in [(i.name, i.op) for i in out.items]
    assert {"twenty-gcp-analyst", "twenty-gcp-writer"} <= set(await _agents_by_name(twenty))


async def test_a_standard_agent_with_the_bare_name_does_not_block_ours(twenty, tmp_path):
    # 2.21 seeds a standard agent `helper`; our `helper` manifest must still deploy beside it.
    await metadata(twenty, Q)
    _standard_agent(twenty, "writer")
    out = await run(twenty, make_apps_dir(tmp_path / "apps"))
    assert ("writer", "create", "done") in [(i.name, i.op, i.status) for i in out.items]
    agents = await _agents_by_name(twenty)
    assert agents["writer"]["prompt"] == "standard" and agents["twenty-gcp-writer"]["isCustom"] is True
