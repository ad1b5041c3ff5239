"""The shortage-risk radar: per SKU x warehouse, when it runs short, what comes in before, and the flags
that say why it is at risk; the rows at risk, worst first."""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.planning.columns import KEY, text_keys
from restock.planning.explain import day_text, figure_text
from restock.planning.projection import below_safety_dates, largest_shortfall

SLIPPING_ON_TIME = 0.8
RECENT_DAYS = 7
SPIKE_SIGMAS = 3.0
SPIKE_RATIO = 1.5

FLAGS = (
    "stockout_before_receipt",
    "stockout_after_receipt",
    "backorders_uncovered",
    "late_po",
    "supplier_slipping",
    "demand_spike",
    "late_supplier",
)
"""Why a row is at risk, in the order its reason names them. The first three between them cover every row with
revenue at risk (`with_risks`): a projected stock-out comes before the next receipt or after it, and a shortfall
without a projection is waiting backorders nothing covers."""


def recent_demand(history: pd.DataFrame, today: date) -> pd.DataFrame:
    """Units per day over the last RECENT_DAYS days of the demand history (days without demand count as 0)."""
    since = pd.Timestamp(today) - pd.Timedelta(days=RECENT_DAYS)
    last = history[pd.to_datetime(history["ds"]) >= since]
    recent = last.groupby(KEY)["y"].sum().reset_index()
    recent["recent_mean"] = recent["y"].astype("float64") / RECENT_DAYS
    return recent.drop(columns=["y"])


def demand_spike(rows: pd.DataFrame) -> pd.Series:
    """The last RECENT_DAYS' demand is above the forecast by SPIKE_SIGMAS standard errors and by SPIKE_RATIO."""
    standard_error = rows["demand_std"] / math.sqrt(RECENT_DAYS)
    return (rows["recent_mean"] > rows["demand_mean"] + SPIKE_SIGMAS * standard_error) & (
        rows["recent_mean"] > SPIKE_RATIO * rows["demand_mean"]
    )


def late_po(coming: pd.DataFrame, today: date) -> pd.Series:
    """An open PO whose ETA has passed."""
    return coming["eta"] < pd.Timestamp(today)


def slipping_po(coming: pd.DataFrame) -> pd.Series:
    """An open PO whose ETA moved past its first confirmed date, or whose supplier is on time less than
    SLIPPING_ON_TIME of the time."""
    first = pd.to_datetime(coming["first_confirmed_eta"])
    slipped = first.notna() & (coming["eta"] > first)
    return slipped | (coming["on_time_rate"].astype("float64").fillna(1.0) < SLIPPING_ON_TIME)


def _inbound_per_row(inbound: pd.DataFrame, today: date) -> pd.DataFrame:
    """Per SKU x warehouse with open PO lines: its next expected receipt (as the projection counts it), and
    whether a PO with an ETA is late or slipping."""
    coming = inbound[inbound["expected"].notna()].copy()
    coming["eta"] = pd.to_datetime(coming["eta"])
    dated = coming["eta"].notna()  # late or slipping is measured against a PO's own ETA, where it has one
    coming["late"] = late_po(coming, today) & dated
    coming["slipping"] = slipping_po(coming) & dated
    return coming.groupby(KEY).agg(
        next_receipt=("expected", "min"), late_po=("late", "any"), supplier_slipping=("slipping", "any")
    )


def uncovered_backorders(rows: pd.DataFrame, inbound: pd.DataFrame) -> pd.Series:
    """Waiting backorder units that neither the free stock (on hand - allocated) nor any open PO line covers,
    whatever the forecast says: known demand that nothing on hand or on order will fill."""
    on_order = text_keys(inbound).groupby(KEY)["open_qty"].sum().rename("_on_order")
    coming = rows[KEY].merge(on_order, left_on=KEY, right_index=True, how="left")["_on_order"]
    free = (rows["on_hand"] - rows["allocated"]).clip(lower=0)
    on_order_units = pd.to_numeric(coming).fillna(0).to_numpy(dtype="float64")
    uncovered = rows["backorders"].to_numpy(dtype="float64") - free.to_numpy(dtype="float64") - on_order_units
    return pd.Series(np.maximum(uncovered, 0), index=rows.index).astype("int64")


def _flag(column: pd.Series) -> pd.Series:
    """A flag column from a merge: missing (no inbound supply) is false."""
    return column.astype("boolean").fillna(False).astype(bool)


def with_risks(
    rows: pd.DataFrame, inbound: pd.DataFrame, days: pd.DatetimeIndex, stock: npt.NDArray[np.float64], today: date
) -> pd.DataFrame:
    """Every row with its radar figures and flags; revenue at risk is the units short x price, the units short
    the largest projected shortfall, or the uncovered backorders when more (a shop without a forecast has no
    projection). Every unit short has a flag that says why: a projected shortfall is a stock-out before the next
    receipt or after it, and uncovered backorders are `backorders_uncovered`."""
    now = pd.Timestamp(today)
    rows["below_safety_date"] = below_safety_dates(stock, rows["safety_stock"], days)
    rows = rows.merge(_inbound_per_row(inbound, today), left_on=KEY, right_index=True, how="left")
    next_receipt = rows["next_receipt"].where(rows["next_receipt"] > now, now)
    rows["next_receipt"] = next_receipt.where(rows["next_receipt"].notna())
    short = rows["stockout_date"].notna()
    rows["stockout_before_receipt"] = short & (rows["next_receipt"].isna() | (rows["stockout_date"] < next_receipt))
    rows["stockout_after_receipt"] = short & ~rows["stockout_before_receipt"]
    rows["uncovered_backorders"] = uncovered_backorders(rows, inbound)
    rows["backorders_uncovered"] = rows["uncovered_backorders"] > 0
    rows["late_po"] = _flag(rows["late_po"])
    rows["supplier_slipping"] = _flag(rows["supplier_slipping"])
    rows["demand_spike"] = demand_spike(rows)
    rows["units_short"] = np.maximum(largest_shortfall(stock), rows["uncovered_backorders"].to_numpy(dtype="float64"))
    rows["revenue_at_risk"] = rows["units_short"] * rows["price"].astype("float64")
    return rows


REASONED = [
    *FLAGS,
    "stockout_date",
    "stockout_to_prevent",
    "next_receipt",
    "below_safety_date",
    "uncovered_backorders",
    "recent_mean",
    "demand_mean",
    "days_late",
]
"""The columns a reason reads."""


def reason(r: dict[Hashable, Any]) -> str:
    """Why a radar row is at risk, in words, one clause per flag (in FLAGS' order); a row with only a date below
    its safety stock says that. Every date is the row's own column, written as the radar writes it."""
    said = [_FLAG_WORDS[flag](r) for flag in FLAGS if r[flag]]
    if not said and pd.notna(r["below_safety_date"]):
        said.append(f"projected below safety stock from {day_text(r['below_safety_date'])}")
    return "; ".join(said)


def _before_receipt(r: dict[Hashable, Any]) -> str:
    if pd.isna(r["next_receipt"]):
        return f"projected out of stock from {day_text(r['stockout_date'])}, with no open PO coming"
    return (
        f"projected out of stock from {day_text(r['stockout_date'])}, before the next receipt on "
        f"{day_text(r['next_receipt'])}"
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


_FLAG_WORDS: dict[str, Callable[[dict[Hashable, Any]], str]] = {
    "stockout_before_receipt": _before_receipt,
    "stockout_after_receipt": lambda r: (
        f"projected out of stock from {day_text(r['stockout_date'])}, after the receipt on "
        f"{day_text(r['next_receipt'])}: what is on order does not last"
    ),
    "backorders_uncovered": lambda r: (
        f"{_plural(int(r['uncovered_backorders']), 'backordered unit')} waiting that neither stock nor open POs cover"
    ),
    "late_po": lambda r: "an open PO is past its ETA",
    "supplier_slipping": lambda r: (
        f"an open PO's ETA moved later, or its supplier is on time less than {SLIPPING_ON_TIME:.0%} of the time"
    ),
    "demand_spike": lambda r: (
        f"the last {RECENT_DAYS} days' demand ({figure_text(r['recent_mean'])}/day) is far above the forecast "
        f"({figure_text(r['demand_mean'])}/day)"
    ),
    "late_supplier": lambda r: (
        f"a new PO cannot arrive before the stock-out on {day_text(r['stockout_to_prevent'])}: "
        f"{_plural(int(r['days_late']), 'day')} late"
    ),
}


def at_risk(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows at risk (a flag, or projected below safety stock), each with its `reason`, the most revenue at risk
    first."""
    risky = rows[list(FLAGS)].any(axis=1) | rows["below_safety_date"].notna() | rows["stockout_date"].notna()
    radar = rows[risky].copy()
    records = radar[REASONED].to_dict("records")
    radar["reason"] = pd.Series([reason(r) for r in records], index=radar.index, dtype="object")
    return radar.sort_values(
        ["revenue_at_risk", "stockout_date", "below_safety_date", "sku", "warehouse"],
        ascending=[False, True, True, True, True],
        na_position="last",
        kind="stable",
    )
