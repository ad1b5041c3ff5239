"""Small catalogs for tests, built through the same use cases a merchant calls."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, update

from restock.config import Clock
from restock.services import catalog, orders, purchasing, stock
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import OutboxMessage, Sku


def standard_catalog(ctx: Context, *, backorder: str = "confirmed", max_wait_days: int = 30, limit: int = 100) -> None:
    """Two warehouses, a web channel served by W1 then W2, a marketplace served by W2 only, one supplier, one SKU."""
    catalog.add_warehouse(ctx, "W1", "Main warehouse")
    catalog.add_warehouse(ctx, "W2", "3PL East")
    catalog.add_channel(ctx, "web", ["W1", "W2"])
    catalog.add_channel(ctx, "market", ["W2"])
    catalog.add_supplier(ctx, "ACME", 14)
    catalog.add_supplier(ctx, "FAST", 3)
    catalog.add_sku(ctx, "MUG", "Mug", "12.50", backorder, max_wait_days, limit)


def confirmed_po(
    ctx: Context, sku: str, quantity: int, eta_in_days: int, warehouse: str = "W1", supplier: str = "ACME"
) -> int:
    po = purchasing.create_po(ctx, supplier, warehouse, [(sku, quantity)])
    purchasing.confirm_po(ctx, po.id, ctx.clock.today() + timedelta(days=eta_in_days))
    return po.id


def on_hand(ctx: Context, sku: str, warehouse: str, quantity: int) -> None:
    stock.adjust_stock(ctx, sku, warehouse, quantity, "initial count")


def order(
    ctx: Context,
    sku: str,
    quantity: int,
    channel: str = "web",
    email: str = "shopper@example.com",
    priority: int = 0,
    key: str | None = None,
) -> orders.OrderView:
    request = orders.OrderRequest(channel, email, (orders.LineRequest(sku, quantity),), priority, key)
    return orders.place_order(ctx, request)


def released_on(ctx: Context, sku: str, day: date | None) -> None:
    """Give a SKU a release date (a product not yet released is a pre-order until then).

    Written directly until the catalog's SKU edit lands; then this calls it."""
    with unit_of_work(ctx.engine) as session:
        session.execute(update(Sku).where(Sku.code == sku).values(release_date=day))


def on_day(ctx: Context, day: date) -> Context:
    return replace(ctx, clock=Clock(day))


def outbox_topics(ctx: Context) -> list[str]:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return list(session.scalars(select(OutboxMessage.topic).order_by(OutboxMessage.id)))


def outbox_payloads(ctx: Context, topic: str) -> list[dict[str, Any]]:
    with unit_of_work(ctx.engine, readonly=True) as session:
        rows = session.scalars(
            select(OutboxMessage.payload).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)
        )
        return [json.loads(p) for p in rows]


def balance(ctx: Context, sku: str, warehouse: str) -> tuple[int, int]:
    """(on_hand, allocated)"""
    for b in stock.balances(ctx, sku):
        if b.warehouse == warehouse:
            return b.on_hand, b.allocated
    return 0, 0
