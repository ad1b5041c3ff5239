"""The shapes of the plan's input frames and of the supplier figures a plan row takes from its chosen supplier."""

from __future__ import annotations

import pandas as pd

KEY = ["sku", "warehouse"]

STOCK_COLUMNS = ["sku", "warehouse", "on_hand", "allocated", "backorders"]
"""stock: per SKU x warehouse, units on hand, allocated, and waiting backorders counted against it."""
SKU_COLUMNS = ["sku", "price", "review_days", "policy", "order_cost", "holding_rate", "service_level"]
"""skus: per SKU its price and planning settings; holding_rate and service_level are shares (0.25, 0.97),
service_level NaN: the ABC class level."""
CANDIDATE_COLUMNS = [
    "sku",
    "supplier",
    "lead_time_mean",
    "lead_time_std",
    "lead_time_p90",
    "moq",
    "pack_size",
    "unit_cost",
    "on_time_rate",
    "fill_rate",
]
"""candidates: one row per supplier offering a SKU (recorded terms), lead times in days; rates NaN: unmeasured."""
OPEN_PO_LINE = [*KEY, "po_id", "supplier", "status", "eta", "open_qty", "confirmed", "first_confirmed_eta"]
"""An open PO line (draft, sent, confirmed, partly received; ordered - received > 0): its PO's status and ETA
(NaT: none given yet); confirmed: a confirmed ETA on a PO that may carry backorders."""
OPEN_LINE_COLUMNS = [*OPEN_PO_LINE, "created_at", "sent_at", "quoted_lead_time"]
"""store.planning.open_inbound: the open lines with what dates them (restock.planning.inbound.expected_arrival)."""
INBOUND_COLUMNS = [*OPEN_PO_LINE, "expected"]
"""inbound: every open PO line with the day it is expected (restock.planning.inbound.expected_arrival)."""
RECENT_COLUMNS = ["sku", "warehouse", "recent_mean"]
"""recent: units/day demanded over the last RECENT_DAYS days."""

CHOSEN_COLUMNS = [
    "supplier",
    "lead_time_mean",
    "lead_time_std",
    "deliver_days",
    "moq",
    "pack_size",
    "unit_cost",
    "adjusted_cost",
    "in_time",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "kept_supplier",
]
"""What a plan row takes from its chosen supplier (every column but the first is a number; kept_supplier is 1
where the supplier of the row's latest open PO was kept: restock.planning.open_supplier)."""


def text_keys(frame: pd.DataFrame) -> pd.DataFrame:
    """SKU and warehouse as text even in an empty frame (an empty column is float64, and merging it with text
    fails): a shop on its first day has no forecast, no recent demand or no inbound supply."""
    return frame.astype({column: "object" for column in KEY if column in frame.columns})


def available_to_customers(rows: pd.DataFrame) -> pd.Series:
    """Stock customers can still have: on hand - allocated - waiting backorders (which count against it)."""
    return rows["on_hand"] - rows["allocated"] - rows["backorders"]


def stock_with_backorders(positions: pd.DataFrame, backorders: pd.DataFrame) -> pd.DataFrame:
    """The stock frame: on hand and allocated per stock row, with the waiting backorders counted against each
    SKU x warehouse (a pair with backorders and no stock row has 0 on hand)."""
    stock = positions.merge(backorders, on=KEY, how="outer")
    for column in ("on_hand", "allocated", "backorders"):
        stock[column] = pd.to_numeric(stock[column]).fillna(0).astype("int64")
    return stock
