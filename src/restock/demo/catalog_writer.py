"""Writing the catalog: warehouses, channels and their order, suppliers, SKUs and the suppliers' terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from restock.demo.bulk import Row, insert_returning_ids, insert_rows
from restock.demo.cast import CHANNELS, QUICKSHIP, SUPPLIERS, WAREHOUSES
from restock.demo.catalog import Role, SkuPlan
from restock.demo.shop import Shop
from restock.store.schema import Channel, ChannelWarehouse, Sku, Supplier, SupplierSku, Warehouse


@dataclass(frozen=True)
class Ids:
    """Database ids of the catalog, by the demo's own indexes."""

    warehouses: list[int]
    channels: list[int]
    suppliers: list[int]
    skus: list[int]


def write_catalog(session: Session, shop: Shop) -> Ids:
    warehouses = insert_returning_ids(session, Warehouse, [{"code": w.code, "name": w.name} for w in WAREHOUSES])
    channels = insert_returning_ids(
        session, Channel, [{"code": c.code, "name": c.name, "safety_buffer": 0} for c in CHANNELS]
    )
    insert_rows(
        session,
        ChannelWarehouse,
        [
            {"channel_id": channels[c], "warehouse_id": warehouses[w], "rank": rank}
            for c, spec in enumerate(CHANNELS)
            for rank, w in enumerate(spec.warehouses)
        ],
    )
    suppliers = insert_returning_ids(
        session,
        Supplier,
        [
            {"code": s.code, "name": s.name, "lead_time_days": s.lead_time_days, "lateness_p90_days": None}
            for s in SUPPLIERS
        ],
    )
    skus = insert_returning_ids(session, Sku, [_sku_row(plan, shop.calendar.today) for plan in shop.skus])
    insert_rows(session, SupplierSku, _supplier_terms_rows(shop, suppliers, skus))
    return Ids(warehouses, channels, suppliers, skus)


def _supplier_terms_rows(shop: Shop, suppliers: list[int], skus: list[int]) -> list[Row]:
    """What each SKU's supplier charges (landed cost 45% of the shop price, MOQ two packs), so that
    `restock plan` has something to buy. Every fourth SKU can also come from Quickship: faster, dearer,
    smaller packs, which gives the planner a real choice when a stock-out is near."""
    rows: list[Row] = []
    for index, (plan, sku_id) in enumerate(zip(shop.skus, skus, strict=True)):
        cost = (plan.price * Decimal("0.45")).quantize(Decimal("0.01"))
        rows.append(_terms_row(suppliers[plan.supplier], sku_id, cost, plan.pack, 2 * plan.pack))
        if index % 4 == 0 and plan.supplier != QUICKSHIP:
            rows.append(_terms_row(suppliers[QUICKSHIP], sku_id, cost * Decimal("1.3"), 1, 1))
    return rows


def _terms_row(supplier_id: int, sku_id: int, cost: Decimal, pack: int, moq: int) -> Row:
    return {
        "supplier_id": supplier_id,
        "sku_id": sku_id,
        "lead_time_days": None,
        "moq": moq,
        "pack_size": pack,
        "unit_cost": cost.quantize(Decimal("0.01")),
    }


PREORDER_RELEASE_DAYS = 21
"""A first release comes out three weeks from today, after its first shipment is due (stories.py: 5-14 days)."""


def _sku_row(plan: SkuPlan, today: date) -> Row:
    return {
        "code": plan.code,
        "name": plan.name,
        "price": plan.price,
        "backorder_policy": plan.policy.value,
        "max_wait_days": plan.max_wait_days,
        "backorder_limit_pct": plan.backorder_limit_pct,
        "release_date": today + timedelta(days=PREORDER_RELEASE_DAYS) if plan.role is Role.PREORDER else None,
    }
