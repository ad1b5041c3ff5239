"""The shortage-risk radar: per SKU x warehouse, when it runs short, what comes in before, and the flags
that say why it is at risk; the rows at risk, worst first."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.planning.columns import KEY
from restock.planning.projection import below_safety_dates, largest_shortfall

SLIPPING_ON_TIME = 0.8
RECENT_DAYS = 7
SPIKE_SIGMAS = 3.0
SPIKE_RATIO = 1.5

FLAGS = ("stockout_before_receipt", "late_po", "supplier_slipping", "demand_spike", "late_supplier")


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
    return slipped | (coming["on_time_rate"].fillna(1.0) < SLIPPING_ON_TIME)


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


def _flag(column: pd.Series) -> pd.Series:
    """A flag column from a merge: missing (no inbound supply) is false."""
    return column.astype("boolean").fillna(False).astype(bool)


def with_risks(
    rows: pd.DataFrame, inbound: pd.DataFrame, days: pd.DatetimeIndex, stock: npt.NDArray[np.float64], today: date
) -> pd.DataFrame:
    """Every row with its radar figures and flags; revenue at risk is the largest projected shortfall x price."""
    now = pd.Timestamp(today)
    rows["below_safety_date"] = below_safety_dates(stock, rows["safety_stock"], days)
    rows = rows.merge(_inbound_per_row(inbound, today), left_on=KEY, right_index=True, how="left")
    next_receipt = rows["next_receipt"].where(rows["next_receipt"] > now, now)
    rows["next_receipt"] = next_receipt.where(rows["next_receipt"].notna())
    short = rows["stockout_date"].notna()
    rows["stockout_before_receipt"] = short & (rows["next_receipt"].isna() | (rows["stockout_date"] < next_receipt))
    rows["late_po"] = _flag(rows["late_po"])
    rows["supplier_slipping"] = _flag(rows["supplier_slipping"])
    rows["demand_spike"] = demand_spike(rows)
    rows["units_short"] = largest_shortfall(stock)
    rows["revenue_at_risk"] = rows["units_short"] * rows["price"].astype("float64")
    return rows


def at_risk(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows at risk (a flag, or projected below safety stock), the most revenue at risk first."""
    risky = rows[list(FLAGS)].any(axis=1) | rows["below_safety_date"].notna() | rows["stockout_date"].notna()
    return rows[risky].sort_values(
        ["revenue_at_risk", "stockout_date", "below_safety_date", "sku", "warehouse"],
        ascending=[False, True, True, True, True],
        na_position="last",
        kind="stable",
    )
