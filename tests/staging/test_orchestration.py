"""The stage.test orchestration with the cloud layer replaced at its one seam (FakeCloud)."""

from __future__ import annotations

import io
import re

import pytest

from staging.orchestrator import CLEANUP_STEPS, MAIN_STEPS, StageSettings
from staging.runner import main
from tests.staging.fake_cloud import ACCESS_TOKEN, API_KEY, KEY_SECRET, SERVER, FakeCloud

FAST = StageSettings(health_timeout=60, health_interval=10, record_timeout=30, record_interval=5)


def run(fake: FakeCloud, *, keep: bool = False, monthly_usd: float | None = 73.0) -> tuple[int, str]:
    out = io.StringIO()

    def factory(log):  # the runner hands the layer its masking log
        fake.log = log
        return fake

    rc = main("t1", keep, cloud=factory, stream=out, settings=FAST, monthly_usd=monthly_usd)
    return rc, out.getvalue()


def summary_rows(text: str) -> dict[str, str]:
    """step name → result, read from the rich table."""
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in re.split(r"[│┃]", line)]
        if len(cells) > 3 and cells[1] in MAIN_STEPS + CLEANUP_STEPS:
            rows[cells[1]] = cells[2]
    return rows


def test_happy_path_runs_every_step_in_order_then_cleans_up():
    fake = FakeCloud()
    rc, text = run(fake)
    assert rc == 0, text
    assert fake.calls == [
        "preflight",
        "stack_up",
        "http_get",
        "bootstrap_twenty",
        "store_secret",
        "run:pytest",
        "run:deploy",
        "run:mcp.build",
        "run:mcp.deploy",
        "mcp_smoke",
        "http_post",
        "find_records",
        "stack_destroy",
        "stack_remove",
    ]
    assert summary_rows(text) == {name: "passed" for name in MAIN_STEPS + CLEANUP_STEPS}
    assert "stage.test PASSED" in text


def test_the_stage_stack_gets_its_own_name_prefix_and_domain():
    fake = FakeCloud()
    run(fake)
    assert fake.config == {
        "twenty-gcp:namePrefix": "st-t1",
        "twenty-gcp:domain": "st-t1.crm-staging.example.com",
    }


def test_without_a_key_secret_output_the_run_makes_its_own_and_deletes_it():
    fake = FakeCloud()
    del fake.outputs["twenty_api_key_secret"]
    rc, _ = run(fake)
    assert rc == 0
    assert fake.calls[-1] == "delete_secret"
    assert fake.secrets == {}


def test_contract_and_deploy_get_the_cloud_run_url_and_key():
    fake = FakeCloud()
    run(fake)
    assert fake.contract_env["TWENTY_LIVE_URL"] == SERVER
    assert fake.contract_env["TWENTY_LIVE_KEY"] == API_KEY
    assert fake.contract_env["TWENTY_LIVE_USER_TOKEN"] == ACCESS_TOKEN
    assert fake.deploy_env["TWENTY_API_URL"] == SERVER and fake.deploy_env["TWENTY_API_KEY"] == API_KEY


def test_only_the_deploy_key_goes_to_secret_manager_the_rest_to_deploy_by_env():
    fake = FakeCloud()
    run(fake)
    assert fake.secrets == {("twenty-stage", KEY_SECRET): [API_KEY]}
    env = fake.deploy_env
    assert env["TWENTY_DEPLOY_USER_EMAIL"].startswith("stage-")
    assert env["TWENTY_DEPLOY_USER_PASSWORD"] == fake.password
    assert env["TWENTY_APP_STRIPE_WEBHOOK_SECRET"].startswith("whsec_")
    app_vars = [k for k in env if k.startswith("TWENTY_APP")]
    assert len(app_vars) >= 2 and len({env[k] for k in app_vars}) == len(app_vars), "one random value each"


# which steps a failure skips: everything that (transitively) needs the failed step
SKIPPED_AFTER = {
    "up": {"healthz", "bootstrap", "contract", "deploy", "mcp-image", "mcp", "stripe"},
    "healthz": {"bootstrap", "contract", "deploy", "mcp", "stripe"},
    "bootstrap": {"contract", "deploy", "mcp", "stripe"},
    "contract": set(),
    "deploy": {"stripe"},
    "mcp-image": {"mcp"},
    "mcp": set(),
    "stripe": set(),
}


@pytest.mark.parametrize("failing", MAIN_STEPS)
def test_every_failure_point_still_destroys_and_removes(failing):
    fake = FakeCloud(fail=failing)
    rc, text = run(fake)
    assert rc == 1
    assert fake.calls[-1] != "stack_up"
    assert "stack_destroy" in fake.calls and "stack_remove" in fake.calls
    assert fake.calls.index("stack_destroy") < fake.calls.index("stack_remove")
    rows = summary_rows(text)
    assert rows[failing] == "failed"
    assert {name for name, res in rows.items() if res == "skipped"} == SKIPPED_AFTER[failing]
    assert rows["destroy"] == "passed" and rows["remove"] == "passed"
    assert f"failed: {failing}" in text


def test_failed_destroy_does_not_remove_the_stack_and_says_what_to_do():
    fake = FakeCloud(fail="destroy")
    rc, text = run(fake)
    assert rc == 1
    assert "stack_remove" not in fake.calls
    rows = summary_rows(text)
    assert rows["destroy"] == "failed" and rows["remove"] == "skipped"
    assert "inv infra.destroy --stack staging-t1" in text


def test_keep_skips_cleanup():
    fake = FakeCloud()
    rc, text = run(fake, keep=True)
    assert rc == 0
    assert not {"stack_destroy", "stack_remove", "delete_secret"} & set(fake.calls)
    assert all(summary_rows(text)[name] == "skipped" for name in CLEANUP_STEPS)
    assert "--keep" in text and "inv infra.destroy --stack staging-t1" in text


def test_keep_with_a_failure_still_keeps_the_stack_and_fails():
    fake = FakeCloud(fail="deploy")
    rc, _ = run(fake, keep=True)
    assert rc == 1 and "stack_destroy" not in fake.calls


def test_ctrl_c_during_a_step_still_cleans_up():
    fake = FakeCloud()
    fake.interrupt_on = "run:deploy"
    rc, text = run(fake)
    assert rc == 1
    assert fake.calls[fake.calls.index("run:deploy") + 1 :][:2] == ["stack_destroy", "stack_remove"]
    assert "interrupted" in text
    assert "mcp_smoke" not in fake.calls
    rows = summary_rows(text)
    assert rows["deploy"] == "failed" and rows["mcp-image"] == rows["mcp"] == rows["stripe"] == "skipped"


def test_health_is_polled_until_200():
    fake = FakeCloud()
    fake.health_503s = 3
    rc, _ = run(fake)
    assert rc == 0
    assert fake.calls.count("http_get") == 4 and fake.calls.count("sleep") >= 3


def test_health_times_out_with_the_last_answer():
    fake = FakeCloud(fail="healthz")
    _, text = run(fake)
    assert "not healthy after 60s" in text and "503" in text


def test_stripe_record_is_polled_and_the_event_is_signed_with_the_stored_secret():
    fake = FakeCloud()
    fake.records_after_polls = 2
    rc, text = run(fake)
    assert rc == 0, text
    assert fake.posted["type"] == "customer.created"
    assert fake.calls.count("find_records") == 3
    assert "with stripeCustomerId cus_stage_" in text


def test_secrets_are_never_printed():
    """Secrets echoed by the layer, in errors and in the summary are all masked."""
    for failing in (None, "bootstrap", "mcp"):
        fake = FakeCloud(fail=failing, leak=True)
        _, text = run(fake)
        for secret in (API_KEY, ACCESS_TOKEN, fake.password, "whsec_"):
            if failing == "bootstrap" and secret in (API_KEY, "whsec_"):
                continue  # never created in this run
            assert secret not in text, (failing, secret)
        assert "****" in text


def test_summary_shows_durations_lifetime_and_accrued_cost():
    fake = FakeCloud()
    _, text = run(fake, monthly_usd=73.0)
    # fake clock: starts at 1000; up 600 s, each run 60 s, destroy 300 s, other calls 1 s
    lifetime = re.search(r"stack lifetime (\d+)m(\d+)s", text)
    assert lifetime, text
    seconds = int(lifetime[1]) * 60 + int(lifetime[2])
    assert seconds == round(fake.now - 1000.0) and seconds > 900
    cost = float(re.search(r"estimated cost \$(\d+\.\d+)", text)[1])
    assert cost == pytest.approx(73.0 * seconds / 3600 / 730, abs=1e-3)
    assert "10m00s" in text  # the up step's duration


def test_summary_without_a_price_says_so():
    _, text = run(FakeCloud(), monthly_usd=None)
    assert "no monthly estimate" in text
