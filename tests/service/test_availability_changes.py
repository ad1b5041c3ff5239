"""Every change of an availability answer writes one `availability_changed` event, in the same transaction,
orders selling out included; and a pre-order stays one until its release (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from restock.domain.availability import an_order_may_change_the_answer, is_first_sale
from restock.domain.errors import OrderRefused
from restock.domain.model import ShipWindow
from restock.services import availability, catalog, catalog_edits, orders, placing, purchasing
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import LinePart, OrderLine, OutboxMessage, Sku
from tests.builders import balance, confirmed_po, on_day, on_hand, order, released_on, standard_catalog
from tests.conftest import TODAY, make_context


def _last_message(ctx: Context) -> int:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return int(session.scalar(select(func.coalesce(func.max(OutboxMessage.id), 0))) or 0)


def changes_of(ctx: Context, action: Callable[[], object]) -> list[dict[str, Any]]:
    """The availability changes `action` wrote, in the order written."""
    since = _last_message(ctx)
    try:
        action()
    finally:
        with unit_of_work(ctx.engine, readonly=True) as session:
            rows = session.scalars(
                select(OutboxMessage.payload)
                .where(OutboxMessage.id > since, OutboxMessage.topic == "availability_changed")
                .order_by(OutboxMessage.id)
            )
            found = [json.loads(payload) for payload in rows]
    return found


def _states(changes: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(c["channel"], c["old_state"], c["new_state"]) for c in changes]


def state_of(ctx: Context, sku: str = "MUG", channel: str = "web") -> str:
    [view] = availability.availability(ctx, sku, channel)
    return view.decision.state.value


def test_a_sell_out_writes_one_availability_change(ctx: Context) -> None:
    """Web sells from W1 then W2, market from W2 only: an order taking the last units of both runs both out."""
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 1)
    on_hand(ctx, "MUG", "W2", 2)
    changes = changes_of(ctx, lambda: order(ctx, "MUG", 3))
    assert sorted(_states(changes)) == [("market", "in_stock", "out_of_stock"), ("web", "in_stock", "out_of_stock")]
    web = next(c for c in changes if c["channel"] == "web")
    assert (web["old_available_now"], web["available_now"]) == (3, 0)
    assert web["reason"] == "no_confirmed_supply"
    assert web["old_reason"] == "on_hand"


def test_a_one_line_order_taking_the_last_units_of_its_first_warehouse_writes_its_change(ctx: Context) -> None:
    """On PostgreSQL the commonest order is one statement; one that runs a channel out is left to the general
    path, which writes the change with it (the rule in SQL and in Python agree)."""
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    assert _states(changes_of(ctx, lambda: order(ctx, "MUG", 2))) == [("web", "in_stock", "out_of_stock")]
    assert balance(ctx, "MUG", "W1") == (2, 2)


def test_an_order_that_leaves_stock_in_stock_writes_none(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    assert changes_of(ctx, lambda: order(ctx, "MUG", 2)) == []
    assert changes_of(ctx, lambda: order(ctx, "MUG", 2)) == []
    assert balance(ctx, "MUG", "W1") == (5, 4)


def test_an_order_leaving_only_a_channels_buffer_runs_that_channel_out(ctx: Context) -> None:
    """The careful channel keeps 2 units back: an order on web that leaves 2 sells it out there, not on web."""
    standard_catalog(ctx)
    catalog.add_channel(ctx, "careful", ["W1"], safety_buffer=2)
    on_hand(ctx, "MUG", "W1", 6)
    assert changes_of(ctx, lambda: order(ctx, "MUG", 1)) == []  # leaves 5: 3 sellable on careful
    assert _states(changes_of(ctx, lambda: order(ctx, "MUG", 3))) == [("careful", "in_stock", "out_of_stock")]
    assert (state_of(ctx), state_of(ctx, channel="careful")) == ("in_stock", "out_of_stock")


def test_an_order_that_moves_the_window_writes_one_change(ctx: Context) -> None:
    """Two units can be promised from the early PO: an order taking them moves the window to the late one."""
    standard_catalog(ctx)
    confirmed_po(ctx, "MUG", 2, eta_in_days=5)
    confirmed_po(ctx, "MUG", 10, eta_in_days=20)
    assert changes_of(ctx, lambda: order(ctx, "MUG", 1)) == []  # one more can still come early
    [change] = changes_of(ctx, lambda: order(ctx, "MUG", 1))
    assert (change["channel"], change["old_state"], change["new_state"]) == ("web", "backorder", "backorder")
    assert change["old_ship_window"]["earliest"] < change["ship_window"]["earliest"]
    assert (change["old_backorderable"], change["backorderable"]) == (11, 10)


def test_an_order_taking_the_last_promisable_units_writes_one_change(ctx: Context) -> None:
    standard_catalog(ctx)
    confirmed_po(ctx, "MUG", 3, eta_in_days=5)
    assert _states(changes_of(ctx, lambda: order(ctx, "MUG", 3))) == [("web", "backorder", "out_of_stock")]


def test_a_rolled_back_order_writes_none(ctx: Context) -> None:
    """The first line would sell MUG out, the second cannot be had: the whole order and its change roll back."""
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup")
    on_hand(ctx, "MUG", "W1", 1)
    request = orders.OrderRequest("web", "a@example.com", (orders.LineRequest("MUG", 1), orders.LineRequest("CUP", 1)))
    with pytest.raises(OrderRefused):
        changes_of(ctx, lambda: orders.place_order(ctx, request))
    assert changes_of(ctx, lambda: None) == []
    since = _last_message(ctx)
    with pytest.raises(OrderRefused):
        orders.place_order(ctx, request)
    assert _last_message(ctx) == since
    assert balance(ctx, "MUG", "W1") == (1, 0)


def test_a_receipt_and_a_cancellation_write_their_changes(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 1)
    placed = order(ctx, "MUG", 1)
    assert _states(changes_of(ctx, lambda: orders.cancel_order(ctx, placed.id))) == [
        ("web", "out_of_stock", "in_stock")
    ]


# ---------------------------------------------------------------- pre-orders


def _first_sold(ctx: Context, sku: str = "MUG") -> object:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return session.scalar(select(Sku.first_sold_at).where(Sku.code == sku))


def test_pre_orders_leave_a_product_not_yet_released_a_pre_order(ctx: Context) -> None:
    standard_catalog(ctx)
    released_on(ctx, "MUG", TODAY + timedelta(days=30))
    assert _states(changes_of(ctx, lambda: confirmed_po(ctx, "MUG", 10, eta_in_days=8))) == [
        ("web", "out_of_stock", "preorder")
    ]
    assert changes_of(ctx, lambda: order(ctx, "MUG", 2)) == []
    assert state_of(ctx) == "preorder"
    assert _first_sold(ctx) is None


def test_an_order_after_the_release_is_the_first_sale_and_it_is_never_a_pre_order_again(ctx: Context) -> None:
    standard_catalog(ctx)
    released_on(ctx, "MUG", TODAY + timedelta(days=3))
    on_hand(ctx, "MUG", "W1", 5)
    order(ctx, "MUG", 1)  # from stock, before the release: not yet the first sale
    assert _first_sold(ctx) is None
    later = on_day(ctx, TODAY + timedelta(days=3))
    order(later, "MUG", 1)  # a one-line order from the first warehouse: the general path records the sale
    assert _first_sold(ctx) is not None
    released_on(ctx, "MUG", TODAY + timedelta(days=40))  # the merchant moves the date ahead
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    order(ctx, "MUG", 3)  # the rest of the stock
    assert state_of(ctx) == "backorder"


@pytest.mark.parametrize("quantity", [1, 7])
def test_a_sku_sold_without_a_release_date_never_becomes_a_preorder(ctx: Context, quantity: int) -> None:
    """Sold from stock alone (on PostgreSQL the one-statement order) or with a backorder (the general path): either
    order is the first sale, so a release date set later does not make the product a pre-order again."""
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    order(ctx, "MUG", quantity)
    assert _first_sold(ctx) is not None
    catalog_edits.edit_sku(ctx, "MUG", catalog_edits.SkuEdit(release_date=TODAY + timedelta(days=20)))
    if quantity < 5:
        order(ctx, "MUG", 5 - quantity)  # the rest of the stock
    assert state_of(ctx) == "backorder"


def test_a_preorders_own_orders_are_not_its_first_sale(ctx: Context) -> None:
    """Orders taken while it is a pre-order, from early stock (one statement on PostgreSQL) or on backorder,
    leave it a pre-order; the first order after its release is its first sale."""
    standard_catalog(ctx)
    released_on(ctx, "MUG", TODAY + timedelta(days=10))
    on_hand(ctx, "MUG", "W1", 5)
    confirmed_po(ctx, "MUG", 10, eta_in_days=12)
    order(ctx, "MUG", 1)
    order(ctx, "MUG", 6)
    assert _first_sold(ctx) is None
    assert state_of(ctx) == "preorder"
    order(on_day(ctx, TODAY + timedelta(days=10)), "MUG", 1)
    assert _first_sold(ctx) is not None


def test_a_preorder_never_ships_before_its_release(ctx: Context) -> None:
    """Its PO arrives in 8 days, its release is in 20: the answer, the order's promise, a new ETA and a re-promise
    onto another PO all start at the release, never before."""
    standard_catalog(ctx)
    release = TODAY + timedelta(days=20)
    released_on(ctx, "MUG", release)
    early = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    [view] = availability.availability(ctx, "MUG", "web")
    assert (view.decision.state.value, view.decision.ship_window) == ("preorder", ShipWindow(release, release))
    assert view.decision.message == "Pre-order. Estimated shipping: 20 days."
    placed = order(ctx, "MUG", 2)
    assert _promised(ctx, placed.id) == [(release, release)]
    [line] = placed.lines
    assert line.ship_window is not None
    assert line.ship_window.earliest == release
    purchasing.change_eta(ctx, early, TODAY + timedelta(days=17))  # arrives later, still before the release
    assert _promised(ctx, placed.id) == [(release, TODAY + timedelta(days=23))]  # its PO's window: 19-23 days
    confirmed_po(ctx, "MUG", 10, eta_in_days=5)
    purchasing.cancel_po(ctx, early)  # re-promised onto the other PO, due in 5 days: still from the release
    assert _promised(ctx, placed.id) == [(release, release)]


def test_a_released_products_backorder_ships_from_its_po(ctx: Context) -> None:
    """Sold once, it is a backorder whatever its release date says: its window is its PO's."""
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 1)
    order(ctx, "MUG", 1)
    catalog_edits.edit_sku(ctx, "MUG", catalog_edits.SkuEdit(release_date=TODAY + timedelta(days=20)))
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 2)
    [(earliest, _)] = _promised(ctx, placed.id)
    assert earliest == TODAY + timedelta(days=10)


def _promised(ctx: Context, order_id: str) -> list[tuple[object, object]]:
    """The stored windows of the order's waiting parts."""
    with unit_of_work(ctx.engine, readonly=True) as session:
        rows = session.execute(
            select(LinePart.window_earliest, LinePart.window_latest)
            .join(OrderLine, OrderLine.id == LinePart.order_line_id)
            .where(OrderLine.order_id == order_id, LinePart.kind == "backordered")
        )
        return [(row.window_earliest, row.window_latest) for row in rows]


def test_an_in_stock_answer_says_when_more_ship(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 11)
    confirmed_po(ctx, "MUG", 10, eta_in_days=7)
    [view] = availability.availability(ctx, "MUG", "web")
    assert view.decision.message == "In stock (11). More ship in 9-13 days."
    body = view.to_json()
    assert body["backorder_window"] == {"earliest": "2026-12-06", "latest": "2026-12-10"}
    assert body["ship_window"] is None
    [market] = availability.availability(ctx, "MUG", "market")  # W2 only: no stock there, the PO is at W1
    assert (market.decision.state.value, market.to_json()["backorder_window"]) == ("out_of_stock", None)


@pytest.mark.postgres
@pytest.mark.parametrize(("stock", "quantity"), [(6, 1), (6, 3), (6, 4), (6, 6), (3, 1), (2, 1)])
def test_the_one_statement_order_and_the_rule_agree_on_when_an_answer_may_change(
    postgres: Engine, stock: int, quantity: int
) -> None:
    """The SQL guard of the one-statement order mirrors `an_order_may_change_the_answer`: it places exactly the
    orders the rule says cannot change an answer (web has no buffer, careful keeps 2 back; both sell from W1)."""
    ctx = make_context(postgres)
    standard_catalog(ctx)
    catalog.add_channel(ctx, "careful", ["W1"], safety_buffer=2)
    on_hand(ctx, "MUG", "W1", stock)
    request = orders.OrderRequest("web", "a@example.com", (orders.LineRequest("MUG", quantity),))
    placed = placing._place_in_one_statement(ctx, request, placing.new_order_id())
    left = stock - quantity
    assert (placed is not None) == (not an_order_may_change_the_answer(0, [(left, 0), (left, 2)]))
    assert balance(ctx, "MUG", "W1") == (stock, quantity if placed else 0)


@pytest.mark.postgres
@pytest.mark.parametrize("release_in", [None, -3, 0, 1, 20])
def test_the_one_statement_order_and_the_rule_agree_on_a_first_sale(postgres: Engine, release_in: int | None) -> None:
    """The one statement marks the first sale by `is_first_sale` in SQL: never sold and not a pre-order."""
    ctx = make_context(postgres)
    standard_catalog(ctx)
    release = None if release_in is None else TODAY + timedelta(days=release_in)
    released_on(ctx, "MUG", release)
    on_hand(ctx, "MUG", "W1", 6)
    request = orders.OrderRequest("web", "a@example.com", (orders.LineRequest("MUG", 1),))
    assert placing._place_in_one_statement(ctx, request, placing.new_order_id()) is not None
    assert (_first_sold(ctx) is not None) == is_first_sale(release, None, TODAY)
    first = _first_sold(ctx)
    assert placing._place_in_one_statement(ctx, request, placing.new_order_id()) is not None
    assert _first_sold(ctx) == first  # sold already: it keeps the moment it was first sold
