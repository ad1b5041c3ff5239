"""Catalog, stock and purchasing: warehouses, channels, suppliers, SKUs, balances and their ledger, POs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from restock.store.schema.base import CODE_LENGTH, Base


class Warehouse(Base):
    __tablename__ = "warehouses"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Channel(Base):
    __tablename__ = "channels"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    safety_buffer: Mapped[int] = mapped_column(Integer, default=0)
    shipping_policy: Mapped[str] = mapped_column(String(16), default="as_available", server_default="as_available")
    """`as_available`: ship what is allocated as it comes; `complete`: hold the order until it is whole."""
    __table_args__ = (
        CheckConstraint("safety_buffer >= 0", name="buffer_not_negative"),
        CheckConstraint("shipping_policy IN ('as_available', 'complete')", name="shipping_policy_known"),
    )


class ChannelWarehouse(Base):
    """Which warehouses serve a channel, in the order orders are allocated from them."""

    __tablename__ = "channel_warehouses"
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)


class Supplier(Base):
    __tablename__ = "suppliers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    lead_time_days: Mapped[int] = mapped_column(Integer)
    lateness_p90_days: Mapped[int | None] = mapped_column(Integer, nullable=True)
    """Measured P90 of ETA slips, refreshed whenever a PO of this supplier is received; NULL = no history."""
    __table_args__ = (CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),)


class Sku(Base):
    __tablename__ = "skus"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2), default=Decimal("0"))
    backorder_policy: Mapped[str] = mapped_column(String(16), default="confirmed")
    max_wait_days: Mapped[int] = mapped_column(Integer, default=30)
    backorder_limit_pct: Mapped[int] = mapped_column(Integer, default=100)
    release_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    """A product not yet released: a pre-order while this date is ahead and it has never been sold."""
    first_sold_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    """When the first order for it was placed; a SKU once sold is never a pre-order again."""
    product_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    """The product's page on the shop: where back-in-stock e-mails send the shopper."""
    archived_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    """An archived SKU takes no new orders and is hidden from lists; its history stays."""
    __table_args__ = (
        CheckConstraint("backorder_policy IN ('never', 'confirmed', 'always')", name="policy_known"),
        CheckConstraint("max_wait_days >= 0", name="wait_not_negative"),
        CheckConstraint("backorder_limit_pct BETWEEN 0 AND 100", name="limit_is_share"),
        CheckConstraint("price >= 0", name="price_not_negative"),
    )


class Stock(Base):
    """Balance of one SKU in one warehouse; always the sum of its movements."""

    __tablename__ = "stock"
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"), primary_key=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(Integer, default=0)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    __table_args__ = (CheckConstraint("allocated >= 0 AND allocated <= on_hand", name="never_oversell"),)


class Movement(Base):
    """Append-only ledger row: one change to on_hand and/or allocated, with why and what caused it."""

    __tablename__ = "movements"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    kind: Mapped[str] = mapped_column(String(16))
    on_hand_delta: Mapped[int] = mapped_column(Integer, default=0)
    allocated_delta: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(String(500), nullable=True)
    ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (
        CheckConstraint(
            "kind IN ('receipt', 'shipment', 'adjustment', 'transfer_in', 'transfer_out', 'allocation', 'release')",
            name="kind_known",
        ),
        Index("ix_movements_sku_warehouse", "sku_id", "warehouse_id", "id"),
    )


class PurchaseOrder(Base):
    __tablename__ = "purchase_orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    status: Mapped[str] = mapped_column(String(24), default="draft")
    eta: Mapped[date | None] = mapped_column(Date, nullable=True)
    eta_confirmed: Mapped[bool] = mapped_column(default=False)
    first_confirmed_eta: Mapped[date | None] = mapped_column(Date, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    received_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    reference: Mapped[str | None] = mapped_column(String(100), unique=True, nullable=True)
    """The seller's own PO number (from an import or the API): a re-import of the same PO finds it."""
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'sent', 'confirmed', 'partially_received', 'received', 'cancelled')",
            name="status_known",
        ),
    )


class POLine(Base):
    __tablename__ = "po_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    ordered: Mapped[int] = mapped_column(Integer)
    received: Mapped[int] = mapped_column(Integer, default=0)
    promised: Mapped[int] = mapped_column(Integer, default=0)
    """Units of waiting backorders pegged to this line; kept under the cap by a guarded UPDATE."""
    promisable: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    """True while the PO is confirmed: the guard of every new promise, on the same row as `promised`,
    so an order racing the PO's cancellation re-checks it after waiting and is refused."""
    __table_args__ = (
        UniqueConstraint("po_id", "sku_id"),
        CheckConstraint("ordered > 0", name="ordered_positive"),
        CheckConstraint("received >= 0 AND received <= ordered", name="received_within_ordered"),
        CheckConstraint("promised >= 0 AND promised <= ordered - received", name="promised_within_open"),
        Index("ix_po_lines_sku", "sku_id"),
    )


class EtaChange(Base):
    """Every ETA a PO was given, with when: the history measures supplier reliability."""

    __tablename__ = "eta_changes"
    id: Mapped[int] = mapped_column(primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), index=True)
    old_eta: Mapped[date | None] = mapped_column(Date, nullable=True)
    new_eta: Mapped[date] = mapped_column(Date)
    changed_at: Mapped[datetime] = mapped_column(DateTime)
