"""The database schema as typed SQLAlchemy 2 models; Alembic migrations are the source of truth for DDL.

CHECK constraints back up the guarded UPDATEs of the services: even a bug cannot make stock negative
or over-allocate it, and a PO line cannot promise more than it carries.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CODE_LENGTH = 64


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


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
    __table_args__ = (CheckConstraint("safety_buffer >= 0", name="buffer_not_negative"),)


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
    __table_args__ = (CheckConstraint("status IN ('open', 'shipped', 'cancelled')", name="status_known"),)


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
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("kind IN ('allocated', 'backordered', 'shipped', 'released')", name="kind_known"),
        CheckConstraint(
            "kind IN ('backordered', 'released') OR warehouse_id IS NOT NULL", name="stock_parts_have_warehouse"
        ),
        Index("ix_line_parts_queue", "sku_id", "kind", "priority", "placed_at", "id"),
    )


class OutboxMessage(Base):
    """An event a customer or integrator must hear about, written in the same transaction as its cause."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(64))
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    """After a failure: not before this (exponential backoff). NULL: due now."""
    locked_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    """A worker's lease: it claimed the message and is delivering it; after this, another worker may take it."""
    dead_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    """Parked after too many failed attempts: listed as dead until retried by hand."""
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "id",
            sqlite_where=text("delivered_at IS NULL AND dead_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL AND dead_at IS NULL"),
        ),
    )


class AvailabilityChange(Base):
    """A SKU whose availability may have changed (NULL: any SKU), written by database triggers (migration 0006),
    read by API workers to drop the answers they keep in memory."""

    __tablename__ = "availability_changes"
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    sku_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime, server_default=text("CURRENT_TIMESTAMP"))


class AvailabilityFeedEpoch(Base):
    """One row whose token names the feed's current run. On PostgreSQL the feed is UNLOGGED (cheap to write on
    every stock change) and a crash empties it, this row with it; a reader that finds the token gone or
    different knows the feed started over and that rows it had not read yet may be lost (migration 0007)."""

    __tablename__ = "availability_feed_epoch"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))


def table(model: type[Base]) -> Table:
    """The Core table of a model, for statements on the hot path that skip the ORM's bookkeeping."""
    return cast(Table, model.__table__)


class ApiKey(Base):
    """A key a shop, a warehouse scanner or an admin tool sends; only its SHA-256 is stored."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The first characters of the key, to recognise it in a list without storing it."""
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"), nullable=True)
    name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    __table_args__ = (
        CheckConstraint("role IN ('storefront', 'warehouse', 'admin')", name="role_known"),
        CheckConstraint("role <> 'storefront' OR channel_id IS NOT NULL", name="storefront_has_channel"),
    )


class IdempotencyRecord(Base):
    """The first response to a POST sent with an Idempotency-Key, kept so that a retry gets it again."""

    __tablename__ = "idempotency_keys"
    scope: Mapped[str] = mapped_column(String(300), primary_key=True)
    """The API key's id and the client's key: two clients may use the same key without clashing."""
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    __table_args__ = (CheckConstraint("state IN ('in_flight', 'done')", name="state_known"),)


class CommitReceipt(Base):
    """Written by a write use case in its own transaction: if the COMMIT's answer is lost, this row says
    whether the transaction committed (see `restock.services.context.use_case`). Purged after a day."""

    __tablename__ = "commit_receipts"
    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


# ---------------------------------------------------------------- customer communication


class RestockSubscription(Base):
    """A shopper's "notify me" for an out-of-stock SKU on a channel; reserves nothing, counts as demand."""

    __tablename__ = "restock_subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"))
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    __table_args__ = (
        Index("ix_restock_subscriptions_queue", "sku_id", "channel_id", "created_at", "id"),
        Index(
            "uq_restock_subscriptions_waiting",
            "sku_id",
            "channel_id",
            "email",
            unique=True,
            sqlite_where=text("notified_at IS NULL AND unsubscribed_at IS NULL"),
            postgresql_where=text("notified_at IS NULL AND unsubscribed_at IS NULL"),
        ),
    )


class LineNews(Base):
    """When a backordered line's customer last heard about it, so that a "still on its way" update is sent
    only after a quiet stretch."""

    __tablename__ = "line_news"
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_lines.id"), primary_key=True)
    last_news_at: Mapped[datetime] = mapped_column(DateTime)
    delay_notices: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    """How many delay notices the customer got for this line: the second one says "again"."""


class UpdateOptOut(Base):
    """An order whose customer unsubscribed from the periodic "still on its way" updates."""

    __tablename__ = "update_optouts"
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class JobRun(Base):
    """When a periodic job last ran: workers claim a run with a guarded UPDATE, so it runs once per period."""

    __tablename__ = "job_runs"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class LinkSecret(Base):
    """The key that signs the links in e-mails when RESTOCK_SECRET_KEY is not set: made once per database."""

    __tablename__ = "link_secrets"
    id: Mapped[int] = mapped_column(primary_key=True)
    secret: Mapped[str] = mapped_column(String(128))


class WebhookEndpoint(Base):
    """An integrator's URL, the events it wants, and the secret its deliveries are signed with."""

    __tablename__ = "webhook_endpoints"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(200))
    events: Mapped[str] = mapped_column(String(500))
    """Comma-separated event names, or `*` for all."""
    created_at: Mapped[datetime] = mapped_column(DateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class WebhookAttempt(Base):
    """One try at delivering one webhook message: what the receiver answered, or why it failed."""

    __tablename__ = "webhook_attempts"
    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"), index=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    event: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(DateTime)
    status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    duration_ms: Mapped[int] = mapped_column(Integer)


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


# ---------------------------------------------------------------- replenishment planning

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
