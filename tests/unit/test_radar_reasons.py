"""Every row of the radar with money at risk says why: a flag, and a reason in words built from the flags.

Same hand-made conventions as test_plan_rules (today 2026-11-27, flat forecasts from the 28th).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st

from restock.config import Settings
from restock.planning.engine import FLAGS, PlanInputs, PlanResult, build_plan
from restock.planning.forecast import PATH_COLUMNS, SUMMARY_COLUMNS
from tests.unit.test_plan_rules import TODAY, HandMadeForecasts, forecasts, inbound, sku, small_catalog, stock, terms
from tests.unit.test_plan_words import NO_RECENT, no_inbound

NO_FORECAST = HandMadeForecasts(pd.DataFrame(columns=SUMMARY_COLUMNS), pd.DataFrame(columns=PATH_COLUMNS))


def plan(
    stocks: list[dict[str, object]],
    demand: dict[str, tuple[float, float]] | None,
    open_pos: list[dict[str, object]] | None = None,
    with_terms: bool = True,
) -> PlanResult:
    codes = sorted({str(s["sku"]) for s in stocks} | set(demand or {}))
    candidates = pd.DataFrame(
        [terms(c, "ACME", 10, 2.0) for c in codes] if with_terms else [], columns=list(terms("X", "A", 1, 1))
    )
    inputs = PlanInputs(
        TODAY,
        pd.DataFrame(stocks),
        pd.DataFrame([sku(c, 10.0) for c in codes]),
        candidates,
        pd.DataFrame(open_pos) if open_pos else no_inbound(),
        NO_RECENT,
    )
    return build_plan(inputs, forecasts(demand) if demand is not None else NO_FORECAST, Settings())


def test_a_sku_with_waiting_backorders_no_supply_covers_is_on_the_radar_even_without_a_forecast() -> None:
    """LAMP: nothing on hand, 3 units backordered, no PO, and no forecast at all (a shop without history): it
    used to be left off the radar (no projection, so no date and no flag). 3 units x $10 are at risk."""
    radar = plan([stock("LAMP", 0, backorders=3)], None).radar.set_index("sku")
    assert list(radar.index) == ["LAMP"]
    lamp = radar.loc["LAMP"]
    assert bool(lamp["backorders_uncovered"])
    assert (lamp["units_short"], lamp["revenue_at_risk"]) == (3, 30.0)
    assert lamp["reason"] == "3 backordered units waiting that neither stock nor open POs cover"


def test_backorders_an_open_po_covers_are_not_uncovered() -> None:
    """The same 3 units, with 5 on an open PO due Dec 4: covered (the wait is `stockout_before_receipt`'s)."""
    po = inbound("LAMP", 9, 5, date(2026, 12, 4), first_eta=date(2026, 12, 4))
    lamp = plan([stock("LAMP", 0, backorders=3)], {"LAMP": (0.1, 0)}, [po]).radar.set_index("sku").loc["LAMP"]
    assert not bool(lamp["backorders_uncovered"])
    assert bool(lamp["stockout_before_receipt"])
    assert lamp["reason"] == "projected out of stock from 2026-11-28, before the next receipt on 2026-12-04"


def test_a_stock_out_after_the_receipt_is_flagged_and_said() -> None:
    """VASE: its overdue PO's 6 units count today; 0.5/day leaves -0.5 on Dec 10, after that receipt. This is the
    demo's top row of 53,991 at risk without a flag: what is on order does not last."""
    vase = small_catalog().radar.set_index("sku").loc["VASE"]
    assert bool(vase["stockout_after_receipt"])
    assert not bool(vase["stockout_before_receipt"])
    assert vase["reason"] == (
        "projected out of stock from 2026-12-10, after the receipt on 2026-11-27: what is on order does not last; "
        "an open PO is past its ETA"
    )


def test_each_flag_of_a_row_has_its_words_in_the_reason() -> None:
    """BOWL: short before its slipping PO lands; LAMP: a demand spike (5/day against 1/day) and no shortfall."""
    radar = small_catalog().radar.set_index("sku")
    assert radar.loc["BOWL", "reason"] == (
        "projected out of stock from 2026-11-30, before the next receipt on 2026-12-02; "
        "an open PO's ETA moved later, or its supplier is on time less than 80% of the time"
    )
    assert radar.loc["LAMP", "reason"] == "the last 7 days' demand (5.0/day) is far above the forecast (1.0/day)"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 60),  # on hand
            st.integers(0, 8),  # allocated
            st.integers(0, 15),  # waiting backorders
            st.one_of(st.none(), st.floats(0.2, 8)),  # demand per day (None: no forecast for this SKU)
            st.one_of(st.none(), st.tuples(st.integers(-5, 40), st.integers(1, 40))),  # open PO: ETA day, units
        ),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),  # a shop without any forecast
    st.booleans(),  # with supplier terms
)
@example([(20, 0, 0, 1.0, (2, 5))], False, False)  # short after its receipt, nothing else to say
@example([(3, 0, 0, 1.0, None)], False, True)  # short before a new PO can come: late
@example([(0, 0, 4, None, None)], True, False)  # backorders and nothing else
def test_no_row_has_revenue_at_risk_without_a_flag_and_a_reason(
    catalog: list[tuple[int, int, int, float | None, tuple[int, int] | None]], no_forecast: bool, with_terms: bool
) -> None:
    codes = [f"S{i}" for i in range(len(catalog))]
    stocks = [
        stock(c, on_hand, allocated=min(allocated, on_hand), backorders=backorders)
        for c, (on_hand, allocated, backorders, _, _) in zip(codes, catalog, strict=True)
    ]
    demand = {c: (d, d / 3) for c, (*_, d, _) in zip(codes, catalog, strict=True) if d is not None}
    pos = [
        inbound(c, i + 1, po[1], TODAY + timedelta(days=po[0]), first_eta=TODAY + timedelta(days=po[0]))
        for i, (c, (*_, po)) in enumerate(zip(codes, catalog, strict=True))
        if po is not None
    ]
    result = plan(stocks, None if no_forecast or not demand else demand, pos, with_terms)
    at_risk = result.rows[result.rows["revenue_at_risk"] > 0]
    assert set(at_risk["row"]) <= set(result.radar["row"])
    radar = result.radar.set_index("row")
    for row in at_risk["row"]:
        assert radar.loc[row, list(FLAGS)].any(), radar.loc[row].to_dict()
        assert radar.loc[row, "reason"], radar.loc[row].to_dict()
    assert (result.radar["reason"].str.len() > 0).all()
