"""Predictions the deal-intelligence app stores (issue 16): a record's win probability or churn
risk with its reasons and freshness, and the revenue forecast table. Read-only; the object scope
applies through ``connection().resolve`` (opportunities, companies, revenueForecasts).

What the app writes and when is described in apps/deal-intelligence/README.md: values change only
when the nightly job computes a different one, so ``changed_at`` is when the value last changed,
and the job runs at 03:15 (win probability, forecast) and 03:45 UTC (churn risk).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BaseModel, Field

from ..registry import tool
from ..runtime import connection, jsonable
from ._common import ObjectName, RecordId

APP = "deal-intelligence"
NOT_DEPLOYED = (
    "The {what} is not in this workspace: the deal-intelligence app (apps/deal-intelligence) "
    "defines it; deploy it with `inv deploy`."
)

# Per object: the stored fields and when the app refreshes them.
PREDICTIONS: dict[str, dict[str, str]] = {
    "opportunities": {
        "kind": "win_probability",
        "value": "winProbability",
        "reasons": "winProbabilityReasons",
        "changed_at": "winProbabilityAt",
        "refresh": "nightly at 03:15 UTC (win-probability-nightly)",
    },
    "companies": {
        "kind": "churn_risk",
        "value": "churnRisk",
        "reasons": "churnRiskReasons",
        "changed_at": "churnRiskAt",
        "refresh": "nightly at 03:45 UTC (churn-risk-nightly)",
    },
}


class Prediction(BaseModel):
    kind: Literal["win_probability", "churn_risk"]
    value: float | None = Field(description="0-100; null when the job has not scored this record yet")
    reasons: str | None = Field(description="The factors (model) or rules behind the value")
    basis: Literal["model", "stage_prior", "closed", "rules", "not_scored"] = Field(
        description="model: trained on the workspace's closed deals; stage_prior: too few closed deals, "
        "the stage's win rate; closed: a won (100) or lost (0) deal; rules: the churn rule score"
    )
    changed_at: str | None = Field(description="When the job last changed the value (ISO 8601)")
    age_hours: float | None = Field(description="Hours since changed_at")
    refresh: str = Field(description="When the app recomputes it")


NBA_REFRESH = (
    "nightly at 04:15 UTC when missing, older than 7 days or older than the record's last prediction "
    "change (next-best-action-nightly), and on a material change of the record (stage, amount, owner, …)"
)


class NextBestAction(BaseModel):
    action: str | None = Field(description="One concrete next step; null when none is stored yet")
    changed_at: str | None = Field(
        description="When the app last proposed the action or confirmed it unchanged (ISO 8601)"
    )
    age_hours: float | None = Field(description="Hours since changed_at")
    refresh: str = Field(description="When the app reconsiders it")


class PredictionResult(BaseModel):
    object: str
    id: str
    name: str | None = None
    predictions: list[Prediction]
    next_best_action: NextBestAction | None = Field(
        default=None,
        description="The stored nextBestAction / nextBestActionAt; null when this workspace's app "
        "version has no such field",
    )


class ForecastRow(BaseModel):
    month: str = Field(description="YYYY-MM of the deals' close dates")
    group: str = Field(description="'All deals', the owner's name or the stage")
    group_key: str
    expected: float = Field(description="Σ amount × win probability")
    best: float = Field(description="Upper end of the 90 % band")
    worst: float = Field(description="Lower end of the 90 % band")
    pipeline: float = Field(description="Σ amount of the open deals counted")
    deal_count: int
    currency: str | None
    updated_at: str | None


class ForecastResult(BaseModel):
    group_by: Literal["total", "owner", "stage"]
    months: list[str]
    currency: str | None
    rows: list[ForecastRow]
    totals: dict[str, float] = Field(description="expected / best / worst / pipeline summed over the rows")
    refreshed_at: str | None = Field(description="Latest change of any row shown")
    note: str


def _basis(kind: str, value: Any, reasons: Any) -> str:
    if value is None:
        return "not_scored"
    if kind == "churn_risk":
        return "rules"
    text = str(reasons or "")
    if text.startswith("Closed "):
        return "closed"
    return "stage_prior" if text.startswith("Stage prior") else "model"


def _age_hours(stamp: Any, now: datetime) -> float | None:
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return round((now - at).total_seconds() / 3600, 2)


@tool("analytics")
async def twenty_predict(object: ObjectName, id: RecordId) -> PredictionResult:
    """The stored prediction of one record with its reasons and freshness: an opportunity's win
    probability (0-100) or a company's churn risk (0-100), as the deal-intelligence app computed
    them nightly, and the record's stored next best action with when it was last proposed. Reads only;
    nothing is recomputed."""
    conn = await connection()
    obj = await conn.resolve(object)
    spec = PREDICTIONS.get(obj.name_plural)
    if spec is None:
        raise ToolError(
            f"No predictions are stored on {obj.name_plural}: ask for an opportunity (win probability) "
            "or a company (churn risk)."
        )
    record = jsonable(await conn.client.get_record(obj.name_plural, str(id)))
    if spec["value"] not in record:
        raise ToolError(NOT_DEPLOYED.format(what=f"field {obj.name_plural}.{spec['value']}"))
    value, reasons = record.get(spec["value"]), record.get(spec["reasons"]) or None  # TEXT: "" when unset
    now = datetime.now(UTC)
    prediction = Prediction(
        kind=spec["kind"],  # type: ignore[arg-type]
        value=value,
        reasons=reasons,
        basis=_basis(spec["kind"], value, reasons),  # type: ignore[arg-type]
        changed_at=record.get(spec["changed_at"]),
        age_hours=_age_hours(record.get(spec["changed_at"]), now),
        refresh=spec["refresh"],
    )
    nba = None
    if "nextBestAction" in record:  # both objects carry it since the app's next-best-action release
        nba = NextBestAction(
            action=record.get("nextBestAction") or None,  # TEXT: "" when unset
            changed_at=record.get("nextBestActionAt"),
            age_hours=_age_hours(record.get("nextBestActionAt"), now),
            refresh=NBA_REFRESH,
        )
    name = record.get("name")
    return PredictionResult(
        object=obj.name_plural,
        id=str(id),
        name=name if isinstance(name, str) else None,
        predictions=[prediction],
        next_best_action=nba,
    )


def _months(count: int, now: datetime) -> list[str]:
    out = []
    year, month = now.year, now.month
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _money(value: Any) -> tuple[float, str | None]:
    if isinstance(value, dict) and isinstance(value.get("amountMicros"), int | float):
        return value["amountMicros"] / 1_000_000, value.get("currencyCode")
    return 0.0, None


@tool("analytics")
async def twenty_forecast_revenue(
    months: Annotated[int, Field(default=6, ge=1, le=24, description="Months from the current one")] = 6,
    group_by: Annotated[
        Literal["total", "owner", "stage"], Field(default="total", description="One row per month and …")
    ] = "total",
) -> ForecastResult:
    """The revenue forecast the deal-intelligence app refreshes nightly: per month of close date,
    expected revenue (Σ amount × win probability) with a 90 % best/worst band and the pipeline
    counted, for all deals, per owner or per stage. Months without open deals have no row."""
    from twenty_api import TwentyNotFoundError
    from twenty_api.filters import F, and_

    conn = await connection()
    try:
        obj = await conn.resolve("revenueForecasts")  # the object scope applies (GateError passes)
    except TwentyNotFoundError as err:
        raise ToolError(NOT_DEPLOYED.format(what="revenueForecast object")) from err
    now = datetime.now(UTC)
    window = _months(months, now)
    wanted = and_(F("month").in_(window), F("groupBy").eq(group_by.upper()))
    records: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await conn.client.list_records(obj.name_plural, filter=wanted, limit=200, cursor=cursor)
        records.extend(jsonable(r) for r in page.records)
        if not page.has_next_page or not page.end_cursor or len(records) >= 5000:
            break
        cursor = page.end_cursor
    rows: list[ForecastRow] = []
    currencies: set[str] = set()
    for rec in records:
        if not rec.get("dealCount"):
            continue  # a key no open deal feeds any more (the app zeroes instead of deleting)
        expected, currency = _money(rec.get("expectedAmount"))
        if currency:
            currencies.add(currency)
        rows.append(
            ForecastRow(
                month=str(rec.get("month")),
                group=str(rec.get("groupLabel") or rec.get("groupKey") or ""),
                group_key=str(rec.get("groupKey") or ""),
                expected=expected,
                best=_money(rec.get("bestAmount"))[0],
                worst=_money(rec.get("worstAmount"))[0],
                pipeline=_money(rec.get("pipelineAmount"))[0],
                deal_count=int(rec.get("dealCount") or 0),
                currency=currency,
                updated_at=rec.get("updatedAt"),
            )
        )
    rows.sort(key=lambda r: (r.month, -r.expected, r.group))
    totals = {
        key: round(sum(getattr(r, key) for r in rows), 2) for key in ("expected", "best", "worst", "pipeline")
    }
    stamps = [r.updated_at for r in rows if r.updated_at]
    return ForecastResult(
        group_by=group_by,
        months=window,
        currency=currencies.pop() if len(currencies) == 1 else None,
        rows=rows,
        totals=totals,
        refreshed_at=max(stamps) if stamps else None,
        note="Refreshed nightly at 03:15 UTC by the deal-intelligence app; summing best (or worst) "
        "cases over rows overstates the band, since deals do not all win (or lose) together.",
    )
