"""Supplier statistics from a PO history built by hand, whose right figures are worked out below."""

from __future__ import annotations

from datetime import date

import pytest

from restock.domain.errors import NotFound
from restock.services import catalog, purchasing
from restock.services.context import Context
from restock.services.reliability import SupplierScore, supplier_scorecard
from tests.builders import on_day, standard_catalog


def nov(day: int) -> date:
    return date(2026, 11, day)


def history(ctx: Context) -> None:
    """ACME, four POs sent in November (today is the 27th), one draft; FAST, one PO.

    PO1 MUG 10 + CUP 5: sent 1st, ETA 11th, received in full on the 11th  -> lead 10, on time
    PO2 MUG 10: sent 2nd, ETA 12th, moved to 15th on the 5th, received on the 16th -> lead 14, late by 4
    PO3 MUG 10: sent 3rd, ETA 13th, 6 received on the 13th, rest cancelled -> lead 10, on time, fill 6/10
    PO4 MUG 10: sent 4th, ETA 20th, moved to 22nd then to the 30th, still open -> late by 10 already
    """
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "4.00")

    def po(day: int, lines: list[tuple[str, int]], eta: int, supplier: str = "ACME") -> int:
        created = purchasing.create_po(on_day(ctx, nov(day)), supplier, "W1", lines).id
        purchasing.send_po(on_day(ctx, nov(day)), created)
        purchasing.confirm_po(on_day(ctx, nov(day)), created, nov(eta))
        return created

    po1 = po(1, [("MUG", 10), ("CUP", 5)], 11)
    po2 = po(2, [("MUG", 10)], 12)
    po3 = po(3, [("MUG", 10)], 13)
    po4 = po(4, [("MUG", 10)], 20)
    fast = po(5, [("CUP", 20)], 8, supplier="FAST")
    purchasing.create_po(ctx, "ACME", "W1", [("MUG", 99)])  # a draft: measures nothing
    purchasing.change_eta(on_day(ctx, nov(5)), po2, nov(15))
    purchasing.receive_po(on_day(ctx, nov(8)), fast, [("CUP", 20)])
    purchasing.change_eta(on_day(ctx, nov(10)), po4, nov(22))
    purchasing.receive_po(on_day(ctx, nov(11)), po1, [("MUG", 10), ("CUP", 5)])
    purchasing.receive_po(on_day(ctx, nov(13)), po3, [("MUG", 6)])
    purchasing.cancel_po(on_day(ctx, nov(14)), po3)
    purchasing.change_eta(on_day(ctx, nov(15)), po4, nov(30))
    purchasing.receive_po(on_day(ctx, nov(16)), po2, [("MUG", 10)])


def only(scores: list[SupplierScore], supplier: str, sku: str | None = None) -> SupplierScore:
    [found] = [s for s in scores if s.supplier == supplier and s.sku == sku]
    return found


def test_supplier_figures_are_measured_from_its_sent_pos(ctx: Context) -> None:
    history(ctx)
    acme = only(supplier_scorecard(ctx), "ACME")
    assert (acme.pos, acme.received_pos) == (4, 3)
    assert acme.lead_time_mean == pytest.approx(34 / 3)  # 10, 14, 10 days from sent to first receipt
    assert acme.lead_time_std == pytest.approx((16 / 3) ** 0.5)  # sample standard deviation of 10, 14, 10
    assert acme.lead_time_p50 == 10  # nearest rank: the 2nd of 10, 10, 14 (dates a PO not yet confirmed)
    assert acme.lead_time_p90 == 14
    assert acme.eta_moves_later == 3  # PO2 once (3 days), PO4 twice (2 and 8 days)
    assert acme.mean_slip_days == pytest.approx(13 / 3)
    assert acme.slipped_share == pytest.approx(2 / 4)
    assert acme.on_time_rate == pytest.approx(2 / 3)  # PO1 and PO3 on their first ETA, PO2 four days late
    assert acme.fill_rate == pytest.approx(31 / 35)  # closed POs 1-3: 15/15 + 10/10 + 6/10; open PO4 not counted
    assert acme.lateness_p90_days == 10  # lateness 0, 4 and (open) 10; cancelled PO3 does not count


def test_a_supplier_sku_pair_gets_figures_of_its_own_only_with_three_received_pos(ctx: Context) -> None:
    history(ctx)
    scores = supplier_scorecard(ctx)
    mug = only(scores, "ACME", "MUG")
    assert mug.received_pos == 3
    assert mug.fill_rate == pytest.approx(26 / 30)
    assert (mug.lead_time_p50, mug.lead_time_p90) == (10, 14)
    assert not [s for s in scores if s.sku == "CUP"]  # one received PO per supplier is not a history


def test_the_scorecard_lateness_is_the_one_that_widens_ship_windows(ctx: Context) -> None:
    history(ctx)
    stored = {s.code: s.lateness_p90_days for s in catalog.list_suppliers(ctx)}
    measured = {s.supplier: s.lateness_p90_days for s in supplier_scorecard(ctx) if s.sku is None}
    assert stored == measured == {"ACME": 10, "FAST": None}  # FAST: one observation is below the minimum


def test_one_suppliers_scorecard_and_a_supplier_without_history(ctx: Context) -> None:
    history(ctx)
    catalog.add_supplier(ctx, "NEWCO", 5)
    [newco] = supplier_scorecard(ctx, "NEWCO")
    assert (newco.pos, newco.lead_time_mean, newco.on_time_rate, newco.fill_rate) == (0, None, None, None)
    assert {s.sku for s in supplier_scorecard(ctx, "ACME")} == {None, "MUG"}
    with pytest.raises(NotFound, match="NOPE"):
        supplier_scorecard(ctx, "NOPE")
