"""Arriving stock fills waiting backorders before it becomes free stock (invariant 3)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from restock.domain.errors import Conflict, InvalidInput, NotFound
from restock.domain.model import MAX_BALANCE, MAX_QUANTITY
from restock.services import catalog, orders, purchasing, stock
from restock.services.backorders import waiting_backorders
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import Movement, Stock
from tests.builders import balance, confirmed_po, on_day, order, outbox_payloads, standard_catalog


def line_of(ctx: Context, order_id: str) -> orders.LineView:
    return orders.show_order(ctx, order_id).lines[0]


def test_receipt_fills_backorders_first_come_first_served(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    first, second, third = order(ctx, "MUG", 3), order(ctx, "MUG", 3), order(ctx, "MUG", 3)
    purchasing.receive_po(ctx, po, [("MUG", 7)])
    assert line_of(ctx, first.id).status == "allocated"
    assert line_of(ctx, second.id).status == "allocated"
    partly = line_of(ctx, third.id)
    assert (partly.status, partly.allocated, partly.backordered) == ("backordered", 1, 2)
    assert balance(ctx, "MUG", "W1") == (7, 7)


def test_higher_priority_orders_are_filled_before_older_ones(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    older = order(ctx, "MUG", 2)
    vip = order(ctx, "MUG", 2, priority=5)
    purchasing.receive_po(ctx, po, [("MUG", 2)])
    assert line_of(ctx, vip.id).status == "allocated"
    assert line_of(ctx, older.id).status == "backordered"


def test_lines_pegged_to_the_received_po_are_filled_first(ctx: Context) -> None:
    standard_catalog(ctx)
    early = confirmed_po(ctx, "MUG", 2, eta_in_days=5)
    late = confirmed_po(ctx, "MUG", 5, eta_in_days=9)
    on_early = order(ctx, "MUG", 2)  # pegged to the early PO
    on_late = order(ctx, "MUG", 2)  # pegged to the late PO
    purchasing.receive_po(ctx, late, [("MUG", 2)])
    assert line_of(ctx, on_late.id).status == "allocated"
    assert line_of(ctx, on_early.id).status == "backordered"
    # the early PO's capacity is untouched, the late one's promise was consumed by the receipt
    assert purchasing.show_po(ctx, early).lines[0].promised == 2
    assert purchasing.show_po(ctx, late).lines[0].promised == 0


def test_units_beyond_the_waiting_backorders_become_free_stock(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    order(ctx, "MUG", 3)
    purchasing.receive_po(ctx, po, [("MUG", 10)])
    assert balance(ctx, "MUG", "W1") == (10, 3)
    assert waiting_backorders(ctx) == []
    assert purchasing.show_po(ctx, po).status == "received"


def test_receipt_at_a_warehouse_fills_only_channels_it_serves(ctx: Context) -> None:
    standard_catalog(ctx)
    po_w1 = confirmed_po(ctx, "MUG", 5, eta_in_days=8, warehouse="W1")
    confirmed_po(ctx, "MUG", 5, eta_in_days=8, warehouse="W2")
    market = order(ctx, "MUG", 2, channel="market")  # market is served by W2 only
    purchasing.receive_po(ctx, po_w1, [("MUG", 5)])
    assert line_of(ctx, market.id).status == "backordered"
    assert balance(ctx, "MUG", "W1") == (5, 0)


def test_a_filled_backorder_is_announced_in_the_outbox(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 2, email="bo@example.com")
    purchasing.receive_po(ctx, po, [("MUG", 2)])
    [message] = outbox_payloads(ctx, "backorder_filled")
    assert message == {
        "order": placed.id,
        "line": message["line"],
        "sku": "MUG",
        "quantity": 2,
        "warehouse": "W1",
        "external_ref": None,
    }


def test_filled_backorders_ship_and_the_ledger_agrees(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 4, eta_in_days=8)
    placed = order(ctx, "MUG", 4)
    purchasing.receive_po(ctx, po, [("MUG", 4)])
    assert orders.ship_order(ctx, placed.id).status == "shipped"
    assert balance(ctx, "MUG", "W1") == (0, 0)
    assert stock.ledger_discrepancies(ctx) == []


def test_found_stock_fills_waiting_backorders_too(ctx: Context) -> None:
    standard_catalog(ctx)
    confirmed_po(ctx, "MUG", 4, eta_in_days=8)
    placed = order(ctx, "MUG", 2)
    stock.adjust_stock(ctx, "MUG", "W1", 2, "found in returns")
    assert line_of(ctx, placed.id).status == "allocated"


def test_cannot_receive_more_than_is_open(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 4, eta_in_days=8)
    with pytest.raises(InvalidInput, match="only 4 are still open"):
        purchasing.receive_po(ctx, po, [("MUG", 5)])
    assert balance(ctx, "MUG", "W1") == (0, 0)


def test_cannot_receive_a_sku_the_po_does_not_carry(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup")
    po = confirmed_po(ctx, "MUG", 4, eta_in_days=8)
    with pytest.raises(NotFound, match="no line for CUP"):
        purchasing.receive_po(ctx, po, [("CUP", 1)])


def test_cannot_receive_a_draft_or_cancelled_po(ctx: Context) -> None:
    standard_catalog(ctx)
    draft = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 4)])
    with pytest.raises(Conflict, match="draft"):
        purchasing.receive_po(ctx, draft.id, [("MUG", 1)])
    purchasing.cancel_po(ctx, draft.id)
    with pytest.raises(Conflict, match="cancelled"):
        purchasing.receive_po(ctx, draft.id, [("MUG", 1)])


def test_supplier_lateness_measured_from_receipts_widens_new_windows(ctx: Context) -> None:
    standard_catalog(ctx)
    for _ in range(3):  # three POs, each received 6 days after the first confirmed ETA
        po = confirmed_po(ctx, "MUG", 1, eta_in_days=1)
        purchasing.receive_po(on_day(ctx, ctx.clock.today() + timedelta(days=7)), po, [("MUG", 1)])
    stock.adjust_stock(ctx, "MUG", "W1", -3, "sold offline")
    confirmed_po(ctx, "MUG", 5, eta_in_days=8)
    line = order(ctx, "MUG", 1).lines[0]
    assert line.ship_window is not None
    assert (line.ship_window.latest - line.ship_window.earliest).days == 6


def test_a_po_overdue_without_news_counts_as_late_for_its_supplier(ctx: Context) -> None:
    standard_catalog(ctx)
    for _ in range(3):
        confirmed_po(ctx, "MUG", 1, eta_in_days=1)
    later = on_day(ctx, ctx.clock.today() + timedelta(days=9))  # all three 8 days overdue, nothing said
    po = purchasing.create_po(later, "ACME", "W1", [("MUG", 5)])
    purchasing.confirm_po(later, po.id, later.clock.today() + timedelta(days=3))
    purchasing.receive_po(later, po.id, [("MUG", 1)])  # measuring happens on receipts and ETA changes
    stock.adjust_stock(later, "MUG", "W1", -1, "sold offline")
    line = order(later, "MUG", 1).lines[0]
    assert line.ship_window is not None
    assert (line.ship_window.latest - line.ship_window.earliest).days == 8


def test_a_balance_never_passes_its_bound_and_the_refusal_changes_nothing(ctx: Context) -> None:
    """Item 7 of issue 11: past 2,147,483,647 units a PostgreSQL INTEGER overflows (a 500); the bound is lower."""
    standard_catalog(ctx)
    stock.adjust_stock(ctx, "MUG", "W1", MAX_QUANTITY, "opening count")
    with unit_of_work(ctx.engine) as session:  # most of the way there without 2,000 use cases
        session.execute(update(Stock).values(on_hand=MAX_BALANCE - 3))
        session.execute(update(Movement).values(on_hand_delta=MAX_BALANCE - 3))
    with pytest.raises(Conflict, match="at most 2,000,000,000"):
        stock.adjust_stock(ctx, "MUG", "W1", 4, "found")
    assert balance(ctx, "MUG", "W1") == (MAX_BALANCE - 3, 0)
    stock.adjust_stock(ctx, "MUG", "W1", 3, "found")
    assert balance(ctx, "MUG", "W1") == (MAX_BALANCE, 0)
