"""Replenishment use cases: the plan with its purchase suggestions, the shortage radar, and draft POs from a plan.

The inputs are read in one read-only transaction (a consistent snapshot), the forecast is made from
the demand history, and restock.planning.engine computes everything for the whole catalog at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput
from restock.planning.columns import RECENT_COLUMNS, stock_with_backorders
from restock.planning.engine import ForecastLike, PlanInputs, PlanResult, build_plan, plan_horizon
from restock.planning.engines import forecast_engine
from restock.planning.explain import figure
from restock.planning.forecast import forecast_demand
from restock.planning.inbound import with_expected_arrivals
from restock.planning.policy import with_default_settings
from restock.planning.radar import FLAGS, recent_demand
from restock.planning.suppliers import measured_terms, skus_without_terms
from restock.services import plan_runs
from restock.services.context import Context, use_case
from restock.services.demand import demand_history
from restock.services.planning_views import PlanOut, PlanRunOut, RiskOut, SuggestionOut, SupplierTotalOut
from restock.services.purchasing import POView, new_draft_po
from restock.services.reliability import load_scorecards
from restock.store import planning as store

Progress = Callable[[int, int], None]
Forecaster = Callable[[Context, int, Progress | None], ForecastLike]


# ---------------------------------------------------------------- inputs


@use_case(readonly=True)
def load_plan_inputs(session: Session, ctx: Context, recent: pd.DataFrame | None = None) -> PlanInputs:
    """Everything the engine needs, read in one consistent snapshot."""
    scores = pd.DataFrame([vars(s) for s in load_scorecards(session, ctx)])
    return PlanInputs(
        today=ctx.clock.today(),
        stock=stock_with_backorders(store.stock_positions(session), store.waiting_backorders(session)),
        skus=with_default_settings(store.sku_settings(session)),
        candidates=measured_terms(store.supplier_terms(session), scores),
        inbound=with_expected_arrivals(store.open_inbound(session), scores),
        recent=recent if recent is not None else pd.DataFrame(columns=RECENT_COLUMNS),
    )


# ---------------------------------------------------------------- views


DATE_COLUMNS = ("stockout_date", "stockout_to_prevent", "below_safety_date", "next_receipt")


def _with_iso_dates(rows: pd.DataFrame) -> pd.DataFrame:
    """The date columns as YYYY-MM-DD strings or None, converted for all rows at once."""
    rows = rows.copy()
    for column in DATE_COLUMNS:
        days = pd.to_datetime(rows[column])
        text = days.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
        text[days.isna().to_numpy()] = None
        rows[column] = text
    return rows


Suggestion = SuggestionOut
RiskRow = RiskOut


def by_urgency(suggestions: pd.DataFrame) -> pd.DataFrame:
    """The purchases to make, most urgent first: the earliest projected stock-out (none: last), then the largest
    order value; ties by supplier, warehouse and SKU so the list reads the same every time."""
    ranked = suggestions.assign(value=suggestions["quantity"] * suggestions["unit_cost"].astype("float64"))
    return ranked.sort_values(
        ["stockout_date", "value", "supplier", "warehouse", "sku"],
        ascending=[True, False, True, True, True],
        na_position="last",
        kind="stable",
    )


def _suggestions(result: PlanResult) -> list[Suggestion]:
    rows = _with_iso_dates(by_urgency(result.suggestions))
    return [
        Suggestion(
            sku=r["sku"],
            warehouse=r["warehouse"],
            supplier=r["supplier"],
            quantity=int(r["quantity"]),
            unit_cost=float(r["unit_cost"]),
            value=round(int(r["quantity"]) * float(r["unit_cost"]), 2),
            abc=r["abc"],
            service_level=float(r["service_level"]),
            position=int(r["position"]),
            safety_stock=figure(r["safety_stock"]),
            reorder_point=figure(r["reorder_point"]),
            order_up_to=figure(r["order_up_to"]),
            stockout_date=r["stockout_date"],
            stockout_to_prevent=r["stockout_to_prevent"],
            late_supplier=bool(r["late_supplier"]),
            days_late=int(r["days_late"]),
            open_pos=list(r["open_pos"]),
            explanation=r["explanation"],
        )
        for r in rows.to_dict("records")
    ]


def supplier_totals(suggestions: Sequence[Suggestion]) -> list[SupplierTotalOut]:
    """Lines, units and value of the suggestions per supplier, by supplier code (the value is the sum of the
    lines' values, as shown)."""
    totals: dict[str, tuple[int, int, float]] = {}
    for s in suggestions:
        lines, units, value = totals.get(s.supplier, (0, 0, 0.0))
        totals[s.supplier] = (lines + 1, units + s.quantity, value + s.value)
    return [
        SupplierTotalOut(supplier=supplier, lines=lines, units=units, value=round(value, 2))
        for supplier, (lines, units, value) in sorted(totals.items())
    ]


def _radar(result: PlanResult) -> list[RiskRow]:
    projection = np.floor(result.projection + 1e-9).astype("int64")
    radar = _with_iso_dates(result.radar)
    flags = radar[list(FLAGS)].to_numpy(dtype=bool)
    names = np.array(FLAGS, dtype=object)
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
            reason=r["reason"],
            projected=projection[int(r["row"])].tolist(),
        )
        for i, r in enumerate(radar.to_dict("records"))
    ]


PlanReport = PlanOut


def demand_until(result: PlanResult) -> date | None:
    """The last day of demand the forecasts saw: the day before the first day they forecast (none: no forecast)."""
    return result.days[0] - timedelta(days=1) if result.days else None


def report_of(inputs: PlanInputs, horizon: int, result: PlanResult, inputs_at: datetime) -> PlanReport:
    """The plan as its users read it; `inputs_at`: when its inputs were read (the stock is as of then)."""
    suggestions = _suggestions(result)
    return PlanReport(
        today=inputs.today,
        inputs_at=inputs_at,
        demand_until=demand_until(result),
        horizon_days=horizon,
        planned=len(result.rows),
        without_terms=skus_without_terms(result.rows),
        suggestions=suggestions,
        totals=supplier_totals(suggestions),
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
    inputs_at = ctx.clock.now()
    inputs = load_plan_inputs(ctx, recent)
    horizon = plan_horizon(inputs)
    forecasts = forecaster(ctx, horizon, progress)
    return report_of(inputs, horizon, build_plan(inputs, forecasts, ctx.settings), inputs_at)


def plan(ctx: Context, *, n_jobs: int = 1, progress: Progress | None = None) -> PlanReport:
    """Today's plan from the demand history: forecasts (statsforecast, on the cluster RESTOCK_PLAN_ENGINE names or
    here with `n_jobs` processes) over the plan's horizon, then the engine."""
    history = demand_history(ctx, today=ctx.clock.today())
    engine = forecast_engine(ctx.settings.plan_engine, n_jobs)

    def forecaster(ctx: Context, horizon: int, progress: Progress | None) -> ForecastLike:
        return forecast_demand(history, horizon, engine=engine, progress=progress)

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
    run: PlanRunOut
    """The run as stored (`restock plan runs`)."""


def daily_plan(ctx: Context, plan_today: Callable[[Context], PlanReport] = plan) -> DailyPlan:
    """The worker's daily run: today's plan and, with RESTOCK_PLAN_CREATE_POS, its suggestions as draft POs; the run
    is stored with the drafts it made, in one transaction (and its summary queued for RESTOCK_PLAN_NOTIFY).

    Nothing is drafted twice: the plan counts every open PO line (drafts included) in the position, so a
    SKU x warehouse that an open PO covers gets no suggestion, as with `restock plan --create-pos`.
    """
    report = plan_today(ctx)

    def drafts() -> list[POView]:
        if not ctx.settings.plan_creates_pos:
            return []
        return create_purchase_orders(ctx, report.suggestions)

    recorded = plan_runs.record_plan_run(ctx, report, "daily", drafts)
    return DailyPlan(report, recorded.created, recorded.run)
