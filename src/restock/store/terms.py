"""Supplier terms per SKU and per-SKU planning settings: the rows behind restock.services.terms."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.planning.policy import PlanningSettings
from restock.store.schema import Sku, SkuPlanning, Supplier, SupplierSku


def put_supplier_terms(
    session: Session,
    supplier_id: int,
    sku_id: int,
    *,
    lead_time_days: int | None,
    moq: int,
    pack_size: int,
    unit_cost: Decimal,
) -> SupplierSku:
    """Record (or replace) what a supplier offers for a SKU; the row is flushed."""
    terms = session.get(SupplierSku, (supplier_id, sku_id))
    if terms is None:
        terms = SupplierSku(supplier_id=supplier_id, sku_id=sku_id)
        session.add(terms)
    terms.lead_time_days, terms.moq, terms.pack_size, terms.unit_cost = lead_time_days, moq, pack_size, unit_cost
    session.flush()
    return terms


def supplier_terms_rows(
    session: Session, supplier_id: int | None = None, sku_id: int | None = None
) -> list[tuple[Supplier, Sku, SupplierSku]]:
    """Recorded terms (of one supplier, of one SKU, or all), by supplier code then SKU code."""
    query = (
        select(Supplier, Sku, SupplierSku)
        .join(Supplier, Supplier.id == SupplierSku.supplier_id)
        .join(Sku, Sku.id == SupplierSku.sku_id)
        .order_by(Supplier.code, Sku.code)
    )
    if supplier_id is not None:
        query = query.where(SupplierSku.supplier_id == supplier_id)
    if sku_id is not None:
        query = query.where(SupplierSku.sku_id == sku_id)
    return [(supplier, sku, terms) for supplier, sku, terms in session.execute(query)]


def sku_planning_row(session: Session, sku_id: int) -> SkuPlanning | None:
    """The SKU's own planning settings; None: it uses the defaults."""
    return session.get(SkuPlanning, sku_id)


def put_sku_planning(session: Session, sku_id: int, settings: PlanningSettings) -> None:
    """Store a SKU's planning settings (creating its row when it had none); the row is flushed."""
    row = session.get(SkuPlanning, sku_id)
    if row is None:
        row = SkuPlanning(sku_id=sku_id)
        session.add(row)
    row.review_days, row.policy = settings.review_days, settings.policy.value
    row.order_cost, row.holding_rate_pct = settings.order_cost, settings.holding_rate_pct
    row.service_level_pct = settings.service_level_pct
    session.flush()
