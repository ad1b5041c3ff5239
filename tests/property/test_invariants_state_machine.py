"""Random sequences of everything a shop does keep the invariants of design.md after every step.

Orders, line and order cancellations (whole or part of a line), shipments (whole or partial), receipts,
adjustments, counts imported from CSV, transfers, ETA changes, PO cancellations, SKU imports and catalog edits
are drawn by hypothesis; after each step the database is checked against invariants 1-4
and 7 directly in SQL, and each receipt's fills are checked against an independent oracle of the fill
order (pegged to the received PO line, then priority, then order time, then id).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule
from sqlalchemy import Engine, text

from restock.domain.imports import ImportKind
from restock.services import catalog, catalog_edits, imports, orders, purchasing, shipping, stock
from restock.services.context import Context
from restock.store.db import make_engine
from restock.store.migrate import upgrade
from tests.conftest import PG_URL, TODAY, make_context
from tests.property.shop_checks import ShopChecks

SKUS = ("MUG", "CUP", "TEA")
BUSY_SKUS = ("MUG", "MUG", "CUP", "TEA")  # most traffic on one SKU, so queues form
WAREHOUSES = ("W1", "W2")
CHANNELS = ("web", "market")


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


class ShopMachine(ShopChecks, RuleBasedStateMachine):
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
    @rule(data=st.data(), sku=st.sampled_from(SKUS), qty=st.integers(1, 4))
    def cancel_part_of_a_line(self, data: st.DataObject, sku: str, qty: int) -> None:
        """Waiting units go first, then allocated ones; what they held goes to the next waiting backorder."""
        order_id = data.draw(st.sampled_from(self.open_orders() or self.order_ids))
        self.attempt(lambda: orders.cancel_line(self.ctx, order_id, sku, qty))

    @rule(sku=st.sampled_from(BUSY_SKUS), warehouse=st.sampled_from(WAREHOUSES), counted=st.integers(0, 12))
    def count(self, sku: str, warehouse: str, counted: int) -> None:
        """A stock count imported from CSV: a count above the books fills waiting backorders in fill order."""
        sku_id, warehouse_id = SKUS.index(sku) + 1, WAREHOUSES.index(warehouse) + 1
        queue = self.eligible_queue(sku_id, warehouse_id)
        free_before, on_hand_before = self.free(sku_id, warehouse_id), self.on_hand(sku_id, warehouse_id)
        text = f"sku,warehouse,counted\n{sku},{warehouse},{counted}\n"
        if self.attempt(lambda: imports.import_csv(self.ctx, ImportKind.STOCK, text)) and counted > on_hand_before:
            self.check_fills_follow_fill_order(queue, None, free_before + counted - on_hand_before)

    @rule(sku=st.sampled_from(SKUS), policy=st.sampled_from(["confirmed", "always", "never"]), wait=st.integers(5, 60))
    def edit_sku(self, sku: str, policy: str, wait: int) -> None:
        """A catalog edit applies to new promises; those already given stay."""
        edit = catalog_edits.SkuEdit(backorder=policy, max_wait_days=wait)
        self.attempt(lambda: catalog_edits.edit_sku(self.ctx, sku, edit))

    @rule(sku=st.sampled_from(SKUS), wait=st.integers(5, 60))
    def import_sku(self, sku: str, wait: int) -> None:
        text = f"code,max_wait_days\n{sku},{wait}\n"
        self.attempt(lambda: imports.import_csv(self.ctx, ImportKind.SKUS, text))

    @rule(channel=st.sampled_from(CHANNELS), policy=st.sampled_from(["as_available", "complete"]))
    def set_shipping_policy(self, channel: str, policy: str) -> None:
        """A `complete` channel holds an order's shipment until nothing of it waits."""
        edit = catalog_edits.ChannelEdit(shipping_policy=policy)
        self.attempt(lambda: catalog_edits.edit_channel(self.ctx, channel, edit))

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
