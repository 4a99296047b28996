"""The follow-up sequence (apps/workflows/follow-up-sequence.yaml) deployed to the fake Twenty and
run there (the fake runs a workflow synchronously; a DELAY passes at once): three touches sent and
recorded on the contact, a re-run or a duplicate run sends nothing again, a reply stops the
sequence, and a failed send (no mailbox) fails safely, is recorded and is not sent again.
The person fields are the ai-automations app's (apps/ai-automations/src/fields/person-followUp*.ts);
the test makes them through the metadata API as the app sync would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deploy.kinds.workflows import workflow_id
from deploy.manifests import load_manifests
from tests.deploy.test_reconcile_fake import twenty  # noqa: F401  (fixture)
from tests.deploy.test_workflow_templates_fake import apps_copy, run
from tests.fake_twenty.workflow_runner import StepFailed
from tests.fake_twenty.workflows import Workflows
from twenty_api import TwentyClient
from twenty_api.workflows import WorkflowCalls

pytestmark = pytest.mark.anyio
APPS = Path(__file__).resolve().parents[2] / "apps"
FIELDS = {
    "followUpStatus": "TEXT",
    "followUpStep": "NUMBER",
    "followUpStartedAt": "DATE_TIME",
    "followUpLastSentAt": "DATE_TIME",
    "followUpRunKey": "TEXT",
}
WF = next(w for w in load_manifests(APPS).workflows if w.name == "follow-up-sequence")


def test_the_app_defines_the_fields_the_workflow_writes() -> None:
    defined = {
        p.stem.removeprefix("person-")
        for p in (APPS / "ai-automations" / "src" / "fields").glob("person-followUp*.ts")
    }
    assert defined == set(FIELDS)
    for name, kind in FIELDS.items():
        assert (
            f"FieldType.{kind},"
            in (APPS / "ai-automations" / "src" / "fields" / f"person-{name}.ts").read_text()
        )


async def setup(fake: Any, tmp_path: Path) -> str:
    outcome, _ = await run(fake, apps_copy(tmp_path))
    item = next(i for i in outcome.items if i.name == "follow-up-sequence")
    assert (item.op, item.status) == ("create", "done"), item.notes
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as c:
        person = await c.get_object("person")
        for name, kind in FIELDS.items():
            await c.create_field(person.id, name, kind, name)
    workflow = next(w for w in fake.records("workflows") if w["id"] == workflow_id(WF))
    return str(workflow["lastPublishedVersionId"])


async def person(fake: Any, first: str, **fields: Any) -> dict[str, Any]:
    async with TwentyClient(fake.base_url, api_key=fake.api_key, rate_limit=None) as c:
        return await c.create_record(
            "people",
            {
                "name": {"firstName": first, "lastName": "Test"},
                "emails": {"primaryEmail": f"{first.lower()}@example.com"},
                **fields,
            },
        )


async def start(fake: Any, version_id: str, contact: dict[str, Any]) -> dict[str, Any]:
    """As Twenty's "Run workflow" on a person: the selected record is the payload (plus short delays)."""
    current = next(p for p in fake.records("people") if p["id"] == contact["id"])
    async with TwentyClient(fake.base_url, access_token=fake.user_token, rate_limit=None) as user:
        run_id = await WorkflowCalls(user).run(version_id, {**current, "followUpDelays": "0,0,0"})
    return next(r for r in fake.records("workflowRuns") if r["id"] == run_id)


def infos(run_record: dict[str, Any], kind: str) -> dict[int, str]:
    """touch → status of that touch's `kind` step (send/claim/stop) in this run."""
    got = run_record["state"]["stepInfos"]
    return {
        k: got[WF.step_uuid(f"{kind}_{k}")]["status"] for k in (1, 2, 3) if WF.step_uuid(f"{kind}_{k}") in got
    }


def stored(fake: Any, contact: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in fake.records("people") if p["id"] == contact["id"])


async def test_three_touches_once_and_a_rerun_sends_nothing(twenty: Any, tmp_path: Path) -> None:  # noqa: F811
    version = await setup(twenty, tmp_path)
    ada = await person(twenty, "Ada")
    first = await start(twenty, version, ada)
    assert first["status"] == "COMPLETED", first["state"].get("workflowRunError")
    assert infos(first, "send") == {1: "SUCCESS", 2: "SUCCESS", 3: "SUCCESS"}
    after = stored(twenty, ada)
    assert (after["followUpStep"], after["followUpStatus"]) == (3, "COMPLETED")
    assert after["followUpLastSentAt"] and after["followUpStartedAt"] and after["followUpRunKey"]
    sent = first["state"]["stepInfos"][WF.step_uuid("compose_3")]["result"]
    assert sent["subject"] == "Closing the loop" and sent["drafted"] is False  # the fake's AI is a stub

    again = await start(twenty, version, ada)  # a re-run, or the same contact started twice
    assert again["status"] == "COMPLETED"
    assert infos(again, "send") == {} and infos(again, "claim") == {}
    decided = again["state"]["stepInfos"][WF.step_uuid("decide_1")]["result"]
    assert decided["send"] == [] and "ended (COMPLETED)" in decided["reason"]
    assert stored(twenty, ada)["followUpStep"] == 3


async def test_a_new_run_takes_over_an_unfinished_sequence_after_its_sent_touches(
    twenty: Any,  # noqa: F811
    tmp_path: Path,
) -> None:
    version = await setup(twenty, tmp_path)
    bob = await person(
        twenty,
        "Bob",
        followUpStatus="ACTIVE",
        followUpStep=1,
        followUpStartedAt="2026-01-01T00:00:00.000Z",
        followUpRunKey="an-older-run",
    )
    done = await start(twenty, version, bob)  # takes the sequence over and goes on after touch 1
    assert infos(done, "send") == {2: "SUCCESS", 3: "SUCCESS"}
    assert stored(twenty, bob)["followUpStartedAt"].startswith("2026-01-01")  # the sequence's own start kept


async def test_a_reply_stops_the_sequence(twenty: Any, tmp_path: Path) -> None:  # noqa: F811
    version = await setup(twenty, tmp_path)
    cleo = await person(
        twenty,
        "Cleo",
        followUpStatus="ACTIVE",
        followUpStep=1,
        followUpStartedAt="2026-01-01T00:00:00.000Z",
        followUpRunKey="r",
    )
    async with TwentyClient(twenty.base_url, api_key=twenty.api_key, rate_limit=None) as c:
        await c.create_record(
            "messageParticipants",
            {"role": "FROM", "handle": "cleo@example.com", "personId": cleo["id"], "displayName": "Cleo"},
        )
    stopped = await start(twenty, version, cleo)
    assert stopped["status"] == "COMPLETED"
    assert infos(stopped, "stop") == {1: "SUCCESS"} and infos(stopped, "send") == {}
    assert (stored(twenty, cleo)["followUpStatus"], stored(twenty, cleo)["followUpStep"]) == ("REPLIED", 1)
    assert (
        "1 e-mail(s) from them"
        in stopped["state"]["stepInfos"][WF.step_uuid("decide_1")]["result"]["engagement"]
    )
    again = await start(twenty, version, cleo)
    assert infos(again, "send") == {} and stored(twenty, cleo)["followUpStatus"] == "REPLIED"


async def test_a_failed_send_fails_safely_and_is_not_sent_again(
    twenty: Any,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No mailbox (as on the live server): each SEND_EMAIL fails inside its ITERATOR that goes on
    after a failure; the touch was recorded first, so no later run sends it."""
    version = await setup(twenty, tmp_path)
    plain = Workflows._action

    def no_mailbox(self: Any, step: dict[str, Any], inp: Any, context: dict[str, Any]) -> Any:
        if step.get("type") == "SEND_EMAIL":
            raise StepFailed("Connected account id is not a valid UUID")
        return plain(self, step, inp, context)

    monkeypatch.setattr(Workflows, "_action", no_mailbox)
    dan = await person(twenty, "Dan")
    failed = await start(twenty, version, dan)
    assert failed["status"] == "COMPLETED", failed["state"].get("workflowRunError")
    assert infos(failed, "send") == {1: "FAILED_SAFELY", 2: "FAILED_SAFELY", 3: "FAILED_SAFELY"}
    assert infos(failed, "claim") == {1: "SUCCESS", 2: "SUCCESS", 3: "SUCCESS"}
    assert stored(twenty, dan)["followUpStep"] == 3
    monkeypatch.setattr(Workflows, "_action", plain)  # the mailbox is back: still nothing re-sent
    again = await start(twenty, version, dan)
    assert infos(again, "send") == {}
