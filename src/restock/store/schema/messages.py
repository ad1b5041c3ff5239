"""What the system says and remembers for callers: the outbox, the availability feed, API keys,
idempotency records, commit receipts, notify-me sign-ups, customer news, job runs, link secrets, webhooks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from restock.store.schema.base import Base


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
