"""A signed Stripe test event for the stripe-synchronizer app's route `/s/stripe-webhook`.

Signature as Stripe sends it: `Stripe-Signature: t=<unix ts>,v1=hex(HMAC_SHA256(secret, f"{t}.{body}"))`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any

from twenty_api.filters import F, and_

WEBHOOK_PATH = "/s/stripe-webhook"


def stripe_signature(secret: str, body: bytes, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@dataclass(frozen=True)
class StripeScenario:
    """One test event and the record it must produce in Twenty."""

    event: dict[str, Any]
    object_plural: str  # REST plural the record lands in
    filter: str  # Twenty REST filter that finds it
    label: str  # what the summary says was expected

    def body(self) -> bytes:
        return json.dumps(self.event, separators=(",", ":")).encode()

    def headers(self, secret: str, timestamp: int | None = None) -> dict[str, str]:
        ts = int(time.time()) if timestamp is None else timestamp
        return {
            "Content-Type": "application/json",
            "Stripe-Signature": stripe_signature(secret, self.body(), ts),
        }


def customer_created(run_id: str, now: int | None = None) -> StripeScenario:
    """`customer.created` for a unique e-mail → a person with that e-mail holding the customer id.

    apps/stripe-synchronizer: the person with the customer's e-mail gets `stripeCustomerId`
    (created when missing), and the company (by customer id, e-mail domain, else new) too.
    """
    ts = int(time.time()) if now is None else now
    email = f"stage-{run_id}@example.com"
    event = {
        "id": f"evt_stage_{run_id}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": ts,
        "livemode": False,
        "type": "customer.created",
        "data": {
            "object": {
                "id": f"cus_stage_{run_id}",
                "object": "customer",
                "email": email,
                "name": f"Stage {run_id}",
                "created": ts,
                "livemode": False,
                "metadata": {},
            }
        },
    }
    customer = event["data"]["object"]["id"]
    return StripeScenario(
        event=event,
        object_plural="people",
        filter=str(and_(F("emails.primaryEmail").eq(email), F("stripeCustomerId").eq(customer))),
        label=f"a person {email} with stripeCustomerId {customer}",
    )
