"""The pick list's SQL (`store.shipments.pick_entries`) agrees with the domain's rules, and its pages with each other.

The rules live in `domain.shipping`: which orders may ship (`order_may_ship` over `effective_shipping_policy`) and
the pick list's order (`pick_list_order`: cross-docked first, then the oldest order, then order id and warehouse).
The store mirrors them as a WHERE and an ORDER BY so the database filters, sorts and cuts a page. On random orders
(ties in time, both policies, either warehouse, parts at the dock or from the shelf) the SQL must give exactly the
entries the rules give, in the same order, on SQLite and PostgreSQL alike, and paging with any page size must return
each entry once, in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update

from restock.domain.lines import PartKind
from restock.domain.shipping import effective_shipping_policy, order_may_ship, pick_list_order
from restock.services import shipping
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import Channel, LinePart, Order, OrderLine, ReceiptFill, Sku, Warehouse
from tests.builders import confirmed_po, standard_catalog

T0 = datetime(2026, 11, 27, 9, 0)
WAREHOUSES = ("W1", "W2")


@dataclass(frozen=True)
class Part:
    allocated: bool
    warehouse: int
    at_dock: bool


@dataclass(frozen=True)
class Drawn:
    own_policy: str | None
    hour: int
    parts: tuple[Part, ...]


parts = st.builds(Part, st.booleans(), st.sampled_from([0, 1]), st.booleans())
drawn_orders = st.lists(
    st.builds(
        Drawn,
        st.sampled_from([None, "as_available", "complete"]),
        st.integers(0, 2),
        st.lists(parts, min_size=1, max_size=4).map(tuple),
    ),
    min_size=0,
    max_size=9,
)


@dataclass(frozen=True)
class Ids:
    channel: int
    sku: int
    po: int
    warehouses: dict[str, int]


_SETUPS: dict[int, Ids] = {}


def _setup(ctx: Context) -> Ids:
    standard_catalog(ctx, backorder="always")
    po = confirmed_po(ctx, "MUG", 5, eta_in_days=8)
    with unit_of_work(ctx.engine, readonly=True) as session:
        channel = session.scalars(select(Channel.id).where(Channel.code == "web")).one()
        sku = session.scalars(select(Sku.id).where(Sku.code == "MUG")).one()
        warehouses = {code: wid for wid, code in session.execute(select(Warehouse.id, Warehouse.code))}
    return Ids(channel, sku, po, warehouses)


def _order_id(n: int) -> str:
    return f"ord_{(n * 7) % 10}{n}"  # ids out of placing order, so the tie-break by id is exercised


def _write(ctx: Context, ids: Ids, channel_policy: str, orders: list[Drawn]) -> None:
    """Replace every order with the drawn ones (written directly: the rule under test is the read)."""
    with unit_of_work(ctx.engine) as session:
        for table in (LinePart, OrderLine, ReceiptFill, Order):
            session.execute(delete(table))
        session.execute(update(Channel).where(Channel.id == ids.channel).values(shipping_policy=channel_policy))
        for n, drawn in enumerate(orders):
            placed = T0 + timedelta(hours=drawn.hour)
            order_id = _order_id(n)
            session.add(
                Order(
                    id=order_id,
                    channel_id=ids.channel,
                    email="a@example.com",
                    placed_at=placed,
                    shipping_policy=drawn.own_policy,
                    external_ref=f"#{n}",
                )
            )
            session.flush()
            for i, part in enumerate(drawn.parts):
                status = "allocated" if part.allocated else "backordered"
                line = OrderLine(order_id=order_id, sku_id=ids.sku, quantity=1, status=status)
                session.add(line)
                session.flush()
                batch = f"b{n}_{i}" if part.allocated and part.at_dock else None
                if batch is not None:
                    warehouse_id = ids.warehouses[WAREHOUSES[part.warehouse]]
                    session.add(ReceiptFill(batch=batch, po_id=ids.po, warehouse_id=warehouse_id, received_at=placed))
                session.add(
                    LinePart(
                        order_line_id=line.id,
                        sku_id=ids.sku,
                        channel_id=ids.channel,
                        kind=(PartKind.ALLOCATED if part.allocated else PartKind.BACKORDERED).value,
                        quantity=1,
                        warehouse_id=ids.warehouses[WAREHOUSES[part.warehouse]] if part.allocated else None,
                        placed_at=placed,
                        filled_by=batch,
                    )
                )


def _by_the_rules(channel_policy: str, orders: list[Drawn], warehouse: str | None) -> list[tuple[str, str, bool]]:
    """The pick list as the domain's rules make it: (order, warehouse, cross-docked), in pick-list order."""
    entries: dict[tuple[str, str], bool] = {}
    placed: dict[str, datetime] = {}
    for n, drawn in enumerate(orders):
        waiting = sum(1 for part in drawn.parts if not part.allocated)
        if not order_may_ship(effective_shipping_policy(drawn.own_policy, channel_policy), waiting):
            continue
        placed[_order_id(n)] = T0 + timedelta(hours=drawn.hour)
        for part in drawn.parts:
            code = WAREHOUSES[part.warehouse]
            if part.allocated and warehouse in (None, code):
                key = (_order_id(n), code)
                entries[key] = entries.get(key, False) or part.at_dock
    keys = sorted(entries, key=lambda k: pick_list_order(entries[k], placed[k[0]], k[0], k[1]))
    return [(order_id, code, entries[(order_id, code)]) for order_id, code in keys]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    orders=drawn_orders,
    channel_policy=st.sampled_from(["as_available", "complete"]),
    warehouse=st.sampled_from([None, "W1", "W2"]),
    limit=st.integers(1, 4),
)
def test_the_sql_pick_list_is_the_domain_rules_page_by_page(
    ctx: Context, orders: list[Drawn], channel_policy: str, warehouse: str | None, limit: int
) -> None:
    if id(ctx) not in _SETUPS:  # one catalog per test database; each example replaces the orders
        _SETUPS[id(ctx)] = _setup(ctx)
    _write(ctx, _SETUPS[id(ctx)], channel_policy, orders)
    expected = _by_the_rules(channel_policy, orders, warehouse)
    whole = shipping.pick_list(ctx, warehouse, shipping.MAX_PICK_LIMIT)
    assert [(p.order, p.warehouse, p.cross_dock) for p in whole.items] == expected
    assert whole.next is None
    paged: list[tuple[str, str, bool]] = []
    after = None
    for _ in range(len(expected) + 1):
        page = shipping.pick_list(ctx, warehouse, limit, after)
        assert len(page.items) <= limit
        paged += [(p.order, p.warehouse, p.cross_dock) for p in page.items]
        if page.next is None:
            break
        after = page.next
    assert paged == expected
