"""Small pieces: Stripe signing, masking, stack names, cost, and the real layer's local plumbing."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json
import os
import sys
from pathlib import Path

import pytest

from staging.cost import HOURS_PER_MONTH, accrued_cost
from staging.redact import MASK, MaskingWriter, Redactor
from staging.runner import stack_name
from staging.stripe import WEBHOOK_PATH, customer_created, stripe_signature


def test_stripe_signature_is_stripes_scheme():
    secret, body, ts = "whsec_test", b'{"id":"evt_1"}', 1700000000
    expected = hmac.new(b"whsec_test", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert stripe_signature(secret, body, ts) == f"t=1700000000,v1={expected}"


def test_scenario_headers_sign_the_exact_body():
    scenario = customer_created("abc123", now=1700000000)
    headers = scenario.headers("whsec_x", timestamp=1700000005)
    parts = dict(p.split("=", 1) for p in headers["Stripe-Signature"].split(","))
    mac = hmac.new(b"whsec_x", f"{parts['t']}.".encode() + scenario.body(), hashlib.sha256).hexdigest()
    assert parts == {"t": "1700000005", "v1": mac}
    event = json.loads(scenario.body())
    assert event["type"] == "customer.created" and event["livemode"] is False
    assert event["data"]["object"]["email"] == "stage-abc123@example.com"
    assert scenario.filter == (
        'and(emails.primaryEmail[eq]:"stage-abc123@example.com",stripeCustomerId[eq]:"cus_stage_abc123")'
    )
    assert WEBHOOK_PATH == "/s/stripe-webhook"


def test_redactor_masks_longest_first_and_ignores_tiny_values():
    r = Redactor()
    r.add("abcd")
    r.add("abcdefgh")
    r.add("")
    r.add(None)
    r.add("ab")
    assert r.mask("x abcdefgh y abcd z ab") == f"x {MASK} y {MASK} z ab"


def test_masking_writer_masks_what_reaches_the_stream():
    r, out = Redactor(), io.StringIO()
    w = MaskingWriter(out, r)
    r.add("s3cr3t-value")
    w.write("key=s3cr3t-value\n")
    assert out.getvalue() == f"key={MASK}\n"


@pytest.mark.parametrize(
    ("name", "stack"),
    [("pr-42", "staging-pr-42"), ("staging-7", "staging-7"), ("12345678901", "staging-12345678901")],
)
def test_stack_names(name, stack):
    assert stack_name(name) == stack


@pytest.mark.parametrize("bad", ["PR_42", "-x", "a" * 25, "x y"])
def test_bad_stack_names_are_refused_with_the_rule(bad):
    with pytest.raises(ValueError, match="lowercase letters"):
        stack_name(bad)


def test_default_stack_name_is_the_utc_time():
    from datetime import UTC, datetime

    assert stack_name(None, now=datetime(2026, 11, 22, 5, 30, tzinfo=UTC)) == "staging-1122-0530"


def test_accrued_cost_is_pro_rata():
    assert accrued_cost(73.0, HOURS_PER_MONTH * 3600) == pytest.approx(73.0)
    assert accrued_cost(73.0, 3600) == pytest.approx(0.1)
    with pytest.raises(ValueError):
        accrued_cost(-1, 10)


def test_real_run_streams_output_through_the_log_and_returns_the_exit_code():
    from staging.cloud import RealCloudLayer

    lines: list[str] = []
    layer = RealCloudLayer(lines.append)
    code = "import os, sys; print('hello', os.environ['STAGE_X']); sys.exit(3)"
    assert layer.run(["{python}", "-c", code], {"STAGE_X": "42"}) == 3
    assert lines == ["hello 42"]


@pytest.fixture
def fake_gcloud(tmp_path, monkeypatch):
    """A `gcloud` on PATH that records argv and stdin; `secrets describe` knows only 'exists'."""
    log = tmp_path / "calls.jsonl"
    script = tmp_path / "gcloud"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        "data = sys.stdin.read() if '--data-file=-' in sys.argv else None\n"
        f"open({str(log)!r}, 'a').write(json.dumps({{'argv': sys.argv[1:], 'stdin': data}}) + '\\n')\n"
        "if sys.argv[1:3] == ['secrets', 'describe'] and sys.argv[3] != 'exists':\n"
        "    sys.exit(1)\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    return log


def _calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_store_secret_creates_or_adds_a_version_with_the_value_on_stdin_only(fake_gcloud):
    from staging.cloud import RealCloudLayer

    layer = RealCloudLayer(lambda _l: None)
    assert layer.store_secret("proj", "new-secret", "v4lue-1") is True
    assert layer.store_secret("proj", "exists", "v4lue-2") is False
    calls = _calls(fake_gcloud)
    assert [c["argv"][:3] for c in calls] == [
        ["secrets", "describe", "new-secret"],
        ["secrets", "create", "new-secret"],
        ["secrets", "describe", "exists"],
        ["secrets", "versions", "add"],
    ]
    assert calls[1]["stdin"] == "v4lue-1" and calls[3]["stdin"] == "v4lue-2"
    assert all("v4lue" not in " ".join(c["argv"]) for c in calls), "a secret must never be on argv"
    assert "--project=proj" in calls[1]["argv"] and "--replication-policy=automatic" in calls[1]["argv"]


def test_real_http_get_reports_unreachable_as_status_0():
    from staging.cloud import RealCloudLayer

    res = RealCloudLayer(lambda _l: None).http_get("http://127.0.0.1:9/healthz")
    assert res.status == 0 and "Error" in res.text


def test_monthly_estimate_comes_from_the_offline_plan(monkeypatch):
    from infra import plan, pricing
    from staging.cost import monthly_estimate

    seen = []
    real = plan.plan_stack
    monkeypatch.setattr(plan, "plan_stack", lambda stack: seen.append(real(stack)) or seen[-1])
    asyncio.run(asyncio.sleep(0))  # as the run's async steps leave things: no current event loop
    value = monthly_estimate("staging-x")
    assert [r.cfg.stack for r in seen] == ["staging"]  # the example the stage stack derives from
    assert value == pricing.total(seen[0].costs()) > 0


def test_monthly_estimate_is_none_when_the_plan_fails(monkeypatch):
    from infra import plan
    from staging.cost import monthly_estimate

    def broken(*_a, **_k):
        raise RuntimeError("bad stack file")

    monkeypatch.setattr(plan, "plan_stack", broken)
    assert monthly_estimate("staging-x") is None
