"""Orders, their lines and the parts that cover them (allocated, waiting, shipped, released)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from restock.store.schema.base import Base


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    email: Mapped[str] = mapped_column(String(320))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="open")
    placed_at: Mapped[datetime] = mapped_column(DateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    request_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    external_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)
    """The shop's own order number, unique per channel: a second order with it answers with the first."""
    customer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    delivery_address: Mapped[dict[str, str] | None] = mapped_column(JSON(none_as_null=True), nullable=True)
    """Where the order goes (lines, city, postal code, region, country), as the shop sent it."""
    shipping_policy: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """Overrides the channel's shipping policy for this order; NULL follows the channel."""
    __table_args__ = (
        CheckConstraint("status IN ('open', 'shipped', 'cancelled')", name="status_known"),
        CheckConstraint(
            "shipping_policy IS NULL OR shipping_policy IN ('as_available', 'complete')", name="shipping_policy_known"
        ),
        UniqueConstraint("channel_id", "external_ref", name="uq_orders_channel_external_ref"),
        Index("ix_orders_placed", "placed_at", "id"),
        Index("ix_orders_email", text("lower(email)")),  # the search matches e-mails in any case (0010)
    )


class OrderLine(Base):
    __tablename__ = "order_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("status IN ('allocated', 'backordered', 'shipped', 'cancelled')", name="status_known"),
    )


class LinePart(Base):
    """A slice of an order line: allocated from one warehouse, or backordered (pegged to a PO line or not).

    Filling a backorder turns its part into an allocated one in place, so the fill is one set-based
    UPDATE. Order time and priority are copied here so the waiting queue is one index scan.
    """

    __tablename__ = "line_parts"
    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(Integer)
    warehouse_id: Mapped[int | None] = mapped_column(ForeignKey("warehouses.id"), nullable=True)
    po_line_id: Mapped[int | None] = mapped_column(ForeignKey("po_lines.id"), nullable=True, index=True)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    placed_at: Mapped[datetime] = mapped_column(DateTime)
    window_earliest: Mapped[date | None] = mapped_column(Date, nullable=True)
    window_latest: Mapped[date | None] = mapped_column(Date, nullable=True)
    promised_latest: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The latest ship date first promised; a current window ending later makes the part delayed."""
    delayed: Mapped[bool] = mapped_column(default=False)
    filled_by: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    """The fill batch that turned this backorder into an allocation; lets one fill act set-wise."""
    shipment_id: Mapped[str | None] = mapped_column(ForeignKey("shipments.id"), nullable=True, index=True)
    """The shipment that took this (shipped) part."""
    cancelled_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    """Who cancelled these units (merchant, customer, shop); NULL on a part released by re-pegging, whose units
    live on in new parts (see `domain.cancelling`)."""
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("kind IN ('allocated', 'backordered', 'shipped', 'released')", name="kind_known"),
        CheckConstraint(
            "kind IN ('backordered', 'released') OR warehouse_id IS NOT NULL", name="stock_parts_have_warehouse"
        ),
        CheckConstraint(
            "cancelled_by IS NULL OR (kind = 'released' AND cancelled_by IN ('merchant', 'customer', 'shop'))",
            name="cancelled_by_known",
        ),
        Index("ix_line_parts_queue", "sku_id", "kind", "priority", "placed_at", "id"),
    )


class Shipment(Base):
    """Units of an order that left one warehouse together: what, when, and how the customer can follow them."""

    __tablename__ = "shipments"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    carrier: Mapped[str | None] = mapped_column(String(100), nullable=True)
    tracking_number: Mapped[str | None] = mapped_column(String(200), nullable=True)
    tracking_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    shipped_at: Mapped[datetime] = mapped_column(DateTime)


class ShipmentLine(Base):
    """How many units of one order line a shipment took."""

    __tablename__ = "shipment_lines"
    id: Mapped[int] = mapped_column(primary_key=True)
    shipment_id: Mapped[str] = mapped_column(ForeignKey("shipments.id"), index=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)


class ReceiptFill(Base):
    """A fill batch a purchase order's receipt made: the parts it allocated (`LinePart.filled_by`) are units at
    the receiving dock, ready to ship straight away (cross-docking), so they head the pick list."""

    __tablename__ = "receipt_fills"
    batch: Mapped[str] = mapped_column(String(32), primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    received_at: Mapped[datetime] = mapped_column(DateTime)
