"""The database schema as typed SQLAlchemy 2 models; Alembic migrations are the source of truth for DDL.

CHECK constraints back up the guarded UPDATEs of the services: even a bug cannot make stock negative
or over-allocate it, and a PO line cannot promise more than it carries.

One module per area (base, catalog, orders, messages, planning, plan_runs); every model is importable from here.
"""

from __future__ import annotations

from restock.store.schema.base import CODE_LENGTH, NAMING, Base, table
from restock.store.schema.catalog import (
    Channel,
    ChannelWarehouse,
    EtaChange,
    Movement,
    POLine,
    PurchaseOrder,
    Sku,
    Stock,
    Supplier,
    Warehouse,
)
from restock.store.schema.messages import (
    ApiKey,
    AvailabilityChange,
    AvailabilityFeedEpoch,
    CommitReceipt,
    IdempotencyRecord,
    JobRun,
    LineNews,
    LinkSecret,
    OutboxMessage,
    RestockSubscription,
    UpdateOptOut,
    WebhookAttempt,
    WebhookEndpoint,
)
from restock.store.schema.orders import LinePart, Order, OrderLine, ReceiptFill, Shipment, ShipmentLine
from restock.store.schema.plan_runs import PLAN_RUN_SOURCES, PlanRun, PlanRunDraft, PlanRunLine
from restock.store.schema.planning import ORDER_POLICIES, ImportedDemand, SkuPlanning, SupplierSku

__all__ = [
    "CODE_LENGTH",
    "NAMING",
    "ORDER_POLICIES",
    "PLAN_RUN_SOURCES",
    "ApiKey",
    "AvailabilityChange",
    "AvailabilityFeedEpoch",
    "Base",
    "Channel",
    "ChannelWarehouse",
    "CommitReceipt",
    "EtaChange",
    "IdempotencyRecord",
    "ImportedDemand",
    "JobRun",
    "LineNews",
    "LinePart",
    "LinkSecret",
    "Movement",
    "Order",
    "OrderLine",
    "OutboxMessage",
    "POLine",
    "PlanRun",
    "PlanRunDraft",
    "PlanRunLine",
    "PurchaseOrder",
    "ReceiptFill",
    "RestockSubscription",
    "Shipment",
    "ShipmentLine",
    "Sku",
    "SkuPlanning",
    "Stock",
    "Supplier",
    "SupplierSku",
    "UpdateOptOut",
    "Warehouse",
    "WebhookAttempt",
    "WebhookEndpoint",
    "table",
]
