"""Shipments on both databases: what a shipment may take, the complete policy, warehouses, the pick list, receipts."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from restock.domain.errors import Conflict, InvalidInput, NotFound
from restock.domain.model import ShippingPolicy
from restock.domain.shipping import pick_list_order
from restock.services import catalog, orders, purchasing, shipping
from restock.services.context import Context
from restock.services.shipping import ShipmentRequest
from restock.store.db import unit_of_work
from restock.store.schema import Channel, LinePart, Order, OrderLine, ShipmentLine
from tests.builders import balance, confirmed_po, on_day, on_hand, order, outbox_payloads, standard_catalog
from tests.conftest import TODAY


def ships_complete(ctx: Context, channel: str = "web") -> None:
    """The channel holds every order until it is whole (set directly: editing a channel is another use case)."""
    with unit_of_work(ctx.engine) as session:
        session.execute(update(Channel).where(Channel.code == channel).values(shipping_policy="complete"))


def order_ships_complete(ctx: Context, order_id: str) -> None:
    with unit_of_work(ctx.engine) as session:
        session.execute(update(Order).where(Order.id == order_id).values(shipping_policy="complete"))


def units_by_kind(ctx: Context, order_id: str) -> dict[str, dict[str, int]]:
    """Per SKU, the stored parts' units by kind (released units are the cancelled ones)."""
    with unit_of_work(ctx.engine, readonly=True) as session:
        rows = session.execute(
            select(OrderLine.id, LinePart.kind, LinePart.quantity)
            .join(OrderLine, OrderLine.id == LinePart.order_line_id)
            .where(OrderLine.order_id == order_id)
        )
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for line_id, kind, quantity in rows:
            out[str(line_id)][kind] += quantity
        return {k: dict(v) for k, v in out.items()}


def assert_every_unit_is_counted_once(ctx: Context, view: orders.OrderView) -> None:
    """shipped + cancelled + waiting + allocated == ordered for every line, and the view shows the stored parts."""
    parts = units_by_kind(ctx, view.id)
    for line in view.lines:
        kinds = parts[str(line.id)]
        assert sum(kinds.values()) == line.quantity
        assert (kinds.get("shipped", 0), kinds.get("backordered", 0), kinds.get("allocated", 0)) == (
            line.shipped,
            line.backordered,
            line.allocated,
        )


def test_ships_the_allocated_units_of_a_line_that_still_waits(ctx: Context) -> None:
    """The issue's case: 19 ordered, 17 in stock, 2 on backorder; the 17 ship now and the 2 keep waiting."""
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 17)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 19)
    shipped = shipping.ship(ctx, placed.id, ShipmentRequest(carrier="DHL", tracking_number="JD1"))
    [shipment] = shipped.shipments
    assert (shipment.warehouse, [(li.sku, li.quantity) for li in shipment.lines]) == ("W1", [("MUG", 17)])
    assert (shipment.carrier, shipment.tracking_number, shipment.tracking_url) == ("DHL", "JD1", None)
    [line] = shipped.order.lines
    assert (line.shipped, line.allocated, line.backordered, line.status) == (17, 0, 2, "backordered")
    assert line.ship_window is not None  # what still waits keeps its window
    assert shipped.order.status == "open"
    assert balance(ctx, "MUG", "W1") == (0, 0)
    with pytest.raises(Conflict, match="nothing allocated"):
        shipping.ship(ctx, placed.id)
    assert_every_unit_is_counted_once(ctx, orders.show_order(ctx, placed.id))


def test_a_partly_shipped_part_is_split_into_what_left_and_what_stays_allocated(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 10)
    placed = order(ctx, "MUG", 10)
    first = shipping.ship(ctx, placed.id, ShipmentRequest(lines=(("MUG", 4),)))
    [line] = first.order.lines
    assert (line.shipped, line.allocated, line.status) == (4, 6, "allocated")
    assert balance(ctx, "MUG", "W1") == (6, 6)
    [kinds] = units_by_kind(ctx, placed.id).values()
    assert kinds == {"shipped": 4, "allocated": 6}
    assert_every_unit_is_counted_once(ctx, first.order)
    second = shipping.ship(ctx, placed.id)
    assert (second.order.status, second.order.lines[0].shipped) == ("shipped", 10)
    assert [s.lines[0].quantity for s in shipping.order_shipments(ctx, placed.id)] == [4, 6]


def test_a_shipment_never_takes_more_than_is_allocated(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 3)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 5)  # 3 allocated, 2 waiting
    with pytest.raises(InvalidInput, match="only 3 allocated"):
        shipping.ship(ctx, placed.id, ShipmentRequest(lines=(("MUG", 4),)))
    with pytest.raises(InvalidInput, match="no line for CUP"):
        shipping.ship(ctx, placed.id, ShipmentRequest(lines=(("CUP", 1),)))
    assert balance(ctx, "MUG", "W1") == (3, 3)
    assert shipping.order_shipments(ctx, placed.id) == []
    assert orders.show_order(ctx, placed.id).lines[0].allocated == 3


def test_holds_a_complete_order_until_it_is_whole(ctx: Context) -> None:
    standard_catalog(ctx)
    ships_complete(ctx)
    on_hand(ctx, "MUG", "W1", 3)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 5)
    assert placed.shipping_policy == "complete"
    with pytest.raises(Conflict, match="ships complete"):
        shipping.ship(ctx, placed.id)
    assert shipping.pick_list(ctx).items == []
    receipt = purchasing.receive_po(ctx, po, [("MUG", 2)])
    assert [(f.order, f.quantity, f.ready_to_ship) for f in receipt.filled] == [(placed.id, 2, True)]
    [pick] = shipping.pick_list(ctx).items
    assert (pick.order, pick.lines[0].quantity) == (placed.id, 5)
    shipped = shipping.ship(ctx, placed.id)
    assert shipped.order.status == "shipped"


def test_an_order_may_ship_complete_on_a_channel_that_ships_as_available(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 3)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 5)
    order_ships_complete(ctx, placed.id)
    assert orders.show_order(ctx, placed.id).shipping_policy == "complete"
    with pytest.raises(Conflict, match="ships complete"):
        shipping.ship(ctx, placed.id)


def test_an_order_allocated_from_two_warehouses_ships_as_two_shipments(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    on_hand(ctx, "MUG", "W2", 3)
    placed = order(ctx, "MUG", 5)
    shipped = shipping.ship(ctx, placed.id, ShipmentRequest(carrier="UPS"))
    assert sorted((s.warehouse, s.lines[0].quantity) for s in shipped.shipments) == [("W1", 2), ("W2", 3)]
    assert {s.carrier for s in shipped.shipments} == {"UPS"}
    assert (balance(ctx, "MUG", "W1"), balance(ctx, "MUG", "W2")) == ((0, 0), (0, 0))
    [event] = outbox_payloads(ctx, "order_shipped")
    assert sorted(s["warehouse"] for s in event["shipments"]) == ["W1", "W2"]
    with unit_of_work(ctx.engine, readonly=True) as session:
        assert sorted(session.scalars(select(ShipmentLine.quantity))) == [2, 3]


def test_the_shipped_event_carries_the_shipment_and_the_order_as_it_now_reads(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "3.00", "confirmed", 30, 100)
    on_hand(ctx, "MUG", "W1", 1)
    on_hand(ctx, "CUP", "W1", 2)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    request = orders.OrderRequest(
        "web", "ann@example.com", (orders.LineRequest("MUG", 3), orders.LineRequest("CUP", 2))
    )
    placed = orders.place_order(ctx, request)
    url = "https://track.example/JD1"
    shipping.ship(ctx, placed.id, ShipmentRequest(carrier="DHL", tracking_number="JD1", tracking_url=url))
    [event] = outbox_payloads(ctx, "order_shipped")
    [shipment] = event["shipments"]
    assert (shipment["carrier"], shipment["tracking_number"], shipment["tracking_url"]) == ("DHL", "JD1", url)
    assert shipment["lines"] == [{"sku": "MUG", "quantity": 1}, {"sku": "CUP", "quantity": 2}]
    by_sku = {line["sku"]: line for line in event["lines"]}
    assert (by_sku["MUG"]["shipped"], by_sku["MUG"]["backordered"], by_sku["MUG"]["status"]) == (1, 2, "backordered")
    assert by_sku["MUG"]["ship_window"] is not None
    assert (by_sku["CUP"]["shipped"], by_sku["CUP"]["status"]) == (2, "shipped")


def test_the_old_ship_command_ships_everything_allocated_and_records_shipments(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 3)
    view = orders.ship_order(ctx, placed.id)
    assert (view.lines[0].shipped, view.lines[0].backordered) == (2, 1)
    assert len(shipping.order_shipments(ctx, placed.id)) == 1


def test_bad_tracking_is_refused_and_changes_nothing(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    placed = order(ctx, "MUG", 2)
    for bad in (ShipmentRequest(tracking_url="javascript:alert(1)"), ShipmentRequest(carrier="x" * 101)):
        with pytest.raises(InvalidInput):
            shipping.ship(ctx, placed.id, bad)
    assert balance(ctx, "MUG", "W1") == (2, 2)


# ---------------------------------------------------------------- the pick list and receipts


def test_the_pick_list_puts_units_at_the_dock_first_then_the_oldest_orders(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    oldest = order(ctx, "MUG", 2)  # from the shelf
    later = on_day(ctx, TODAY.replace(day=28))
    waiting = order(later, "MUG", 3)  # on backorder
    newest = order(on_day(ctx, TODAY.replace(day=29)), "MUG", 1)  # on backorder too
    assert [p.order for p in shipping.pick_list(ctx).items] == [oldest.id]
    receipt = purchasing.receive_po(later, po, [("MUG", 3)])
    assert [(f.order, f.quantity) for f in receipt.filled] == [(waiting.id, 3)]
    picks = shipping.pick_list(ctx, "W1").items
    assert [(p.order, p.cross_dock, p.lines[0].at_dock) for p in picks] == [
        (waiting.id, True, 3),
        (oldest.id, False, 0),
    ]
    assert picks[0].received_at is not None
    assert newest.id not in [p.order for p in picks]
    assert shipping.pick_list(ctx, "W2").items == []
    with pytest.raises(NotFound, match="W9"):
        shipping.pick_list(ctx, "W9")


def test_a_receipt_answers_with_the_orders_it_filled_and_what_went_to_free_stock(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    first = order(ctx, "MUG", 2)
    second = order(ctx, "MUG", 3)
    receipt = purchasing.receive_po(ctx, po, [("MUG", 7)])
    assert receipt.status == "partially_received"
    assert [(f.order, f.sku, f.quantity, f.ready_to_ship) for f in receipt.filled] == [
        (first.id, "MUG", 2, True),
        (second.id, "MUG", 3, True),
    ]
    assert [(s.sku, s.quantity) for s in receipt.to_free_stock] == [("MUG", 2)]
    assert receipt.to_json()["lines"] == [{"sku": "MUG", "ordered": 10, "received": 7, "promised": 0}]
    again = purchasing.receive_po(ctx, po, [("MUG", 3)])
    assert (again.filled, [(s.sku, s.quantity) for s in again.to_free_stock]) == ([], [("MUG", 3)])


def test_a_receipt_says_a_filled_order_that_ships_complete_is_still_held(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "3.00", "confirmed", 30, 100)
    ships_complete(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    confirmed_po(ctx, "CUP", 10, eta_in_days=9)
    request = orders.OrderRequest("web", "a@example.com", (orders.LineRequest("MUG", 1), orders.LineRequest("CUP", 1)))
    placed = orders.place_order(ctx, request)
    receipt = purchasing.receive_po(ctx, po, [("MUG", 1)])
    assert [(f.order, f.ready_to_ship) for f in receipt.filled] == [(placed.id, False)]
    assert shipping.pick_list(ctx).items == []


def test_paging_the_pick_list_of_a_few_hundred_orders_returns_each_entry_once_in_pick_order(ctx: Context) -> None:
    """300 orders over five days: shelf stock from two warehouses, backorders a receipt fills at the dock, and
    two-line orders whose second line waits (held when they ship complete, their first line listed otherwise)."""
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "3.00", "confirmed", 30, 100)
    on_hand(ctx, "MUG", "W1", 120)
    on_hand(ctx, "MUG", "W2", 60)
    po = confirmed_po(ctx, "MUG", 200, eta_in_days=8)
    confirmed_po(ctx, "CUP", 100, eta_in_days=9)
    held: set[str] = set()
    for n in range(300):
        day = on_day(ctx, TODAY + timedelta(days=n % 5))
        lines = (orders.LineRequest("MUG", 1),)
        policy = None
        if n % 10 in (3, 7):
            lines += (orders.LineRequest("CUP", 1),)
            policy = ShippingPolicy.COMPLETE if n % 10 == 3 else ShippingPolicy.AS_AVAILABLE
        placed = orders.place_order(
            day, orders.OrderRequest("web", "a@example.com", lines, external_ref=f"#{n}", shipping_policy=policy)
        )
        if policy is ShippingPolicy.COMPLETE:
            held.add(placed.id)
    purchasing.receive_po(on_day(ctx, TODAY + timedelta(days=6)), po, [("MUG", 50)])
    whole = shipping.pick_list(ctx, limit=shipping.MAX_PICK_LIMIT)
    assert whole.next is None
    keys = [pick_list_order(p.cross_dock, p.placed_at, p.order, p.warehouse) for p in whole.items]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert sum(p.cross_dock for p in whole.items) == 50
    assert {p.warehouse for p in whole.items} == {"W1", "W2"}
    assert not held & {p.order for p in whole.items}
    assert all(p.external_ref is not None for p in whole.items)
    held_with_mugs = sum(1 for i in held if orders.show_order(ctx, i).lines[0].allocated)
    assert len(whole.items) == 180 + 50 - held_with_mugs  # every order holding a mug, but the held ones
    paged: list[tuple[str, str]] = []
    after = None
    pages = 0
    while True:
        page = shipping.pick_list(ctx, limit=17, after=after)
        paged += [(p.order, p.warehouse) for p in page.items]
        pages += 1
        if page.next is None:
            break
        after = page.next
    assert paged == [(p.order, p.warehouse) for p in whole.items]
    assert pages == -(-len(whole.items) // 17)
    with pytest.raises(InvalidInput, match="cursor"):
        shipping.pick_list(ctx, after="bm9wZQ")
    with pytest.raises(InvalidInput, match="1 to"):
        shipping.pick_list(ctx, limit=0)
