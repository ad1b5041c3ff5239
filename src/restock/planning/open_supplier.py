"""Which supplier a row with an open PO is judged against: the one the plan would choose, unless the supplier of
its latest open PO still delivers in time and needs no new order while that choice would order again.

Why: an open PO line moves the projected stock-out later, and a cheaper but slower supplier may then deliver
"in time". Judged against that supplier's higher reorder point, a row would order again what the open PO
already covers: `restock plan --create-pos` run twice would draft twice (on tests/service/test_plan.py's shop,
10 MUG from FAST, then 24 from ACME). Keeping the open PO's supplier only ever removes such an order; the plan's
own choice stands wherever it orders nothing more, or where the kept supplier would order too.
"""

from __future__ import annotations

import pandas as pd

from restock.planning.columns import KEY, text_keys
from restock.planning.quantities import with_quantities
from restock.planning.suppliers import choose_supplier

ROW_FIGURES = ["warehouse", "on_hand", "allocated", "backorders", "policy", "order_cost", "holding_rate"]
"""What the quantity rules read from a plan row besides a candidate's figures."""


def latest_open_suppliers(rows: pd.DataFrame, inbound: pd.DataFrame) -> pd.Series:
    """Per row (by its `row` number) the supplier of its latest open PO line (the highest PO id), for the rows
    with any."""
    latest = text_keys(inbound.sort_values("po_id", kind="stable").drop_duplicates(KEY, keep="last"))
    found = rows[["row", *KEY]].merge(latest[[*KEY, "supplier"]], on=KEY)
    return found.set_index("row")["supplier"]


def orders_more(chosen: pd.DataFrame, rows: pd.DataFrame, inbound: pd.DataFrame) -> pd.Series:
    """Per candidate row of `chosen` (one candidate per row), whether buying from it orders anything: the plan's own
    quantity rules (quantities.with_quantities) applied to that candidate's figures."""
    if chosen.empty:
        return pd.Series(dtype=bool)
    frame = chosen.merge(rows[["row", *ROW_FIGURES]], on="row", how="inner")
    return with_quantities(frame, inbound).set_index("row")["quantity"] > 0


def choose_keeping_open_suppliers(rows: pd.DataFrame, evaluated: pd.DataFrame, inbound: pd.DataFrame) -> pd.DataFrame:
    """One candidate per row, as suppliers.choose_supplier; except where the supplier of the row's latest open PO
    is a candidate that delivers in time and orders nothing while the choice would order: that supplier, marked
    kept_supplier 1 (0 elsewhere)."""
    chosen = choose_supplier(evaluated).assign(kept_supplier=0.0)
    open_supplier = latest_open_suppliers(rows, inbound)
    is_open = evaluated["supplier"].to_numpy() == open_supplier.reindex(evaluated["row"]).to_numpy()
    kept = evaluated[is_open & evaluated["in_time"].astype(bool).to_numpy()]
    other = chosen["supplier"].to_numpy() != open_supplier.reindex(chosen["row"]).to_numpy()
    plain = chosen[other & chosen["row"].isin(kept["row"]).to_numpy()]
    if plain.empty:
        return chosen
    kept = kept[kept["row"].isin(plain["row"])]
    ordering = orders_more(plain, rows, inbound)
    covered = ~orders_more(kept, rows, inbound).reindex(ordering.index)
    switch = ordering.index[ordering.to_numpy() & covered.to_numpy()]
    replaced = kept[kept["row"].isin(switch)].assign(kept_supplier=1.0)
    return pd.concat([chosen[~chosen["row"].isin(switch)], replaced]).sort_values("row", kind="stable")
