"""The plan and the radar on a hand-made catalog whose right answer is worked out in each docstring.

Today is 2026-11-27; the forecast path covers the 30 days from the 28th; every SKU is planned for a
95% cycle service level (z = 1.6449), a 7-day review period, order-up-to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from restock.config import Settings
from restock.planning.engine import PlanInputs, PlanResult, build_plan
from restock.planning.formulas import order_up_to_level, reorder_point, safety_stock, whole_packs
from restock.planning.policy import abc_classes

TODAY = date(2026, 11, 27)
DAYS = [TODAY + timedelta(days=k) for k in range(1, 31)]


@dataclass(frozen=True)
class HandMadeForecasts:
    summary: pd.DataFrame
    path: pd.DataFrame


def forecasts(demand: dict[str, tuple[float, float]]) -> HandMadeForecasts:
    """Flat forecasts at W1: sku -> (units per day, one-day error)."""
    summary = pd.DataFrame(
        [
            {
                "unique_id": f"{sku}@W1",
                "sku": sku,
                "warehouse": "W1",
                "demand_class": "smooth",
                "model": "hand",
                "demand_mean": mean,
                "demand_std": std,
                "backtest_mase": 1.0,
            }
            for sku, (mean, std) in demand.items()
        ]
    )
    path = pd.DataFrame(
        [
            {"unique_id": f"{sku}@W1", "sku": sku, "warehouse": "W1", "ds": pd.Timestamp(day), "yhat": mean}
            for sku, (mean, _) in demand.items()
            for day in DAYS
        ]
    )
    return HandMadeForecasts(summary, path)


def stock(sku: str, on_hand: int, allocated: int = 0, backorders: int = 0) -> dict[str, object]:
    return {"sku": sku, "warehouse": "W1", "on_hand": on_hand, "allocated": allocated, "backorders": backorders}


def sku(code: str, price: float) -> dict[str, object]:
    return {
        "sku": code,
        "price": price,
        "review_days": 7,
        "policy": "order_up_to",
        "order_cost": 25.0,
        "holding_rate": 0.25,
        "service_level": 0.95,
    }


def terms(sku: str, supplier: str, lead: float, cost: float, moq: int = 1, pack: int = 1) -> dict[str, object]:
    return {
        "sku": sku,
        "supplier": supplier,
        "lead_time_mean": lead,
        "lead_time_std": 0.0,
        "lead_time_p90": lead,
        "moq": moq,
        "pack_size": pack,
        "unit_cost": cost,
        "on_time_rate": np.nan,
        "fill_rate": np.nan,
    }


def inbound(sku: str, po: int, qty: int, eta: date, first_eta: date, supplier: str = "ACME") -> dict[str, object]:
    return {
        "sku": sku,
        "warehouse": "W1",
        "po_id": po,
        "supplier": supplier,
        "status": "confirmed",
        "eta": pd.Timestamp(eta),
        "open_qty": qty,
        "confirmed": True,
        "first_confirmed_eta": pd.Timestamp(first_eta),
        "expected": pd.Timestamp(eta),  # a confirmed ETA is the day it is expected
    }


def small_catalog() -> PlanResult:
    stocks = pd.DataFrame(
        [stock("MUG", 20), stock("CUP", 100), stock("BOWL", 5, allocated=2, backorders=1), stock("LAMP", 40)]
    )  # VASE has no stock row: it is planned for its forecast and its inbound PO
    skus = pd.DataFrame(
        [sku("MUG", 10.0), sku("CUP", 5.0), sku("BOWL", 20.0), sku("LAMP", 50.0), sku("VASE", 8.0), sku("UNSOLD", 1)]
    )
    candidates = pd.DataFrame(
        [
            terms("MUG", "ACME", 10, 4.00, moq=24, pack=12),
            terms("MUG", "FAST", 3, 5.00),
            terms("CUP", "ACME", 10, 1.00, pack=6),
            terms("BOWL", "ACME", 10, 3.00, pack=4),
            terms("BOWL", "SLOW", 20, 1.00),
            terms("LAMP", "FAST", 3, 20.00),
            terms("VASE", "FAST", 3, 2.00),
        ]
    )
    open_pos = pd.DataFrame(
        [
            inbound("BOWL", 7, 10, date(2026, 12, 2), first_eta=date(2026, 11, 30)),
            inbound("VASE", 8, 6, date(2026, 11, 25), first_eta=date(2026, 11, 25), supplier="FAST"),
        ]
    )
    recent = pd.DataFrame([{"sku": "LAMP", "warehouse": "W1", "recent_mean": 5.0}])
    demand = {"MUG": (2, 1), "CUP": (1, 0.5), "BOWL": (1, 0), "LAMP": (1, 0.5), "VASE": (0.5, 0)}
    return build_plan(PlanInputs(TODAY, stocks, skus, candidates, open_pos, recent), forecasts(demand), Settings())


def row(result: PlanResult, sku: str) -> pd.Series:
    return result.rows.set_index("sku").loc[sku]


def test_a_sku_that_will_fall_below_its_reorder_point_before_the_next_review_is_reordered_up_to_its_level() -> None:
    """MUG: 20 on hand, 2/day (sd 1). ACME (10 days, $4) and FAST (3 days, $5) both deliver before the stock-out
    on day 11, so the cheaper ACME: ss = 1.6449 x sqrt(10 x 1) = 5.20, ROP = 20 + 5.20 = 25.20; 20 - 2 x 7 = 6
    is below it. Order-up-to 2 x 17 + 1.6449 x sqrt(17) = 40.78; 40.78 - 20 = 20.78 -> 21 -> MOQ 24 -> 2 packs of 12.
    """
    mug = row(small_catalog(), "MUG")
    assert mug["supplier"] == "ACME"
    assert mug["safety_stock"] == pytest.approx(5.2016, abs=1e-3)
    assert mug["reorder_point"] == pytest.approx(25.2016, abs=1e-3)
    assert mug["order_up_to"] == pytest.approx(40.7821, abs=1e-3)
    assert mug["quantity"] == 24
    assert mug["explanation"] == (
        "projected stock at the next review (2026-12-04) is 6.0 (position 20 less 14.0 expected demand), at or below "
        "the reorder point 25.2: order now; order-up-to 40.8 less position 20: need 20.8, then the MOQ of 24 -> 24; "
        "from ACME, the cheapest that arrives by the stock-out on 2026-12-08"
    )
    assert mug["stockout_date"] == pd.Timestamp(2026, 12, 8)


def test_the_plan_takes_safety_stock_reorder_point_and_order_up_to_from_the_formulas() -> None:
    """Every row's figures are those of restock.planning.formulas for its chosen supplier, to the bit."""
    rows = small_catalog().rows.dropna(subset=["supplier"])
    figures = (rows["demand_mean"], rows["demand_std"], rows["lead_time_mean"], rows["lead_time_std"])
    d, sd, lt, slt = (column.to_numpy(dtype="float64") for column in figures)
    level, review = rows["service_level"].to_numpy(), rows["review_days"].to_numpy(dtype="float64")
    assert list(rows["safety_stock"]) == list(safety_stock(d, sd, lt, slt, level))
    assert list(rows["reorder_point"]) == list(reorder_point(d, sd, lt, slt, level))
    assert list(rows["order_up_to"]) == list(order_up_to_level(d, sd, lt, slt, level, review))
    wanted = rows["raw_quantity"].to_numpy()
    assert list(rows["quantity"]) == list(whole_packs(wanted, rows["moq"].to_numpy(), rows["pack_size"].to_numpy()))


def test_a_sku_well_above_its_reorder_point_is_not_reordered() -> None:
    """CUP: 100 on hand, 1/day: 100 - 7 = 93 is far above ROP 10 + 1.6449 x sqrt(10 x 0.25) = 12.6."""
    cup = row(small_catalog(), "CUP")
    assert cup["quantity"] == 0
    assert not cup["reorder"]
    assert "no order" in cup["explanation"]


def test_a_supplier_must_beat_the_stock_out_after_the_open_po_not_the_one_it_ends() -> None:
    """BOWL: available 5 - 2 allocated - 1 backordered = 2, 1/day: short on Nov 30 (day 3), until PO 7's 10 units
    land on Dec 2 (7 left); short again from Dec 10, for good. No new PO can beat Nov 30 and none needs to: ACME
    (10 days: Dec 7) arrives by Dec 10, SLOW (20 days, cheaper) does not: ACME, in time, not flagged.
    Position 2 + 10 inbound = 12; ROP 10 (no variability); 12 - 7 = 5 <= 10; order-up-to 17 - 12 = 5 -> packs of 4: 8.
    """
    bowl = row(small_catalog(), "BOWL")
    assert (bowl["supplier"], bowl["quantity"], bowl["position"]) == ("ACME", 8, 12)
    assert (bowl["stockout_date"], bowl["stockout_to_prevent"]) == (
        pd.Timestamp(2026, 11, 30),
        pd.Timestamp(2026, 12, 10),
    )
    assert not bowl["late_supplier"]
    assert bowl["days_late"] == 0
    assert bowl["explanation"].endswith(
        "from ACME, the cheapest that arrives by the stock-out on 2026-12-10, after the open POs end the one on "
        "2026-11-30; counted open POs: PO 7 (10 confirmed, expected 2026-12-02)"
    )


def test_radar_flags_and_order_by_revenue_at_risk() -> None:
    """Shortfalls over 30 days: MUG 20 - 60 = -40 units x $10 = 400; VASE 6 (overdue PO, counted on day 1)
    - 15 = -9 x $8 = 72; BOWL short from Nov 30, before PO 7 lands, and 2 + 10 - 30 = -18 by the end: 18 x $20
    = 360; LAMP none, but its last week (5/day) is far above its forecast (1/day, sd 0.5). CUP is never below
    its safety stock."""
    radar = small_catalog().radar.set_index("sku")
    assert list(radar.index) == ["MUG", "BOWL", "VASE", "LAMP"]
    assert list(radar["revenue_at_risk"]) == [400.0, 360.0, 72.0, 0.0]
    flags = ["stockout_before_receipt", "late_po", "supplier_slipping", "demand_spike"]
    assert radar[flags].to_dict("index") == {
        "MUG": dict.fromkeys(flags, False) | {"stockout_before_receipt": True},
        "VASE": dict.fromkeys(flags, False) | {"late_po": True},
        "BOWL": dict.fromkeys(flags, False) | {"stockout_before_receipt": True, "supplier_slipping": True},
        "LAMP": dict.fromkeys(flags, False) | {"demand_spike": True},
    }
    assert radar.loc["BOWL", "stockout_date"] == pd.Timestamp(2026, 11, 30)


def test_projection_is_stock_minus_forecast_plus_arrivals_on_their_eta() -> None:
    result = small_catalog()
    bowl = result.projection[list(result.rows["sku"]).index("BOWL")]
    assert list(bowl[:6]) == [1, 0, -1, -2, 7, 6]  # PO 7's 10 units arrive on Dec 2
    assert result.days[0] == date(2026, 11, 28)


def test_only_the_suggestions_with_a_quantity_are_purchase_suggestions() -> None:
    assert set(small_catalog().suggestions["sku"]) == {"MUG", "BOWL"}


def test_a_sku_without_stock_forecast_or_supply_is_not_planned() -> None:
    assert "UNSOLD" not in set(small_catalog().rows["sku"])


def test_abc_classes_split_skus_by_their_share_of_revenue() -> None:
    """Revenue 70, 15, 10, 5, 0: A holds the SKUs before 80% is reached, B before 95%, the rest C."""
    revenue = pd.Series({"a": 70.0, "b": 15.0, "c": 10.0, "d": 5.0, "e": 0.0})
    assert abc_classes(revenue, Settings()).to_dict() == {"a": "A", "b": "A", "c": "B", "d": "C", "e": "C"}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 500),  # on hand
            st.integers(0, 20),  # waiting backorders
            st.floats(0, 50),  # demand per day
            st.integers(1, 60),  # lead time
            st.integers(1, 100),  # MOQ
            st.integers(1, 48),  # pack size
            st.sampled_from(["order_up_to", "eoq"]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_suggested_quantity_is_whole_packs_at_least_the_moq_and_reaches_the_reorder_point(
    catalog: list[tuple[int, int, float, int, int, int, str]],
) -> None:
    codes = [f"S{i}" for i in range(len(catalog))]
    stocks = pd.DataFrame([stock(c, on, backorders=bo) for c, (on, bo, *_rest) in zip(codes, catalog, strict=True)])
    skus = pd.DataFrame([sku(c, 10.0) | {"policy": row[6]} for c, row in zip(codes, catalog, strict=True)])
    candidates = pd.DataFrame(
        [terms(c, "ACME", row[3], 2.0, moq=row[4], pack=row[5]) for c, row in zip(codes, catalog, strict=True)]
    )
    demand = {c: (row[2], row[2] / 2) for c, row in zip(codes, catalog, strict=True)}
    empty_inbound = pd.DataFrame(columns=["sku", "warehouse", "po_id", "supplier", "status", "eta", "open_qty"])
    empty_inbound["confirmed"] = pd.Series(dtype="bool")
    for dated in ("first_confirmed_eta", "expected"):
        empty_inbound[dated] = pd.Series(dtype="datetime64[ns]")
    recent = pd.DataFrame(columns=["sku", "warehouse", "recent_mean"])
    inputs = PlanInputs(TODAY, stocks, skus, candidates, empty_inbound, recent)
    rows = build_plan(inputs, forecasts(demand), Settings()).rows
    ordered = rows[rows["quantity"] > 0]
    assert (ordered["quantity"] % ordered["pack_size"] == 0).all()
    assert (ordered["quantity"] >= ordered["moq"]).all()
    assert (ordered["position"] + ordered["quantity"] >= ordered["reorder_point"] - 1e-6).all()
    assert (rows.loc[~rows["reorder"], "quantity"] == 0).all()
