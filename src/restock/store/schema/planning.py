"""Demand imported from other systems and the planning settings of suppliers and SKUs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from restock.store.schema.base import Base


class ImportedDemand(Base):
    """Daily demand brought from another system (`restock demand import`): history from before restock.

    Stored per SKU x warehouse x day (and the channel when the file gave one); the demand history adds
    it to the demand of the order lines. A later import replaces, per SKU x warehouse, the days it covers.
    """

    __tablename__ = "imported_demand"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), nullable=True)
    day: Mapped[date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        Index("ix_imported_demand_sku_warehouse_day", "sku_id", "warehouse_id", "day"),
    )


ORDER_POLICIES = ("order_up_to", "eoq")


class SupplierSku(Base):
    """What one supplier offers for one SKU: its terms, as the planner needs them to suggest a purchase."""

    __tablename__ = "supplier_skus"
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), primary_key=True, index=True)
    lead_time_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Quoted lead time for this SKU; NULL: the supplier's usual lead time."""
    moq: Mapped[int] = mapped_column(Integer, default=1)
    pack_size: Mapped[int] = mapped_column(Integer, default=1)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    """Landed cost of one unit: price plus freight and duty, as the merchant reckons it."""
    __table_args__ = (
        CheckConstraint("lead_time_days IS NULL OR lead_time_days >= 0", name="lead_time_not_negative"),
        CheckConstraint("moq >= 1", name="moq_positive"),
        CheckConstraint("pack_size >= 1", name="pack_positive"),
        CheckConstraint("unit_cost >= 0", name="cost_not_negative"),
    )


class SkuPlanning(Base):
    """How a SKU is replenished; a SKU without a row uses the defaults of restock.planning.policy."""

    __tablename__ = "sku_planning"
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    review_days: Mapped[int] = mapped_column(Integer)
    policy: Mapped[str] = mapped_column(String(16))
    order_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    holding_rate_pct: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    service_level_pct: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), nullable=True)
    """Overrides the SKU's ABC class target when set."""
    __table_args__ = (
        CheckConstraint("review_days BETWEEN 1 AND 365", name="review_in_range"),
        CheckConstraint("policy IN ('order_up_to', 'eoq')", name="policy_known"),
        CheckConstraint("order_cost >= 0", name="order_cost_not_negative"),
        CheckConstraint("holding_rate_pct > 0 AND holding_rate_pct <= 100", name="holding_rate_in_range"),
        CheckConstraint(
            "service_level_pct IS NULL OR (service_level_pct >= 50 AND service_level_pct < 100)",
            name="service_level_in_range",
        ),
    )
