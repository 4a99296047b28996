"""The manifest loader: the shipped manifests load, and the mistakes a user makes are refused with
the file, the field and the fix in the message."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from deploy.manifests import (
    ManifestError,
    load_manifests,
    resolve_stack_refs,
    stable_uuid,
    validate_cron,
)

APPS = Path(__file__).resolve().parents[2] / "apps"
STACK = {
    "ai_model": "gpt-5.2",
    "crm_events_webhook_url": "https://events.example.com/twenty",
    "workflow_email_account_id": "0d9a3f44-1b9e-4c55-8f6b-2b5a0c1d2e3f",
    "enrichment_api_url": "https://enrich.example.com/v2/people/find",
}


@pytest.fixture
def apps_copy(tmp_path: Path) -> Path:
    """A copy of the manifests (no app code, only the package.json files the index checks)."""
    dest = tmp_path / "apps"
    shutil.copytree(APPS / "agents", dest / "agents")
    shutil.copytree(APPS / "workflows", dest / "workflows")
    shutil.copy(APPS / "webhooks.yaml", dest / "webhooks.yaml")
    shutil.copy(APPS / "apps.yaml", dest / "apps.yaml")
    for app in yaml.safe_load((APPS / "apps.yaml").read_text())["apps"]:
        (dest / app["path"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(APPS / app["path"] / "package.json", dest / app["path"] / "package.json")
    return dest


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def problems_of(apps_dir: Path) -> str:
    with pytest.raises(ManifestError) as info:
        load_manifests(apps_dir)
    return str(info.value)


# ------------------------------------------------------------------ the shipped manifests


def test_shipped_manifests_load() -> None:
    m = load_manifests(APPS)
    assert sorted(a.name for a in m.agents) == [
        "crm-assistant", "data-analyst", "email-composer", "helper", "workflow-builder",
    ]
    assert sorted(w.name for w in m.workflows) == [
        "daily-digest", "follow-up-sequence", "new-company", "new-person", "opportunity-stage-change",
    ]
    assert [h.name for h in m.webhooks] == ["crm-events"]
    assert len(m.apps) == 11
    assert {"websiteLead", "revenueForecast"} <= set(m.known_objects)
    assert m.required_stack_keys() == set(STACK)


def test_data_analyst_is_read_only_and_no_agent_can_hard_delete_or_change_settings() -> None:
    m = load_manifests(APPS)
    analyst = m.agent("data-analyst").role.create_role_input()
    assert analyst["canReadAllObjectRecords"] is True
    assert analyst["canUpdateAllObjectRecords"] is False
    assert analyst["canSoftDeleteAllObjectRecords"] is False
    for agent in m.agents:
        role = agent.role.create_role_input()
        assert role["canDestroyAllObjectRecords"] is False
        assert role["canUpdateAllSettings"] is False
        assert role["canBeAssignedToAgents"] is True


def test_agent_input_matches_create_agent_input() -> None:
    m = load_manifests(APPS)
    body = m.agent("helper").create_agent_input(STACK, role_id="r-1")
    # CreateAgentInput fields in metadata-introspection.json; label, prompt, modelId are required.
    allowed = {"name", "label", "icon", "description", "prompt", "modelId", "roleId",
               "responseFormat", "modelConfiguration", "evaluationInputs"}
    assert set(body) <= allowed
    assert body["modelId"] == "gpt-5.2" and body["roleId"] == "r-1" and body["prompt"]
    assert body["responseFormat"] == {"type": "text"}
    composer = m.agent("email-composer").create_agent_input(STACK, role_id=None)
    assert composer["responseFormat"]["type"] == "json"
    assert composer["responseFormat"]["schema"]["required"] == ["subject", "body"]


def test_workflow_in_twenty_shape_with_stable_ids() -> None:
    m = load_manifests(APPS)
    wf = next(w for w in m.workflows if w.name == "new-company")
    agents = {a.name: stable_uuid("agent-id", a.name) for a in m.agents}
    out = wf.to_twenty(STACK, agents)
    assert out == wf.to_twenty(STACK, agents)  # deterministic: a re-run produces the same ids
    trigger, steps = out["trigger"], out["steps"]
    assert trigger["type"] == "DATABASE_EVENT"
    assert trigger["settings"]["eventName"] == "company.created"
    ids = [s["id"] for s in steps]
    assert trigger["nextStepIds"] == [ids[0]]
    for step in steps:  # the keys of a stored step (example 158, seed/workflowVersions.json)
        assert {"id", "name", "type", "valid", "settings", "nextStepIds"} <= set(step)
        assert set(step["settings"]) == {"input", "outputSchema", "errorHandlingOptions"}
    analyse = steps[0]
    assert analyse["type"] == "AI_AGENT"
    assert analyse["settings"]["input"]["agentId"] == agents["data-analyst"]
    assert "agent" not in analyse["settings"]["input"]
    code = steps[1]["settings"]["input"]  # CODE: the logic function (the step's own id) and its params
    assert "logicFunctionId" not in code  # the one Twenty makes for the step (kept by sync_version)
    assert code["logicFunctionInput"]["analysis"] == "{{" + ids[0] + ".response}}"
    assert wf.code() == {ids[1]: (APPS / "workflows/code/pipeline-assignment.mjs").read_text()}


def test_cron_workflow_and_stack_refs() -> None:
    m = load_manifests(APPS)
    wf = next(w for w in m.workflows if w.name == "daily-digest")
    out = wf.to_twenty(STACK, {a.name: a.name for a in m.agents})
    assert out["trigger"]["settings"]["type"] == "CUSTOM"
    assert out["trigger"]["settings"]["pattern"] == "0 9 * * *"
    email = out["steps"][-1]["settings"]["input"]
    assert email["connectedAccountId"] == STACK["workflow_email_account_id"]
    owners = next(s for s in out["steps"] if s["name"] == "For each account owner")
    assert email["recipients"]["to"] == "{{" + owners["id"] + ".currentItem.email}}"  # each owner
    with pytest.raises(KeyError, match="workflow_email_account_id"):
        wf.to_twenty({}, {a.name: a.name for a in m.agents})


def test_stage_change_trigger_watches_stage_field() -> None:
    wf = next(w for w in load_manifests(APPS).workflows if w.name == "opportunity-stage-change")
    agents = {a.name: a.name for a in load_manifests(APPS).agents}
    settings = wf.to_twenty(STACK, agents)["trigger"]["settings"]
    assert settings["eventName"] == "opportunity.updated" and settings["fields"] == ["stage"]


def test_webhook_body_matches_rest_create() -> None:
    hook = load_manifests(APPS).webhooks[0]
    body = hook.create_input(STACK, secret_value="s3cret")
    # POST /rest/metadata/webhooks body (example 130)
    assert set(body) == {"targetUrl", "operations", "description", "secret"}
    assert body["targetUrl"] == "https://events.example.com/twenty"
    with pytest.raises(ValueError, match="https"):
        hook.create_input({**STACK, "crm_events_webhook_url": "http://events.example.com"}, None)


# ------------------------------------------------------------------ the mistakes users make


def test_unknown_key_names_file_and_field(apps_copy: Path) -> None:
    edit(apps_copy / "agents/helper.yaml", lambda d: d.update(promt="typo"))
    msg = problems_of(apps_copy)
    assert "agents/helper.yaml: promt: unknown key" in msg


def test_model_configuration_is_2_21_shaped(apps_copy: Path) -> None:
    edit(apps_copy / "agents/helper.yaml", lambda d: d.update(modelConfiguration={"reasoningEffort": "high"}))
    assert "agents/helper.yaml: modelConfiguration.reasoningEffort: unknown key" in problems_of(apps_copy)
    web = {"webSearch": {"enabled": True}}
    edit(apps_copy / "agents/helper.yaml", lambda d: d.update(modelConfiguration=web))
    helper = load_manifests(apps_copy).agent("helper")
    assert helper.create_agent_input(STACK, None)["modelConfiguration"] == web


def test_missing_prompt(apps_copy: Path) -> None:
    edit(apps_copy / "agents/helper.yaml", lambda d: d.pop("prompt"))
    assert "agents/helper.yaml: prompt: required field is missing; add it" in problems_of(apps_copy)


def test_read_only_role_with_write_flag(apps_copy: Path) -> None:
    edit(apps_copy / "agents/data-analyst.yaml", lambda d: d["role"].update(canUpdateAllObjectRecords=True))
    msg = problems_of(apps_copy)
    assert "agents/data-analyst.yaml: role:" in msg and "readOnly role cannot set" in msg


def test_agent_role_cannot_hard_delete(apps_copy: Path) -> None:
    edit(apps_copy / "agents/crm-assistant.yaml", lambda d: d["role"].update(canDestroyAllObjectRecords=True))
    assert "agents/crm-assistant.yaml: role.canDestroyAllObjectRecords" in problems_of(apps_copy)


def test_bad_model_reference(apps_copy: Path) -> None:
    edit(apps_copy / "agents/helper.yaml", lambda d: d.update(model="${AI_MODEL}"))
    assert "agents/helper.yaml: model: model '${AI_MODEL}'" in problems_of(apps_copy)


def test_name_must_match_file(apps_copy: Path) -> None:
    edit(apps_copy / "agents/helper.yaml", lambda d: d.update(name="helper-two"))
    assert "must equal the file name 'helper'" in problems_of(apps_copy)


def test_duplicate_agent_label(apps_copy: Path) -> None:
    shutil.copy(apps_copy / "agents/helper.yaml", apps_copy / "agents/helper2.yaml")
    edit(apps_copy / "agents/helper2.yaml", lambda d: d.update(name="helper2"))
    msg = problems_of(apps_copy)
    assert "agents/helper2.yaml: label: agent label 'Helper' is already defined in" in msg


def test_duplicate_webhook_name(apps_copy: Path) -> None:
    edit(apps_copy / "webhooks.yaml", lambda d: d["webhooks"].append(dict(d["webhooks"][0])))
    assert "webhooks.yaml: name: webhook 'crm-events' is already defined" in problems_of(apps_copy)


def test_bad_cron(apps_copy: Path) -> None:
    edit(apps_copy / "workflows/daily-digest.yaml", lambda d: d["trigger"].update(pattern="0 25 * * *"))
    msg = problems_of(apps_copy)
    assert "workflows/daily-digest.yaml: trigger.CRON.pattern" in msg
    assert "25 is outside 0-23 in the hour field" in msg


def test_unknown_trigger_object(apps_copy: Path) -> None:
    edit(apps_copy / "workflows/new-company.yaml", lambda d: d["trigger"].update(object="compnay"))
    msg = problems_of(apps_copy)
    assert "workflows/new-company.yaml: trigger:" in msg and "unknown object 'compnay'" in msg


def test_unknown_trigger_action(apps_copy: Path) -> None:
    edit(apps_copy / "workflows/new-company.yaml", lambda d: d["trigger"].update(action="create"))
    msg = problems_of(apps_copy)
    assert "trigger.DATABASE_EVENT.action" in msg and "'created'" in msg


def test_unknown_trigger_type(apps_copy: Path) -> None:
    edit(apps_copy / "workflows/new-company.yaml", lambda d: d["trigger"].update(type="ON_CREATE"))
    msg = problems_of(apps_copy)
    assert "workflows/new-company.yaml: trigger" in msg and "ON_CREATE" in msg


def test_unknown_step_type_and_missing_input(apps_copy: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["steps"][0]["type"] = "SEND_SLACK"
        d["steps"][2]["input"].pop("objectRecord")

    edit(apps_copy / "workflows/new-company.yaml", change)
    msg = problems_of(apps_copy)
    assert "workflows/new-company.yaml: steps.0.type" in msg and "SEND_SLACK" in msg
    assert "steps.2: step 'open_deal' (CREATE_RECORD) needs input keys ['objectRecord']" in msg


def test_find_records_filter_without_field_ids(apps_copy: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["steps"][0]["input"]["filter"] = {
            "recordFilters": [{"operand": "IS", "value": "x"}],
            "recordFilterGroups": [{"id": "g", "logicalOperator": "AND"}],
        }

    edit(apps_copy / "workflows/daily-digest.yaml", change)
    msg = problems_of(apps_copy)
    assert "workflows/daily-digest.yaml: steps.0" in msg
    assert "recordFilters[0] needs ['fieldMetadataId', 'recordFilterGroupId']" in msg


def test_step_pointing_at_missing_step(apps_copy: Path) -> None:
    edit(apps_copy / "workflows/new-company.yaml", lambda d: d["steps"][0].update(next=["nope"]))
    assert "step 'analyse' points at unknown steps ['nope']" in problems_of(apps_copy)


def test_step_reference_to_missing_step(apps_copy: Path) -> None:
    def change(d: dict[str, Any]) -> None:
        d["steps"][2]["input"]["objectRecord"]["name"] = "{{analyze.response}}"

    edit(apps_copy / "workflows/new-company.yaml", change)
    assert "uses `{{analyze.…}}` but there is no step 'analyze'" in problems_of(apps_copy)


def test_loop_in_steps(apps_copy: Path) -> None:
    edit(apps_copy / "workflows/new-company.yaml", lambda d: d["steps"][-1].update(next=["analyse"]))
    assert "steps form a loop" in problems_of(apps_copy)


def test_duplicate_step_id(apps_copy: Path) -> None:
    edit(apps_copy / "workflows/new-company.yaml", lambda d: d["steps"][1].update(id="analyse"))
    assert "duplicate step ids ['analyse']" in problems_of(apps_copy)


def test_unknown_agent_in_step(apps_copy: Path) -> None:
    edit(apps_copy / "workflows/new-company.yaml", lambda d: d["steps"][0]["input"].update(agent="analyst"))
    assert "steps.0.input.agent: no agent 'analyst' in agents/" in problems_of(apps_copy)


def test_unknown_object_in_step(apps_copy: Path) -> None:
    wf = apps_copy / "workflows/new-company.yaml"
    edit(wf, lambda d: d["steps"][1]["input"].update(objectName="notes"))
    assert "steps.1.input.objectName: unknown object 'notes'" in problems_of(apps_copy)


def test_custom_object_known_only_when_declared(apps_copy: Path) -> None:
    edit(apps_copy / "webhooks.yaml", lambda d: d["webhooks"][0]["operations"].append("websiteLead.created"))
    load_manifests(apps_copy)  # webmetic declares websiteLead
    edit(apps_copy / "apps.yaml", lambda d: [a.pop("objects", None) for a in d["apps"]])
    assert "webhooks.crm-events.operations.5" in problems_of(apps_copy)


def test_bad_url(apps_copy: Path) -> None:
    edit(apps_copy / "webhooks.yaml", lambda d: d["webhooks"][0].update(targetUrl="events.example.com/hook"))
    msg = problems_of(apps_copy)
    assert "webhooks.yaml: webhooks.0.targetUrl" in msg and "not an absolute http(s) URL" in msg


def test_plain_http_url_refused(apps_copy: Path) -> None:
    edit(apps_copy / "webhooks.yaml", lambda d: d["webhooks"][0].update(targetUrl="http://events.example.com"))
    assert "must use https" in problems_of(apps_copy)


def test_secret_value_instead_of_secret_name(apps_copy: Path) -> None:
    value = "whsec_a b/c"
    edit(apps_copy / "apps.yaml", lambda d: d["apps"][0]["secrets"].update(STRIPE_WEBHOOK_SECRET=value))
    msg = problems_of(apps_copy)
    assert "apps.yaml: apps.0.secrets" in msg and "never its value" in msg


def test_app_path_without_package_json(apps_copy: Path) -> None:
    (apps_copy / "webmetic/package.json").unlink()
    assert "apps.webmetic.path: 'webmetic' has no package.json" in problems_of(apps_copy)


def test_not_yaml_and_not_mapping(apps_copy: Path) -> None:
    (apps_copy / "agents/helper.yaml").write_text("name: [unclosed")
    (apps_copy / "workflows/new-company.yaml").write_text("- a list\n")
    msg = problems_of(apps_copy)
    assert "agents/helper.yaml: not valid YAML" in msg
    assert "workflows/new-company.yaml: <top>: expected a mapping" in msg


def test_yml_extension_is_flagged(apps_copy: Path) -> None:
    (apps_copy / "agents/helper.yaml").rename(apps_copy / "agents/helper.yml")
    assert "rename to helper.yaml" in problems_of(apps_copy)


def test_every_problem_reported_at_once(apps_copy: Path) -> None:
    edit(apps_copy / "agents/helper.yaml", lambda d: d.pop("prompt"))
    edit(apps_copy / "webhooks.yaml", lambda d: d["webhooks"][0].update(operations=["pet.created"]))
    with pytest.raises(ManifestError) as info:
        load_manifests(apps_copy)
    assert len(info.value.problems) == 2


def test_missing_dir(tmp_path: Path) -> None:
    assert "not a directory" in problems_of(tmp_path / "nope")


# ------------------------------------------------------------------ helpers


@pytest.mark.parametrize(
    "pattern",
    ["0 8 * * *", "*/30 9-18 * * 1-5", "*/15 8-19 * * 1-5", "0 2 * * *", "0 * * * *", "5,35 * 1 1 0"],
)
def test_valid_crons(pattern: str) -> None:
    assert validate_cron(pattern) == pattern


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("0 8 * *", "has 4 fields"),
        ("60 * * * *", "outside 0-59"),
        ("*/0 * * * *", "positive number"),
        ("0 18-9 * * *", "runs backwards"),
        ("0 9 * * MON", "not valid in the day of week"),
    ],
)
def test_invalid_crons(pattern: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        validate_cron(pattern)


def test_resolve_stack_refs() -> None:
    assert resolve_stack_refs("https://${stack.domain}/s/x", {"domain": "crm.example.com"}) == (
        "https://crm.example.com/s/x"
    )
    with pytest.raises(KeyError, match="domain"):
        resolve_stack_refs("${stack.domain}", {})
