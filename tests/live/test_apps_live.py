"""Each deployed app proven where it runs: a real Twenty 2.21.0 (marker `live`, `inv live`).

The module first deploys apps/ into the live workspace with the reconciler (idempotent: on a
workspace that already has them it writes only what differs), with secrets this module knows, so
it can sign requests as Stripe does and check the signatures Twenty puts on its webhooks.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.live_twenty import LiveTwenty

pytestmark = pytest.mark.live

REPO = Path(__file__).resolve().parents[2]
SECRETS = {
    "twenty-app-stripe-webhook-secret": "whsec_live_" + "s" * 24,
    "twenty-app-fireflies-webhook-secret": "f" * 32,
    "twenty-app-fireflies-api-key": "fireflies-test-key",
    "twenty-app-meeting-transcript-secret": "m" * 32,
    "twenty-apps-ai-api-key": "ai-test-key",
    "twenty-app-mailchimp-webhook-secret": "c" * 32,
    "twenty-app-mailchimp-api-key": "mailchimp-test-key-us1",
    "twenty-app-webmetic-webhook-secret": "w" * 32,
    "twenty-app-webmetic-api-key": "webmetic-test-key",
    "twenty-app-enrichment-api-key": "enrichment-test-key",
    "twenty-webhook-crm-events-secret": "crm-events-" + "e" * 32,
    # the same as tests/live/test_workflow_templates_live.py, so both deploy the same workflows
    "twenty-workflow-enrichment-api-key": "sk_live_enrich_test",
}
SINK_PORT = int(os.environ.get("TWENTY_LIVE_SINK_PORT", "8799"))


class Sink:
    """Twenty's outbound webhook deliveries, as received on loopback."""

    def __init__(self) -> None:
        self.deliveries: list[tuple[dict[str, str], bytes]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                sink.deliveries.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", SINK_PORT), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Live(LiveTwenty):
    """The live Twenty (tests/live_twenty.py) with the calls these proofs make."""

    def __init__(self) -> None:
        super().__init__()
        self.http = httpx.Client(
            base_url=self.base_url, timeout=60, headers={"Authorization": f"Bearer {self.api_key}"}
        )



@pytest.fixture(scope="module")
def sink() -> Iterator[Sink]:
    s = Sink()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def live(sink: Sink) -> Live:
    """The live workspace with apps/ deployed by the reconciler, with this module's secrets."""
    from deploy.appbuild import build_apps
    from deploy.manifests import load_manifests
    from deploy.reconcile import reconcile
    from deploy.runner import SubprocessRunner
    from deploy.secrets import DictSecretSource
    from twenty_api import TwentyClient

    target = Live()
    build_apps(SubprocessRunner(), REPO / "apps")
    settings = {
        "ai_model": os.environ.get("TWENTY_LIVE_AI_MODEL", "default-smart-model"),
        "crm_events_webhook_url": f"http://127.0.0.1:{SINK_PORT}/twenty",
        "enrichment_api_url": "http://127.0.0.1:8797/v2/people/find",
        "workflow_email_account_id": os.environ.get("TWENTY_LIVE_EMAIL_ACCOUNT_ID", str(uuid.UUID(int=0))),
    }

    async def deploy() -> Any:
        async with TwentyClient(target.base_url, api_key=target.api_key) as client:
            return await reconcile(
                client,
                load_manifests(REPO / "apps"),
                stack=settings,
                secrets=DictSecretSource(SECRETS),
                server_url=target.base_url,
                apply=True,
                rotate_secrets=True,
                user_session=lambda: TwentyClient.login(
                    target.base_url, target.user_email, target.user_password
                ),
            )

    outcome = asyncio.run(deploy())
    failed = [(i.kind, i.name, i.notes) for i in outcome.items if i.status == "failed"]
    assert not failed, failed
    return target


def _stripe_signature(secret: str, payload: bytes, at: int | None = None) -> str:
    t = at or int(time.time())
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def test_a_signed_stripe_event_syncs_once_and_a_bad_signature_writes_nothing(live: Live) -> None:
    suffix = uuid.uuid4().hex[:10]
    customer = f"cus_live{suffix}"
    event = {
        "id": f"evt_{uuid.uuid4().hex[:16]}",
        "type": "customer.created",
        "created": int(time.time()),
        "data": {
            "object": {
                "object": "customer",
                "id": customer,
                "email": f"billing@live{suffix}.example",
                "name": "Live Stripe Co",
            }
        },
    }
    payload = json.dumps(event).encode()
    secret = SECRETS["twenty-app-stripe-webhook-secret"]
    bad = live.http.post(
        "/s/stripe-webhook",
        content=payload,
        headers={
            "stripe-signature": _stripe_signature("whsec_wrong", payload),
            "content-type": "application/json",
        },
    )
    assert 400 <= bad.status_code < 500, bad.text
    find = f'stripeCustomerId[eq]:"{customer}"'
    assert live.rest("GET", "companies", params={"filter": find})["data"]["companies"] == []

    headers = {"stripe-signature": _stripe_signature(secret, payload), "content-type": "application/json"}
    first = live.http.post("/s/stripe-webhook", content=payload, headers=headers)
    assert first.status_code < 300, first.text
    companies = live.rest("GET", "companies", params={"filter": find})["data"]["companies"]
    assert [c["name"] for c in companies] == ["Live Stripe Co"]
    replay = live.http.post("/s/stripe-webhook", content=payload, headers=headers)
    assert replay.status_code < 300, replay.text
    again = live.rest("GET", "companies", params={"filter": find})["data"]["companies"]
    assert len(again) == 1 and again[0]["updatedAt"] == companies[0]["updatedAt"]


def test_a_database_event_app_reacts_to_a_new_opportunity(live: Live) -> None:
    company = live.rest("POST", "companies", json={"name": f"Rollup live {uuid.uuid4().hex[:6]}"})
    company_id = company["data"]["createCompany"]["id"]
    live.rest(
        "POST",
        "opportunities",
        json={
            "name": "Live rollup deal",
            "companyId": company_id,
            "stage": "NEW",
            "amount": {"amountMicros": 1_500_000_000, "currencyCode": "USD"},
        },
    )
    rolled = live.wait(
        "rollup-on-opportunity updated the company",
        lambda: (
            c
            if (c := live.rest("GET", f"companies/{company_id}")["data"]["company"]).get("opportunityCount")
            == 1
            else None
        ),
        seconds=60,
        every=1,
    )
    assert rolled["openPipelineAmount"]["amountMicros"] == 1_500_000_000


def test_a_cron_function_run_once_does_its_job(live: Live) -> None:
    functions = live.meta("{ findManyLogicFunctions { id name cronTriggerSettings } }")[
        "findManyLogicFunctions"
    ]
    nightly = next(f for f in functions if f["name"] == "rollup-nightly")
    assert nightly["cronTriggerSettings"]["pattern"]
    run = live.meta(
        "mutation($input: ExecuteOneLogicFunctionInput!){ executeOneLogicFunction(input:$input)"
        "{ data status error } }",
        {"input": {"id": nightly["id"], "payload": {}}},
    )
    result = run["executeOneLogicFunction"]
    assert result["status"] == "SUCCESS", result["error"]
    assert result["data"], result


def test_the_crm_events_webhook_delivers_with_a_valid_signature(live: Live, sink: Sink) -> None:
    before = len(sink.deliveries)
    name = f"Webhook live {uuid.uuid4().hex[:6]}"
    live.rest("POST", "companies", json={"name": name})
    live.wait(
        "a crm-events delivery",
        lambda: any(name.encode() in b for _, b in sink.deliveries[before:]),
        seconds=60,
        every=1,
    )
    headers, body = next((h, b) for h, b in sink.deliveries[before:] if name.encode() in b)
    secret = SECRETS["twenty-webhook-crm-events-secret"]
    expected = hmac.new(
        secret.encode(), headers["x-twenty-webhook-timestamp"].encode() + b":" + body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["x-twenty-webhook-signature"], expected)
    assert json.loads(body)["eventName"] == "company.created"


def test_a_deployed_workflow_is_active_and_a_run_completes(live: Live) -> None:
    """new-company: a database-event workflow whose first step runs an AI agent (the stub model)."""
    from deploy.kinds.workflows import workflow_id
    from deploy.manifests import load_manifests

    wf = next(w for w in load_manifests(REPO / "apps").workflows if w.name == "new-company")
    record = live.rest("GET", f"workflows/{workflow_id(wf)}")["data"]["workflow"]
    assert "ACTIVE" in (record.get("statuses") or []), record
    name = f"Workflow live {uuid.uuid4().hex[:6]}"
    live.rest("POST", "companies", json={"name": name})

    def finished() -> Any:
        runs = live.rest(
            "GET",
            "workflowRuns",
            params={
                "filter": f'workflowId[eq]:"{record["id"]}"',
                "order_by": "createdAt[DescNullsLast]",
                "limit": 5,
            },
        )
        done = [
            r
            for r in runs["data"]["workflowRuns"]
            if r["status"] in ("COMPLETED", "FAILED") and name in json.dumps(r.get("state"))
        ]
        return done[0] if done else None

    run = live.wait("the new-company workflow run", finished, seconds=120, every=1)
    assert run["status"] == "COMPLETED", json.dumps(run.get("state"))[:1500]
