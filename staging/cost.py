"""What a stack cost while it lived, from the offline plan's monthly prices."""

from __future__ import annotations

HOURS_PER_MONTH = 730.0  # Google's billing month


def accrued_cost(monthly_total_usd: float, lifetime_seconds: float) -> float:
    """The share of a monthly price a stack accrues over its lifetime (linear, as GCP bills)."""
    if monthly_total_usd < 0 or lifetime_seconds < 0:
        raise ValueError("monthly total and lifetime must not be negative")
    return monthly_total_usd * (lifetime_seconds / 3600.0) / HOURS_PER_MONTH


def monthly_estimate(stack: str) -> float | None:
    """Monthly total of the example a stack derives from: the offline plan (`inv plan`) priced
    by `infra.pricing`, or None when the plan cannot run (the summary then says so)."""
    base = "prod" if stack.startswith("prod") else "staging"
    try:
        from infra import plan, pricing  # heavy (the program under mocks): imported only when asked

        return float(pricing.total(plan.plan_stack(base).costs()))
    except Exception:  # the estimate is informative; a failing plan must not fail the run
        return None
