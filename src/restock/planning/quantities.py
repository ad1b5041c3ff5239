"""When a SKU x warehouse is reordered and how much (the words that say why are in restock.planning.explain)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from restock.planning.columns import KEY, available_to_customers
from restock.planning.formulas import economic_order_quantity, whole_packs
from restock.planning.inbound import with_open_lines
from restock.planning.policy import OrderPolicy

DAYS_PER_YEAR = 365


def with_inventory_position(rows: pd.DataFrame, inbound: pd.DataFrame) -> pd.DataFrame:
    """position = stock available to customers (on hand - allocated - waiting backorders) + every open PO line
    (draft, sent, confirmed: ordered - received > 0), whatever its expected date; with the lines each row counted
    (open_lines, open_pos: inbound.with_open_lines). A draft or a sent PO is supply as surely as a confirmed one
    for the decision to order: left out, it would be ordered again."""
    coming = inbound[inbound["open_qty"] > 0]
    units = coming.groupby(KEY)["open_qty"].sum().rename("inbound_open")
    rows = rows.merge(units, left_on=KEY, right_index=True, how="left")
    rows["inbound_open"] = pd.to_numeric(rows["inbound_open"]).fillna(0).astype("int64")
    rows["position"] = available_to_customers(rows) + rows["inbound_open"]
    return with_open_lines(rows, coming)


def demand_before_review(rows: pd.DataFrame | dict[Hashable, Any]) -> Any:
    """Units expected to be demanded before the next review: daily demand x review period (of every row of a
    frame, or of one row)."""
    return rows["demand_mean"] * rows["review_days"]


def needs_reorder(rows: pd.DataFrame) -> pd.Series:
    """Reorder when a supplier is known and the position, less the demand before the next review, is at or
    below the reorder point (waiting for the next review would cross it)."""
    before_review: pd.Series = demand_before_review(rows)
    return rows["supplier"].notna() & (rows["position"] - before_review <= rows["reorder_point"])


def lot_size(rows: pd.DataFrame) -> npt.NDArray[np.float64]:
    """The EOQ of each row, from its yearly demand, order cost and holding cost (holding rate x unit cost);
    NaN where it is not defined (no supplier, or nothing to hold)."""
    holding = rows["holding_rate"] * rows["unit_cost"].astype("float64")
    annual = rows["demand_mean"] * DAYS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        lot = economic_order_quantity(
            annual.to_numpy(), rows["order_cost"].to_numpy(dtype="float64"), holding.to_numpy(dtype="float64")
        )
    return np.where(np.isfinite(lot), lot, np.nan)


def uses_eoq(rows: pd.DataFrame) -> pd.Series:
    """The EOQ rule applies to a SKU whose policy is EOQ and whose EOQ is defined; the others order up to."""
    return (rows["policy"] == OrderPolicy.EOQ.value) & rows["eoq"].notna()


def wanted_quantity(rows: pd.DataFrame) -> npt.NDArray[np.float64]:
    """Units wanted before MOQ and packs: up to the order-up-to level, or under EOQ the EOQ (at least the whole
    units that keep the position above the reorder point until the next review: an order landing on it would be
    reordered by the next plan); nothing when not reordered, nor when nothing is short of the reorder point and
    the EOQ is 0 (a SKU without demand)."""
    up_to = rows["order_up_to"] - rows["position"]
    short = rows["reorder_point"] + demand_before_review(rows) - rows["position"]
    keep_above = np.where(short > 1e-9, np.floor(short + 1e-9) + 1, short)
    raw = np.where(uses_eoq(rows), np.maximum(rows["eoq"].fillna(0), keep_above), up_to)
    return np.where(rows["reorder"], np.maximum(raw, 0), 0.0)


def with_quantities(rows: pd.DataFrame, inbound: pd.DataFrame) -> pd.DataFrame:
    """Position, reorder decision, EOQ, wanted and ordered quantity (whole packs, at least the MOQ), and rule."""
    rows = with_inventory_position(rows, inbound)
    rows["reorder"] = needs_reorder(rows)
    rows["eoq"] = lot_size(rows)
    rows["raw_quantity"] = wanted_quantity(rows)
    moq = rows["moq"].fillna(1).to_numpy(dtype="float64")
    pack = rows["pack_size"].fillna(1).to_numpy(dtype="float64")
    rows["quantity"] = whole_packs(rows["raw_quantity"].to_numpy(dtype="float64"), moq, pack).astype("int64")
    rows["rule"] = np.where(uses_eoq(rows), OrderPolicy.EOQ.value, OrderPolicy.ORDER_UP_TO.value)
    return rows
