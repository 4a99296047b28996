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
    """`customer.created` for a unique e-mail → one person with that primary e-mail."""
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
    return StripeScenario(
        event=event,
        object_plural="people",
        filter=f'emails.primaryEmail[eq]:"{email}"',
        label=f"a person with e-mail {email}",
    )
