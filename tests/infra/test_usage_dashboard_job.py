"""The monthly usage-dashboard refresh as `pulumi up` stands it up (infra/usage_dashboard.py), under mocks.

A Cloud Run job on the MCP image runs `python -m mcp_server.usage_job --workspace` with Twenty's URL and
the API key by Secret Manager reference, as its own account that reads only that key; a Cloud Scheduler
job POSTs to exactly that job's jobs.run URL with the OAuth token of an account whose one grant is
run.invoker on the job. The schedule comes from the stack (off: no scheduler), a bad cron or time zone is
refused naming the key, and the argv taken from the Pulumi resource really runs against the fake Twenty.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from infra import policies as P
from infra.config import ConfigError, parse_stack_config
from infra.mcp_service import PLACEHOLDER_IMAGE
from infra.plan import PlanResult, Recorded, mock_user_secrets, run_program
from infra.usage_dashboard import CLOUD_PLATFORM_SCOPE, run_uri
from tests.infra.conftest import VARIANTS, base, plan_of

REPO = Path(__file__).resolve().parents[2]
JOB, SCHEDULER, JOB_IAM = P.RUN_JOB, P.SCHEDULER, P.RUN_JOB_IAM
NAME = "twenty-usage-dashboard"
IMAGE = "us-central1-docker.pkg.dev/test-twenty-proj/twenty-images/twenty-mcp:abc123"
_PLANS: dict[str, PlanResult] = {}


def plan(**overrides: Any) -> PlanResult:
    key = json.dumps(overrides, sort_keys=True)
    if key not in _PLANS:
        cfg = base(**overrides)
        _PLANS[key] = run_program(cfg, mock_user_secrets(cfg))
    return _PLANS[key]


def container(job: Recorded) -> dict[str, Any]:
    return job.props["template"]["template"]["containers"][0]


def argv_of(job: Recorded) -> list[str]:
    """What Cloud Run executes: `command` (replacing the image's ENTRYPOINT) followed by `args`."""
    c = container(job)
    return [*c["commands"], *c["args"]]


def grants_of(p: PlanResult, email: str) -> list[Recorded]:
    return [r for r in p.custom_resources if r.props.get("member") == f"serviceAccount:{email}"]


def account(p: PlanResult, account_id: str) -> str:
    return str(p.one("gcp:serviceaccount/account:Account", account_id).props["accountId"])


def email(p: PlanResult, account_id: str) -> str:
    return f"{account(p, account_id)}@{p.cfg.project}.iam.gserviceaccount.com"


# --- the job -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_job_runs_the_usage_job_with_the_key_by_reference(variant: str) -> None:
    p = plan_of(variant)
    job = p.one(JOB, NAME)
    c = container(job)
    assert argv_of(job) == ["python", "-m", "mcp_server.usage_job", "--workspace"]
    assert c["image"] == (p.cfg.mcp_image or PLACEHOLDER_IMAGE)  # the MCP service's image rule
    assert c["image"] == p.one(P.RUN_SERVICE, "twenty-mcp").props["template"]["containers"][0]["image"]
    envs = {e["name"]: e for e in c["envs"]}
    assert set(envs) == {"TWENTY_API_URL", "TWENTY_API_KEY"}  # nothing of the bucket: the tool keeps no state
    server_uri = p.outputs["server_uri"]
    assert envs["TWENTY_API_URL"]["value"] == server_uri  # Twenty's run.app URL, as the MCP service has it
    assert envs["TWENTY_API_KEY"] == {
        "name": "TWENTY_API_KEY",
        "valueSource": {"secretKeyRef": {"secret": "twenty-twenty-api-key", "version": "latest"}},
    }
    assert "template" not in job.secret_props  # no secret value in the job definition
    t = job.props["template"]["template"]
    assert t["serviceAccount"] == email(p, "twenty-usage-job")
    assert (t["maxRetries"], t["timeout"], job.props["template"]["taskCount"]) == (1, "900s", 1)
    assert job.props["labels"]["role"] == "usage-dashboard"
    assert job.props["deletionProtection"] is p.cfg.is_prod
    assert p.outputs["usage_dashboard_job"] == NAME
    assert p.outputs["service_accounts"]["usage_job"] == email(p, "twenty-usage-job")


def test_the_job_follows_the_mcp_image() -> None:
    p = plan(mcp_image=IMAGE)
    assert container(p.one(JOB, NAME))["image"] == IMAGE
    assert p.one(SCHEDULER).props["paused"] is False
    # without an image yet the schedule is paused: it would start Google's hello image
    assert plan().one(SCHEDULER).props["paused"] is True


def test_the_jobs_account_reads_only_the_twenty_api_key_and_waits_for_that_grant() -> None:
    p = plan()
    usage = email(p, "twenty-usage-job")
    (grant,) = grants_of(p, usage)
    assert (grant.typ, grant.props["role"]) == (P.SECRET_IAM, "roles/secretmanager.secretAccessor")
    assert grant.props["secretId"] == f"projects/{p.cfg.project}/secrets/twenty-twenty-api-key"
    readers = [r for r in p.by_type(P.SECRET_IAM) if "twenty-twenty-api-key" in str(r.props["secretId"])]
    assert [r.props["member"] for r in readers] == [f"serviceAccount:{usage}"]  # the one workload reading it
    # Cloud Run checks at creation that the job's account may read its secrets: created after the grant
    assert any(u.endswith("::twenty-twenty-api-key-usage") for u in p.one(JOB, NAME).depends_on)
    # and the MCP service's account gets nothing new
    assert all("usage" not in r.name for r in grants_of(p, email(p, "twenty-mcp")))


# --- the schedule ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_the_scheduler_runs_exactly_that_job_with_the_invokers_oauth_token(variant: str) -> None:
    p = plan_of(variant)
    cfg = p.cfg
    sched = p.one(SCHEDULER)
    target = sched.props["httpTarget"]
    assert target["uri"] == run_uri(cfg.project, cfg.region, NAME)
    assert target["uri"] == (
        f"https://run.googleapis.com/v2/projects/{cfg.project}/locations/{cfg.region}/jobs/{NAME}:run"
    )
    invoker = email(p, "twenty-usage-invoker")
    assert target["httpMethod"] == "POST" and "oidcToken" not in target and "body" not in target
    assert target["oauthToken"] == {"serviceAccountEmail": invoker, "scope": CLOUD_PLATFORM_SCOPE}
    assert (sched.props["schedule"], sched.props["timeZone"]) == ("0 6 1 * *", "Etc/UTC")
    assert sched.props["region"] == cfg.region
    assert any(u.endswith(f"::{NAME}-invoker") for u in sched.depends_on)  # after its grant exists
    assert any(u.endswith("::api-cloudscheduler") for u in sched.depends_on)  # after the API is on
    assert "cloudscheduler.googleapis.com" in {
        r.props["service"] for r in p.by_type("gcp:projects/service:Service")
    }
    assert p.outputs["service_accounts"]["usage_invoker"] == invoker


def test_the_invoker_holds_only_run_invoker_on_that_job() -> None:
    p = plan()
    invoker = email(p, "twenty-usage-invoker")
    (grant,) = grants_of(p, invoker)
    assert grant.typ == JOB_IAM
    assert (grant.props["role"], grant.props["name"], grant.props["location"]) == (
        "roles/run.invoker",
        NAME,
        p.cfg.region,
    )
    assert not [r for r in p.by_type("gcp:projects/iAMMember:IAMMember") if "usage" in r.props["member"]]
    report = p.policy_report()
    assert report.checked["scheduler-least-privilege"] == 1 and report.passed, report.violations


def test_schedule_and_time_zone_come_from_the_stack() -> None:
    raw = {
        "gcp:project": "test-twenty-proj",
        "twenty-gcp:domain": "crm.test.example.com",
        "twenty-gcp:googleAuthEnabled": False,
        "twenty-gcp:usageDashboardSchedule": "30 4 1 JAN,APR,JUL,OCT *",
        "twenty-gcp:usageDashboardTimeZone": "Europe/Berlin",
    }
    cfg = parse_stack_config(raw, "staging")
    sched = run_program(cfg, mock_user_secrets(cfg)).one(SCHEDULER)
    assert (sched.props["schedule"], sched.props["timeZone"]) == ("30 4 1 JAN,APR,JUL,OCT *", "Europe/Berlin")


@pytest.mark.parametrize("off", ["off", "", "OFF", "  "])
def test_a_disabled_schedule_leaves_the_job_and_nothing_that_starts_it(off: str) -> None:
    p = plan(usage_dashboard_schedule=off)
    assert p.by_type(SCHEDULER) == [] and p.by_type(JOB_IAM) == []
    assert not [r for r in p.by_type("gcp:serviceaccount/account:Account") if "invoker" in r.name]
    assert p.one(JOB, NAME)  # still there: `gcloud run jobs execute` runs it by hand
    assert "usage_invoker" not in p.outputs["service_accounts"]
    assert p.policy_report().passed


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("0 6 32 * *", "day of month `32`: 32 is outside 1-31"),
        ("0 6 1 * * *", "has 6 field(s), not 5"),
        ("0 6 L * *", "`L` is not a number from 1 to 31"),
        ("0 6 1 jan *", "(or JAN-DEC, in upper case)"),
        ("every 24 hours", "has 3 field(s), not 5"),
        ("60 * * * *", "minute `60`: 60 is outside 0-59"),
        ("0 6 1 * MON-SUN", "the range MON-SUN runs backwards"),
        ("*/0 * * * *", "the step `/0` must be a whole number of at least 1"),
    ],
)
def test_a_bad_cron_is_refused_naming_the_key(schedule: str, problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        base(usage_dashboard_schedule=schedule)
    message = str(err.value)
    assert message.startswith(
        f"twenty-gcp:usageDashboardSchedule: `{schedule.strip()}` is not a Cloud Scheduler cron"
    )
    assert problem in message and "Fix: write five fields" in message and "`off`" in message


@pytest.mark.parametrize("schedule", ["0 6 1 * *", "*/15 * * * *", "0 0-23/2 * * 1-5", "0 6 1 JAN-MAR SUN,7"])
def test_crons_google_documents_are_accepted(schedule: str) -> None:
    assert base(usage_dashboard_schedule=schedule).usage_dashboard_scheduled


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "UTC+2", "../../etc/passwd"])
def test_a_bad_time_zone_is_refused_naming_the_key(zone: str) -> None:
    with pytest.raises(ConfigError, match=r"^twenty-gcp:usageDashboardTimeZone: .*Fix: use a tz database"):
        base(usage_dashboard_time_zone=zone)


# --- the policy, failing ---------------------------------------------------------------------------------


def _with(p: PlanResult, changed: Recorded | None = None, extra: Recorded | None = None) -> P.PolicyReport:
    resources = [changed if changed and r.name == changed.name else r for r in p.custom_resources]
    resources += [extra] if extra else []
    return P.evaluate([r.policy_resource() for r in resources], is_prod=False)


def test_the_policy_refuses_a_broader_invoker_or_another_target() -> None:
    p = plan()
    sched, invoker = p.one(SCHEDULER), email(p, "twenty-usage-invoker")
    project_grant = Recorded(
        "gcp:projects/iAMMember:IAMMember",
        "x",
        {"role": "roles/run.developer", "member": f"serviceAccount:{invoker}"},
        frozenset(),
        "Stack",
        True,
    )
    report = _with(p, extra=project_grant)
    (v,) = [v for v in report.violations if v.rule == "scheduler-least-privilege"]
    assert "roles/run.developer" in v.message and not report.passed

    def target(**change: Any) -> Recorded:
        props = {**sched.props, "httpTarget": {**sched.props["httpTarget"], **change}}
        return Recorded(sched.typ, sched.name, props, sched.secret_props, sched.concern, True)

    for change, words in (
        ({"uri": run_uri(p.cfg.project, p.cfg.region, "other-job")}, "does not declare"),
        ({"oidcToken": {"serviceAccountEmail": invoker}}, "OAuth access token"),
        ({"httpMethod": "GET"}, "not POST"),
    ):
        report = _with(p, changed=target(**change))
        assert [v.message for v in report.violations if words in v.message], (change, report.violations)


# --- the argv really runs ------------------------------------------------------------------------------


def test_the_image_runs_that_argv_from_its_workdir() -> None:
    """mcp_server/Dockerfile: no ENTRYPOINT (so `command` replaces nothing), WORKDIR /app holding the
    packages the module needs, and the venv's python first on PATH."""
    dockerfile = (REPO / "mcp_server" / "Dockerfile").read_text()
    final = dockerfile.split("\nFROM ")[-1]  # the runtime stage
    assert "ENTRYPOINT" not in dockerfile
    assert re.search(r"^WORKDIR /app$", final, re.M)
    for package in ("mcp_server", "twenty_api"):
        assert re.search(rf"^COPY {package}/ {package}/$", final, re.M), package
    assert re.search(r"PATH=/opt/venv/bin:\$PATH", final)
    module = argv_of(plan().one(JOB, NAME))[2]
    assert (REPO / (module.replace(".", "/") + ".py")).is_file()


def test_the_jobs_argv_and_env_refresh_the_dashboard_on_the_fake_twenty(
    fake_twenty: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run what Cloud Run runs: the argv and the env names of the recorded job, with the fake's URL and
    key where Cloud Run would put the run.app URL and the secret's value (after some usage to rank:
    a saved view with a filter, a kanban, a sidebar item; a workspace without any makes the job exit 1)."""
    import asyncio

    from mcp_server import usage_job
    from tests.mcp.test_tool_findings import in_process
    from tests.mcp.test_usage_dashboard import Api, _usage

    async def use_twenty() -> None:
        async with in_process(fake_twenty, tmp_path / "setup") as client:
            await _usage(client, Api(fake_twenty))

    asyncio.run(use_twenty())
    job = plan().one(JOB, NAME)
    argv = argv_of(job)
    assert argv[:3] == ["python", "-m", usage_job.__name__]
    for name in [n for n in os.environ if n.startswith(("TWENTY_", "MCP_"))]:
        monkeypatch.delenv(name)  # the container has only what the job sets
    stand_ins = {"TWENTY_API_URL": fake_twenty.base_url, "TWENTY_API_KEY": fake_twenty.api_key}
    for env in container(job)["envs"]:
        monkeypatch.setenv(env["name"], stand_ins[env["name"]])
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))  # where a primer would go without a bucket

    assert usage_job.main(argv[3:]) == 0
    (first,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert first["target"] == "workspace" and first["created"] is True and first["dashboard_id"]
    assert usage_job.main(argv[3:]) == 0  # next month, nothing changed: the same dashboard, 0 writes
    (again,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (again["dashboard_id"], again["writes"]) == (first["dashboard_id"], 0)
    assert not list(home.iterdir())  # it left nothing on the container's disk


def test_a_plaintext_key_in_the_jobs_env_fails_the_plan() -> None:
    p = plan()
    job = p.one(JOB, NAME)
    props = json.loads(json.dumps(job.props))
    envs = props["template"]["template"]["containers"][0]["envs"]
    envs[[e["name"] for e in envs].index("TWENTY_API_KEY")] = {"name": "TWENTY_API_KEY", "value": "tw-key"}
    changed = Recorded(job.typ, job.name, props, job.secret_props, job.concern, True)
    report = _with(p, changed=changed)
    assert [v.rule for v in report.violations if v.resource.endswith(NAME)] == ["run-secrets-by-reference"]
    assert not report.passed
