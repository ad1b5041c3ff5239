"""Purchase orders, and re-promising backorders when their supply moves."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from restock.domain.errors import Conflict, InvalidInput
from restock.services import orders, purchasing
from restock.services.backorders import waiting_backorders
from restock.services.context import Context
from tests.builders import confirmed_po, order, outbox_payloads, outbox_topics, standard_catalog


def test_a_po_goes_from_draft_to_sent_to_confirmed_and_keeps_every_eta(ctx: Context) -> None:
    standard_catalog(ctx)
    po = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 10)])
    assert po.status == "draft"
    assert purchasing.send_po(ctx, po.id).status == "sent"
    confirmed = purchasing.confirm_po(ctx, po.id, date(2026, 12, 5))
    assert (confirmed.status, confirmed.eta, confirmed.eta_confirmed) == ("confirmed", date(2026, 12, 5), True)
    moved = purchasing.change_eta(ctx, po.id, date(2026, 12, 9))
    assert [(c.old_eta, c.new_eta) for c in moved.eta_history] == [
        (None, date(2026, 12, 5)),
        (date(2026, 12, 5), date(2026, 12, 9)),
    ]


def test_a_po_takes_the_sellers_reference_and_no_two_pos_share_one(ctx: Context) -> None:
    standard_catalog(ctx)
    po = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 10)], reference="ACME-2026-17")
    assert purchasing.show_po(ctx, po.id).reference == "ACME-2026-17"
    assert purchasing.create_po(ctx, "ACME", "W1", [("MUG", 1)]).reference is None
    with pytest.raises(Conflict, match="'ACME-2026-17' exists already"):
        purchasing.create_po(ctx, "FAST", "W2", [("MUG", 2)], reference="ACME-2026-17")
    for bad in ("", "restock:3", "x" * 101, "tab\there"):
        with pytest.raises(InvalidInput, match="reference"):
            purchasing.create_po(ctx, "ACME", "W1", [("MUG", 2)], reference=bad)
    assert len(purchasing.list_pos(ctx)) == 2


def test_an_eta_in_the_past_is_refused(ctx: Context) -> None:
    standard_catalog(ctx)
    po = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 10)])
    with pytest.raises(InvalidInput, match="past"):
        purchasing.confirm_po(ctx, po.id, date(2026, 11, 1))
    assert purchasing.show_po(ctx, po.id).status == "draft"


def test_bad_po_lines_are_refused(ctx: Context) -> None:
    standard_catalog(ctx)
    for lines in ([], [("MUG", 0)], [("MUG", 1), ("MUG", 2)], [("MUG", -4)]):
        with pytest.raises(InvalidInput):
            purchasing.create_po(ctx, "ACME", "W1", lines)
    assert purchasing.list_pos(ctx) == []


def test_an_eta_slip_recomputes_windows_and_marks_the_backorder_delayed(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    placed = order(ctx, "MUG", 2, email="wait@example.com")
    before = placed.lines[0].ship_window
    assert before is not None
    purchasing.change_eta(ctx, po, ctx.clock.today() + timedelta(days=15))
    after = orders.show_order(ctx, placed.id).lines[0]
    assert after.ship_window is not None
    assert after.ship_window.latest == before.latest + timedelta(days=5)
    assert after.delayed
    [notice] = outbox_payloads(ctx, "backorder_delayed")
    assert notice["email"] == "wait@example.com"
    assert notice["old_window"] == {"earliest": before.earliest.isoformat(), "latest": before.latest.isoformat()}
    assert notice["new_window"]["latest"] == after.ship_window.latest.isoformat()


def test_an_earlier_eta_improves_the_window_without_a_delay_notice(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    placed = order(ctx, "MUG", 2)
    purchasing.change_eta(ctx, po, ctx.clock.today() + timedelta(days=6))
    line = orders.show_order(ctx, placed.id).lines[0]
    assert line.ship_window is not None
    assert not line.delayed
    assert "backorder_delayed" not in outbox_topics(ctx)


def test_each_further_slip_sends_another_notice(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    order(ctx, "MUG", 2)
    purchasing.change_eta(ctx, po, ctx.clock.today() + timedelta(days=15))
    purchasing.change_eta(ctx, po, ctx.clock.today() + timedelta(days=20))
    assert outbox_topics(ctx).count("backorder_delayed") == 2


def test_a_cancelled_po_repegs_its_backorders_to_other_confirmed_supply(ctx: Context) -> None:
    standard_catalog(ctx)
    first = confirmed_po(ctx, "MUG", 5, eta_in_days=5)
    other = confirmed_po(ctx, "MUG", 5, eta_in_days=12)
    placed = order(ctx, "MUG", 3)
    purchasing.cancel_po(ctx, first)
    [waiting] = waiting_backorders(ctx)
    assert (waiting.po, waiting.quantity, waiting.delayed) == (other, 3, True)
    assert purchasing.show_po(ctx, other).lines[0].promised == 3
    [notice] = outbox_payloads(ctx, "backorder_delayed")
    assert notice["order"] == placed.id


def test_a_cancelled_po_without_other_supply_leaves_backorders_unpromised(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 5, eta_in_days=5)
    placed = order(ctx, "MUG", 3)
    purchasing.cancel_po(ctx, po)
    [waiting] = waiting_backorders(ctx)
    assert (waiting.po, waiting.ship_window, waiting.delayed) == (None, None, True)
    assert orders.show_order(ctx, placed.id).lines[0].ship_window is None
    assert "backorder_unpromised" in outbox_topics(ctx)


def test_repegging_splits_when_no_single_po_has_room(ctx: Context) -> None:
    standard_catalog(ctx)
    gone = confirmed_po(ctx, "MUG", 6, eta_in_days=5)
    a = confirmed_po(ctx, "MUG", 2, eta_in_days=7)
    b = confirmed_po(ctx, "MUG", 2, eta_in_days=9)
    order(ctx, "MUG", 6)  # all on the earliest PO with room for it
    purchasing.cancel_po(ctx, gone)
    assert sorted((w.po or 0, w.quantity) for w in waiting_backorders(ctx)) == [(0, 2), (a, 2), (b, 2)]


def test_a_received_po_cannot_be_cancelled(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 2, eta_in_days=5)
    purchasing.receive_po(ctx, po, [("MUG", 2)])
    with pytest.raises(Conflict, match="received"):
        purchasing.cancel_po(ctx, po)


def test_a_date_that_slips_back_to_the_same_day_is_announced_again(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=5)
    order(ctx, "MUG", 1)
    later, sooner = ctx.clock.today() + timedelta(days=9), ctx.clock.today() + timedelta(days=5)
    purchasing.change_eta(ctx, po, later)
    purchasing.change_eta(ctx, po, sooner)
    purchasing.change_eta(ctx, po, later)
    assert outbox_topics(ctx).count("backorder_delayed") == 2
