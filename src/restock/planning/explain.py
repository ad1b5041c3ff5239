"""The words of the plan: the one line per SKU x warehouse that says why it is ordered now, how much, and from whom.

Every figure the text names is the value its column shows, rounded once by `figure` (the suggestion's
reorder point, order-up-to level and safety stock are rounded by the same function when they become columns),
so a reader who checks the line against the table finds the same numbers. The arithmetic shown is done on the
shown figures where a column is involved (position less expected demand), so it adds up as printed.
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from datetime import date, timedelta
from typing import Any

import pandas as pd

from restock.planning.inbound import open_po_words
from restock.planning.policy import OrderPolicy
from restock.planning.quantities import demand_before_review

DECIMALS = 1
"""Stock figures (reorder point, order-up-to level, safety stock, units needed) are shown to one decimal."""


def figure(value: float) -> float:
    """A stock figure as the plan shows it, in its columns and in its words: rounded to DECIMALS (never -0.0)."""
    return round(float(value), DECIMALS) + 0.0


def figure_text(value: float) -> str:
    """A stock figure as written in a sentence: `figure`, with its decimal (17.6, 12.0)."""
    return f"{figure(value):.{DECIMALS}f}"


def day_text(day: Any) -> str:
    """A date as the plan writes it: YYYY-MM-DD."""
    return pd.Timestamp(day).strftime("%Y-%m-%d")


EXPLAINED = [
    "supplier",
    "reorder",
    "review_days",
    "demand_mean",
    "position",
    "reorder_point",
    "order_up_to",
    "eoq",
    "rule",
    "raw_quantity",
    "quantity",
    "moq",
    "pack_size",
    "unit_cost",
    "adjusted_cost",
    "stockout_date",
    "stockout_to_prevent",
    "late_supplier",
    "days_late",
    "open_lines",
    "kept_supplier",
]
"""The columns the words read (restock.planning.inbound.open_po_words reads the last two); only these are turned
into per-row dicts, which is most of what explaining 50,000 rows costs."""


def explanations(rows: pd.DataFrame, today: date) -> pd.Series:
    """One line per row saying where its number comes from (one formatted string per row, no per-day work)."""
    records = rows[EXPLAINED].to_dict("records")
    return pd.Series([explanation(r, today) for r in records], index=rows.index, dtype="object")


def explanation(r: dict[Hashable, Any], today: date) -> str:
    """Why now (or why not), how much and how it was rounded, which supplier and why, and the open POs counted."""
    if not isinstance(r["supplier"], str):
        return "no supplier terms recorded for this SKU: record them with `restock supplier terms`"
    parts = [why_now(r, today)]
    if r["reorder"]:
        parts += [how_much(r), which_supplier(r)]
    counted = open_po_words(r)
    if counted:
        parts.append(counted)
    return "; ".join(parts)


def why_now(r: dict[Hashable, Any], today: date) -> str:
    """The reorder test in words: the position less the demand expected before the next review, against the
    reorder point (restock.planning.quantities.needs_reorder). The projected figure is the position less the shown
    demand, so the subtraction reads true as printed."""
    review = today + timedelta(days=int(r["review_days"]))
    expected = figure(demand_before_review(r))
    projected = figure(r["position"] - expected)
    head = (
        f"projected stock at the next review ({day_text(review)}) is {figure_text(projected)} "
        f"(position {int(r['position'])} less {figure_text(expected)} expected demand)"
    )
    point = figure_text(r["reorder_point"])
    if r["reorder"]:
        return f"{head}, at or below the reorder point {point}: order now"
    if projected > figure(r["reorder_point"]):
        return f"{head}, above the reorder point {point}: no order"
    return f"{head}, reorder point {point}: not reordered"


def how_much(r: dict[Hashable, Any]) -> str:
    """What is needed, from which target, then only the rounding steps that changed the number (whole units, the
    MOQ, whole packs), then the quantity ordered."""
    need = float(r["raw_quantity"])
    if int(r["quantity"]) == 0:
        return "nothing more is needed to reach the target: no order"
    if r["rule"] == OrderPolicy.EOQ.value:
        keep_above = r["reorder_point"] + demand_before_review(r) - r["position"]
        target = (
            f"EOQ {figure_text(r['eoq'])}"
            if float(r["eoq"]) >= keep_above
            else "enough to stay above the reorder point until the next review"
        )
    else:
        target = f"order-up-to {figure_text(r['order_up_to'])} less position {int(r['position'])}"
    return f"{target}: {rounding_steps(need, int(r['moq']), int(r['pack_size']), int(r['quantity']))}"


def rounding_steps(need: float, moq: int, pack: int, quantity: int) -> str:
    """`need 6.1, then the MOQ of 24 -> 24`: the wanted units, each rounding step that changed them, the result
    (restock.planning.formulas.whole_packs: up to a whole unit, at least the MOQ, up to whole packs)."""
    units = math.ceil(need - 1e-9)
    shown = figure(need)
    words = f"need {figure_text(need)}" if math.ceil(shown - 1e-9) == units else f"need just over {units - 1}"
    steps = []
    after_moq = max(units, moq)
    if after_moq > units:
        steps.append(f"the MOQ of {moq}")
    if quantity > after_moq:
        steps.append(f"packs of {pack}")
    if not steps and units != shown:
        steps.append("whole units")
    return ", then ".join([words, *steps]) + f" -> {quantity}"


def which_supplier(r: dict[Hashable, Any]) -> str:
    """Which supplier, and why: the cheapest that arrives by the stock-out a new PO must prevent
    (restock.planning.suppliers.stockout_to_prevent), else the fastest, flagged with the days it misses by."""
    if r["kept_supplier"] == 1:  # judged against its latest open PO's supplier: open_po_words says why
        return f"from {r['supplier']}"
    adjusted = ""
    if not math.isclose(float(r["adjusted_cost"]), float(r["unit_cost"]), rel_tol=1e-9, abs_tol=1e-9):
        adjusted = ", its cost adjusted for its on-time and fill rates"
    prevent, first = r["stockout_to_prevent"], r["stockout_date"]
    if r["late_supplier"]:
        late = int(r["days_late"])
        return (
            f"from {r['supplier']}, the fastest: none arrives before {stockout_words(prevent, first)}; "
            f"cannot arrive before the stock-out, {late} day{'' if late == 1 else 's'} late"
        )
    if pd.notna(prevent):
        return f"from {r['supplier']}, the cheapest that arrives by {stockout_words(prevent, first)}{adjusted}"
    if pd.notna(first):
        return (
            f"from {r['supplier']}, the cheapest{adjusted} (the stock-out on {day_text(first)} ends when open POs "
            "arrive)"
        )
    return f"from {r['supplier']}, the cheapest{adjusted} (no stock-out projected)"


def stockout_words(prevent: Any, first: Any) -> str:
    """The stock-out a new PO must prevent; when an earlier one ends as open POs arrive, said so (the two dates
    are the suggestion's `stockout_to_prevent` and `stockout_date`)."""
    if pd.Timestamp(prevent) == pd.Timestamp(first):
        return f"the stock-out on {day_text(prevent)}"
    return f"the stock-out on {day_text(prevent)}, after the open POs end the one on {day_text(first)}"
