"""The numbers that show the business: each figure one named pure function over plain frames (pandas).

Every function takes the facts of a window of days and `by`, the columns to group on (`day`, `channel`, `sku`,
`supplier`; none for the totals), and returns one row per group with the figure and the counts behind it. The
facts (read by `restock.store.kpis`, the demand history and the stock ledger):

- parts (PART_COLUMNS): one row per part of an order line placed in the window that holds units of its own. A part
  released because its backorder was re-pegged onto other supply is not one: its units live on in new parts.
  `from_stock` says its units were allocated from stock when the order was placed (not backordered then, even if
  stock came for them later); `cancelled` that someone cancelled them; `shipped_on` the day their shipment left;
  `promised_latest` the latest ship date first promised for a backorder (None: undated, or not a backorder).
- history: the demand history of `restock.planning.demand` (censor-corrected `y`, `sales`, `censored`), renamed
  `ds` to `day`; prices: sku, price.
- signups: channel, sku, day, signups (notify-me requests).
- stock: sku, warehouse (and day: at the end of that day), on_hand, sellable (on hand - allocated); costs: sku,
  unit_cost; rates: sku, warehouse, demand_per_day.
- suppliers: sku, supplier (who offers it): a SKU counts under every supplier that offers it.

A rate whose denominator is zero is NaN (shown as "none"): no order is not a fill rate of 100%.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

PART_COLUMNS = [
    "line",
    "channel",
    "sku",
    "day",
    "quantity",
    "from_stock",
    "cancelled",
    "shipped_on",
    "promised_latest",
]

WAIT_BUCKETS: tuple[tuple[int, int | None], ...] = (
    (0, 7),
    (8, 14),
    (15, 21),
    (22, 30),
    (31, 45),
    (46, 60),
    (61, None),
)
"""Promised waits (days from the order to the latest ship date promised), in the steps a merchant sets
`max_wait_days` in: a week, two, three, a month, then longer."""
UNDATED = "undated"
"""The bucket of backorders promised no date (policy `always` without confirmed supply)."""

_ALL = "_all"
_ORDER_COLUMNS = ["lines", "units", "units_from_stock", "fill_rate", "backorder_lines", "backorder_rate"]
_PROMISE_COLUMNS = ["promises_due", "promises_kept", "promise_kept_rate", "promises_broken", "average_delay_days"]
_CANCEL_COLUMNS = ["backordered_units", "cancelled_backorder_units", "backorder_cancellation_rate"]
_LOST_COLUMNS = ["lost_units", "lost_value"]
_STOCK_COLUMNS = ["on_hand", "inventory_value", "uncosted_units", "sellable", "demand_per_day", "days_of_cover"]
PER_WAREHOUSE = [*_LOST_COLUMNS, *_STOCK_COLUMNS]
"""The figures of SKU x warehouses rather than of orders: none per channel."""
KPI_COLUMNS = [*_ORDER_COLUMNS, *_PROMISE_COLUMNS, *_CANCEL_COLUMNS, *_LOST_COLUMNS, "signups", *_STOCK_COLUMNS]
COUNTS = [
    "lines",
    "units",
    "units_from_stock",
    "backorder_lines",
    "promises_due",
    "promises_kept",
    "promises_broken",
    "backordered_units",
    "cancelled_backorder_units",
    "signups",
]
"""The columns that are counts: a group or day without any is 0, where a rate is NaN."""


def _keys(by: Sequence[str]) -> list[str]:
    return list(by) or [_ALL]


def _grouped(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """The frame with a constant column to group the totals on when `by` is empty."""
    return frame if by else frame.assign(**{_ALL: "all"})


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator, NaN where the denominator is 0."""
    num, den = numerator.astype("float64"), denominator.astype("float64")
    return (num / den.where(den > 0)).astype("float64")


def _finish(frame: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    return frame.reset_index().drop(columns=[_ALL], errors="ignore") if not by else frame.reset_index()


def fill_rate(parts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Units allocated from stock when their order was placed / units ordered, over the order lines placed in the
    window (cancelled units included: a unit the shop had in stock when asked counts as filled). A unit backordered
    at placement is not filled from stock, even once stock came for it. Columns: by, units, units_from_stock,
    fill_rate."""
    frame = _grouped(parts, by).assign(
        _from_stock=parts["quantity"].where(parts["from_stock"].astype(bool), 0),
    )
    out = frame.groupby(_keys(by)).agg(units=("quantity", "sum"), units_from_stock=("_from_stock", "sum"))
    out["fill_rate"] = _ratio(out["units_from_stock"], out["units"])
    return _finish(out, by)


def backorder_rate(parts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Share of the order lines placed in the window that had at least one unit backordered at placement (per line,
    not per unit: the fill rate counts units). Columns: by, lines, backorder_lines, backorder_rate."""
    frame = _grouped(parts, by).assign(_backordered=~parts["from_stock"].astype(bool))
    per_line = frame.groupby([*_keys(by), "line"])["_backordered"].any().reset_index()
    out = per_line.groupby(_keys(by)).agg(lines=("line", "size"), backorder_lines=("_backordered", "sum"))
    out["backorder_rate"] = _ratio(out["backorder_lines"], out["lines"])
    return _finish(out, by)


def promise_outcomes(parts: pd.DataFrame, today: date, by: Sequence[str] = ()) -> pd.DataFrame:
    """One row per backorder line with a promise that has been decided: kept, and the days late.

    A line's promise is the latest `promised_latest` of its backordered units not cancelled (lines without a dated
    backorder promised nothing). It is kept when all those units shipped on or before it; broken when one shipped
    later, or is still unshipped after it. A line whose promise is still ahead and not yet shipped in full is not
    decided yet, and one whose backordered units were all cancelled has nothing left to keep: both are left out.
    Days late: the last shipment (or today, for what still waits) minus the promise; 0 when kept.
    """
    keys = [*_keys(by), "line"]
    owed = _grouped(parts, by)
    owed = owed[~owed["from_stock"].astype(bool) & ~owed["cancelled"].astype(bool)]
    owed = owed.assign(
        _promise=pd.to_datetime(owed["promised_latest"]),
        _shipped=pd.to_datetime(owed["shipped_on"]),
        _unshipped=owed["shipped_on"].isna(),
    )
    lines = owed.groupby(keys).agg(
        promise=("_promise", "max"), last_shipped=("_shipped", "max"), unshipped=("_unshipped", "any")
    )
    lines = lines[lines["promise"].notna()]
    now = pd.Timestamp(today)
    done_on = lines["last_shipped"].where(~lines["unshipped"], now)
    decided = ~lines["unshipped"] | (now > lines["promise"])
    lines = lines[decided].assign(done_on=done_on[decided])
    late = (lines["done_on"] - lines["promise"]).dt.days.clip(lower=0).astype("int64")
    return lines.assign(kept=late == 0, days_late=late).reset_index()


def promise_kept_rate(parts: pd.DataFrame, today: date, by: Sequence[str] = ()) -> pd.DataFrame:
    """Backorder lines shipped in full by the latest date promised / backorder lines whose promise is decided (see
    `promise_outcomes`), by the day the order was placed. Columns: by, promises_due, promises_kept,
    promise_kept_rate."""
    outcomes = promise_outcomes(parts, today, by)
    out = outcomes.groupby(_keys(by)).agg(promises_due=("kept", "size"), promises_kept=("kept", "sum"))
    out["promise_kept_rate"] = _ratio(out["promises_kept"], out["promises_due"])
    return _finish(out, by)


def average_delay(parts: pd.DataFrame, today: date, by: Sequence[str] = ()) -> pd.DataFrame:
    """The average days beyond the promise of the broken promises (`promise_outcomes`): of the lines that shipped
    late, the days between the promise and the last shipment; of those still waiting past it, the days so far.
    Kept promises are not averaged in (they are the promise-kept rate). Columns: by, promises_broken,
    average_delay_days."""
    outcomes = promise_outcomes(parts, today, by)
    broken = outcomes[~outcomes["kept"]]
    out = broken.groupby(_keys(by)).agg(promises_broken=("kept", "size"), average_delay_days=("days_late", "mean"))
    return _finish(out, by)


def backorder_cancellation_rate(parts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Backordered units (at placement) later cancelled, by anyone, / units backordered at placement. Columns: by,
    backordered_units, cancelled_backorder_units, backorder_cancellation_rate."""
    backordered = _grouped(parts, by)
    backordered = backordered[~backordered["from_stock"].astype(bool)]
    backordered = backordered.assign(_cancelled=backordered["quantity"].where(backordered["cancelled"], 0))
    out = backordered.groupby(_keys(by)).agg(
        backordered_units=("quantity", "sum"), cancelled_backorder_units=("_cancelled", "sum")
    )
    out["backorder_cancellation_rate"] = _ratio(out["cancelled_backorder_units"], out["backordered_units"])
    return _finish(out, by)


def promised_wait(parts: pd.DataFrame) -> pd.Series:
    """Days from the order to the latest ship date first promised (NaN: undated)."""
    promised = pd.to_datetime(parts["promised_latest"])
    return (promised - pd.to_datetime(parts["day"])).dt.days.astype("float64")


def wait_bucket(wait: pd.Series) -> pd.Series:
    """The WAIT_BUCKETS label of each promised wait ("0-7", "8-14", ..., "61+"), UNDATED for NaN."""
    labels = pd.Series(UNDATED, index=wait.index, dtype="object")
    for low, high in WAIT_BUCKETS:
        inside = (wait >= low) & (wait <= (np.inf if high is None else high))
        labels = labels.mask(inside, bucket_label(low, high))
    return labels


def bucket_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


BUCKET_ORDER = [*(bucket_label(low, high) for low, high in WAIT_BUCKETS), UNDATED]


def cancellation_by_wait(parts: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """The backorder cancellation rate per promised wait (`wait_bucket` of `promised_wait`: the wait the customer
    was promised when ordering): units backordered at placement, how many of them were cancelled later, and the
    share. Only buckets with backorders appear, in wait order. Columns: by, wait, backordered_units,
    cancelled_units, cancellation_rate."""
    backordered = parts[~parts["from_stock"].astype(bool)]
    backordered = _grouped(backordered, by).assign(
        wait=wait_bucket(promised_wait(backordered)),
        _cancelled=backordered["quantity"].where(backordered["cancelled"].astype(bool), 0),
    )
    out = backordered.groupby([*_keys(by), "wait"]).agg(
        backordered_units=("quantity", "sum"), cancelled_units=("_cancelled", "sum")
    )
    out["cancellation_rate"] = _ratio(out["cancelled_units"], out["backordered_units"])
    out = _finish(out, by)
    out["_order"] = out["wait"].map({label: i for i, label in enumerate(BUCKET_ORDER)})
    return out.sort_values([*by, "_order"]).drop(columns=["_order"]).reset_index(drop=True)


def lost_units(history: pd.DataFrame) -> pd.Series:
    """The demand an out-of-stock day did not sell: the censor-corrected demand (`restock.planning.demand`, the
    same estimate the forecast learns from) minus what was ordered that day; 0 on days with sellable stock."""
    excess = history["y"].astype("float64") - history["sales"].astype("float64")
    return excess.where(history["censored"].astype(bool), 0.0).clip(lower=0.0)


def lost_demand(history: pd.DataFrame, prices: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Estimated demand lost on out-of-stock days (`lost_units`), in units and at the SKU's price today, over every
    warehouse. Columns: by, lost_units, lost_value."""
    frame = _grouped(history, by).merge(prices[["sku", "price"]], on="sku", how="left")
    units = lost_units(frame)
    frame = frame.assign(lost_units=units, lost_value=units * frame["price"].astype("float64").fillna(0.0))
    out = frame.groupby(_keys(by))[["lost_units", "lost_value"]].sum()
    return _finish(out, by)


def notify_signups(signups: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Notify-me sign-ups made in the window (shoppers who found the SKU out of stock and asked to hear when it
    is back), whether or not they were told since. Columns: by, signups."""
    out = _grouped(signups, by).groupby(_keys(by))[["signups"]].sum()
    return _finish(out, by)


def inventory_value(stock: pd.DataFrame, costs: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Units on hand x the SKU's unit cost (the lowest landed cost among the suppliers that offer it: what
    replacing the stock would cost today). Units of a SKU without a recorded cost add nothing to the value and are
    counted apart. Columns: by, on_hand, inventory_value, uncosted_units."""
    frame = _grouped(stock, by).merge(costs[["sku", "unit_cost"]], on="sku", how="left")
    cost = frame["unit_cost"].astype("float64")
    units = frame["on_hand"].astype("float64")
    frame = frame.assign(
        inventory_value=(units * cost).fillna(0.0), uncosted_units=units.where(cost.isna(), 0.0), on_hand=units
    )
    out = frame.groupby(_keys(by))[["on_hand", "inventory_value", "uncosted_units"]].sum()
    return _finish(out, by)


def demand_per_day(history: pd.DataFrame) -> pd.DataFrame:
    """Average censor-corrected daily demand per SKU x warehouse over the days of its history in the window.
    Columns: sku, warehouse, demand_per_day."""
    out = history.groupby(["sku", "warehouse"])["y"].mean().rename("demand_per_day")
    return out.astype("float64").reset_index()


def days_of_cover(stock: pd.DataFrame, rates: pd.DataFrame, by: Sequence[str] = ()) -> pd.DataFrame:
    """Sellable stock (on hand - allocated) / average daily demand (`demand_per_day`), both added up over the
    group: how many days the stock lasts at the window's demand. NaN where there is no demand. Columns: by,
    sellable, demand_per_day, days_of_cover."""
    frame = _grouped(stock, by).merge(rates, on=["sku", "warehouse"], how="left")
    frame = frame.assign(
        sellable=frame["sellable"].astype("float64"),
        demand_per_day=frame["demand_per_day"].astype("float64").fillna(0.0),
    )
    out = frame.groupby(_keys(by))[["sellable", "demand_per_day"]].sum()
    out["days_of_cover"] = _ratio(out["sellable"], out["demand_per_day"])
    return _finish(out, by)


def end_of_day_stock(now: pd.DataFrame, deltas: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Stock per SKU x warehouse at the end of each of `days`, replayed backwards from the balances now.

    now: sku, warehouse, on_hand, sellable; deltas: sku, warehouse, day, on_hand_delta, sellable_delta (the ledger's
    movements per day from the first of `days` up to now; days after the last of `days` are what moved since). The
    end of a day is the balance now less everything that moved on the days after it. Columns: sku, warehouse, day,
    on_hand, sellable.
    """
    pairs = now[["sku", "warehouse"]].reset_index(drop=True)
    size = len(days)
    moved = np.zeros((len(pairs), size + 1, 2))  # the last column: what moved after the last day
    if len(deltas) and len(pairs) and size:
        row = pd.MultiIndex.from_frame(pairs).get_indexer(pd.MultiIndex.from_frame(deltas[["sku", "warehouse"]]))
        day = pd.DatetimeIndex(pd.to_datetime(deltas["day"]))
        column = np.where(day > days[-1], size, days.get_indexer(day))
        keep = (row >= 0) & (column >= 0)
        values = deltas[["on_hand_delta", "sellable_delta"]].to_numpy(dtype="float64")
        np.add.at(moved, (row[keep], column[keep]), values[keep])
    from_day_on = np.cumsum(moved[:, ::-1, :], axis=1)[:, ::-1, :]
    ends = now[["on_hand", "sellable"]].to_numpy(dtype="float64")[:, None, :] - from_day_on[:, 1:, :]
    return pd.DataFrame(
        {
            "sku": np.repeat(pairs["sku"].to_numpy(), size),
            "warehouse": np.repeat(pairs["warehouse"].to_numpy(), size),
            "day": np.tile(days.to_numpy(), len(pairs)),
            "on_hand": ends[:, :, 0].ravel(),
            "sellable": ends[:, :, 1].ravel(),
        }
    )


@dataclass(frozen=True)
class KpiFacts:
    """Everything the figures are computed from, for one window of days (see the module's docstring)."""

    today: date
    days: pd.DatetimeIndex
    """The window's days, oldest first."""
    parts: pd.DataFrame
    history: pd.DataFrame
    prices: pd.DataFrame
    signups: pd.DataFrame
    stock_now: pd.DataFrame
    stock_daily: pd.DataFrame
    costs: pd.DataFrame
    suppliers: pd.DataFrame
    per_warehouse: bool = True
    """False when the figures are for one channel: stock and lost demand belong to a SKU x warehouse, which serves
    every channel it is listed for, so they are not shown for a channel."""


def kpi_table(facts: KpiFacts, by: Sequence[str] = ()) -> pd.DataFrame:
    """Every figure (KPI_COLUMNS) per group of `by`: one row for the totals, one per day (every day of the window,
    stock at its end), or one per channel, SKU or supplier. Stock figures are now, except per day."""
    parts, history, signups = facts.parts, facts.history, facts.signups
    stock = facts.stock_daily if "day" in by else facts.stock_now
    if "supplier" in by:
        parts, history, signups, stock = (f.merge(facts.suppliers, on="sku") for f in (parts, history, signups, stock))
    frames = [
        fill_rate(parts, by),
        backorder_rate(parts, by),
        promise_kept_rate(parts, facts.today, by),
        average_delay(parts, facts.today, by),
        backorder_cancellation_rate(parts, by),
        notify_signups(signups, by),
    ]
    if facts.per_warehouse and "channel" not in by:
        frames += [
            lost_demand(history, facts.prices, by),
            inventory_value(stock, facts.costs, by),
            days_of_cover(stock, demand_per_day(facts.history), by),
        ]
    table = _merged(frames, by)
    if "day" in by:
        table = table.set_index("day").reindex(facts.days).rename_axis("day").reset_index()
    table[COUNTS] = table[COUNTS].astype("float64").fillna(0).astype("int64")
    if facts.per_warehouse and "channel" not in by:  # no stock row, no lost day: none
        amounts = [c for c in PER_WAREHOUSE if c != "days_of_cover"]
        table[amounts] = table[amounts].astype("float64").fillna(0.0)
    return table[[*by, *KPI_COLUMNS]]


def _merged(frames: Sequence[pd.DataFrame], by: Sequence[str]) -> pd.DataFrame:
    if not by:
        row: dict[str, object] = {}
        for frame in frames:
            if len(frame):
                row.update({str(k): v for k, v in frame.iloc[0].items()})
        return pd.DataFrame([row]).reindex(columns=KPI_COLUMNS)
    merged = frames[0]
    for frame in frames[1:]:
        merged = merged.merge(frame, on=list(by), how="outer")
    return merged.reindex(columns=[*by, *KPI_COLUMNS]).sort_values(list(by), ignore_index=True)


def sales_frequency(history: pd.DataFrame, by: Sequence[str] = ("sku",)) -> pd.DataFrame:
    """How often each group sells: the days of its history in the window, the days with at least one unit ordered
    (over every warehouse), and its censor-corrected demand over them. Columns: by, days, selling_days, demand."""
    per_day = history.groupby([*by, "day"]).agg(sales=("sales", "sum"), demand=("y", "sum")).reset_index()
    per_day = per_day.assign(sold=per_day["sales"] > 0)
    out = per_day.groupby(list(by)).agg(days=("day", "size"), selling_days=("sold", "sum"), demand=("demand", "sum"))
    return out.reset_index()
