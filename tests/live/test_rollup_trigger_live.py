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
from collections.abc import Callable
from typing import Any

import pytest

from tests.live_twenty import LiveTwenty

pytestmark = pytest.mark.live


def _usd(dollars: int) -> dict[str, Any]:
    return {"amountMicros": dollars * 1_000_000, "currencyCode": "USD"}


def _until(what: str, probe: Callable[[], Any], seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if probe():
            return time.monotonic() - started
        time.sleep(1)
    raise AssertionError(f"{what}: not within {seconds:.0f} s")


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

    def rest(method: str, path: str, **kw: Any) -> dict[str, Any]:
        answer = live.http.request(method, f"/rest/{path}", **kw)
        assert answer.status_code < 300, f"{method} {path}: {answer.status_code} {answer.text[:300]}"
        return answer.json()["data"] if answer.content else {}

    def company_pipeline() -> int | None:
        company = rest("GET", f"companies/{company_id}", params={"depth": 0})["company"]
        return (company.get("openPipelineAmount") or {}).get("amountMicros")

    suffix = uuid.uuid4().hex[:6]
    company_id = rest("POST", "companies", json={"name": f"Rollup trigger {suffix}"})["createCompany"]["id"]
    deal_id = None
    try:
        deal = rest(
            "POST",
            "opportunities",
            json={
                "name": f"Rollup deal {suffix}",
                "companyId": company_id,
                "stage": "NEW",
                "amount": _usd(1500),
            },
        )
        deal_id = deal["createOpportunity"]["id"]
        created = _until(
            "the rollup after the deal was created", lambda: company_pipeline() == 1500_000_000, 300
        )
        # set the company's rollup wrong by hand: any rollup run would put it back to 1,500
        rest("PATCH", f"companies/{company_id}", json={"openPipelineAmount": _usd(1)})
        rest("PATCH", f"opportunities/{deal_id}", json={"name": f"Rollup deal {suffix} (renamed)"})
        quiet = max(30.0, 3 * created)
        time.sleep(quiet)
        assert company_pipeline() == 1_000_000, "a rename started the rollup"
        rest("PATCH", f"opportunities/{deal_id}", json={"amount": _usd(2000)})
        moved = _until("the rollup after the amount changed", lambda: company_pipeline() == 2000_000_000, 300)
        print(
            f"\nrollup: created → {created:.1f} s; rename → no run in {quiet:.0f} s; amount → {moved:.1f} s"
        )
    finally:
        if deal_id:
            live.http.delete(f"/rest/opportunities/{deal_id}", params={"soft_delete": "false"})
        live.http.delete(f"/rest/companies/{company_id}", params={"soft_delete": "false"})
