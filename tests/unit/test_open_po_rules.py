"""Every open PO counts: the day an open line is expected, the position that counts it, the supplier a row keeps
while its own PO is open, and planning again with the plan's own drafts open, which orders nothing new.

Hand-made inputs as in tests/unit/test_plan_rules.py: today is 2026-11-27, flat forecasts at W1, 95% service,
a 7-day review, order-up-to.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from restock.config import Settings
from restock.planning.columns import INBOUND_COLUMNS
from restock.planning.engine import PlanInputs, PlanResult, build_plan
from restock.planning.inbound import KEPT_WORDS, OpenLine, expected_arrival, open_po_words, with_expected_arrivals
from restock.planning.quantities import with_inventory_position
from restock.planning.suppliers import measured_terms
from tests.unit.test_plan_rules import TODAY, forecasts, sku, stock, terms

NOON = datetime(2026, 11, 20, 12, 30)


def line(status: str, **given: object) -> dict[str, object]:
    """One open PO line as store.planning.open_inbound reads it: created Nov 20 at 12:30, sent (unless a draft)
    Nov 21 at 9:00, no ETA; 10 units of MUG at W1 on PO 1 from ACME, whose quote is 14 days."""
    sent = None if status == "draft" else datetime(2026, 11, 21, 9, 0)
    return {
        "sku": "MUG",
        "warehouse": "W1",
        "po_id": 1,
        "supplier": "ACME",
        "status": status,
        "eta": pd.NaT,
        "open_qty": 10,
        "confirmed": False,
        "first_confirmed_eta": pd.NaT,
        "created_at": NOON,
        "sent_at": sent,
        "quoted_lead_time": 14,
        "lead_time_p50": 14.0,
    } | given


def arrivals(*lines: dict[str, object]) -> list[date]:
    frame = pd.DataFrame(list(lines))
    for column in ("eta", "created_at", "sent_at"):
        frame[column] = pd.to_datetime(frame[column])
    return [day.date() for day in expected_arrival(frame)]


# ---------------------------------------------------------------- the expected arrival


def test_a_confirmed_eta_is_the_day_a_line_is_expected() -> None:
    confirmed = line("confirmed", eta=pd.Timestamp(2026, 12, 20), confirmed=True)
    assert arrivals(confirmed) == [date(2026, 12, 20)]


def test_a_sent_line_without_a_confirmed_eta_is_expected_its_p50_lead_time_after_the_day_it_was_sent() -> None:
    """Sent Nov 21 + P50 14 days = Dec 5; an ETA the supplier gave without confirming it is not a promise."""
    assert arrivals(line("sent")) == [date(2026, 12, 5)]
    assert arrivals(line("sent", eta=pd.Timestamp(2026, 12, 1))) == [date(2026, 12, 5)]


def test_a_draft_is_expected_its_p50_lead_time_after_the_day_it_was_created() -> None:
    """Created Nov 20 (at 12:30: the day counts) + 14 = Dec 4."""
    assert arrivals(line("draft")) == [date(2026, 12, 4)]


def test_a_part_of_a_day_of_lead_time_counts_as_a_whole_day() -> None:
    assert arrivals(line("sent", lead_time_p50=9.5)) == [date(2026, 11, 21) + timedelta(days=10)]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["draft", "sent", "confirmed", "partially_received"]),
            st.integers(0, 60),  # days after Nov 1 the PO was created
            st.integers(0, 10),  # days from created to sent
            st.integers(0, 90),  # P50 lead time
            st.one_of(st.none(), st.integers(-30, 90)),  # ETA, days after Nov 1
            st.booleans(),  # ETA confirmed
        ),
        min_size=1,
        max_size=20,
    )
)
def test_every_line_is_expected_on_its_confirmed_eta_else_its_p50_after_it_was_sent_or_drafted(
    lines: list[tuple[str, int, int, int, int | None, bool]],
) -> None:
    start = datetime(2026, 11, 1, 16, 45)
    rows = []
    wanted = []
    for status, created, sent_after, p50, eta, confirmed in lines:
        created_at = start + timedelta(days=created)
        sent_at = None if status == "draft" else created_at + timedelta(days=sent_after)
        given_eta = None if eta is None else date(2026, 11, 1) + timedelta(days=eta)
        firm = confirmed and given_eta is not None and status != "draft"
        rows.append(
            line(
                status,
                created_at=created_at,
                sent_at=sent_at,
                lead_time_p50=float(p50),
                eta=pd.NaT if given_eta is None else pd.Timestamp(given_eta),
                confirmed=firm,
            )
        )
        counted_from = (sent_at or created_at).date()
        wanted.append(given_eta if firm else counted_from + timedelta(days=p50))
    assert arrivals(*rows) == wanted


def scorecard(supplier: str, sku: str | None, p50: float, received: int = 3) -> dict[str, object]:
    return {
        "supplier": supplier,
        "sku": sku,
        "received_pos": received,
        "lead_time_mean": p50 + 1,
        "lead_time_std": 2.0,
        "lead_time_p50": p50,
        "lead_time_p90": p50 + 4,
        "on_time_rate": 0.9,
        "fill_rate": 1.0,
    }


def test_the_p50_lead_time_is_the_pairs_own_else_the_suppliers_else_the_quote() -> None:
    """MUG from ACME has 3 received POs of its own (P50 9); CUP from ACME only the supplier's (P50 11); FAST has
    two received POs, too few: its quote (5) counts."""
    lines = pd.DataFrame(
        [
            line("sent", po_id=1),
            line("sent", po_id=2, sku="CUP", quoted_lead_time=20),
            line("sent", po_id=3, supplier="FAST", quoted_lead_time=5),
        ]
    ).drop(columns=["lead_time_p50"])  # as store.planning.open_inbound reads them
    scores = pd.DataFrame(
        [scorecard("ACME", None, 11), scorecard("ACME", "MUG", 9), scorecard("FAST", None, 2, received=2)]
    )
    dated = with_expected_arrivals(lines, scores)
    assert list(dated["lead_time_p50"]) == [9.0, 11.0, 5.0]
    assert [day.date() for day in dated["expected"]] == [date(2026, 11, 30), date(2026, 12, 2), date(2026, 11, 26)]


def test_the_planner_takes_the_p50_with_the_other_measured_lead_time_figures() -> None:
    quoted = pd.DataFrame(
        [{"sku": "MUG", "supplier": "ACME", "quoted_lead_time": 14, "moq": 1, "pack_size": 1, "unit_cost": 4}]
    )
    [measured] = measured_terms(quoted, pd.DataFrame([scorecard("ACME", None, 11)])).to_dict("records")
    assert (measured["lead_time_p50"], measured["lead_time_p90"], measured["lead_time_std"]) == (11.0, 15.0, 2.0)
    [unmeasured] = measured_terms(quoted, pd.DataFrame()).to_dict("records")
    assert (unmeasured["lead_time_p50"], unmeasured["lead_time_p90"], unmeasured["lead_time_std"]) == (14, 14, 0)


# ---------------------------------------------------------------- the position


def open_lines(*lines: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(list(lines))
    frame["expected"] = pd.to_datetime(frame.get("expected", pd.Timestamp(2026, 12, 5)))
    return frame[INBOUND_COLUMNS]


def test_the_position_counts_every_open_line_draft_sent_and_confirmed() -> None:
    """MUG: 20 on hand - 3 allocated - 2 waiting backorders + 5 draft + 7 sent + 4 confirmed = 31."""
    rows = pd.DataFrame([stock("MUG", 20, allocated=3, backorders=2), stock("CUP", 8)])
    inbound = open_lines(
        line("draft", po_id=4, open_qty=5),
        line("sent", po_id=3, open_qty=7, expected=pd.Timestamp(2026, 12, 1)),
        line("confirmed", po_id=2, open_qty=4, confirmed=True),
    )
    counted = with_inventory_position(rows, inbound).set_index("sku")
    assert counted.loc["MUG", "position"] == 31
    assert counted.loc["MUG", "open_pos"] == ["PO 3", "PO 2", "PO 4"]  # soonest expected first
    assert (counted.loc["CUP", "position"], counted.loc["CUP", "open_pos"]) == (8, [])


def test_the_explanation_names_each_open_po_with_its_units_status_and_expected_day() -> None:
    row = {
        "supplier": "ACME",
        "open_lines": (
            OpenLine("PO 3", 12, "sent", date(2026, 12, 9)),
            OpenLine("PO 5", 4, "partially_received", date(2026, 12, 20)),
        ),
    }
    words = "counted open POs: PO 3 (12 sent, expected 2026-12-09), PO 5 (4 partly received, expected 2026-12-20)"
    assert open_po_words(row) == words
    assert open_po_words({"supplier": "ACME", "open_lines": ()}) == ""


# ---------------------------------------------------------------- the plan


def plan(stocks: list[dict[str, object]], inbound: pd.DataFrame) -> PlanResult:
    """MUG, 2/day (sd 1): ACME 10 days at $4 (MOQ 24, packs of 12), FAST 3 days at $5."""
    candidates = pd.DataFrame([terms("MUG", "ACME", 10, 4.00, moq=24, pack=12), terms("MUG", "FAST", 3, 5.00)])
    skus = pd.DataFrame([sku("MUG", 10.0)])
    recent = pd.DataFrame(columns=["sku", "warehouse", "recent_mean"])
    inputs = PlanInputs(TODAY, pd.DataFrame(stocks), skus, candidates, inbound, recent)
    return build_plan(inputs, forecasts({"MUG": (2, 1)}), Settings())


def test_a_sent_but_unconfirmed_po_is_counted_and_not_suggested_again() -> None:
    """MUG with 6 on hand runs out on Dec 1, before ACME (10 days) can deliver: FAST, ROP 6 + 2.85 = 8.85 >= 6 - 14;
    order-up-to 25.2 - 6 -> 20. With those 20 on a sent PO (expected Nov 30) the position is 26, and 26 - 14 = 12
    is above the reorder point: nothing is suggested, and the PO is named."""
    alone = plan([stock("MUG", 6)], open_lines(line("sent")).iloc[:0])
    assert alone.suggestions[["supplier", "quantity"]].to_dict("records") == [{"supplier": "FAST", "quantity": 20}]
    sent = open_lines(line("sent", po_id=3, supplier="FAST", open_qty=20, expected=pd.Timestamp(2026, 11, 30)))
    counted = plan([stock("MUG", 6)], sent)
    [mug] = counted.rows.to_dict("records")
    assert (mug["position"], mug["quantity"], mug["open_pos"]) == (26, 0, ["PO 3"])
    assert "no order; counted open POs: PO 3 (20 sent, expected 2026-11-30)" in mug["explanation"]
    assert counted.suggestions.empty


def test_the_projection_puts_an_open_line_on_its_expected_day_and_an_overdue_one_on_the_first() -> None:
    """6 on hand, 2/day: 4 at the end of Nov 28; the draft's 36 come on Dec 1 (day 4); an overdue sent line's
    5 (expected Nov 25) count from Nov 28."""
    inbound = open_lines(
        line("draft", po_id=8, open_qty=36, expected=pd.Timestamp(2026, 12, 1)),
        line("sent", po_id=2, open_qty=5, expected=pd.Timestamp(2026, 11, 25)),
    )
    result = plan([stock("MUG", 6)], inbound)
    assert list(result.projection[0][:5]) == [9, 7, 5, 39, 37]


def test_a_row_keeps_the_supplier_of_its_latest_open_po_while_that_one_delivers_in_time() -> None:
    """20 on hand, 2/day, and 10 drafted from FAST (3 days) on Nov 27: projected short on Dec 13 (30 - 2 x 16),
    so ACME (10 days, cheaper) would now deliver in time, and with ACME's reorder point (25.2 >= 30 - 14) the
    same need would be ordered twice. FAST is kept: 16 is above its reorder point 8.85, nothing is ordered."""
    draft = open_lines(line("draft", supplier="FAST", open_qty=10, expected=pd.Timestamp(2026, 11, 30)))
    [mug] = plan([stock("MUG", 20)], draft).rows.to_dict("records")
    assert (mug["supplier"], mug["kept_supplier"], mug["quantity"]) == ("FAST", 1.0, 0)
    assert (
        f"no order; counted open POs: PO 1 (10 draft, expected 2026-11-30); FAST kept: {KEPT_WORDS}"
        in mug["explanation"]
    )


def test_the_open_pos_supplier_is_not_kept_where_it_would_order_too() -> None:
    """20 on hand + 2 drafted from FAST: short on Dec 8, ACME (10 days) is in time and cheaper. FAST would reorder
    too (22 - 14 = 8 <= its ROP 8.85), so keeping it removes no order: ACME, the plan's own choice, stands."""
    draft = open_lines(line("draft", supplier="FAST", open_qty=2, expected=pd.Timestamp(2026, 11, 30)))
    [mug] = plan([stock("MUG", 20)], draft).rows.to_dict("records")
    assert (mug["supplier"], mug["kept_supplier"], mug["quantity"]) == ("ACME", 0.0, 24)
    assert "kept" not in mug["explanation"]


# ---------------------------------------------------------------- planning twice


def drafts_of(result: PlanResult, po_from: int) -> pd.DataFrame:
    """The plan's suggestions as draft PO lines created today, each expected the chosen supplier's lead time
    (here its P50) after today."""
    chosen = result.suggestions.reset_index(drop=True)
    drafted = pd.DataFrame(
        {
            "sku": chosen["sku"],
            "warehouse": chosen["warehouse"],
            "po_id": np.arange(po_from, po_from + len(chosen)),
            "supplier": chosen["supplier"],
            "status": "draft",
            "eta": pd.NaT,
            "open_qty": chosen["quantity"],
            "confirmed": False,
            "first_confirmed_eta": pd.NaT,
            "created_at": pd.Timestamp(TODAY),
            "sent_at": pd.NaT,
            "lead_time_p50": chosen["lead_time_mean"],
        }
    )
    drafted["expected"] = expected_arrival(drafted)
    return drafted[INBOUND_COLUMNS]


@settings(max_examples=60, deadline=None)
@example([(91, 0, 12.0, 0.0, 9, 8, 1, 1, "order_up_to", 10)])  # FAST first, then ACME in time: kept FAST
@example([(0, 0, 30.0, 0.0, 40, None, 1, 1, "eoq", 14)])  # 1620 to stay above ROP 1200 + 420: not onto it
@given(
    st.lists(
        st.tuples(
            st.integers(0, 300),  # on hand
            st.integers(0, 20),  # waiting backorders
            st.floats(0, 30),  # demand per day
            st.sampled_from([0.0, 0.3, 1.0]),  # one-day error / demand
            st.integers(1, 40),  # lead time of the cheaper supplier
            st.one_of(st.none(), st.integers(0, 40)),  # lead time of a dearer second source, if any
            st.integers(1, 50),  # MOQ
            st.integers(1, 24),  # pack size
            st.sampled_from(["order_up_to", "eoq"]),
            st.integers(1, 14),  # review days
        ),
        min_size=1,
        max_size=10,
    )
)
def test_planning_again_with_the_plans_own_drafts_open_orders_nothing_new(
    catalog: list[tuple[int, int, float, float, int, int | None, int, int, str, int]],
) -> None:
    codes = [f"S{i}" for i in range(len(catalog))]
    stocks = pd.DataFrame([stock(c, row[0], backorders=row[1]) for c, row in zip(codes, catalog, strict=True)])
    skus = pd.DataFrame(
        [sku(c, 10.0) | {"policy": row[8], "review_days": row[9]} for c, row in zip(codes, catalog, strict=True)]
    )
    offers = []
    for c, (*_, lead, second, moq, pack, _policy, _review) in zip(codes, catalog, strict=True):
        offers.append(terms(c, "ACME", lead, 2.0, moq=moq, pack=pack))
        if second is not None:
            offers.append(terms(c, "FAST", second, 3.0))
    demand = {c: (row[2], row[2] * row[3]) for c, row in zip(codes, catalog, strict=True)}
    recent = pd.DataFrame(columns=["sku", "warehouse", "recent_mean"])
    none = open_lines(line("draft")).iloc[:0]
    first = build_plan(
        PlanInputs(TODAY, stocks, skus, pd.DataFrame(offers), none, recent), forecasts(demand), Settings()
    )
    again = build_plan(
        PlanInputs(TODAY, stocks, skus, pd.DataFrame(offers), drafts_of(first, 1), recent),
        forecasts(demand),
        Settings(),
    )
    assert again.suggestions[["sku", "supplier", "quantity"]].to_dict("records") == []


@pytest.mark.parametrize("status", ["draft", "sent", "confirmed"])
def test_an_open_po_of_any_status_that_covers_the_need_leaves_nothing_to_order(status: str) -> None:
    covering = open_lines(line(status, open_qty=36, confirmed=status == "confirmed"))
    assert plan([stock("MUG", 6)], covering).suggestions.empty
