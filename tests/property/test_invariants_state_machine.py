"""Random sequences of everything a shop does keep the invariants of design.md after every step.

Orders, line and order cancellations, shipments, receipts, adjustments, transfers, ETA changes and PO
cancellations are drawn by hypothesis; after each step the database is checked against invariants 1-4
and 7 directly in SQL, and each receipt's fills are checked against an independent oracle of the fill
order (pegged to the received PO line, then priority, then order time, then id).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule
from sqlalchemy import Engine, text

from restock.domain.errors import RestockError
from restock.domain.model import promise_cap
from restock.services import catalog, orders, purchasing, shipping, stock
from restock.services.context import Context
from restock.store.db import make_engine
from restock.store.migrate import upgrade
from tests.conftest import PG_URL, TODAY, make_context

SKUS = ("MUG", "CUP", "TEA")
BUSY_SKUS = ("MUG", "MUG", "CUP", "TEA")  # most traffic on one SKU, so queues form
WAREHOUSES = ("W1", "W2")
CHANNELS = ("web", "market")
HANDLING_DAYS = 2


def build_catalog(ctx: Context) -> None:
    for code in WAREHOUSES:
        catalog.add_warehouse(ctx, code)
    catalog.add_channel(ctx, "web", ["W1", "W2"])
    catalog.add_channel(ctx, "market", ["W2"])
    catalog.add_supplier(ctx, "ACME", 14)
    catalog.add_supplier(ctx, "FAST", 3)
    catalog.add_sku(ctx, "MUG", backorder="confirmed", max_wait_days=40, backorder_limit_pct=100)
    catalog.add_sku(ctx, "CUP", backorder="confirmed", max_wait_days=20, backorder_limit_pct=50)
    catalog.add_sku(ctx, "TEA", backorder="always", max_wait_days=40, backorder_limit_pct=80)


@dataclass(frozen=True)
class QueuedPart:
    id: int
    quantity: int
    po_line_id: int | None
    priority: int
    placed_at: Any


class ShopMachine(RuleBasedStateMachine):
    """Subclasses say which database: `fresh_engine` returns an empty, migrated one per example."""

    fresh_engine: Callable[[], Engine]

    def __init__(self) -> None:
        super().__init__()
        self.engine = type(self).fresh_engine()
        self.ctx = make_context(self.engine, TODAY)
        build_catalog(self.ctx)
        self.order_ids: list[str] = []
        self.po_ids: list[int] = []
        self.ended_lines: dict[int, str] = {}

    def teardown(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ helpers

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(query), params))

    def open_orders(self) -> list[str]:
        return [row[0] for row in self.sql("SELECT id FROM orders WHERE status = 'open' ORDER BY placed_at, id")]

    def open_pos(self) -> list[int]:
        return [
            row[0]
            for row in self.sql(
                "SELECT id FROM purchase_orders WHERE status IN ('sent', 'confirmed', 'partially_received') ORDER BY id"
            )
        ]

    def outbox_count(self) -> int:
        return int(self.sql("SELECT count(*) FROM outbox")[0][0])

    def attempt(self, action: Callable[[], object]) -> bool:
        """Run a use case; a refusal must leave no trace, not even an outbox row."""
        before = self.outbox_count()
        try:
            action()
        except RestockError:
            assert self.outbox_count() == before, "a refused change wrote a notification"
            return False
        return True

    # ------------------------------------------------------------------ rules

    @initialize(mug_w1=st.integers(0, 4), mug_eta=st.integers(0, 20), cup_eta=st.integers(0, 30))
    def a_shop_with_some_stock_and_confirmed_supply(self, mug_w1: int, mug_eta: int, cup_eta: int) -> None:
        """Start where queues can form: a little stock and confirmed inbound for the busy SKUs."""
        if mug_w1:
            stock.adjust_stock(self.ctx, "MUG", "W1", mug_w1, "opening count")
        for sku, warehouse, qty, eta in (
            ("MUG", "W1", 8, mug_eta),
            ("MUG", "W2", 6, mug_eta + 7),
            ("CUP", "W2", 6, cup_eta),
        ):
            po = purchasing.create_po(self.ctx, "ACME", warehouse, [(sku, qty)])
            purchasing.confirm_po(self.ctx, po.id, TODAY + timedelta(days=eta))
            self.po_ids.append(po.id)

    @rule(sku=st.sampled_from(BUSY_SKUS), warehouse=st.sampled_from(WAREHOUSES), delta=st.integers(-5, 5).filter(bool))
    def adjust(self, sku: str, warehouse: str, delta: int) -> None:
        sku_id, warehouse_id = SKUS.index(sku) + 1, WAREHOUSES.index(warehouse) + 1
        queue = self.eligible_queue(sku_id, warehouse_id)
        free_before = self.free(sku_id, warehouse_id)
        if self.attempt(lambda: stock.adjust_stock(self.ctx, sku, warehouse, delta, "cycle count")) and delta > 0:
            self.check_fills_follow_fill_order(queue, None, free_before + delta)

    @rule(sku=st.sampled_from(BUSY_SKUS), qty=st.integers(1, 3), source=st.sampled_from(WAREHOUSES))
    def transfer(self, sku: str, qty: int, source: str) -> None:
        target = "W2" if source == "W1" else "W1"
        self.attempt(lambda: stock.transfer_stock(self.ctx, sku, source, target, qty))

    @rule(
        sku=st.sampled_from(BUSY_SKUS),
        warehouse=st.sampled_from(WAREHOUSES),
        qty=st.integers(1, 15),
        eta_days=st.integers(0, 45),
        confirm=st.booleans(),
    )
    def open_po(self, sku: str, warehouse: str, qty: int, eta_days: int, confirm: bool) -> None:
        supplier = "ACME" if eta_days > 10 else "FAST"
        po = purchasing.create_po(self.ctx, supplier, warehouse, [(sku, qty)])
        if confirm:
            purchasing.confirm_po(self.ctx, po.id, TODAY + timedelta(days=eta_days))
        else:
            purchasing.send_po(self.ctx, po.id)
        self.po_ids.append(po.id)

    @rule(
        lines=st.lists(
            st.tuples(st.sampled_from(BUSY_SKUS), st.integers(1, 6)), min_size=1, max_size=2, unique_by=lambda t: t[0]
        ),
        channel=st.sampled_from(CHANNELS),
        priority=st.sampled_from([0, 0, 5]),
    )
    def place(self, lines: list[tuple[str, int]], channel: str, priority: int) -> None:
        request = orders.OrderRequest(
            channel, "shopper@example.com", tuple(orders.LineRequest(s, q) for s, q in lines), priority
        )
        result: list[orders.OrderView] = []
        if self.attempt(lambda: result.append(orders.place_order(self.ctx, request))):
            self.order_ids.append(result[0].id)

    @rule(qty=st.integers(1, 4), channel=st.sampled_from(CHANNELS), priority=st.sampled_from([0, 0, 5]))
    def place_busy_sku(self, qty: int, channel: str, priority: int) -> None:
        self.place([("MUG", qty)], channel, priority)

    @precondition(lambda self: bool(self.order_ids))
    @rule(data=st.data())
    def cancel_order(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(self.open_orders() or self.order_ids))
        self.attempt(lambda: orders.cancel_order(self.ctx, order_id))

    @precondition(lambda self: bool(self.order_ids))
    @rule(data=st.data(), sku=st.sampled_from(SKUS))
    def cancel_line(self, data: st.DataObject, sku: str) -> None:
        order_id = data.draw(st.sampled_from(self.open_orders() or self.order_ids))
        self.attempt(lambda: orders.cancel_line(self.ctx, order_id, sku))

    @precondition(lambda self: bool(self.order_ids))
    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        """Everything allocated, or part of one SKU's units (a partial shipment that splits a part)."""
        order_id = data.draw(st.sampled_from(self.open_orders() or self.order_ids))
        part = data.draw(st.none() | st.tuples(st.sampled_from(SKUS), st.integers(1, 4)))
        request = shipping.ShipmentRequest(lines=() if part is None else (part,))
        self.attempt(lambda: shipping.ship(self.ctx, order_id, request))

    @precondition(lambda self: bool(self.po_ids))
    @rule(data=st.data(), qty=st.integers(1, 5))
    def receive(self, data: st.DataObject, qty: int) -> None:
        po_id = data.draw(st.sampled_from(self.open_pos() or self.po_ids))
        rows = self.sql(
            "SELECT l.id, s.code, l.ordered - l.received, l.sku_id, p.warehouse_id FROM po_lines l "
            "JOIN skus s ON s.id = l.sku_id JOIN purchase_orders p ON p.id = l.po_id WHERE l.po_id = :po",
            po=po_id,
        )
        line_id, sku, open_qty, sku_id, warehouse_id = rows[0]
        qty = min(qty, max(open_qty, 1))
        queue = self.eligible_queue(sku_id, warehouse_id)
        free_before = self.free(sku_id, warehouse_id)
        if self.attempt(lambda: purchasing.receive_po(self.ctx, po_id, [(sku, qty)])):
            self.check_fills_follow_fill_order(queue, line_id, free_before + qty)

    @precondition(lambda self: bool(self.po_ids))
    @rule(data=st.data(), eta_days=st.integers(0, 60))
    def move_eta(self, data: st.DataObject, eta_days: int) -> None:
        po_id = data.draw(st.sampled_from(self.open_pos() or self.po_ids))
        self.attempt(lambda: purchasing.change_eta(self.ctx, po_id, TODAY + timedelta(days=eta_days)))

    @precondition(lambda self: bool(self.po_ids))
    @rule(data=st.data())
    def cancel_po(self, data: st.DataObject) -> None:
        po_id = data.draw(st.sampled_from(self.po_ids))
        self.attempt(lambda: purchasing.cancel_po(self.ctx, po_id))

    # ------------------------------------------------------------------ the fill-order oracle

    def free(self, sku_id: int, warehouse_id: int) -> int:
        rows = self.sql(
            "SELECT on_hand - allocated FROM stock WHERE sku_id = :s AND warehouse_id = :w", s=sku_id, w=warehouse_id
        )
        return int(rows[0][0]) if rows else 0

    def eligible_queue(self, sku_id: int, warehouse_id: int) -> list[QueuedPart]:
        rows = self.sql(
            "SELECT id, quantity, po_line_id, priority, placed_at FROM line_parts WHERE kind = 'backordered' "
            "AND sku_id = :s AND channel_id IN (SELECT channel_id FROM channel_warehouses WHERE warehouse_id = :w)",
            s=sku_id,
            w=warehouse_id,
        )
        return [QueuedPart(*row) for row in rows]

    def check_fills_follow_fill_order(self, queue: list[QueuedPart], line_id: int | None, units: int) -> None:
        expected: dict[int, int] = {}

        def pegged_here(part: QueuedPart) -> bool:
            return line_id is not None and part.po_line_id == line_id

        ordered = sorted(queue, key=lambda p: (not pegged_here(p), -p.priority, p.placed_at, p.id))
        for part in ordered:
            take = min(units, part.quantity)
            if take:
                expected[part.id] = take
            units -= take
        after = dict(self.sql("SELECT id, quantity FROM line_parts WHERE kind = 'backordered'"))
        actual = {p.id: p.quantity - after.get(p.id, 0) for p in queue if p.quantity - after.get(p.id, 0)}
        assert actual == expected, "arriving stock did not fill backorders in fill order"

    # ------------------------------------------------------------------ invariants

    @invariant()
    def never_oversell_stock(self) -> None:
        bad = self.sql("SELECT sku_id, warehouse_id FROM stock WHERE allocated < 0 OR allocated > on_hand")
        assert bad == []

    @invariant()
    def balances_equal_their_movements(self) -> None:
        bad = self.sql(
            "SELECT s.sku_id FROM stock s LEFT JOIN (SELECT sku_id, warehouse_id, sum(on_hand_delta) oh, "
            "sum(allocated_delta) al FROM movements GROUP BY sku_id, warehouse_id) m "
            "ON m.sku_id = s.sku_id AND m.warehouse_id = s.warehouse_id "
            "WHERE s.on_hand <> coalesce(m.oh, 0) OR s.allocated <> coalesce(m.al, 0)"
        )
        assert bad == []

    @invariant()
    def allocated_stock_is_exactly_what_order_lines_hold(self) -> None:
        bad = self.sql(
            "SELECT s.sku_id FROM stock s LEFT JOIN (SELECT sku_id, warehouse_id, sum(quantity) q FROM line_parts "
            "WHERE kind = 'allocated' GROUP BY sku_id, warehouse_id) p "
            "ON p.sku_id = s.sku_id AND p.warehouse_id = s.warehouse_id WHERE s.allocated <> coalesce(p.q, 0)"
        )
        assert bad == []

    @invariant()
    def promises_stay_within_the_capped_open_quantity(self) -> None:
        rows = self.sql(
            "SELECT l.id, l.ordered, l.received, l.promised, k.backorder_limit_pct, p.status, "
            "l.promisable, p.eta_confirmed, "
            "(SELECT coalesce(sum(quantity), 0) FROM line_parts b WHERE b.po_line_id = l.id AND b.kind = 'backordered')"
            " FROM po_lines l JOIN purchase_orders p ON p.id = l.po_id JOIN skus k ON k.id = l.sku_id"
        )
        for line_id, ordered, received, promised, limit, status, promisable, confirmed, pegged in rows:
            still_open = status in ("confirmed", "partially_received")
            assert bool(promisable) == (still_open and bool(confirmed)), f"PO line {line_id} open for promises?"
            assert promised == pegged, f"PO line {line_id}: promised {promised} but {pegged} pegged"
            assert 0 <= promised <= promise_cap(ordered, received, limit), f"PO line {line_id} over its cap"
            if status in ("cancelled", "received", "draft", "sent"):
                assert promised == 0, f"PO line {line_id} promises units while {status}"

    @invariant()
    def every_line_is_covered_exactly_by_its_parts(self) -> None:
        """shipped + waiting + allocated never pass what was ordered (the rest was cancelled; released parts also keep
        re-pegged history, so they do not count it), and the status is the rule over the parts."""
        rows = self.sql(
            "SELECT l.id, l.status, l.quantity, "
            "coalesce(sum(CASE WHEN p.kind = 'allocated' THEN p.quantity END), 0), "
            "coalesce(sum(CASE WHEN p.kind = 'backordered' THEN p.quantity END), 0), "
            "coalesce(sum(CASE WHEN p.kind = 'shipped' THEN p.quantity END), 0) "
            "FROM order_lines l LEFT JOIN line_parts p ON p.order_line_id = l.id GROUP BY l.id, l.status, l.quantity"
        )
        for line_id, status, quantity, allocated, backordered, shipped in rows:
            assert allocated + backordered + shipped <= quantity, line_id
            if status == "allocated":
                assert (allocated > 0, backordered) == (True, 0), line_id
            elif status == "backordered":
                assert backordered > 0, line_id
            elif status == "shipped":
                assert (allocated, backordered, shipped > 0) == (0, 0, True), line_id
            else:
                assert (allocated, backordered, shipped) == (0, 0, 0), line_id

    @invariant()
    def a_line_ends_exactly_once(self) -> None:
        for line_id, status in self.sql("SELECT id, status FROM order_lines"):
            if line_id in self.ended_lines:
                assert status == self.ended_lines[line_id], f"line {line_id} ended twice"
            elif status in ("shipped", "cancelled"):
                self.ended_lines[line_id] = status

    @invariant()
    def free_stock_never_sits_beside_a_backorder_it_could_fill(self) -> None:
        bad = self.sql(
            "SELECT s.sku_id, s.warehouse_id FROM stock s WHERE s.on_hand > s.allocated AND EXISTS ("
            "SELECT 1 FROM line_parts p JOIN channel_warehouses cw ON cw.channel_id = p.channel_id "
            "WHERE p.kind = 'backordered' AND p.sku_id = s.sku_id AND cw.warehouse_id = s.warehouse_id)"
        )
        assert bad == []

    @invariant()
    def every_promised_date_rests_on_confirmed_supply(self) -> None:
        rows = self.sql(
            "SELECT b.id, b.window_earliest, b.window_latest, b.po_line_id, p.status, p.eta_confirmed, p.eta "
            "FROM line_parts b LEFT JOIN po_lines l ON l.id = b.po_line_id "
            "LEFT JOIN purchase_orders p ON p.id = l.po_id WHERE b.kind = 'backordered'"
        )
        for part_id, earliest, latest, po_line_id, status, confirmed, eta in rows:
            if po_line_id is None:
                assert (earliest, latest) == (None, None), f"part {part_id} has a date without supply"
                continue
            assert status in ("confirmed", "partially_received"), f"part {part_id} on a {status} PO"
            assert confirmed, f"part {part_id} rests on an unconfirmed ETA"
            assert _as_date(earliest) == _as_date(eta) + timedelta(days=HANDLING_DAYS)
            assert _as_date(latest) >= _as_date(earliest)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


# ---------------------------------------------------------------------- SQLite

_template_dir = Path(tempfile.mkdtemp(prefix="restock-sm-"))
_template = _template_dir / "template.db"


def fresh_sqlite() -> Engine:
    if not _template.exists():
        engine = make_engine(f"sqlite:///{_template}")
        upgrade(engine)
        engine.dispose()
    path = Path(tempfile.mkdtemp(dir=_template_dir)) / "shop.db"
    shutil.copy(_template, path)
    return make_engine(f"sqlite:///{path}")


class SQLiteShop(ShopMachine):
    fresh_engine = staticmethod(fresh_sqlite)


TestShopInvariantsOnSQLite = SQLiteShop.TestCase
TestShopInvariantsOnSQLite.settings = settings(
    max_examples=80, stateful_step_count=50, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# ---------------------------------------------------------------------- PostgreSQL


def fresh_postgres() -> Engine:
    from tests.conftest import pg_schema_url, truncate_all, worker_id

    assert PG_URL is not None
    schema = f"restock_sm_{worker_id()}_{os.getpid()}"
    engine = make_engine(pg_schema_url(schema))
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"), {"s": schema})
        if exists.first() is None:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    upgrade(engine)
    truncate_all(engine)
    return engine


class PostgresShop(ShopMachine):
    fresh_engine = staticmethod(fresh_postgres)


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason="PostgreSQL tests need RESTOCK_TEST_DATABASE_URL")
class TestShopInvariantsOnPostgres(PostgresShop.TestCase):  # type: ignore[misc,valid-type]
    settings = settings(
        max_examples=25, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
