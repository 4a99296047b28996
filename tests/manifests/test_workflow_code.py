"""The workflow templates' CODE steps (apps/workflows/code/*.mjs), run under node on sample input
shaped like what 2.21 hands them: the step's input with `{{…}}` resolved (a record list from
FIND_RECORDS, an AI agent's `{response}` text — from the stub model: `STUB: …`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from deploy.manifests import load_manifests
from tests.fake_twenty.workflow_runner import run_code

APPS = Path(__file__).resolve().parents[2] / "apps"
CODE = APPS / "workflows" / "code"


def run(name: str, params: dict[str, Any]) -> dict[str, Any]:
    return run_code((CODE / name).read_text(), params)


def test_every_code_step_of_the_templates_is_tested_here() -> None:
    used = {s.codeFile for w in load_manifests(APPS).workflows for s in w.steps if s.type == "CODE"}
    tested = {f"code/{n}" for n in ("pipeline-assignment.mjs", "enrichment-merge.mjs", "stage-tasks.mjs",
                                    "daily-summary.mjs", "follow-up-plan.mjs", "follow-up-decide.mjs",
                                    "follow-up-compose.mjs")}  # fmt: skip  (follow-up-*: test_follow_up_code)
    assert used == tested


# ---- New Company → Auto Pipeline


def test_pipeline_uses_the_ai_verdict_when_there_is_one() -> None:
    out = run("pipeline-assignment.mjs", {
        "companyName": "Acme", "employees": 12, "accountOwnerId": "m1",
        "analysis": "SEGMENT: ENTERPRISE; POTENTIAL: HIGH; INDUSTRY: Fintech\nBig bank.",
    })  # fmt: skip
    assert out["segment"] == "ENTERPRISE" and out["potential"] == "HIGH" and out["stage"] == "MEETING"
    assert out["industry"] == "FINTECH" and out["ownerId"] == "m1"
    assert out["dealName"].startswith("Acme")


def test_pipeline_falls_back_to_size_on_a_stub_answer() -> None:
    stub = "STUB: A new company was added to the CRM: Globex"
    big = run("pipeline-assignment.mjs", {"companyName": "Globex", "employees": "2500", "analysis": stub})
    assert (big["segment"], big["potential"], big["stage"]) == ("ENTERPRISE", "HIGH", "MEETING")
    assert "no usable AI verdict" in big["reason"]
    mid = run("pipeline-assignment.mjs", {"companyName": "Initech", "employees": 150, "analysis": stub})
    assert (mid["segment"], mid["stage"]) == ("MID_MARKET", "SCREENING")
    small = run("pipeline-assignment.mjs", {"companyName": "", "employees": None, "analysis": None})
    assert (small["segment"], small["stage"], small["ownerId"]) == ("SMB", "NEW", None)
    assert small["dealName"].startswith("New company")


def test_pipeline_counts_revenue_as_size() -> None:
    out = run(
        "pipeline-assignment.mjs",
        {"companyName": "Rich", "employees": 5, "annualRecurringRevenueMicros": 80_000_000 * 1_000_000},
    )
    assert out["segment"] == "ENTERPRISE"


# ---- New Person → Auto Enrichment


@pytest.mark.parametrize(
    "answer",
    [
        {
            "employment": {"title": "CTO"},
            "geo": {"city": "Paris"},
            "linkedin": {"handle": "in/ada"},
        },  # Clearbit
        {
            "person": {"title": "CTO", "city": "Paris", "linkedin_url": "https://www.linkedin.com/in/ada"}
        },  # Apollo
        '{"title": "CTO", "city": "Paris", "linkedinUrl": "https://www.linkedin.com/in/ada"}',  # flat text
    ],
)
def test_enrichment_maps_each_provider_shape(answer: Any) -> None:
    out = run("enrichment-merge.mjs", {"enrichment": answer, "jobTitle": "", "linkedinUrl": ""})
    assert (out["jobTitle"], out["linkedinUrl"]) == ("CTO", "https://www.linkedin.com/in/ada")
    assert out["enriched"] and out["filled"] == ["jobTitle", "linkedinUrl"]
    assert out["city"] == "Paris" and out["summary"].endswith(
        "City: Paris."
    )  # no city field on a 2.21 person


def test_enrichment_never_blanks_what_the_person_has() -> None:
    kept = run("enrichment-merge.mjs", {"enrichment": {"title": "Intern"}, "jobTitle": "CEO"})
    assert kept["jobTitle"] == "CEO" and kept["filled"] == []
    failed = run("enrichment-merge.mjs", {"enrichment": None, "jobTitle": "CEO", "linkedinUrl": ""})
    assert (failed["jobTitle"], failed["linkedinUrl"], failed["enriched"]) == ("CEO", "", False)
    assert failed["summary"] == "Nothing new from the enrichment provider."


# ---- Opportunity Stage Change → Auto Tasks

PEOPLE = [
    {"id": "p1", "emails": {"primaryEmail": "ada@acme.io"}},
    {"id": "p2", "emails": {"primaryEmail": "x@y.z"}},
]
MEMBERS = [{"id": "m1", "userEmail": "owner@crm.io"}]


def test_stage_tasks_per_stage_and_the_stakeholders() -> None:
    out = run("stage-tasks.mjs", {
        "stage": "PROPOSAL", "previousStage": "MEETING", "opportunityName": "Acme deal",
        "pointOfContactId": "p1", "ownerId": "m1", "people": PEOPLE, "members": MEMBERS,
        "now": "2026-12-07T09:00:00Z",
    })  # fmt: skip
    assert [t["title"] for t in out["tasks"]] == [
        "Send the proposal to Acme deal", "Follow up on the proposal with Acme deal",
    ]  # fmt: skip
    assert [t["dueAt"][:10] for t in out["tasks"]] == ["2026-12-08", "2026-12-11"]
    assert all(t["assigneeId"] == "m1" for t in out["tasks"])
    assert out["recipients"] == "ada@acme.io,owner@crm.io"
    assert out["stakeholders"] == ["ada@acme.io", "owner@crm.io"]
    assert "MEETING to PROPOSAL" in out["body"]


def test_stage_tasks_none_when_the_stage_did_not_change_or_is_unknown() -> None:
    assert run("stage-tasks.mjs", {"stage": "MEETING", "previousStage": "MEETING"})["tasks"] == []
    other = run("stage-tasks.mjs", {"stage": "LOST", "previousStage": "PROPOSAL", "people": "not a list"})
    assert other["tasks"] == [] and other["recipients"] == "" and other["stakeholders"] == []


# ---- Daily Activity Summary


def test_daily_summary_keeps_the_last_day_per_account_and_mails_each_owner() -> None:
    activities = [
        {"targetCompanyId": "c1", "happensAt": "2026-12-07T08:30:00Z", "name": "linked-note.created",
         "linkedRecordCachedName": "Call"},
        {"targetCompanyId": "c1", "happensAt": "2026-12-06T10:00:00Z", "name": "company.updated"},
        {"targetCompanyId": "c2", "happensAt": "2026-12-06T12:00:00Z", "name": "linked-task.created"},
        {"targetCompanyId": "c3", "happensAt": "2026-12-05T08:00:00Z", "name": "too old"},
        {"targetPersonId": "p1", "happensAt": "2026-12-07T08:00:00Z", "name": "no account"},
    ]  # fmt: skip
    companies = [{"id": "c1", "name": "Acme", "accountOwnerId": "m1"}, {"id": "c2", "name": "Globex"},
                 {"id": "c3", "name": "Old", "accountOwnerId": "m1"}]  # fmt: skip
    out = run("daily-summary.mjs", {
        "activities": activities, "companies": companies, "members": MEMBERS,
        "summary": "STUB: summary", "now": "2026-12-07T09:00:00Z",
    })  # fmt: skip
    assert [(a["name"], a["activityCount"], a["ownerEmail"]) for a in out["accounts"]] == [
        ("Acme", 2, "owner@crm.io"), ("Globex", 1, ""),
    ]  # fmt: skip
    assert "08:30 note created: Call" in out["accounts"][0]["markdown"]
    assert "STUB: summary" in out["accounts"][0]["markdown"]
    assert out["owners"] == [{
        "email": "owner@crm.io", "subject": "Your accounts yesterday: 1 with activity",
        "body": "Acme: 2 activities\n\nSTUB: summary",
    }]  # fmt: skip


def test_daily_summary_with_nothing_to_report() -> None:
    out = run("daily-summary.mjs", {"activities": None, "companies": None, "members": None, "summary": None})
    assert out == {"accounts": [], "accountCount": 0, "owners": []}
