"""The reconciler's agents against the fake Twenty with an AI provider (`fake_twenty.ai_configured`):
the fake's createOneAgent/updateOneAgent/createOneRole/updateOneRole/assignRoleToAgent follow 2.21.0
(tests/fake_twenty/agents.py names the source files), so these are the double-based tests of
test_agents_double.py replayed over real HTTP: agents created with their roles, a second run writes
nothing (counted on the fake's request log), a label change is exactly one updateOneAgent."""

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
