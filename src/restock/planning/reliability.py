"""Supplier reliability, measured from the PO history: lead time, ETA slips, on-time rate and fill rate.

Pure pandas over the rows of restock.store.reliability, for every supplier (and supplier x SKU) at once.
What counts, and why:

- lead time: days from the PO being sent to its first receipt, on POs received at least in part; its P50 dates
  an open PO without a confirmed ETA, its spread enters the safety stock, its P90 says who delivers in time;
- ETA slips: moves of an already given ETA to a later date; `slipped_share` is the share of confirmed
  POs moved later at least once, `mean_slip_days` the average size of one such move;
- on-time rate: received POs whose first receipt came on or before the first ETA the supplier confirmed;
- fill rate: units received / units ordered on POs that are closed after at least one receipt (received,
  or cancelled after a partial delivery): a PO still open has not had its chance to be filled;
- P90 lateness: the rule of domain.promise (the same figure that widens backorder ship windows).

A supplier x SKU pair is reported only with at least MIN_HISTORY received POs of that SKU.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from restock.domain.model import POStatus
from restock.domain.promise import MIN_SLIPS_FOR_MEASURED_LATENESS, measured_p90_lateness, nearest_rank

MIN_HISTORY = MIN_SLIPS_FOR_MEASURED_LATENESS
"""Received POs needed before a supplier x SKU pair gets figures of its own (the supplier's are used before)."""

SCORE_COLUMNS = [
    "supplier",
    "sku",
    "pos",
    "received_pos",
    "lead_time_mean",
    "lead_time_std",
    "lead_time_p50",
    "lead_time_p90",
    "eta_moves_later",
    "slipped_share",
    "mean_slip_days",
    "on_time_rate",
    "fill_rate",
    "lateness_p90_days",
]


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days.astype("float64")


def _observations(lines: pd.DataFrame, moves: pd.DataFrame) -> pd.DataFrame:
    """One row per PO line with what it says about its supplier."""
    obs = lines.copy()
    received_on = pd.to_datetime(obs["received_at"]).dt.normalize()
    obs["lead_days"] = _days(received_on, pd.to_datetime(obs["sent_at"]).dt.normalize())
    confirmed = obs["first_confirmed_eta"].notna()
    obs["confirmed"] = confirmed.astype("float64")
    on_time = received_on <= pd.to_datetime(obs["first_confirmed_eta"])
    obs["on_time"] = on_time.astype("float64").where(received_on.notna() & confirmed)
    closed = obs["status"].isin([POStatus.RECEIVED.value, POStatus.CANCELLED.value]) & received_on.notna()
    obs["closed_ordered"] = obs["ordered"].where(closed, 0)
    obs["closed_received"] = obs["received"].where(closed, 0)
    later = moves[pd.to_datetime(moves["new_eta"]) > pd.to_datetime(moves["old_eta"])].copy()
    later["slip_days"] = _days(later["new_eta"], later["old_eta"])
    per_po = later.groupby("po_id").agg(slips=("slip_days", "size"), slip_days=("slip_days", "sum"))
    obs = obs.join(per_po, on="po_id")
    obs["slips"] = obs["slips"].fillna(0.0)
    obs["slip_days"] = obs["slip_days"].fillna(0.0)
    obs["slipped"] = ((obs["slips"] > 0) & confirmed).astype("float64").where(confirmed)
    return obs


def _percentile(values: pd.Series, share: float) -> float:
    """The nearest-rank percentile of the values measured (NaN: none): a lead time that really happened."""
    present = values.dropna().tolist()
    return float(nearest_rank(present, share)) if present else math.nan


def _p50(values: pd.Series) -> float:
    return _percentile(values, 0.5)


def _p90(values: pd.Series) -> float:
    return _percentile(values, 0.9)


def _aggregate(obs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    grouped = obs.groupby(keys, sort=True)
    out = grouped.agg(
        pos=("po_id", "nunique"),
        received_pos=("lead_days", "count"),
        lead_time_mean=("lead_days", "mean"),
        lead_time_std=("lead_days", "std"),
        lead_time_p50=("lead_days", _p50),
        lead_time_p90=("lead_days", _p90),
        eta_moves_later=("slips", "sum"),
        slip_days_total=("slip_days", "sum"),
        slipped_share=("slipped", "mean"),
        on_time_rate=("on_time", "mean"),
        closed_ordered=("closed_ordered", "sum"),
        closed_received=("closed_received", "sum"),
    ).reset_index()
    out["mean_slip_days"] = (out["slip_days_total"] / out["eta_moves_later"]).where(out["eta_moves_later"] > 0)
    out["fill_rate"] = (out["closed_received"] / out["closed_ordered"]).where(out["closed_ordered"] > 0)
    return out


def _per_po(obs: pd.DataFrame) -> pd.DataFrame:
    """Lines folded into their PO: dates and rates are the PO's, quantities add up."""
    first = obs.groupby("po_id").first()
    sums = obs.groupby("po_id")[["closed_ordered", "closed_received"]].sum()
    return first.drop(columns=["closed_ordered", "closed_received"]).join(sums).reset_index()


def scorecards(
    lines: pd.DataFrame, moves: pd.DataFrame, lateness: dict[str, Sequence[int]], suppliers: Sequence[str]
) -> pd.DataFrame:
    """One row per supplier (sku None) and per supplier x SKU with enough history, columns SCORE_COLUMNS.

    `lateness` is each supplier's lateness observations (domain.promise.lateness_days); `suppliers` lists
    every supplier to report, those without any sent PO included (with empty figures).
    """
    if len(lines):
        obs = _observations(lines, moves)
        by_supplier, by_pair = _aggregate(_per_po(obs), ["supplier"]), _aggregate(obs, ["supplier", "sku"])
    else:
        by_supplier = pd.DataFrame(columns=[c for c in SCORE_COLUMNS if c not in ("sku", "lateness_p90_days")])
        by_pair = pd.DataFrame(columns=[c for c in SCORE_COLUMNS if c != "lateness_p90_days"])
    # Explicit object dtypes: an empty column would otherwise be float64, and merging it with text fails.
    everyone = pd.DataFrame({"supplier": pd.Series(list(suppliers), dtype="object")})
    by_supplier = everyone.merge(by_supplier.astype({"supplier": "object"}), on="supplier", how="left")
    by_supplier["sku"] = None
    by_pair = by_pair[by_pair["received_pos"] >= MIN_HISTORY]
    both = pd.concat([by_supplier, by_pair], ignore_index=True)
    both["lateness_p90_days"] = both["supplier"].map(lambda s: measured_p90_lateness(list(lateness.get(s, []))))
    both.loc[both["sku"].notna(), "lateness_p90_days"] = None
    for column in ("pos", "received_pos", "eta_moves_later"):
        both[column] = pd.to_numeric(both[column]).fillna(0).astype("int64")
    both = both.replace({np.nan: None})
    order = both.assign(_pair=both["sku"].notna()).sort_values(["supplier", "_pair", "sku"], na_position="first")
    return order[SCORE_COLUMNS].reset_index(drop=True)
