"""Placing orders: stock first, honest backorders against confirmed supply, or a refusal that changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from restock.domain.errors import Conflict, InvalidInput, NotFound, OrderRefused
from restock.services import availability, catalog, orders, stock
from restock.services.context import Context
from restock.services.updates import send_still_waiting_updates
from tests.builders import (
    balance,
    confirmed_po,
    on_day,
    on_hand,
    order,
    outbox_payloads,
    outbox_topics,
    standard_catalog,
)


def test_prefers_stock_to_backorder(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 3)
    line = placed.lines[0]
    assert (line.allocated, line.backordered, line.status) == (3, 0, "allocated")
    assert balance(ctx, "MUG", "W1") == (5, 3)


def test_allocates_from_warehouses_in_the_channels_order(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    on_hand(ctx, "MUG", "W2", 5)
    order(ctx, "MUG", 4)
    assert balance(ctx, "MUG", "W1") == (2, 2)
    assert balance(ctx, "MUG", "W2") == (5, 2)


def test_a_channel_only_sells_from_its_own_warehouses(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)  # market is served by W2 only
    with pytest.raises(OrderRefused):
        order(ctx, "MUG", 1, channel="market")


def test_a_channels_safety_buffer_is_never_sold(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_channel(ctx, "careful", ["W1"], safety_buffer=2)
    on_hand(ctx, "MUG", "W1", 5)
    [view] = availability.availability(ctx, "MUG", "careful")
    assert view.decision.available_now == 3
    order(ctx, "MUG", 3, channel="careful")
    with pytest.raises(OrderRefused):
        order(ctx, "MUG", 1, channel="careful")
    order(ctx, "MUG", 2, channel="web")  # the buffer belongs to the careful channel only


def test_backorders_the_rest_against_confirmed_inbound_with_a_ship_window(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    line = order(ctx, "MUG", 5).lines[0]
    assert (line.allocated, line.backordered, line.status) == (2, 3, "backordered")
    assert line.ship_window is not None
    assert (line.ship_window.earliest.isoformat(), line.ship_window.latest.isoformat()) == (
        "2026-12-07",
        "2026-12-11",
    )


def test_pegs_to_the_earliest_confirmed_eta_that_has_room(ctx: Context) -> None:
    standard_catalog(ctx)
    late = confirmed_po(ctx, "MUG", 10, eta_in_days=20)
    early = confirmed_po(ctx, "MUG", 2, eta_in_days=5)
    order(ctx, "MUG", 2)
    order(ctx, "MUG", 3)
    from restock.services.backorders import waiting_backorders

    assert [(b.po, b.quantity) for b in waiting_backorders(ctx)] == [(early, 2), (late, 3)]


def test_a_backorder_may_be_split_over_two_purchase_orders(ctx: Context) -> None:
    standard_catalog(ctx)
    early = confirmed_po(ctx, "MUG", 2, eta_in_days=5)
    late = confirmed_po(ctx, "MUG", 10, eta_in_days=20)
    line = order(ctx, "MUG", 5).lines[0]
    from restock.services.backorders import waiting_backorders

    assert sorted((b.po, b.quantity) for b in waiting_backorders(ctx)) == [(early, 2), (late, 3)]
    assert line.ship_window is not None
    assert line.backordered == 5


def test_refuses_a_backorder_beyond_max_wait(ctx: Context) -> None:
    standard_catalog(ctx, max_wait_days=10)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)  # latest ship date 14 days out
    with pytest.raises(OrderRefused) as refused:
        order(ctx, "MUG", 1)
    assert refused.value.short_lines[0].reason == "wait_exceeds_limit"


def test_backorder_limit_caps_the_share_of_inbound_that_is_promised(ctx: Context) -> None:
    standard_catalog(ctx, limit=50)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    order(ctx, "MUG", 5)
    with pytest.raises(OrderRefused) as refused:
        order(ctx, "MUG", 1)
    assert refused.value.short_lines[0].reason == "backorder_cap_reached"


def test_unconfirmed_purchase_orders_do_not_carry_backorders(ctx: Context) -> None:
    standard_catalog(ctx)
    from restock.services import purchasing

    po = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 10)])
    purchasing.send_po(ctx, po.id)
    with pytest.raises(OrderRefused) as refused:
        order(ctx, "MUG", 1)
    assert refused.value.short_lines[0].reason == "no_confirmed_supply"


def test_policy_never_refuses_what_stock_cannot_cover(ctx: Context) -> None:
    standard_catalog(ctx, backorder="never")
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    with pytest.raises(OrderRefused) as refused:
        order(ctx, "MUG", 1)
    assert refused.value.short_lines[0].reason == "backorders_disabled"


def test_policy_always_backorders_without_a_date_when_nothing_is_confirmed(ctx: Context) -> None:
    standard_catalog(ctx, backorder="always")
    line = order(ctx, "MUG", 4).lines[0]
    assert (line.backordered, line.ship_window) == (4, None)


def test_an_order_that_cannot_be_covered_is_refused_whole_and_lists_every_short_line(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup")
    catalog.add_sku(ctx, "PLATE", "Plate")
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "PLATE", "W1", 1)
    request = orders.OrderRequest(
        "web",
        "a@example.com",
        (orders.LineRequest("MUG", 2), orders.LineRequest("CUP", 1), orders.LineRequest("PLATE", 3)),
    )
    topics_before = outbox_topics(ctx)
    with pytest.raises(OrderRefused) as refused:
        orders.place_order(ctx, request)
    short = {s.sku: s for s in refused.value.short_lines}
    assert set(short) == {"CUP", "PLATE"}
    assert short["PLATE"].available_now == 1
    assert short["CUP"].reason == "no_confirmed_supply"
    # nothing changed: the MUG line that could be covered was rolled back with the rest
    assert balance(ctx, "MUG", "W1") == (5, 0)
    assert balance(ctx, "PLATE", "W1") == (1, 0)
    assert outbox_topics(ctx) == topics_before


def test_each_line_of_a_mixed_order_keeps_its_own_parts(ctx: Context) -> None:
    """The order, its lines and their parts are written together at the end: each part must land on its line."""
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup")
    catalog.add_sku(ctx, "PLATE", "Plate")
    on_hand(ctx, "MUG", "W1", 2)
    on_hand(ctx, "MUG", "W2", 2)
    on_hand(ctx, "PLATE", "W1", 1)
    confirmed_po(ctx, "CUP", 10, eta_in_days=8)
    confirmed_po(ctx, "PLATE", 10, eta_in_days=12)
    request = orders.OrderRequest(
        "web",
        "a@example.com",
        (orders.LineRequest("PLATE", 3), orders.LineRequest("MUG", 3), orders.LineRequest("CUP", 2)),
    )
    placed = orders.place_order(ctx, request)
    stored = orders.show_order(ctx, placed.id)
    assert stored.lines == placed.lines
    by_sku = {line.sku: (line.allocated, line.backordered, line.status) for line in stored.lines}
    assert by_sku == {"MUG": (3, 0, "allocated"), "CUP": (0, 2, "backordered"), "PLATE": (1, 2, "backordered")}
    assert balance(ctx, "MUG", "W1") == (2, 2)
    assert balance(ctx, "MUG", "W2") == (2, 1)
    [confirmation] = outbox_payloads(ctx, "order_placed")
    assert [line.pop("preorder") for line in confirmation["lines"]] == [False, False, False]  # the event's own
    shown = [line.to_json() for line in placed.lines]
    assert all(line.pop("cancelled") == 0 for line in shown)  # the answer shows it; events keep their shape
    assert confirmation["lines"] == shown


@pytest.mark.parametrize(
    ("sku", "quantity", "error"),
    [("MUG", 0, InvalidInput), ("MUG", -3, InvalidInput), ("MUG", 10**9, InvalidInput), ("NOPE", 1, NotFound)],
)
def test_bad_order_input_is_refused_and_changes_nothing(
    ctx: Context, sku: str, quantity: int, error: type[Exception]
) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    with pytest.raises(error):
        order(ctx, sku, quantity)
    assert balance(ctx, "MUG", "W1") == (5, 0)
    assert "order_placed" not in outbox_topics(ctx)


def test_an_unknown_channel_is_refused(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    with pytest.raises(NotFound, match="channel"):
        order(ctx, "MUG", 1, channel="nowhere")


def test_same_idempotency_key_places_the_order_once(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    first = order(ctx, "MUG", 2, key="checkout-42")
    again = order(ctx, "MUG", 2, key="checkout-42")
    assert again.id == first.id
    assert again.replayed
    assert balance(ctx, "MUG", "W1") == (5, 2)
    assert outbox_topics(ctx).count("order_placed") == 1


def test_an_idempotency_key_reused_for_a_different_order_is_refused(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    order(ctx, "MUG", 2, key="checkout-42")
    with pytest.raises(Conflict, match="different order"):
        order(ctx, "MUG", 3, key="checkout-42")
    assert balance(ctx, "MUG", "W1") == (5, 2)


def test_placing_an_order_writes_its_confirmation_to_the_outbox(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 1)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 3, email="ann@example.com")
    [message] = outbox_payloads(ctx, "order_placed")
    assert message["id"] == placed.id
    assert message["email"] == "ann@example.com"
    assert message["lines"][0]["backordered"] == 2
    assert message["lines"][0]["ship_window"] == {"earliest": "2026-12-07", "latest": "2026-12-11"}


def test_order_ids_are_not_guessable(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    a, b = order(ctx, "MUG", 1), order(ctx, "MUG", 1)
    assert a.id.startswith("ord_")
    assert len(a.id) >= 28
    assert a.id != b.id


def test_shipping_records_the_shipment_and_ends_the_line_once(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    placed = order(ctx, "MUG", 2)
    shipped = orders.ship_order(ctx, placed.id)
    assert shipped.status == "shipped"
    assert shipped.lines[0].status == "shipped"
    assert balance(ctx, "MUG", "W1") == (3, 0)
    with pytest.raises(Conflict):
        orders.ship_order(ctx, placed.id)
    with pytest.raises(Conflict):
        orders.cancel_order(ctx, placed.id)
    assert "order_shipped" in outbox_topics(ctx)


def test_a_backordered_line_does_not_ship_until_it_is_filled(ctx: Context) -> None:
    standard_catalog(ctx)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 2)
    with pytest.raises(Conflict, match="nothing allocated"):
        orders.ship_order(ctx, placed.id)


def test_cancelling_returns_stock_to_the_next_waiting_backorder(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    first = order(ctx, "MUG", 2)
    waiting = order(ctx, "MUG", 1)
    assert waiting.lines[0].status == "backordered"
    orders.cancel_order(ctx, first.id)
    now = orders.show_order(ctx, waiting.id)
    assert (now.lines[0].status, now.lines[0].allocated) == ("allocated", 1)
    assert balance(ctx, "MUG", "W1") == (2, 1)
    assert "backorder_filled" in outbox_topics(ctx)


def test_cancelling_a_backorder_gives_its_promise_capacity_back(ctx: Context) -> None:
    standard_catalog(ctx)
    confirmed_po(ctx, "MUG", 3, eta_in_days=8)
    placed = order(ctx, "MUG", 3)
    with pytest.raises(OrderRefused):
        order(ctx, "MUG", 1)
    cancelled = orders.cancel_order(ctx, placed.id)
    assert cancelled.status == "cancelled"
    assert order(ctx, "MUG", 3).lines[0].backordered == 3


def test_cancelling_one_line_leaves_the_others(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup")
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "CUP", "W1", 5)
    request = orders.OrderRequest("web", "a@example.com", (orders.LineRequest("MUG", 1), orders.LineRequest("CUP", 2)))
    placed = orders.place_order(ctx, request)
    after = orders.cancel_line(ctx, placed.id, "CUP")
    assert {li.sku: li.status for li in after.lines} == {"MUG": "allocated", "CUP": "cancelled"}
    assert after.status == "open"
    assert balance(ctx, "CUP", "W1") == (5, 0)


def test_stock_cannot_be_adjusted_below_what_customers_hold(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    order(ctx, "MUG", 4)
    with pytest.raises(Conflict, match="only 1 are free"):
        stock.adjust_stock(ctx, "MUG", "W1", -2, "damaged")
    assert balance(ctx, "MUG", "W1") == (5, 4)
    assert stock.ledger_discrepancies(ctx) == []


def test_a_listing_page_gets_each_skus_own_decision_in_the_order_asked(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", backorder="never")
    catalog.add_sku(ctx, "PLATE", "Plate")
    on_hand(ctx, "CUP", "W2", 4)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    views = availability.availability_many(ctx, ["PLATE", "MUG", "CUP", "MUG"], "web")
    assert [(v.sku, v.decision.state.value, v.decision.reason.value) for v in views] == [
        ("PLATE", "out_of_stock", "no_confirmed_supply"),
        ("MUG", "backorder", "confirmed_inbound"),
        ("CUP", "in_stock", "on_hand"),
        ("MUG", "backorder", "confirmed_inbound"),
    ]
    assert views[2].decision.available_now == 4
    with pytest.raises(NotFound, match="NOPE"):
        availability.availability_many(ctx, ["MUG", "NOPE"], "web")


def test_a_line_partly_backed_by_confirmed_supply_is_promised_no_date_anywhere(ctx: Context) -> None:
    """Invariant 7: policy `always`, a confirmed PO of 2 and an order of 5. The 3 units no PO backs leave the
    whole line undated, on the order and in the periodic "still on its way" update alike."""
    standard_catalog(ctx, backorder="always")
    confirmed_po(ctx, "MUG", 2, eta_in_days=8)
    placed = order(ctx, "MUG", 5)
    assert (placed.lines[0].backordered, placed.lines[0].ship_window) == (5, None)
    assert orders.show_order(ctx, placed.id).lines[0].ship_window is None
    later = on_day(ctx, ctx.clock.today() + timedelta(days=ctx.settings.notify.still_waiting_days + 1))
    assert send_still_waiting_updates(later) == 1
    [update] = outbox_payloads(ctx, "backorder_still_waiting")
    assert (update["order"], update["quantity"], update["ship_window"]) == (placed.id, 5, None)


def test_a_line_wholly_backed_by_confirmed_supply_keeps_its_window_in_the_update(ctx: Context) -> None:
    standard_catalog(ctx, backorder="always")
    confirmed_po(ctx, "MUG", 5, eta_in_days=8)
    placed = order(ctx, "MUG", 5)
    window = placed.lines[0].ship_window
    assert window is not None
    later = on_day(ctx, ctx.clock.today() + timedelta(days=ctx.settings.notify.still_waiting_days + 1))
    send_still_waiting_updates(later)
    [update] = outbox_payloads(ctx, "backorder_still_waiting")
    assert update["ship_window"] == {"earliest": window.earliest.isoformat(), "latest": window.latest.isoformat()}
