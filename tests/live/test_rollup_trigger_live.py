"""The rollup app's database-event trigger on a real Twenty 2.21.0 (marker `live`): it starts for an
update of a rolled-up input (the deal's amount) and not for any other update (a rename, or what the
other apps write on a deal: scores, next best actions), because its updatedFields are the inputs
(apps/rollup-engine/src/lib/rollup.ts ROLLUP_INPUTS; 2.21 filters updated events by them in
transform-event-batch-to-event-payloads.ts).

Observed through the company: its rollup is set wrong by hand; a run of the rollup would put it
right, so a rename that leaves it wrong started no run, and the amount change that follows puts it
right. Needs the rollup-engine app deployed (`inv deploy`). The records it makes are deleted.

Run (TWENTY_LIVE_URL/KEY set): `uv run pytest -m live tests/live/test_rollup_trigger_live.py -s`
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest

from tests.live_twenty import LiveTwenty

pytestmark = pytest.mark.live


def _usd(dollars: int) -> dict[str, Any]:
    return {"amountMicros": dollars * 1_000_000, "currencyCode": "USD"}


def test_the_rollup_runs_for_its_inputs_only() -> None:
    live = LiveTwenty()
    functions = live.meta("{ findManyLogicFunctions { name databaseEventTriggerSettings } }")
    (trigger,) = [
        f["databaseEventTriggerSettings"]
        for f in functions["findManyLogicFunctions"]
        if f["name"] == "rollup-on-opportunity"
    ] or [None]
    assert trigger, "rollup-on-opportunity is not deployed here: run `inv deploy` first"
    assert sorted(trigger.get("updatedFields") or []) == ["amount", "closeDate", "companyId", "stage"], (
        trigger
    )

    def company_pipeline() -> int | None:
        company = live.rest("GET", f"companies/{company_id}", params={"depth": 0})["data"]["company"]
        return (company.get("openPipelineAmount") or {}).get("amountMicros")

    def timed(what: str, amount_micros: int) -> float:
        started = time.monotonic()
        live.wait(what, lambda: company_pipeline() == amount_micros, 300, every=1)
        return time.monotonic() - started

    suffix = uuid.uuid4().hex[:6]
    try:
        company_id = live.create("companies", "Company", {"name": f"Rollup trigger {suffix}"})["id"]
        deal = {
            "name": f"Rollup deal {suffix}",
            "companyId": company_id,
            "stage": "NEW",
            "amount": _usd(1500),
        }
        deal_id = live.create("opportunities", "Opportunity", deal)["id"]
        created = timed("the rollup after the deal was created", 1500_000_000)
        # set the company's rollup wrong by hand: any rollup run would put it back to 1,500
        live.rest("PATCH", f"companies/{company_id}", json={"openPipelineAmount": _usd(1)})
        live.rest("PATCH", f"opportunities/{deal_id}", json={"name": f"Rollup deal {suffix} (renamed)"})
        quiet = max(30.0, 3 * created)
        time.sleep(quiet)
        assert company_pipeline() == 1_000_000, "a rename started the rollup"
        live.rest("PATCH", f"opportunities/{deal_id}", json={"amount": _usd(2000)})
        moved = timed("the rollup after the amount changed", 2000_000_000)
        print(
            f"\nrollup: created → {created:.1f} s; rename → no run in {quiet:.0f} s; amount → {moved:.1f} s"
        )
    finally:
        for plural, id in reversed(live.created):
            live.http.delete(f"/rest/{plural}/{id}", params={"soft_delete": "false"})
