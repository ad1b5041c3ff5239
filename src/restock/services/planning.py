"""Replenishment use cases: the plan with its purchase suggestions, the shortage radar, and draft POs from a plan.

The inputs are read in one read-only transaction (a consistent snapshot), the forecast is made from
the demand history, and restock.planning.engine computes everything for the whole catalog at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput
from restock.planning.engine import RECENT_DAYS, ForecastLike, PlanInputs, PlanResult, build_plan
from restock.planning.forecast import forecast_demand
from restock.planning.policy import DEFAULT
from restock.planning.reliability import MIN_HISTORY
from restock.services.context import Context, use_case
from restock.services.demand import demand_history
from restock.services.purchasing import POView, new_draft_po
from restock.services.reliability import load_scorecards
from restock.store import planning as store

MIN_HORIZON_DAYS = 14
MAX_HORIZON_DAYS = 180
"""The forecast horizon is the longest lead time plus review period, within these bounds."""

Progress = Callable[[int, int], None]
Forecaster = Callable[[Context, int, Progress | None], ForecastLike]


# ---------------------------------------------------------------- inputs


def _skus(session: Session) -> pd.DataFrame:
    skus = store.sku_settings(session)
    skus["price"] = skus["price"].astype("float64")
    skus["review_days"] = pd.to_numeric(skus["review_days"]).fillna(DEFAULT.review_days).astype("int64")
    skus["policy"] = skus["policy"].where(skus["policy"].notna(), DEFAULT.policy.value)
    skus["order_cost"] = skus["order_cost"].astype("float64").fillna(float(DEFAULT.order_cost))
    skus["holding_rate"] = skus["holding_rate_pct"].astype("float64").fillna(float(DEFAULT.holding_rate_pct)) / 100
    skus["service_level"] = skus["service_level_pct"].astype("float64") / 100
    return skus


def _stock(session: Session) -> pd.DataFrame:
    stock = store.stock_positions(session).merge(
        store.waiting_backorders(session), on=["sku", "warehouse"], how="outer"
    )
    for column in ("on_hand", "allocated", "backorders"):
        stock[column] = pd.to_numeric(stock[column]).fillna(0).astype("int64")
    return stock


def _candidates(session: Session, ctx: Context) -> pd.DataFrame:
    """Recorded terms with measured lead times: the SKU's own history with that supplier, else the supplier's,
    else the quote (taken as certain); on-time and fill rates likewise."""
    terms = store.supplier_terms(session)
    scores = pd.DataFrame([vars(s) for s in load_scorecards(session, ctx)])
    measured = ["lead_time_mean", "lead_time_std", "lead_time_p90", "on_time_rate", "fill_rate"]
    if scores.empty:
        scores = pd.DataFrame(columns=["supplier", "sku", "received_pos", *measured])
    scores = scores[scores["received_pos"] >= MIN_HISTORY]
    pair = scores[scores["sku"].notna()][["supplier", "sku", *measured]]
    whole = scores[scores["sku"].isna()][["supplier", *measured]]
    found = terms.merge(pair, on=["supplier", "sku"], how="left").merge(
        whole, on="supplier", how="left", suffixes=("", "_supplier")
    )
    for column in measured:
        found[column] = found[column].astype("float64").fillna(found[f"{column}_supplier"].astype("float64"))
    quoted = found["quoted_lead_time"].astype("float64")
    found["lead_time_mean"] = found["lead_time_mean"].fillna(quoted)
    found["lead_time_p90"] = found["lead_time_p90"].fillna(quoted)
    found["lead_time_std"] = found["lead_time_std"].fillna(0.0)
    found["unit_cost"] = found["unit_cost"].astype("float64")
    return found


@use_case(readonly=True)
def load_plan_inputs(session: Session, ctx: Context, recent: pd.DataFrame | None = None) -> PlanInputs:
    """Everything the engine needs, read in one consistent snapshot."""
    return PlanInputs(
        today=ctx.clock.today(),
        stock=_stock(session),
        skus=_skus(session),
        candidates=_candidates(session, ctx),
        inbound=store.open_inbound(session),
        recent=recent if recent is not None else pd.DataFrame(columns=["sku", "warehouse", "recent_mean"]),
    )


def plan_horizon(inputs: PlanInputs) -> int:
    """Days to forecast: the longest P90 lead time plus review period among the SKUs that can be bought."""
    if inputs.candidates.empty:
        return MIN_HORIZON_DAYS
    reach = inputs.candidates.merge(inputs.skus[["sku", "review_days"]], on="sku")
    longest = float((reach["lead_time_p90"] + reach["review_days"]).max())
    return int(min(MAX_HORIZON_DAYS, max(MIN_HORIZON_DAYS, math.ceil(longest))))


# ---------------------------------------------------------------- views


DATE_COLUMNS = ("stockout_date", "below_safety_date", "next_receipt")


def _with_iso_dates(rows: pd.DataFrame) -> pd.DataFrame:
    """The date columns as YYYY-MM-DD strings or None, converted for all rows at once."""
    rows = rows.copy()
    for column in DATE_COLUMNS:
        days = pd.to_datetime(rows[column])
        text = days.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        text[days.isna().to_numpy()] = None
        rows[column] = text
    return rows


@dataclass(frozen=True)
class Suggestion:
    """One purchase to make: SKU, warehouse, supplier, quantity, with the figures behind it and a one-line why."""

    sku: str
    warehouse: str
    supplier: str
    quantity: int
    unit_cost: float
    abc: str
    service_level: float
    position: int
    safety_stock: float
    reorder_point: float
    order_up_to: float
    stockout_date: str | None
    late_supplier: bool
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return vars(self) | {"value": round(self.quantity * self.unit_cost, 2)}


@dataclass(frozen=True)
class RiskRow:
    """One SKU x warehouse at risk: when it runs short, how much revenue that puts at risk, and why."""

    sku: str
    warehouse: str
    stockout_date: str | None
    below_safety_date: str | None
    next_receipt: str | None
    units_short: int
    revenue_at_risk: float
    flags: list[str]
    projected: list[int] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return vars(self).copy()


FLAG_NAMES = ("stockout_before_receipt", "late_po", "supplier_slipping", "demand_spike", "late_supplier")


def _suggestions(result: PlanResult) -> list[Suggestion]:
    rows = _with_iso_dates(result.suggestions.sort_values(["supplier", "warehouse", "sku"], kind="stable"))
    return [
        Suggestion(
            sku=r["sku"],
            warehouse=r["warehouse"],
            supplier=r["supplier"],
            quantity=int(r["quantity"]),
            unit_cost=float(r["unit_cost"]),
            abc=r["abc"],
            service_level=float(r["service_level"]),
            position=int(r["position"]),
            safety_stock=round(float(r["safety_stock"]), 2),
            reorder_point=round(float(r["reorder_point"]), 2),
            order_up_to=round(float(r["order_up_to"]), 2),
            stockout_date=r["stockout_date"],
            late_supplier=bool(r["late_supplier"]),
            explanation=r["explanation"],
        )
        for r in rows.to_dict("records")
    ]


def _radar(result: PlanResult) -> list[RiskRow]:
    projection = np.floor(result.projection + 1e-9).astype("int64")
    radar = _with_iso_dates(result.radar)
    flags = radar[list(FLAG_NAMES)].to_numpy(dtype=bool)
    names = np.array(FLAG_NAMES, dtype=object)
    return [
        RiskRow(
            sku=r["sku"],
            warehouse=r["warehouse"],
            stockout_date=r["stockout_date"],
            below_safety_date=r["below_safety_date"],
            next_receipt=r["next_receipt"],
            units_short=int(r["units_short"]),
            revenue_at_risk=round(float(r["revenue_at_risk"]), 2),
            flags=list(names[flags[i]]),
            projected=projection[int(r["row"])].tolist(),
        )
        for i, r in enumerate(radar.to_dict("records"))
    ]


@dataclass(frozen=True)
class PlanReport:
    today: date
    horizon_days: int
    planned: int
    """SKU x warehouse rows planned."""
    without_terms: list[str]
    """SKUs with demand or stock but no supplier terms: they cannot be reordered until terms are recorded."""
    suggestions: list[Suggestion]
    radar: list[RiskRow]

    def to_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "horizon_days": self.horizon_days,
            "planned": self.planned,
            "without_terms": self.without_terms,
            "suggestions": [s.to_json() for s in self.suggestions],
        }


def report_of(inputs: PlanInputs, horizon: int, result: PlanResult) -> PlanReport:
    rows = result.rows
    missing = rows[rows["supplier"].isna() & ((rows["demand_mean"] > 0) | (rows["backorders"] > 0))]
    return PlanReport(
        today=inputs.today,
        horizon_days=horizon,
        planned=len(rows),
        without_terms=sorted(set(missing["sku"])),
        suggestions=_suggestions(result),
        radar=_radar(result),
    )


# ---------------------------------------------------------------- use cases


def run_plan(
    ctx: Context,
    forecaster: Forecaster,
    *,
    recent: pd.DataFrame | None = None,
    progress: Progress | None = None,
) -> PlanReport:
    """Load, forecast over the plan's horizon, and plan: suggestions and radar for the whole catalog."""
    inputs = load_plan_inputs(ctx, recent)
    horizon = plan_horizon(inputs)
    forecasts = forecaster(ctx, horizon, progress)
    return report_of(inputs, horizon, build_plan(inputs, forecasts, ctx.settings))


def recent_demand(history: pd.DataFrame, today: date) -> pd.DataFrame:
    """Units per day over the last RECENT_DAYS days of the demand history (days without demand count as 0)."""
    since = pd.Timestamp(today) - pd.Timedelta(days=RECENT_DAYS)
    last = history[pd.to_datetime(history["ds"]) >= since]
    recent = last.groupby(["sku", "warehouse"])["y"].sum().reset_index()
    recent["recent_mean"] = recent["y"].astype("float64") / RECENT_DAYS
    return recent.drop(columns=["y"])


def plan(ctx: Context, *, n_jobs: int = 1, progress: Progress | None = None) -> PlanReport:
    """Today's plan from the demand history: forecasts (statsforecast) over the plan's horizon, then the engine."""
    history = demand_history(ctx, today=ctx.clock.today())

    def forecaster(ctx: Context, horizon: int, progress: Progress | None) -> ForecastLike:
        return forecast_demand(history, horizon, n_jobs=n_jobs, progress=progress)

    return run_plan(ctx, forecaster, recent=recent_demand(history, ctx.clock.today()), progress=progress)


@use_case()
def create_purchase_orders(session: Session, ctx: Context, suggestions: Sequence[Suggestion]) -> list[POView]:
    """Draft POs from suggestions, one per supplier and warehouse, all in one transaction (all or none)."""
    if not suggestions:
        return []
    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for s in suggestions:
        if s.quantity <= 0:
            raise InvalidInput(f"a suggestion for {s.sku} has no quantity to order")
        groups.setdefault((s.supplier, s.warehouse), []).append((s.sku, s.quantity))
    return [
        new_draft_po(session, ctx, supplier, warehouse, lines)
        for (supplier, warehouse), lines in sorted(groups.items())
    ]


@dataclass(frozen=True)
class DailyPlan:
    report: PlanReport
    created: list[POView]


def daily_plan(ctx: Context, plan_today: Callable[[Context], PlanReport] = plan) -> DailyPlan:
    """The worker's daily run: today's plan and, with RESTOCK_PLAN_CREATE_POS, its suggestions as draft POs.

    A SKU x warehouse that already has a draft or sent (not yet confirmed) PO line gets no new draft: the
    plan counts only confirmed inbound supply, so without this rule an unsent draft would be drafted again
    every day until someone confirms it.
    """
    report = plan_today(ctx)
    if not ctx.settings.plan_creates_pos:
        return DailyPlan(report, [])
    waiting = unconfirmed_purchases(ctx)
    fresh = [s for s in report.suggestions if (s.sku, s.warehouse) not in waiting]
    return DailyPlan(report, create_purchase_orders(ctx, fresh))


@use_case(readonly=True)
def unconfirmed_purchases(session: Session, ctx: Context) -> set[tuple[str, str]]:
    """(SKU, warehouse) pairs on a draft or sent PO: ordered, or about to be, but not yet confirmed."""
    return store.unconfirmed_purchase_pairs(session)
