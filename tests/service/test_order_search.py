"""Orders a warehouse and a shop can find: the shop's number, name and address kept on both order paths, a
re-sent order answered with the first, and the order search with its filters and keyset pages."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from threading import Barrier

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, func, select

from restock.config import Clock
from restock.domain.address import DeliveryAddress
from restock.domain.errors import InvalidInput, ReferenceTaken
from restock.domain.model import ShippingPolicy
from restock.services import catalog, orders, purchasing
from restock.services.context import Context
from restock.services.order_search import OrderQuery, after_of, cursor_of, search_orders
from restock.store.db import unit_of_work
from restock.store.order_search import After
from restock.store.schema import Order
from tests.builders import balance, confirmed_po, on_hand, order, standard_catalog
from tests.conftest import TODAY, make_context

ADDRESS = DeliveryAddress(line1="12 Harbour Road", city="Leith", country="GB", postal_code="EH6 6LX", name="Ann Lee")


@dataclass(frozen=True)
class At(Clock):
    """A clock stopped at one moment: orders placed on it tie on placed_at, which paging must still tell apart."""

    moment: datetime = datetime(2026, 11, 27, 12, 0)

    def now(self) -> datetime:
        return self.moment


def at(ctx: Context, moment: datetime) -> Context:
    return replace(ctx, clock=At(TODAY, moment))


def shop_order(
    ctx: Context,
    lines: tuple[tuple[str, int], ...] = (("MUG", 1),),
    ref: str | None = "1001",
    channel: str = "web",
    email: str = "ann@example.com",
    key: str | None = None,
) -> orders.OrderView:
    request = orders.OrderRequest(
        channel,
        email,
        tuple(orders.LineRequest(sku, qty) for sku, qty in lines),
        idempotency_key=key,
        external_ref=ref,
        customer_name="Ann Lee",
        delivery_address=ADDRESS,
        shipping_policy=ShippingPolicy.COMPLETE,
    )
    return orders.place_order(ctx, request)


def order_count(engine: Engine) -> int:
    with unit_of_work(engine, readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(Order)) or 0)


# ---------------------------------------------------------------- what an order carries


@pytest.mark.parametrize(
    "lines",
    [(("MUG", 1),), (("MUG", 1), ("CUP", 2))],
    ids=["one line (one statement on PostgreSQL)", "two lines (the general path)"],
)
def test_an_order_keeps_the_shops_number_the_customers_name_the_address_and_the_policy(
    ctx: Context, lines: tuple[tuple[str, int], ...]
) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "confirmed", 30, 100)
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "CUP", "W1", 5)
    placed = shop_order(ctx, lines)
    for view in (placed, orders.show_order(ctx, placed.id)):
        assert view.external_ref == "1001"
        assert view.customer.name == "Ann Lee"
        assert view.delivery_address is not None
        assert view.delivery_address.model_dump(exclude_none=True) == ADDRESS.present()
        assert view.shipping_policy == "complete"


def test_an_order_without_the_shops_details_stores_none(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    view = orders.show_order(ctx, order(ctx, "MUG", 1).id)
    assert (view.external_ref, view.customer.name, view.delivery_address) == (None, None, None)
    assert view.shipping_policy == "as_available"  # it follows its channel's
    with unit_of_work(ctx.engine, readonly=True) as session:  # SQL NULL, not a JSON null
        assert session.scalar(select(Order.id).where(Order.delivery_address.is_(None))) == view.id
        assert session.scalar(select(Order.shipping_policy).where(Order.id == view.id)) is None


@pytest.mark.parametrize(
    ("address", "fault"),
    [
        (replace(ADDRESS, country="XX"), "ISO 3166-1"),
        (replace(ADDRESS, country="gb"), "ISO 3166-1"),
        (replace(ADDRESS, line1=" "), "line1"),
        (replace(ADDRESS, city="x" * 101), "city"),
        (replace(ADDRESS, postal_code="EH6\n6LX"), "postal_code"),
        (replace(ADDRESS, phone="call me"), "phone"),
    ],
)
def test_a_bad_delivery_address_is_refused_and_nothing_is_placed(
    ctx: Context, address: DeliveryAddress, fault: str
) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    request = orders.OrderRequest("web", "a@example.com", (orders.LineRequest("MUG", 1),), delivery_address=address)
    with pytest.raises(InvalidInput, match=fault):
        orders.place_order(ctx, request)
    assert balance(ctx, "MUG", "W1") == (5, 0)


@pytest.mark.parametrize("ref", ["", " ", "x" * 101, "10\n01"])
def test_a_shops_number_is_1_to_100_printable_characters(ctx: Context, ref: str) -> None:
    standard_catalog(ctx)
    with pytest.raises(InvalidInput, match="external reference"):
        shop_order(ctx, ref=ref)


# ---------------------------------------------------------------- the shop's number names one order per channel


@pytest.mark.parametrize("lines", [(("MUG", 1),), (("MUG", 1), ("CUP", 2))], ids=["one line", "two lines"])
def test_an_order_sent_again_with_the_shops_number_answers_with_the_first(
    ctx: Context, lines: tuple[tuple[str, int], ...]
) -> None:
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "confirmed", 30, 100)
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "CUP", "W1", 5)
    first = shop_order(ctx, lines)
    again = shop_order(ctx, tuple(reversed(lines)), email="other@example.com", key="another-key")
    assert again.id == first.id
    assert again.replayed
    assert not first.replayed
    assert again.email == "ann@example.com"  # the first order stands as it was placed
    assert balance(ctx, "MUG", "W1") == (5, 1)
    assert order_count(ctx.engine) == 1


def test_the_same_number_on_another_channel_is_another_order(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    on_hand(ctx, "MUG", "W2", 5)
    web = shop_order(ctx, channel="web")
    market = shop_order(ctx, channel="market")
    assert web.id != market.id
    assert (web.channel, market.channel) == ("web", "market")
    assert order_count(ctx.engine) == 2


def test_the_shops_number_with_other_lines_is_refused_and_changes_nothing(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    first = shop_order(ctx, (("MUG", 1),))
    with pytest.raises(ReferenceTaken, match=first.id):
        shop_order(ctx, (("MUG", 2),))
    assert balance(ctx, "MUG", "W1") == (5, 1)
    assert order_count(ctx.engine) == 1


@pytest.mark.xdist_group("load")  # twelve connections at once: not beside the 60-client load test
@pytest.mark.parametrize("lines", [(("MUG", 1),), (("MUG", 1), ("CUP", 1))], ids=["one line", "two lines"])
def test_twelve_orders_with_one_shops_number_at_once_make_one_order(
    postgres: Engine, lines: tuple[tuple[str, int], ...]
) -> None:
    ctx = make_context(postgres)
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "confirmed", 30, 100)
    on_hand(ctx, "MUG", "W1", 50)
    on_hand(ctx, "CUP", "W1", 50)
    start = Barrier(12)

    def place(n: int) -> str:
        start.wait()
        return shop_order(ctx, lines, email=f"twin{n}@example.com").id

    with ThreadPoolExecutor(12) as pool:
        ids = set(pool.map(place, range(12)))
    assert len(ids) == 1
    assert order_count(postgres) == 1
    assert balance(ctx, "MUG", "W1") == (50, 1)  # the losers' claims were rolled back


# ---------------------------------------------------------------- the search


def found(ctx: Context, **filters: object) -> list[str]:
    page = search_orders(ctx, OrderQuery(limit=200, **filters))  # type: ignore[arg-type]
    return [view.id for view in page.items]


@pytest.fixture
def shop(ctx: Context) -> dict[str, str]:
    """Five orders on two days and two channels: in stock, waiting, delayed, cancelled, shipped."""
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "confirmed", 30, 100)
    on_hand(ctx, "MUG", "W1", 3)
    on_hand(ctx, "MUG", "W2", 3)
    on_hand(ctx, "CUP", "W1", 1)
    confirmed_po(ctx, "CUP", 10, eta_in_days=8)
    day1, day2 = datetime(2026, 11, 26, 9), datetime(2026, 11, 27, 9)
    placed = {
        "in_stock": shop_order(at(ctx, day1), (("MUG", 1),), ref="A-1", email="Ann@Example.com"),
        "waiting": shop_order(at(ctx, day1 + timedelta(hours=1)), (("CUP", 3),), ref="A-2"),
        "market": shop_order(at(ctx, day2), (("MUG", 1),), ref="A-1", channel="market", email="bob@example.com"),
        "cancelled": shop_order(at(ctx, day2 + timedelta(hours=1)), (("MUG", 1),), ref=None, email="cy@example.com"),
        "shipped": shop_order(at(ctx, day2 + timedelta(hours=2)), (("MUG", 1),), ref=None, email="di@example.com"),
    }
    orders.cancel_order(ctx, placed["cancelled"].id)
    orders.ship_order(ctx, placed["shipped"].id)
    purchasing_eta_moves_later(ctx)
    return {name: view.id for name, view in placed.items()}


def purchasing_eta_moves_later(ctx: Context) -> None:
    """The CUP PO's supplier slips: the waiting order's window moves past what it was told, so it is delayed."""
    [po] = [p for p in purchasing.list_pos(ctx) if p.lines[0].sku == "CUP"]
    purchasing.change_eta(ctx, po.id, TODAY + timedelta(days=30))


def test_the_search_lists_orders_newest_first(ctx: Context, shop: dict[str, str]) -> None:
    assert found(ctx) == [shop[n] for n in ("shipped", "cancelled", "market", "waiting", "in_stock")]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "open"}, ["market", "waiting", "in_stock"]),
        ({"status": "cancelled"}, ["cancelled"]),
        ({"status": "shipped"}, ["shipped"]),
        ({"channel": "market"}, ["market"]),
        ({"sku": "CUP"}, ["waiting"]),
        ({"email": "ann@example.com"}, ["waiting", "in_stock"]),
        ({"email": "ANN@EXAMPLE.COM"}, ["waiting", "in_stock"]),
        ({"external_ref": "A-1"}, ["market", "in_stock"]),
        ({"external_ref": "A-1", "channel": "web"}, ["in_stock"]),
        ({"placed_from": datetime(2026, 11, 27)}, ["shipped", "cancelled", "market"]),
        ({"placed_to": datetime(2026, 11, 27)}, ["waiting", "in_stock"]),
        ({"placed_from": datetime(2026, 11, 26, 10), "placed_to": datetime(2026, 11, 27, 10)}, ["market", "waiting"]),
        ({"delayed": True}, ["waiting"]),
        ({"delayed": False}, ["shipped", "cancelled", "market", "in_stock"]),
        ({"has_backorder": True}, ["waiting"]),
        ({"has_backorder": False}, ["shipped", "cancelled", "market", "in_stock"]),
        ({"has_backorder": True, "channel": "market"}, []),
    ],
    ids=lambda value: repr(value) if isinstance(value, dict) else None,
)
def test_each_filter_finds_exactly_its_orders(
    ctx: Context, shop: dict[str, str], filters: dict[str, object], expected: list[str]
) -> None:
    assert found(ctx, **filters) == [shop[name] for name in expected]


def test_a_zoned_time_is_compared_in_utc(ctx: Context, shop: dict[str, str]) -> None:
    nine_in_utc = datetime(2026, 11, 27, 10, 30, tzinfo=timezone(timedelta(hours=1)))  # 09:30 UTC
    assert found(ctx, placed_from=nine_in_utc) == [shop["shipped"], shop["cancelled"]]


def test_the_delayed_and_waiting_filters_agree_with_the_order_view(ctx: Context, shop: dict[str, str]) -> None:
    """The filters are SQL mirroring the view's rule (a line waits by its waiting parts, is delayed by one)."""
    views = search_orders(ctx, OrderQuery(limit=200)).items
    assert found(ctx, delayed=True) == [v.id for v in views if any(line.delayed for line in v.lines)]
    assert found(ctx, has_backorder=True) == [v.id for v in views if any(line.backordered for line in v.lines)]
    assert found(ctx, has_backorder=False) == [v.id for v in views if not any(line.backordered for line in v.lines)]


@pytest.mark.parametrize(
    ("query", "fault"),
    [
        (OrderQuery(status="late"), "unknown order status"),
        (OrderQuery(channel="no channel"), "invalid channel code"),
        (OrderQuery(sku="é"), "invalid SKU code"),
        (OrderQuery(email="not-an-address"), "invalid e-mail"),
        (OrderQuery(external_ref="x" * 101), "external reference"),
        (OrderQuery(limit=0), "a page holds"),
        (OrderQuery(limit=201), "a page holds"),
        (OrderQuery(placed_from=datetime(2026, 11, 27), placed_to=datetime(2026, 11, 26)), "before"),
        (OrderQuery(after="not a cursor"), "invalid cursor"),
        (OrderQuery(after="bm9waXBl"), "invalid cursor"),  # base64 of "nopipe"
    ],
)
def test_a_bad_filter_is_refused_not_matched(ctx: Context, query: OrderQuery, fault: str) -> None:
    with pytest.raises(InvalidInput, match=fault):
        search_orders(ctx, query)


def test_a_cursor_names_where_the_page_ended() -> None:
    after = After(datetime(2026, 11, 27, 9, 30, 0, 123), "ord_abc")
    assert after_of(cursor_of(after)) == after


_example = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    minutes=st.lists(st.integers(min_value=0, max_value=4), min_size=0, max_size=14),
    limit=st.integers(min_value=1, max_value=5),
)
def test_every_order_appears_exactly_once_across_pages_in_order(engine: Engine, minutes: list[int], limit: int) -> None:
    """Ties on placed_at included (five minutes for up to fourteen orders): the id breaks them."""
    ctx = make_context(engine)
    sku = f"P{next(_example)}"
    if not catalog.list_channels(ctx):
        standard_catalog(ctx)
    catalog.add_sku(ctx, sku, sku, "1.00", "confirmed", 30, 100)
    on_hand(ctx, sku, "W1", len(minutes) + 1)
    placed = [
        order(at(ctx, datetime(2026, 11, 27, 9, minute)), sku, 1, email=f"p{n}@example.com")
        for n, minute in enumerate(minutes)
    ]
    seen: list[orders.OrderView] = []
    after = None
    while True:
        page = search_orders(ctx, OrderQuery(sku=sku, limit=limit, after=after))
        assert len(page.items) <= limit
        seen.extend(page.items)
        if page.next is None:
            break
        assert page.items, "a page that promises another must not be empty"
        after = page.next
    expected = sorted(placed, key=lambda v: (v.placed_at, v.id), reverse=True)
    assert [v.id for v in seen] == [v.id for v in expected]


def test_a_page_is_two_queries_however_many_orders_and_lines_it_holds(ctx: Context, shop: dict[str, str]) -> None:
    """The orders, then all their lines with their parts: no query per order or per line."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(ctx.engine, "before_cursor_execute", count)
    try:
        page = search_orders(ctx, OrderQuery(limit=200))
    finally:
        event.remove(ctx.engine, "before_cursor_execute", count)
    assert len(page.items) == 5
    assert len(statements) == 2, statements
