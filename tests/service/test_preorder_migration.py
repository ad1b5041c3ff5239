"""Upgrading keeps today's pre-orders pre-orders (0009 gives them a release date, and their pre-orders do not
count as sales) and a SKU that was stocked and sold a backorder."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from restock.services import availability
from restock.store.db import make_engine
from restock.store.migrate import upgrade
from tests.conftest import TODAY, make_context

ROWS = [
    "INSERT INTO warehouses (id, code, name) VALUES (1, 'W1', 'W1')",
    "INSERT INTO channels (id, code, name, safety_buffer) VALUES (1, 'web', 'web', 0)",
    "INSERT INTO channel_warehouses (channel_id, warehouse_id, rank) VALUES (1, 1, 0)",
    "INSERT INTO suppliers (id, code, name, lead_time_days) VALUES (1, 'ACME', 'ACME', 14)",
    "INSERT INTO skus (id, code, name, price, backorder_policy, max_wait_days, backorder_limit_pct)"
    " VALUES (1, 'NEW', 'New', 1, 'confirmed', 30, 100), (2, 'OLD', 'Old', 1, 'confirmed', 30, 100)",
    "INSERT INTO purchase_orders (id, supplier_id, warehouse_id, status, eta, eta_confirmed, created_at)"
    " VALUES (1, 1, 1, 'confirmed', '2026-12-05', true, '2026-11-20 10:00:00')",
    "INSERT INTO po_lines (id, po_id, sku_id, ordered, received, promised, promisable)"
    " VALUES (1, 1, 1, 10, 0, 2, true), (2, 1, 2, 10, 0, 0, true)",
    "INSERT INTO orders (id, channel_id, email, priority, status, placed_at)"
    " VALUES ('ord_1', 1, 'a@example.com', 0, 'open', '2026-11-21 10:00:00')",
    "INSERT INTO order_lines (id, order_id, sku_id, quantity, status) VALUES (1, 'ord_1', 1, 2, 'backordered'),"
    " (2, 'ord_1', 2, 1, 'allocated')",
    "INSERT INTO stock (sku_id, warehouse_id, on_hand, allocated) VALUES (2, 1, 1, 1)",
    "INSERT INTO movements (sku_id, warehouse_id, kind, on_hand_delta, allocated_delta, created_at)"
    " VALUES (2, 1, 'adjustment', 1, 0, '2026-11-01 10:00:00'), (2, 1, 'allocation', 0, 1, '2026-11-21 10:00:00')",
]


def test_upgrading_keeps_todays_pre_orders_pre_orders(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)  # restock's own engine, foreign keys enforced, as `restock db upgrade` runs
    upgrade(engine, "0008")
    with engine.begin() as connection:
        for row in ROWS:
            connection.execute(text(row))
    upgrade(engine)
    ctx = make_context(engine, TODAY)
    [new] = availability.availability(ctx, "NEW", "web")
    [old] = availability.availability(ctx, "OLD", "web")
    assert new.decision.state.value == "preorder"
    assert old.decision.state.value == "backorder"
    engine.dispose()
