"""The plan's words agree with its numbers, and a supplier is late only against a stock-out a new PO must prevent.

Same hand-made catalog conventions as test_plan_rules: today 2026-11-27, flat forecasts over the 30 days from
the 28th, 95% cycle service (z = 1.6449), a 7-day review, order-up-to.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restock.config import Settings
from restock.planning.engine import PlanInputs, PlanResult, build_plan
from restock.planning.explain import figure, rounding_steps
from restock.planning.suppliers import stockout_to_prevent
from restock.services.planning import PlanReport, by_urgency, report_of
from tests.unit.test_plan_rules import TODAY, forecasts, inbound, sku, stock, terms

DAYS = pd.date_range("2026-11-28", periods=8, freq="D")
INPUTS_AT = datetime(2026, 11, 27, 6, 0)
NO_RECENT = pd.DataFrame(columns=["sku", "warehouse", "recent_mean"])


def no_inbound() -> pd.DataFrame:
    frame = pd.DataFrame(columns=["sku", "warehouse", "po_id", "supplier", "status", "eta", "open_qty", "confirmed"])
    for dated in ("eta", "first_confirmed_eta", "expected"):
        frame[dated] = pd.Series(dtype="datetime64[ns]")
    return frame


def plan_of(
    stocks: list[dict[str, object]],
    candidates: list[dict[str, object]],
    demand: dict[str, tuple[float, float]],
    open_pos: pd.DataFrame | None = None,
) -> tuple[PlanResult, PlanReport]:
    skus = pd.DataFrame([sku(str(s["sku"]), 10.0) for s in stocks])
    inputs = PlanInputs(
        TODAY,
        pd.DataFrame(stocks),
        skus,
        pd.DataFrame(candidates),
        no_inbound() if open_pos is None else open_pos,
        NO_RECENT,
    )
    result = build_plan(inputs, forecasts(demand), Settings())
    return result, report_of(inputs, 30, result, INPUTS_AT)


def row(result: PlanResult, code: str) -> pd.Series:
    return result.rows.set_index("sku").loc[code]


# ---------------------------------------------------------------- the stock-out a new PO must prevent


def test_the_stock_out_to_prevent_is_the_first_day_from_which_the_projection_stays_below_zero() -> None:
    stock_by_day = np.array(
        [
            [5, 4, 3, 2, 1, 1, 0, 0],  # never short
            [-1, -2, 8, 7, 6, 5, -1, -2],  # short now, a PO ends it; short again from day 7 for good
            [2, 1, -1, -2, -3, -4, -5, -6],  # short from day 3, nothing coming
            [-3, -4, -1, -2, -3, -4, -5, -6],  # short now; the PO on day 3 is too small to end it
            [1, -1, 4, 3, 2, 1, 0, 0],  # short on day 2 only: a PO ends it, none after
        ],
        dtype="float64",
    )
    found = pd.to_datetime(stockout_to_prevent(stock_by_day, DAYS))
    assert list(found) == [pd.NaT, DAYS[6], DAYS[2], DAYS[0], pd.NaT]


def test_an_out_of_stock_sku_whose_open_po_lands_before_any_new_po_could_is_not_flagged_late() -> None:
    """CUP: 0 on hand, 2 backordered: -2 today, 1/day; PO 3's 12 units land on Dec 2 (day 5): -7 + 12 = 5, short
    again from Dec 8 (day 11). The 10-day supplier delivers on Dec 7: in time for the stock-out no open PO ends.
    Position -2 + 12 = 10; 10 - 7 = 3 <= ROP 10: reordered (order-up-to 17 - 10 = 7)."""
    open_pos = pd.DataFrame([inbound("CUP", 3, 12, date(2026, 12, 2), first_eta=date(2026, 12, 2))])
    result, report = plan_of(
        [stock("CUP", 0, backorders=2)], [terms("CUP", "ACME", 10, 1.0)], {"CUP": (1, 0)}, open_pos
    )
    cup = row(result, "CUP")
    assert cup["stockout_date"] == pd.Timestamp(2026, 11, 28)
    assert cup["stockout_to_prevent"] == pd.Timestamp(2026, 12, 8)
    assert not cup["late_supplier"]
    [suggestion] = report.suggestions
    assert (suggestion.quantity, suggestion.late_supplier, suggestion.days_late) == (7, False, 0)
    assert "late" not in suggestion.explanation
    assert suggestion.explanation.endswith(
        "from ACME, the cheapest that arrives by the stock-out on 2026-12-08, after the open POs end the one on "
        "2026-11-28; counted open POs: PO 3 (12 confirmed, expected 2026-12-02)"
    )
    radar = result.radar.set_index("sku")
    assert not radar.loc["CUP", "late_supplier"]


def test_a_sku_running_out_in_3_days_with_a_10_day_supplier_is_flagged_7_days_late() -> None:
    """MUG: 2 on hand, 1/day: 1, 0, then -1 on Nov 30 (3 days from today); ACME needs 10 days (Dec 7)."""
    result, report = plan_of([stock("MUG", 2)], [terms("MUG", "ACME", 10, 4.0)], {"MUG": (1, 0)})
    mug = row(result, "MUG")
    assert mug["stockout_to_prevent"] == mug["stockout_date"] == pd.Timestamp(2026, 11, 30)
    assert mug["late_supplier"]
    assert mug["days_late"] == 7
    [suggestion] = report.suggestions
    assert (suggestion.late_supplier, suggestion.days_late) == (True, 7)
    assert suggestion.explanation.endswith(
        "from ACME, the fastest: none arrives before the stock-out on 2026-11-30; "
        "cannot arrive before the stock-out, 7 days late"
    )
    assert bool(result.radar.set_index("sku").loc["MUG", "late_supplier"])


def test_a_fractional_lead_time_is_late_by_the_whole_days_it_misses() -> None:
    """P90 3.2 days against a stock-out in 3 days: it lands on day 4, one day late."""
    fast = terms("MUG", "FAST", 3, 4.0) | {"lead_time_p90": 3.2}
    result, _ = plan_of([stock("MUG", 2)], [fast], {"MUG": (1, 0)})
    assert row(result, "MUG")["days_late"] == 1


# ---------------------------------------------------------------- the words


@pytest.mark.parametrize(
    ("need", "moq", "pack", "quantity", "words"),
    [
        (6.1, 24, 12, 24, "need 6.1, then the MOQ of 24 -> 24"),
        (20.8, 1, 12, 24, "need 20.8, then packs of 12 -> 24"),
        (5.2, 10, 4, 12, "need 5.2, then the MOQ of 10, then packs of 4 -> 12"),
        (6.1, 1, 1, 7, "need 6.1, then whole units -> 7"),
        (6.0, 1, 1, 6, "need 6.0 -> 6"),
        (6.04, 1, 1, 7, "need just over 6, then whole units -> 7"),
        (23.7, 10, 12, 24, "need 23.7, then whole units -> 24"),  # 24 is 2 packs: they change nothing,
    ],
)
def test_the_rounding_of_a_quantity_names_only_the_steps_that_changed_it(
    need: float, moq: int, pack: int, quantity: int, words: str
) -> None:
    assert rounding_steps(need, moq, pack, quantity) == words


def test_a_position_above_the_reorder_point_says_why_it_still_orders() -> None:
    """The issue's case: a position above the reorder point still orders, because the demand before the next
    review takes it below. 1.5/day (sd 2), 7 days' lead time: ss = 1.6449 x 2 x sqrt(7) = 8.70, ROP = 10.5 + 8.70
    = 19.2; position 24 is above it, but 24 less 7 x 1.5 leaves 13.5 at the next review."""
    _, report = plan_of([stock("MUG", 24)], [terms("MUG", "ACME", 7, 2.0)], {"MUG": (1.5, 2)})
    [s] = report.suggestions
    assert (s.position, s.reorder_point) == (24, 19.2)
    assert s.explanation.startswith(
        "projected stock at the next review (2026-12-04) is 13.5 (position 24 less 10.5 expected demand), "
        "at or below the reorder point 19.2: order now"
    )


def test_the_reorder_point_in_the_words_is_the_column_rounded_the_same_way() -> None:
    """17.61 is 17.6 in the column and in the text (they used to say 17.6 and 17.5)."""
    assert figure(17.61) == 17.6
    assert figure(17.549) == 17.5
    assert str(figure(-0.04)) == "0.0"


def numbers_named(explanation: str) -> dict[str, list[str]]:
    """Every figure the explanation names next to the column it belongs to."""
    patterns = {
        "position": r"position (-?\d+)(?![\d.])",
        "reorder_point": r"reorder point (-?\d+\.\d)(?!\d)",
        "order_up_to": r"order-up-to (-?\d+\.\d)(?!\d)",
        "quantity": r"-> (\d+)",
        "stockout": r"stock-out on (\d{4}-\d\d-\d\d)",
        "days_late": r"(\d+) days? late",
    }
    return {name: re.findall(pattern, explanation) for name, pattern in patterns.items()}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 300),  # on hand
            st.integers(0, 20),  # waiting backorders
            st.floats(0.05, 40),  # demand per day
            st.floats(0, 5),  # its one-day error
            st.integers(1, 40),  # lead time
            st.integers(1, 60),  # MOQ
            st.integers(1, 24),  # pack size
            st.sampled_from(["order_up_to", "eoq"]),
            st.one_of(st.none(), st.tuples(st.integers(1, 29), st.integers(1, 200))),  # an open PO: day, units
        ),
        min_size=1,
        max_size=10,
    )
)
def test_every_number_an_explanation_names_is_the_value_of_its_column(
    catalog: list[tuple[int, int, float, float, int, int, int, str, tuple[int, int] | None]],
) -> None:
    codes = [f"S{i}" for i in range(len(catalog))]
    stocks = [stock(c, r[0], backorders=r[1]) for c, r in zip(codes, catalog, strict=True)]
    candidates = [terms(c, "ACME", r[4], 2.5, moq=r[5], pack=r[6]) for c, r in zip(codes, catalog, strict=True)]
    demand = {c: (r[2], r[3]) for c, r in zip(codes, catalog, strict=True)}
    pos = [
        inbound(c, i + 1, r[8][1], date(2026, 11, 27) + pd.Timedelta(days=r[8][0]), first_eta=date(2026, 11, 28))
        for i, (c, r) in enumerate(zip(codes, catalog, strict=True))
        if r[8] is not None
    ]
    skus = pd.DataFrame([sku(c, 10.0) | {"policy": r[7]} for c, r in zip(codes, catalog, strict=True)])
    inputs = PlanInputs(
        TODAY,
        pd.DataFrame(stocks),
        skus,
        pd.DataFrame(candidates),
        pd.DataFrame(pos) if pos else no_inbound(),
        NO_RECENT,
    )
    report = report_of(inputs, 30, build_plan(inputs, forecasts(demand), Settings()), INPUTS_AT)
    for s in report.suggestions:
        named = numbers_named(s.explanation)
        assert {int(p) for p in named["position"]} == {s.position}, s.explanation
        assert [float(x) for x in named["reorder_point"]] == [s.reorder_point], s.explanation
        assert all(float(x) == s.order_up_to for x in named["order_up_to"]), s.explanation
        assert [int(q) for q in named["quantity"]] == [s.quantity], s.explanation
        dates = {d for d in (s.stockout_date, s.stockout_to_prevent) if d is not None}
        assert {date.fromisoformat(d) for d in named["stockout"]} <= dates, s.explanation
        assert [int(d) for d in named["days_late"]] == ([s.days_late] if s.late_supplier else []), s.explanation


def test_the_most_urgent_purchase_comes_first_then_the_largest_value() -> None:
    """The earliest stock-out first; on the same day the larger order; without a stock-out, last."""
    rows = pd.DataFrame(
        [
            {"sku": "A", "warehouse": "W1", "supplier": "X", "quantity": 10, "unit_cost": 1.0, "stockout_date": None},
            {
                "sku": "B",
                "warehouse": "W1",
                "supplier": "X",
                "quantity": 1,
                "unit_cost": 5.0,
                "stockout_date": "2026-12-03",
            },
            {
                "sku": "C",
                "warehouse": "W1",
                "supplier": "Y",
                "quantity": 2,
                "unit_cost": 5.0,
                "stockout_date": "2026-12-03",
            },
            {
                "sku": "D",
                "warehouse": "W1",
                "supplier": "Y",
                "quantity": 1,
                "unit_cost": 1.0,
                "stockout_date": "2026-12-01",
            },
        ]
    ).astype({"stockout_date": "datetime64[ns]"})
    assert list(by_urgency(rows)["sku"]) == ["D", "C", "B", "A"]


def test_a_supplier_chosen_on_its_reliability_adjusted_cost_says_so() -> None:
    """ACME is on time half the time: its $4.00 counts as 4 x (1 + 0.5 x 0.5) = $5.00, so FAST's $4.50 wins."""
    acme = terms("MUG", "ACME", 3, 4.0) | {"on_time_rate": 0.5}
    _, report = plan_of([stock("MUG", 8)], [acme, terms("MUG", "FAST", 3, 4.5)], {"MUG": (1, 0)})
    [s] = report.suggestions
    assert s.supplier == "FAST"
    assert s.explanation.endswith("from FAST, the cheapest that arrives by the stock-out on 2026-12-06")
    _, alone = plan_of([stock("MUG", 8)], [acme], {"MUG": (1, 0)})
    assert alone.suggestions[0].explanation.endswith(
        "from ACME, the cheapest that arrives by the stock-out on 2026-12-06, its cost adjusted for its on-time and "
        "fill rates"
    )
