"""The follow-up sequence's CODE steps (apps/workflows/code/follow-up-*.mjs) under node, on input
shaped as 2.21 hands it: the MANUAL trigger's record, FIND_RECORDS lists (`{{step.all}}`), the
email-composer agent's answer. The rules: no reply → send touch k; a reply → stop; touch already
recorded on the contact → skip; another run owns the sequence → skip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.fake_twenty.workflow_runner import run_code

CODE = Path(__file__).resolve().parents[2] / "apps" / "workflows" / "code"
START = "2026-12-01T09:00:00.000Z"
ADA = {
    "id": "p-ada",
    "name": {"firstName": "Ada", "lastName": "Lovelace"},
    "emails": {"primaryEmail": "Ada@Example.com"},
}


def run(name: str, params: dict[str, Any]) -> dict[str, Any]:
    return run_code((CODE / name).read_text(), params)


def state(**fields: Any) -> dict[str, Any]:
    return {
        **ADA,
        "followUpStatus": "ACTIVE",
        "followUpStartedAt": START,
        "followUpRunKey": "run-1",
        "followUpStep": 0,
        **fields,
    }


def decide(touch: int, person: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    params = {
        "touch": touch,
        "total": 3,
        "contactId": "p-ada",
        "email": "ada@example.com",
        "runKey": "run-1",
        "startedAt": START,
        "people": [{"id": "other"}] + ([person] if person else []),
        "messageParticipants": [],
        "eventParticipants": [],
        "now": "2026-12-04T09:00:00.000Z",
        **extra,
    }
    return run("follow-up-decide.mjs", params)


def test_no_reply_sends_touch_k() -> None:
    out = decide(2, state(followUpStep=1))
    assert out["stop"] is False and out["reason"] == "send touch 2 of 3"
    assert out["send"] == [
        {
            "touch": 2,
            "to": "ada@example.com",
            "name": "Ada Lovelace",
            "firstName": "Ada",
            "at": "2026-12-04T09:00:00.000Z",
            "statusAfter": "ACTIVE",
        }
    ]
    assert decide(3, state(followUpStep=2))["send"][0]["statusAfter"] == "COMPLETED"
    # a message the contact only received (TO), or another person's reply, is not a reply
    other = [
        {"personId": "p-ada", "role": "to", "createdAt": "2026-12-02T00:00:00Z"},
        {"personId": "p-bob", "handle": "bob@x.com", "role": "from", "createdAt": "2026-12-02T00:00:00Z"},
    ]
    assert decide(1, state(), messageParticipants=other)["send"]


def test_a_reply_since_the_start_stops_the_sequence() -> None:
    reply = [
        {"personId": None, "handle": "ada@example.com", "role": "from", "createdAt": "2026-12-02T10:00:00Z"}
    ]
    out = decide(2, state(followUpStep=1), messageParticipants=reply)
    assert (out["stop"], out["status"], out["send"]) == (True, "REPLIED", [])
    assert "1 e-mail(s) from them" in out["engagement"]
    # a reply from before the sequence started does not stop it
    old = [{**reply[0], "createdAt": "2026-11-20T10:00:00Z"}]
    assert decide(2, state(followUpStep=1), messageParticipants=old)["send"]
    meeting = [{"personId": "p-ada", "createdAt": "2026-12-03T10:00:00Z"}]
    assert decide(2, state(followUpStep=1), eventParticipants=meeting)["status"] == "MEETING_BOOKED"


def test_a_touch_already_sent_is_skipped() -> None:
    for sent in (2, 3):
        out = decide(2, state(followUpStep=sent))
        assert (out["stop"], out["send"]) == (False, []) and "already sent" in out["reason"]
    done = decide(3, state(followUpStep=3, followUpStatus="COMPLETED"))
    assert done["send"] == [] and done["stop"] is False


def test_another_run_or_an_ended_sequence_sends_nothing() -> None:
    newer = decide(1, state(followUpRunKey="run-2"))
    assert (newer["stop"], newer["send"], newer["reason"]) == (False, [], "another run owns this sequence")
    for status in ("REPLIED", "STOPPED", "MEETING_BOOKED"):
        assert decide(2, state(followUpStatus=status, followUpStep=1))["send"] == []


def test_unreadable_contact_or_no_email_stops_rather_than_send_blind() -> None:
    lost = decide(1, None)
    assert (lost["stop"], lost["status"], lost["send"]) == (True, "STOPPED", [])
    no_mail = decide(1, {**state(), "emails": {"primaryEmail": ""}}, email="")
    assert (no_mail["stop"], no_mail["status"]) == (True, "STOPPED")


def test_plan_enrols_with_delays_and_keeps_an_ended_sequence() -> None:
    fresh = run("follow-up-plan.mjs", {"contact": ADA, "people": [], "now": START})
    assert fresh["status"] == "ACTIVE" and fresh["startedAt"] == START and fresh["runKey"]
    assert (fresh["wait1"], fresh["wait2"], fresh["wait3"]) == (3 * 86400, 4 * 86400, 7 * 86400)
    short = run("follow-up-plan.mjs", {"contact": ADA, "delays": "20s, 1m,2", "now": START})
    assert (short["wait1"], short["wait2"], short["wait3"]) == (
        20,
        60,
        5,
    )  # at least 5 s: 2.21 fails a 0 s DELAY
    bad = run("follow-up-plan.mjs", {"contact": ADA, "delays": "soon", "now": START})
    assert bad["wait1"] == 3 * 86400 and "ignored delays" in bad["delaysNote"]
    # the stored state wins over the trigger's (possibly stale) copy
    replied = run("follow-up-plan.mjs", {"contact": ADA, "people": [state(followUpStatus="REPLIED")]})
    assert (replied["status"], replied["ended"], replied["wait1"], replied["startedAt"]) == (
        "REPLIED",
        True,
        5,
        START,
    )
    again = run("follow-up-plan.mjs", {"contact": {**ADA, "followUpStep": 3}, "people": []})
    assert (again["status"], again["ended"]) == ("COMPLETED", True)
    active = run(
        "follow-up-plan.mjs",
        {"contact": ADA, "people": [state(followUpStep=1)], "now": "2026-12-09T00:00:00Z"},
    )
    assert active["startedAt"] == START and active["runKey"] != fresh["runKey"]


def test_compose_uses_the_agent_draft_or_the_touch_template() -> None:
    drafted = run(
        "follow-up-compose.mjs",
        {
            "touch": 2,
            "firstName": "Ada",
            "draft": {"response": {"subject": "Your pilot", "body": "Hi Ada, …"}},
        },
    )
    assert drafted == {"subject": "Your pilot", "body": "Hi Ada, …", "drafted": True, "draftError": ""}
    as_text = run("follow-up-compose.mjs", {"touch": 1, "draft": '{"subject": "S", "body": "B"}'})
    assert (as_text["subject"], as_text["drafted"], as_text["draftError"]) == ("S", True, "")
    # what 2.21's structured-output step hands over for a schema-conforming answer (`to` is ignored:
    # the recipient is always the contact's address, decided by follow-up-decide.mjs)
    answered = {"subject": " Ada, a quick follow-up (1/3) ", "body": "Hi Ada,\n\nA call?", "to": "x@y.z"}
    out = run("follow-up-compose.mjs", {"touch": 1, "firstName": "Ada", "draft": answered})
    assert out == {"subject": "Ada, a quick follow-up (1/3)", "body": "Hi Ada,\n\nA call?",
                   "drafted": True, "draftError": ""}  # fmt: skip


# A malformed answer of the agent: 2.21 validates nothing against the agent's schema (the AI SDK's
# jsonSchema() has no validator; an OpenAI-compatible provider is not even sent the schema), so any
# JSON reaches the step; text that is not JSON fails the draft step, which leaves no draft.
MALFORMED = [
    (None, "no draft: the AI step failed or did not run"),
    ("", "no draft: the AI step failed or did not run"),
    ("STUB: Draft follow-up e-mail", 'the agent answered text, not JSON with subject and body: "STUB: Draft'),
    ({"response": "Sure! Here is a draft"}, "the agent answered text, not JSON with subject and body"),
    ({"response": {"subject": "S", "body": "STUB: x"}}, "the agent answered a placeholder (STUB: …)"),
    ({"subject": "Hello"}, "the agent's answer has no body (keys: subject)"),
    ({"email": "Hi", "title": "T"}, "the agent's answer has no subject and no body (keys: email, title)"),
    ({}, "the agent's answer has no subject and no body (keys: none)"),
    ({"subject": 42, "body": ["Hi"]}, "the agent's answer has no subject and no body (keys: subject, body)"),
    ({"subject": "  ", "body": "Hi"}, "the agent's answer has no subject (keys: subject, body)"),
    ({"subject": "Two\nlines", "body": "Hi"}, "the agent's subject is not one line"),
    ({"subject": "S" * 201, "body": "Hi"}, "the agent's subject is not one line of at most 200 characters"),
    ({"subject": "S", "body": "x" * 5001}, "the agent's body is longer than 5000 characters"),
    ('[{"subject": "S", "body": "B"}]', "the agent answered a list, not an object with subject and body"),
    (7, "the agent answered a number, not an object with subject and body"),
]


def test_a_malformed_answer_sends_the_template_and_says_why() -> None:
    for draft, why in MALFORMED:
        out = run("follow-up-compose.mjs", {"touch": 3, "firstName": "Ada", "draft": draft})
        assert out["drafted"] is False, draft
        assert out["draftError"].startswith(why), (draft, out["draftError"])
        assert out["subject"] == "Closing the loop" and out["body"].startswith("Hi Ada,"), draft
    nameless = run("follow-up-compose.mjs", {"touch": 1, "draft": {"subject": "S"}})
    assert (nameless["subject"], nameless["body"].split(",")[0]) == ("Following up", "Hi there")
