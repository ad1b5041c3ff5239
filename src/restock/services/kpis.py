"""The numbers that show the business: one read-only transaction reads the facts of a window of days, and
`restock.planning.kpi` computes every figure from them, in total, per day, per channel, SKU and supplier.

The window is the `days` full days before today (today is not over yet), as the demand history's. Lost demand
reuses the demand history's own censor correction (`services.demand.demand_history`, in this transaction): the
days before the window are read too, so that a stock-out at its start is estimated from the days around it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd
from pydantic import Field
from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput
from restock.planning.demand import CENSOR_WINDOW_DAYS
from restock.planning.kpi import (
    KPI_COLUMNS,
    PART_COLUMNS,
    KpiFacts,
    cancellation_by_wait,
    end_of_day_stock,
    kpi_table,
)
from restock.services.context import Context, joining, use_case
from restock.services.demand import demand_history
from restock.services.views import ReadModel
from restock.store import kpis as store
from restock.store import repo
from restock.store.planning import stock_positions, supplier_terms

DEFAULT_KPI_DAYS = 90
MAX_KPI_DAYS = 365
COST_BASIS = "lowest unit cost among the SKU's suppliers (supplier terms), today"
NOT_PER_CHANNEL = (
    "lost demand, inventory value and days of cover belong to a SKU x warehouse, which serves every channel it is "
    "listed for: they are not shown per channel (by_channel, or for one channel)"
)


@dataclass(frozen=True)
class KpiQuery:
    """What to show: a channel, a SKU, a supplier's SKUs (codes; None: all) over the `days` days before today."""

    channel: str | None = None
    sku: str | None = None
    supplier: str | None = None
    days: int = DEFAULT_KPI_DAYS


def window_of(today: date, days: int) -> tuple[date, date]:
    """The `days` full days before today, first and last; a window outside 1..MAX_KPI_DAYS is refused."""
    if not 1 <= days <= MAX_KPI_DAYS:
        raise InvalidInput(f"days must be from 1 to {MAX_KPI_DAYS}, got {days}")
    return today - timedelta(days=days), today - timedelta(days=1)


def load_kpi_facts(session: Session, ctx: Context, query: KpiQuery) -> KpiFacts:
    """The facts of `query`'s window and scope, read in the caller's transaction."""
    today = ctx.clock.today()
    start, end = window_of(today, query.days)
    scope = store.KpiScope(
        channel_id=None if query.channel is None else repo.channel_by_code(session, query.channel).id,
        sku_id=None if query.sku is None else repo.sku_by_code(session, query.sku).id,
        supplier_id=None if query.supplier is None else repo.supplier_by_code(session, query.supplier).id,
    )
    terms = _keyed(supplier_terms(session))
    skus = _skus_in_scope(query, terms)
    parts = _keyed(store.part_facts(session, start, end, scope))
    policies = _keyed(store.sku_policies(session))
    history = _keyed(_in(_history(session, ctx, today, start, query.days), skus))
    stock_now = _stock_now(_keyed(_in(stock_positions(session), skus)), history)
    days = pd.date_range(start, end, freq="D")
    return KpiFacts(
        today=today,
        days=days,
        parts=_part_columns(parts),
        history=history,
        prices=policies[["sku", "price"]],
        signups=_keyed(store.signups(session, start, end, scope)),
        stock_now=stock_now,
        stock_daily=end_of_day_stock(stock_now, store.stock_moves(session, start, scope), days),
        costs=_lowest_costs(terms),
        suppliers=_in(terms[["sku", "supplier"]], skus),
        per_warehouse=query.channel is None,
    )


_TEXT_KEYS = ("sku", "warehouse", "channel", "supplier")


def _keyed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its code columns as text even when it has no rows (pandas types an empty column as floats,
    which it then refuses to merge with text)."""
    return frame.astype({key: "object" for key in _TEXT_KEYS if key in frame.columns})


def _lowest_costs(terms: pd.DataFrame) -> pd.DataFrame:
    """sku, unit_cost: the lowest landed cost among the suppliers that offer the SKU (COST_BASIS)."""
    costs = terms.assign(unit_cost=terms["unit_cost"].astype("float64"))
    return costs.groupby("sku")["unit_cost"].min().reset_index()


def _skus_in_scope(query: KpiQuery, terms: pd.DataFrame) -> set[str] | None:
    """The SKU codes the query keeps (None: every SKU)."""
    skus: set[str] | None = None if query.sku is None else {query.sku}
    if query.supplier is not None:
        offered = set(terms.loc[terms["supplier"] == query.supplier, "sku"])
        skus = offered if skus is None else skus & offered
    return skus


def _in(frame: pd.DataFrame, skus: set[str] | None) -> pd.DataFrame:
    return frame if skus is None else frame[frame["sku"].isin(skus)].reset_index(drop=True)


def _stock_now(positions: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """Stock now of every SKU x warehouse with a balance or a demand history (a pair with demand and no stock row
    has none: its demand still counts against the stock of the days of cover)."""
    pairs = history[["sku", "warehouse"]].drop_duplicates()
    stock = positions.merge(pairs, on=["sku", "warehouse"], how="outer")
    stock[["on_hand", "allocated"]] = stock[["on_hand", "allocated"]].fillna(0).astype("int64")
    return stock.assign(sellable=stock["on_hand"] - stock["allocated"])


def _part_columns(parts: pd.DataFrame) -> pd.DataFrame:
    return parts.assign(
        day=pd.to_datetime(parts["placed_at"]).dt.normalize(),
        shipped_on=pd.to_datetime(parts["shipped_at"]).dt.normalize(),
        promised_latest=pd.to_datetime(parts["promised_latest"]),
    )[PART_COLUMNS]


def _history(session: Session, ctx: Context, today: date, start: date, days: int) -> pd.DataFrame:
    """The demand history of the window, censor-corrected from the days around each day (those before it too)."""
    with joining(session):
        history = demand_history(ctx, today=today, days=days + CENSOR_WINDOW_DAYS)
    history = history.rename(columns={"ds": "day"})
    history["day"] = pd.to_datetime(history["day"])  # typed even when empty
    return history[history["day"] >= pd.Timestamp(start)].reset_index(drop=True)


# ---------------------------------------------------------------- the answer


class KpiFigures(ReadModel):
    """The figures of one group (the totals, a day, a channel, a SKU, a supplier). None: nothing to measure."""

    lines: int = Field(description="Order lines placed in the window.")
    units: int = Field(description="Units ordered on those lines.")
    units_from_stock: int = Field(description="Of them, units allocated from stock when the order was placed.")
    fill_rate: float | None = Field(description="units_from_stock / units.")
    backorder_lines: int = Field(description="Lines with at least one unit backordered when placed.")
    backorder_rate: float | None = Field(description="backorder_lines / lines.")
    promises_due: int = Field(
        description="Backorder lines with a dated promise that shipped, or whose latest promised date has passed."
    )
    promises_kept: int = Field(description="Of them, lines whose backordered units all shipped by that date.")
    promise_kept_rate: float | None = Field(description="promises_kept / promises_due.")
    promises_broken: int = Field(description="promises_due - promises_kept.")
    average_delay_days: float | None = Field(
        description="Days beyond the promise, averaged over the broken promises (days so far for those still waiting)."
    )
    backordered_units: int = Field(description="Units backordered when their order was placed.")
    cancelled_backorder_units: int = Field(description="Of them, units cancelled since (by anyone).")
    backorder_cancellation_rate: float | None = Field(description="cancelled_backorder_units / backordered_units.")
    lost_units: float | None = Field(
        description="Estimated demand not sold on out-of-stock days: censor-corrected demand - units ordered."
    )
    lost_value: float | None = Field(description="lost_units x the SKU's price today.")
    signups: int = Field(description="Notify-me sign-ups made in the window.")
    on_hand: int | None = Field(description="Units on hand (now; per day: at the end of the day).")
    inventory_value: float | None = Field(description="on_hand x unit cost (see cost_basis).")
    uncosted_units: int | None = Field(description="Units on hand of SKUs without a recorded unit cost.")
    sellable: int | None = Field(description="Units on hand - allocated.")
    demand_per_day: float | None = Field(description="Average censor-corrected daily demand over the window.")
    days_of_cover: float | None = Field(description="sellable / demand_per_day.")


class KpiDay(KpiFigures):
    day: date


class KpiGroup(KpiFigures):
    code: str = Field(description="The channel's, SKU's or supplier's code.")


class WaitBucketOut(ReadModel):
    wait: str = Field(description="Days from the order to the latest ship date promised then ('undated': none).")
    backordered_units: int
    cancelled_units: int
    cancellation_rate: float | None


class KpiReport(ReadModel):
    today: date
    first_day: date
    last_day: date
    days: int
    channel: str | None
    sku: str | None
    supplier: str | None
    cost_basis: str = Field(description="Which unit cost values the inventory.")
    note: str = Field(description="What is not shown, and why.")
    totals: KpiFigures
    daily: list[KpiDay]
    by_channel: list[KpiGroup]
    by_sku: list[KpiGroup]
    by_supplier: list[KpiGroup]
    cancellation_by_wait: list[WaitBucketOut]


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def _groups(facts: KpiFacts, column: str) -> list[KpiGroup]:
    table = kpi_table(facts, [column]).rename(columns={column: "code"})
    return [KpiGroup(**row) for row in _records(table)]


@use_case(readonly=True)
def business_kpis(session: Session, ctx: Context, query: KpiQuery = KpiQuery()) -> KpiReport:
    """Every figure of `restock.planning.kpi` over the window: the totals, each day, each channel, SKU and
    supplier, and the backorder cancellation rate by promised wait."""
    facts = load_kpi_facts(session, ctx, query)
    [totals] = _records(kpi_table(facts)[KPI_COLUMNS])
    daily = kpi_table(facts, ["day"]).assign(day=lambda t: t["day"].dt.date)
    return KpiReport(
        today=facts.today,
        first_day=facts.days[0].date(),
        last_day=facts.days[-1].date(),
        days=query.days,
        channel=query.channel,
        sku=query.sku,
        supplier=query.supplier,
        cost_basis=COST_BASIS,
        note=NOT_PER_CHANNEL,
        totals=KpiFigures(**totals),
        daily=[KpiDay(**row) for row in _records(daily)],
        by_channel=_groups(facts, "channel"),
        by_sku=_groups(facts, "sku"),
        by_supplier=_groups(facts, "supplier"),
        cancellation_by_wait=[WaitBucketOut(**row) for row in _records(cancellation_by_wait(facts.parts))],
    )
