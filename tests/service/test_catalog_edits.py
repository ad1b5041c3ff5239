"""Editing and archiving the catalog: partial changes checked whole, for new promises only, seen at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from restock.domain.errors import Conflict, InvalidInput, NotFound, OrderRefused
from restock.domain.model import AvailabilityState, Reason
from restock.services import availability, availability_feed, catalog, orders, purchasing, stock, webhooks
from restock.services.catalog_edits import (
    ChannelEdit,
    SkuEdit,
    SupplierEdit,
    archive_sku,
    edit_channel,
    edit_sku,
    edit_supplier,
    unarchive_sku,
)
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import AvailabilityChange
from tests.builders import balance, confirmed_po, on_hand, order, outbox_payloads, standard_catalog


def mug(ctx: Context, with_archived: bool = True) -> catalog.SkuView:
    return next(s for s in catalog.list_skus(ctx, with_archived) if s.code == "MUG")


def web(ctx: Context) -> catalog.ChannelView:
    return next(c for c in catalog.list_channels(ctx) if c.code == "web")


def state_on_web(ctx: Context, sku: str = "MUG") -> tuple[AvailabilityState, Reason]:
    [view] = availability.availability(ctx, sku, "web")
    return view.decision.state, view.decision.reason


def feed_rows(ctx: Context) -> int:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(AvailabilityChange)) or 0)


# ---------------------------------------------------------------- SKUs


def test_a_sku_edit_changes_only_the_fields_sent(ctx: Context) -> None:
    standard_catalog(ctx)
    changed = edit_sku(ctx, "MUG", SkuEdit(name="Blue mug", price="14.00"))
    assert (changed.name, changed.price) == ("Blue mug", Decimal("14.00"))
    assert (changed.backorder, changed.max_wait_days, changed.backorder_limit) == ("confirmed", 30, 100)
    assert mug(ctx) == changed


def test_a_sku_edit_sets_and_clears_the_release_date_and_the_product_url(ctx: Context) -> None:
    standard_catalog(ctx)
    url = "https://shop.example.com/products/mug"
    changed = edit_sku(ctx, "MUG", SkuEdit(release_date=date(2027, 1, 15), product_url=url))
    assert (changed.release_date, changed.product_url) == (date(2027, 1, 15), url)
    cleared = edit_sku(ctx, "MUG", SkuEdit(release_date=None, product_url=None))
    assert (cleared.release_date, cleared.product_url, cleared.name) == (None, None, "Mug")


@pytest.mark.parametrize(
    "edit",
    [
        SkuEdit(name="Renamed", max_wait_days=5000),
        SkuEdit(name="Renamed", backorder="sometimes"),
        SkuEdit(name="Renamed", backorder_limit_pct=101),
        SkuEdit(name="Renamed", price="-1"),
        SkuEdit(name="Renamed", price="1.234"),
        SkuEdit(name=" "),
        SkuEdit(name="Renamed", product_url="ftp://shop.example.com/mug"),
        SkuEdit(name="Renamed", product_url="/products/mug"),
        SkuEdit(name="Renamed", product_url="https://shop.example.com/" + "a" * 2000),
        SkuEdit(name="Renamed", product_url="https://shop.example.com/a mug"),
        SkuEdit(name="Renamed", release_date=date(1900, 1, 1)),
    ],
)
def test_a_sku_edit_with_one_bad_value_changes_nothing(ctx: Context, edit: SkuEdit) -> None:
    standard_catalog(ctx)
    before, rows = mug(ctx), feed_rows(ctx)
    with pytest.raises(InvalidInput):
        edit_sku(ctx, "MUG", edit)
    assert mug(ctx) == before
    assert feed_rows(ctx) == rows


def test_editing_an_unknown_sku_is_not_found(ctx: Context) -> None:
    standard_catalog(ctx)
    with pytest.raises(NotFound):
        edit_sku(ctx, "NOPE", SkuEdit(name="x"))


def test_a_shorter_max_wait_keeps_the_window_of_a_backorder_already_taken(ctx: Context) -> None:
    standard_catalog(ctx)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    waiting = order(ctx, "MUG", 2)
    window = waiting.lines[0].ship_window
    assert window is not None
    edit_sku(ctx, "MUG", SkuEdit(max_wait_days=5))
    kept = orders.show_order(ctx, waiting.id).lines[0]
    assert (kept.status, kept.backordered, kept.ship_window) == ("backordered", 2, window)
    assert state_on_web(ctx) == (AvailabilityState.OUT_OF_STOCK, Reason.WAIT_EXCEEDS_LIMIT)
    with pytest.raises(OrderRefused):  # a new promise follows the new rule
        order(ctx, "MUG", 1)


def test_a_changed_lead_time_keeps_the_window_of_a_backorder_already_taken(ctx: Context) -> None:
    standard_catalog(ctx)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    waiting = order(ctx, "MUG", 2)
    changed = edit_supplier(ctx, "ACME", SupplierEdit(lead_time_days=60))
    assert (changed.code, changed.lead_time_days, changed.name) == ("ACME", 60, "ACME")
    assert orders.show_order(ctx, waiting.id).lines[0].ship_window == waiting.lines[0].ship_window
    assert next(s for s in catalog.list_suppliers(ctx) if s.code == "ACME").lead_time_days == 60


def test_a_lower_backorder_limit_keeps_promises_given_and_caps_new_ones(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    waiting = order(ctx, "MUG", 6)
    edit_sku(ctx, "MUG", SkuEdit(backorder_limit_pct=50))  # 5 of 10 may be promised: 6 already are
    assert purchasing.show_po(ctx, po).lines[0].promised == 6
    assert orders.show_order(ctx, waiting.id).lines[0].backordered == 6
    assert state_on_web(ctx) == (AvailabilityState.OUT_OF_STOCK, Reason.BACKORDER_CAP_REACHED)
    with pytest.raises(OrderRefused):
        order(ctx, "MUG", 1)


def test_backorders_disabled_stops_new_backorders_but_the_waiting_ones_still_fill(ctx: Context) -> None:
    standard_catalog(ctx)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    waiting = order(ctx, "MUG", 2)
    edit_sku(ctx, "MUG", SkuEdit(backorder="never"))
    assert state_on_web(ctx) == (AvailabilityState.OUT_OF_STOCK, Reason.BACKORDERS_DISABLED)
    purchasing.receive_po(ctx, po, [("MUG", 10)])
    assert orders.show_order(ctx, waiting.id).lines[0].status == "allocated"


def test_a_sku_edit_writes_to_the_feed_of_availability_changes(ctx: Context) -> None:
    standard_catalog(ctx)
    cursor = availability_feed.last_change(ctx)
    edit_sku(ctx, "MUG", SkuEdit(backorder="never"))
    changes = availability_feed.changes_since(ctx, cursor)
    assert changes.sku_codes == {"MUG"}
    assert not changes.everything


def test_a_sku_edit_that_changes_the_answer_tells_integrators(ctx: Context) -> None:
    standard_catalog(ctx)
    webhooks.add_webhook(ctx, "https://erp.example.com/hooks", ["availability.changed"])
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    assert state_on_web(ctx)[0] in (AvailabilityState.BACKORDER, AvailabilityState.PREORDER)
    before = len(outbox_payloads(ctx, "availability_changed"))
    edit_sku(ctx, "MUG", SkuEdit(name="Mug, blue"))  # nothing a shopper sees changes
    assert len(outbox_payloads(ctx, "availability_changed")) == before
    edit_sku(ctx, "MUG", SkuEdit(backorder="never"))
    payloads = outbox_payloads(ctx, "availability_changed")[before:]
    changed = [(p["sku"], p["channel"], p["new_state"], p["reason"]) for p in payloads]
    assert changed == [("MUG", "web", "out_of_stock", "backorders_disabled")]


# ---------------------------------------------------------------- archiving


def test_an_archived_sku_takes_no_new_orders(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    archive_sku(ctx, "MUG")
    for quantity in (1, 7):  # the one-statement path and the general one
        with pytest.raises(Conflict, match="SKU MUG is archived"):
            order(ctx, "MUG", quantity)
    assert balance(ctx, "MUG", "W1") == (5, 0)


def test_an_order_naming_an_archived_sku_is_refused_whole(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP")
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "CUP", "W1", 5)
    archive_sku(ctx, "CUP")
    request = orders.OrderRequest("web", "a@example.com", (orders.LineRequest("MUG", 1), orders.LineRequest("CUP", 1)))
    with pytest.raises(Conflict, match="SKU CUP is archived"):
        orders.place_order(ctx, request)
    assert balance(ctx, "MUG", "W1") == (5, 0)


def test_an_archived_sku_is_out_of_stock_with_its_reason(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    archive_sku(ctx, "MUG")
    [view] = availability.availability(ctx, "MUG", "web")
    d = view.decision
    assert (d.state, d.reason, d.available_now, d.backorderable) == (
        AvailabilityState.OUT_OF_STOCK,
        Reason.ARCHIVED,
        0,
        0,
    )
    assert d.message == "No longer available."
    assert {v.decision.reason for v in availability.availability(ctx, "MUG")} == {Reason.ARCHIVED}
    [listed] = availability.availability_many(ctx, ["MUG"], "web")
    assert listed.decision.reason is Reason.ARCHIVED


def test_an_archived_sku_is_hidden_from_the_list_unless_asked_for(ctx: Context) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP")
    archived = archive_sku(ctx, "MUG")
    assert archived.archived
    assert [s.code for s in catalog.list_skus(ctx)] == ["CUP"]
    assert [(s.code, s.archived) for s in catalog.list_skus(ctx, with_archived=True)] == [("CUP", False), ("MUG", True)]


def test_an_archived_sku_keeps_its_history_and_its_open_orders_still_ship(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 2)
    archive_sku(ctx, "MUG")
    assert [m.kind for m in stock.ledger(ctx, "MUG", 0, 100)] == ["adjustment", "allocation"]
    assert purchasing.show_po(ctx, po).lines[0].sku == "MUG"
    assert orders.ship_order(ctx, placed.id).status == "shipped"
    assert balance(ctx, "MUG", "W1") == (3, 0)


def test_unarchiving_sells_the_sku_again_with_its_settings(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    edit_sku(ctx, "MUG", SkuEdit(max_wait_days=12))
    archive_sku(ctx, "MUG")
    again = unarchive_sku(ctx, "MUG")
    assert (again.archived, again.max_wait_days) == (False, 12)
    assert state_on_web(ctx) == (AvailabilityState.IN_STOCK, Reason.ON_HAND)
    assert order(ctx, "MUG", 1).lines[0].allocated == 1


def test_archiving_twice_changes_nothing_the_second_time(ctx: Context) -> None:
    standard_catalog(ctx)
    archive_sku(ctx, "MUG")
    rows = feed_rows(ctx)
    assert archive_sku(ctx, "MUG").archived
    assert feed_rows(ctx) == rows
    unarchive_sku(ctx, "MUG")
    rows = feed_rows(ctx)
    assert not unarchive_sku(ctx, "MUG").archived
    assert feed_rows(ctx) == rows


def test_archiving_an_in_stock_sku_tells_integrators_it_is_out_of_stock(ctx: Context) -> None:
    standard_catalog(ctx)
    webhooks.add_webhook(ctx, "https://erp.example.com/hooks", ["availability.changed"])
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "MUG", "W2", 5)
    before = len(outbox_payloads(ctx, "availability_changed"))
    archive_sku(ctx, "MUG")
    changed = outbox_payloads(ctx, "availability_changed")[before:]
    assert sorted((p["channel"], p["old_state"], p["new_state"], p["reason"]) for p in changed) == [
        ("market", "in_stock", "out_of_stock", "archived"),
        ("web", "in_stock", "out_of_stock", "archived"),
    ]


# ---------------------------------------------------------------- channels


def test_a_channels_new_warehouse_list_is_the_order_new_orders_take_stock_in(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "MUG", "W2", 5)
    changed = edit_channel(ctx, "web", ChannelEdit(warehouses=("W2", "W1")))
    assert (changed.warehouses, changed.safety_buffer, changed.shipping_policy) == (["W2", "W1"], 0, "as_available")
    assert web(ctx) == changed
    order(ctx, "MUG", 2)
    assert (balance(ctx, "MUG", "W1"), balance(ctx, "MUG", "W2")) == ((5, 0), (5, 2))


def test_a_channels_allocations_stay_where_they_are_when_its_warehouses_change(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    placed = order(ctx, "MUG", 2)
    edit_channel(ctx, "web", ChannelEdit(warehouses=("W2",)))
    assert balance(ctx, "MUG", "W1") == (5, 2)
    assert state_on_web(ctx) == (AvailabilityState.OUT_OF_STOCK, Reason.NO_CONFIRMED_SUPPLY)
    assert orders.ship_order(ctx, placed.id).status == "shipped"


def test_a_channels_buffer_and_shipping_policy_change_alone(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    changed = edit_channel(ctx, "web", ChannelEdit(safety_buffer=4, shipping_policy="complete"))
    assert (changed.warehouses, changed.safety_buffer, changed.shipping_policy) == (["W1", "W2"], 4, "complete")
    [view] = availability.availability(ctx, "MUG", "web")
    assert view.decision.available_now == 1


@pytest.mark.parametrize(
    "edit",
    [
        ChannelEdit(safety_buffer=2, warehouses=()),
        ChannelEdit(safety_buffer=2, warehouses=("W1", "W1")),
        ChannelEdit(safety_buffer=2, warehouses=("W1", "W9")),
        ChannelEdit(safety_buffer=2, warehouses=("bad code",)),
        ChannelEdit(safety_buffer=-1),
        ChannelEdit(safety_buffer=2, shipping_policy="whenever"),
    ],
)
def test_a_channel_edit_with_one_bad_value_changes_nothing(ctx: Context, edit: ChannelEdit) -> None:
    standard_catalog(ctx)
    before, rows = web(ctx), feed_rows(ctx)
    with pytest.raises(InvalidInput):
        edit_channel(ctx, "web", edit)
    assert web(ctx) == before
    assert feed_rows(ctx) == rows


def test_a_channel_edit_drops_every_remembered_answer(ctx: Context) -> None:
    standard_catalog(ctx)
    cursor = availability_feed.last_change(ctx)
    edit_channel(ctx, "web", ChannelEdit(safety_buffer=3))
    assert availability_feed.changes_since(ctx, cursor).everything


def test_a_channel_edit_that_changes_the_answer_tells_integrators(ctx: Context) -> None:
    standard_catalog(ctx)
    webhooks.add_webhook(ctx, "https://erp.example.com/hooks", ["availability.changed"])
    on_hand(ctx, "MUG", "W1", 5)
    before = len(outbox_payloads(ctx, "availability_changed"))
    edit_channel(ctx, "web", ChannelEdit(safety_buffer=5))
    changed = outbox_payloads(ctx, "availability_changed")[before:]
    assert [(p["sku"], p["channel"], p["new_state"]) for p in changed] == [("MUG", "web", "out_of_stock")]


# ---------------------------------------------------------------- suppliers


@pytest.mark.parametrize("edit", [SupplierEdit(name="New", lead_time_days=731), SupplierEdit(name="")])
def test_a_supplier_edit_with_one_bad_value_changes_nothing(ctx: Context, edit: SupplierEdit) -> None:
    standard_catalog(ctx)
    before = catalog.list_suppliers(ctx)
    with pytest.raises(InvalidInput):
        edit_supplier(ctx, "ACME", edit)
    assert catalog.list_suppliers(ctx) == before


def test_a_supplier_edit_renames_it(ctx: Context) -> None:
    standard_catalog(ctx)
    changed = edit_supplier(ctx, "ACME", SupplierEdit(name="Acme Ltd"))
    assert (changed.name, changed.lead_time_days) == ("Acme Ltd", 14)
    with pytest.raises(NotFound):
        edit_supplier(ctx, "NOPE", SupplierEdit(name="x"))


def test_editing_the_catalog_never_touches_the_ledger(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    order(ctx, "MUG", 7)
    before = stock.ledger(ctx, None, 0, 1000), stock.balances(ctx)
    edit_sku(ctx, "MUG", SkuEdit(backorder="never", max_wait_days=1, backorder_limit_pct=0))
    edit_channel(ctx, "web", ChannelEdit(warehouses=("W2",), safety_buffer=9))
    edit_supplier(ctx, "ACME", SupplierEdit(lead_time_days=90))
    archive_sku(ctx, "MUG")
    assert (stock.ledger(ctx, None, 0, 1000), stock.balances(ctx)) == before
