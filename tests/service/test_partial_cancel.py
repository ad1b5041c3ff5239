"""Cancelling part of a line: which units go, where what they held goes, who may, and what the customer reads."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from restock.domain.cancelling import CancelledBy
from restock.domain.errors import Conflict, InvalidInput, NotAllowed
from restock.services import orders, purchasing, selfservice, shipping
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import LinePart
from tests.builders import balance, confirmed_po, on_hand, order, outbox_payloads, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import PUBLIC_URL, SmtpServer, deliver, smtp, text_and_html, with_mail

__all__ = ["smtp"]  # the SMTP server fixture, for the e-mail tests here


def _split_line(ctx: Context, quantity: int = 5) -> orders.OrderView:
    """3 mugs on hand, 10 on a PO in 10 days: an order of 5 has 3 allocated and 2 waiting."""
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 3)
    confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    return order(ctx, "MUG", quantity, email="ann@example.com")


def _promised(ctx: Context) -> int:
    return purchasing.list_pos(ctx)[0].lines[0].promised


def _parts_add_up(ctx: Context, order_id: str) -> None:
    """shipped + cancelled + waiting + allocated == ordered, from the stored parts (re-pegged parts aside)."""
    for line in orders.show_order(ctx, order_id).lines:
        with unit_of_work(ctx.engine, readonly=True) as session:
            parts = list(session.scalars(select(LinePart).where(LinePart.order_line_id == line.id)))
        live = sum(p.quantity for p in parts if p.kind != "released")
        cancelled = sum(p.quantity for p in parts if p.kind == "released" and p.cancelled_by is not None)
        assert live + cancelled == line.quantity
        assert line.cancelled == cancelled
        assert line.shipped + line.cancelled + line.backordered + line.allocated == line.quantity


def test_a_partial_cancel_releases_backordered_units_before_allocated_ones(ctx: Context) -> None:
    placed = _split_line(ctx)
    assert _promised(ctx) == 2
    after = orders.cancel_line(ctx, placed.id, "MUG", 1)
    [line] = after.lines
    assert (line.allocated, line.backordered, line.cancelled, line.status) == (3, 1, 1, "backordered")
    assert _promised(ctx) == 1  # the released promise went back to its PO line
    assert balance(ctx, "MUG", "W1") == (3, 3)  # no allocated unit was touched
    after = orders.cancel_line(ctx, placed.id, "MUG", 2)
    [line] = after.lines
    assert (line.allocated, line.backordered, line.cancelled, line.status) == (2, 0, 3, "allocated")
    assert _promised(ctx) == 0
    assert balance(ctx, "MUG", "W1") == (3, 2)
    _parts_add_up(ctx, placed.id)


def test_a_quantity_above_what_is_open_is_refused_and_changes_nothing(ctx: Context) -> None:
    placed = _split_line(ctx)
    with pytest.raises(Conflict, match="only 5 unit"):
        orders.cancel_line(ctx, placed.id, "MUG", 6)
    with pytest.raises(InvalidInput):
        orders.cancel_line(ctx, placed.id, "MUG", 0)
    assert orders.show_order(ctx, placed.id).lines == placed.lines
    assert _promised(ctx) == 2
    assert balance(ctx, "MUG", "W1") == (3, 3)


def test_released_stock_goes_to_the_next_waiting_backorder(ctx: Context) -> None:
    first = _split_line(ctx)
    second = order(ctx, "MUG", 2, email="bo@example.com")
    assert second.lines[0].backordered == 2
    assert _promised(ctx) == 4
    orders.cancel_line(ctx, first.id, "MUG", 3)  # 2 waiting units, then 1 allocated unit
    [waiting] = orders.show_order(ctx, second.id).lines
    assert (waiting.allocated, waiting.backordered) == (1, 1)  # the freed unit went to the next in line
    assert balance(ctx, "MUG", "W1") == (3, 3)
    assert _promised(ctx) == 1  # the first order's 2 and the filled unit's promise came back
    filled = outbox_payloads(ctx, "backorder_filled")
    assert [(p["order"], p["quantity"]) for p in filled] == [(second.id, 1)]
    _parts_add_up(ctx, first.id)
    _parts_add_up(ctx, second.id)


def test_a_shop_may_cancel_only_units_still_waiting(ctx: Context) -> None:
    placed = _split_line(ctx)
    with pytest.raises(NotAllowed, match="1 allocated unit"):
        orders.cancel_line(ctx, placed.id, "MUG", 3, CancelledBy.SHOP)
    with pytest.raises(NotAllowed):
        orders.cancel_line(ctx, placed.id, "MUG", None, CancelledBy.SHOP)
    assert orders.show_order(ctx, placed.id).lines == placed.lines
    after = orders.cancel_line(ctx, placed.id, "MUG", 2, CancelledBy.SHOP)
    assert (after.lines[0].allocated, after.lines[0].cancelled) == (3, 2)
    [event] = outbox_payloads(ctx, "order_cancelled")
    assert event["cancelled_by"] == "shop"
    assert event["cancelled"] == [{"sku": "MUG", "quantity": 2}]
    assert event["lines_ended"] == []


def test_a_line_whose_waiting_units_were_cancelled_ships_and_ends_shipped(ctx: Context) -> None:
    placed = _split_line(ctx)
    orders.cancel_line(ctx, placed.id, "MUG", 2)
    shipped = orders.ship_order(ctx, placed.id)
    assert (shipped.status, shipped.lines[0].status, shipped.lines[0].shipped) == ("shipped", "shipped", 3)
    _parts_add_up(ctx, placed.id)
    with pytest.raises(Conflict):
        orders.cancel_line(ctx, placed.id, "MUG", 1)


def test_a_cancel_after_a_partial_shipment_says_what_is_still_held(ctx: Context) -> None:
    """Of 3 allocated mugs 1 shipped: cancelling the 2 waiting leaves 2 held, not 3 and not 1."""
    placed = _split_line(ctx)
    shipping.ship(ctx, placed.id, shipping.ShipmentRequest(lines=(("MUG", 1),)))
    after = orders.cancel_line(ctx, placed.id, "MUG", 2)
    [event] = outbox_payloads(ctx, "order_cancelled")
    assert [(u["held"], u["waiting"]) for u in event["to_come"]] == [(2, 0)]
    assert (after.lines[0].allocated, after.lines[0].shipped, after.lines[0].cancelled) == (2, 1, 2)
    _parts_add_up(ctx, placed.id)


def test_partial_cancels_of_one_line_are_messages_of_their_own(ctx: Context) -> None:
    placed = _split_line(ctx)
    orders.cancel_line(ctx, placed.id, "MUG", 1)
    orders.cancel_line(ctx, placed.id, "MUG", 1)
    orders.cancel_line(ctx, placed.id, "MUG", 3)
    events = outbox_payloads(ctx, "order_cancelled")
    assert [e["cancelled"][0]["quantity"] for e in events] == [1, 1, 3]
    assert [e["lines_ended"] for e in events] == [[], [], [placed.lines[0].id]]
    assert events[-1]["status"] == "cancelled"


# ---------------------------------------------------------------- the delay notice's link, through real e-mail


def _link(text: str) -> str:
    found = re.search(re.escape(PUBLIC_URL) + r"/links/cancel/[A-Za-z0-9_\-.]+", text)
    assert found, text
    return urlsplit(found.group(0)).path.rsplit("/", 1)[1]


def _late_notice_token(ctx: Context, smtp: SmtpServer) -> str:
    po = purchasing.list_pos(ctx)[0]
    purchasing.change_eta(ctx, po.id, TODAY + timedelta(days=15))
    deliver(ctx)
    [notice] = [m for m in smtp.inbox.to("ann@example.com") if "delay" in str(m["Subject"])]
    return _link(text_and_html(notice)[0])


def test_the_self_service_link_cancels_only_the_late_units(ctx: Context, smtp: SmtpServer) -> None:
    mail = with_mail(ctx, smtp)
    placed = _split_line(mail, quantity=13)  # 3 allocated, 10 late
    token = _late_notice_token(mail, smtp)
    shown = selfservice.cancel_link(mail, token)
    assert (shown.state, shown.quantity, shown.staying) == ("can_cancel", 10, 3)
    done = selfservice.cancel_by_link(mail, token)
    assert (done.state, done.quantity, done.staying) == ("cancelled", 10, 3)
    [line] = orders.show_order(mail, placed.id).lines
    assert (line.status, line.allocated, line.backordered, line.cancelled) == ("allocated", 3, 0, 10)
    again = selfservice.cancel_by_link(mail, token)  # a second click changes nothing
    assert again.state == "cancelled"
    assert orders.show_order(mail, placed.id).lines == [line]
    assert len(outbox_payloads(mail, "order_cancelled")) == 1
    deliver(mail)
    [cancelled] = [m for m in smtp.inbox.to("ann@example.com") if "cancelled" in str(m["Subject"])]
    text, html = text_and_html(cancelled)
    assert f"As you asked, we cancelled from your order {placed.id}:\n  - 10 x Mug (MUG)" in text
    assert "Still on your order, in stock and set aside for you:\n  - 3 x Mug (MUG)" in text
    assert "waiting for stock" not in text
    assert "charge" not in text.lower()
    assert "10 &times; Mug" in html


def test_the_link_cancels_what_still_waits_when_stock_came_for_some(ctx: Context, smtp: SmtpServer) -> None:
    mail = with_mail(ctx, smtp)
    placed = _split_line(mail)  # 3 allocated, 2 late
    token = _late_notice_token(mail, smtp)
    on_hand(mail, "MUG", "W2", 1)  # one unit turns up: the oldest waiting backorder gets it
    shown = selfservice.cancel_link(mail, token)
    assert (shown.state, shown.units.named, shown.units.cancellable) == ("can_cancel", 2, 1)
    selfservice.cancel_by_link(mail, token)
    [line] = orders.show_order(mail, placed.id).lines
    assert (line.allocated, line.backordered, line.cancelled) == (4, 0, 1)
    _parts_add_up(mail, placed.id)


def test_the_link_of_late_units_that_all_arrived_cancels_nothing(ctx: Context, smtp: SmtpServer) -> None:
    mail = with_mail(ctx, smtp)
    placed = _split_line(mail)
    token = _late_notice_token(mail, smtp)
    purchasing.receive_po(mail, purchasing.list_pos(mail)[0].id, [("MUG", 10)])
    view = selfservice.cancel_by_link(mail, token)
    assert view.state == "ready_to_ship"
    assert orders.show_order(mail, placed.id).lines[0].cancelled == 0


def test_a_merchants_cancel_reads_we_had_to(ctx: Context, smtp: SmtpServer) -> None:
    mail = with_mail(ctx, smtp)
    placed = _split_line(mail)
    orders.cancel_line(mail, placed.id, "MUG", 1)
    deliver(mail)
    [cancelled] = [m for m in smtp.inbox.to("ann@example.com") if "cancelled" in str(m["Subject"])]
    text, _ = text_and_html(cancelled)
    [line] = orders.show_order(mail, placed.id).lines
    assert f"We are sorry: we had to cancel from your order {placed.id}:\n  - 1 x Mug (MUG)" in text
    assert f"set aside for you:\n  - {line.allocated} x Mug (MUG)" in text
    assert f"waiting for stock:\n  - {line.backordered} x Mug (MUG): shipping in" in text
    assert "As you asked" not in text
    assert "charge" not in text.lower()
