"""Request and response bodies. Requests refuse unknown fields (no mass assignment) and bound every value."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from restock.domain.catalog import (
    MAX_CHANNEL_WAREHOUSES,
    MAX_LEAD_TIME_DAYS,
    MAX_PRICE,
    MAX_PRODUCT_URL_LENGTH,
    MAX_SAFETY_BUFFER,
)
from restock.domain.model import (
    MAX_QUANTITY,
    MAX_WAIT_DAYS,
    AvailabilityStateName,
    BackorderPolicyName,
    ShippingPolicyName,
)
from restock.domain.validation import CODE_PATTERN
from restock.services.views import (
    BackorderOut,
    BalanceOut,
    ChannelOut,
    Customer,
    DeliveryAddress,
    Email,
    EtaChangeOut,
    MovementOut,
    OrderLineOut,
    OrderOut,
    OrderPage,
    PurchaseOrderLineOut,
    PurchaseOrderOut,
    SkuOut,
    SupplierOut,
    WarehouseOut,
    Window,
)

__all__ = [
    "BackorderOut",
    "BalanceOut",
    "ChannelOut",
    "Customer",
    "DeliveryAddress",
    "Email",
    "EtaChangeOut",
    "MovementOut",
    "OrderLineOut",
    "OrderOut",
    "OrderPage",
    "PurchaseOrderLineOut",
    "PurchaseOrderOut",
    "SkuOut",
    "SupplierOut",
    "WarehouseOut",
    "Window",
]

Code = Annotated[str, StringConstraints(pattern=f"^{CODE_PATTERN.pattern}$", min_length=1, max_length=64)]
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY, strict=True)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")


def _iso_moment(value: object) -> object:
    """Only an ISO 8601 date and time (`2026-11-27T09:30:00Z`; without a zone: UTC), not a number of seconds
    nor a bare date: a filter on time says which moment it means."""
    if not isinstance(value, str) or not ISO_MOMENT.fullmatch(value):
        raise ValueError("expected an ISO 8601 date and time, e.g. 2026-11-27T09:30:00Z")
    return value


Moment = Annotated[datetime, BeforeValidator(_iso_moment)]
ExternalRef = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[^\x00-\x1f\x7f]+$")]
"""The shop's own order number: 1-100 printable characters."""


ProductUrl = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PRODUCT_URL_LENGTH)]
"""The column's bound; the rest of the rule (an absolute http(s) address) is `restock.domain.catalog.product_url`."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- catalog


class WarehouseIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "W1", "name": "Main warehouse"}]}
    )

    code: Code
    name: Name | None = None


class ChannelIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"code": "web", "warehouses": ["W1", "W2"], "name": "Web shop"}]},
    )

    code: Code
    warehouses: list[Code] = Field(
        min_length=1, max_length=MAX_CHANNEL_WAREHOUSES, description="Allocation order: first used first."
    )
    name: Name | None = None
    safety_buffer: int = Field(0, ge=0, le=MAX_SAFETY_BUFFER)


class SupplierIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"code": "ACME", "lead_time_days": 14, "name": "Acme Ltd"}]}
    )

    code: Code
    lead_time_days: int = Field(ge=0, le=MAX_LEAD_TIME_DAYS)
    name: Name | None = None


class SkuIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "MUG-BLUE",
                    "name": "Blue mug",
                    "price": "12.50",
                    "backorder": "confirmed",
                    "max_wait_days": 30,
                    "backorder_limit": 100,
                }
            ]
        },
    )

    code: Code
    name: Name | None = None
    price: Decimal = Field(Decimal("0"), ge=0, le=MAX_PRICE, decimal_places=2)
    backorder: BackorderPolicyName = "confirmed"
    max_wait_days: int = Field(30, ge=0, le=MAX_WAIT_DAYS)
    backorder_limit: int = Field(100, ge=0, le=100, description="Percent of confirmed inbound that may be promised.")
    release_date: date | None = Field(None, description="Until this day a SKU never sold yet is a pre-order.")
    product_url: ProductUrl | None = Field(None, description="An http(s) address of the product's page.")


# ---------------------------------------------------------------- stock


class AdjustmentIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"sku": "MUG-BLUE", "warehouse": "W1", "delta": -2, "reason": "damaged in storage"}]
        },
    )

    sku: Code
    warehouse: Code
    delta: int = Field(ge=-MAX_QUANTITY, le=MAX_QUANTITY, strict=True, description="Non-zero.")
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)]


class LedgerPage(BaseModel):
    items: list[MovementOut]
    next_after: int | None = Field(description="Pass as `after` for the next page; null on the last page.")


# ---------------------------------------------------------------- purchase orders


class SkuQuantity(Strict):
    sku: Code
    quantity: Quantity


class PurchaseOrderIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"supplier": "ACME", "warehouse": "W1", "lines": [{"sku": "MUG-BLUE", "quantity": 120}]}]
        },
    )

    supplier: Code
    warehouse: Code
    lines: list[SkuQuantity] = Field(min_length=1, max_length=500)
    reference: str | None = Field(
        default=None,
        description="The seller's own number for the PO: 1-100 printable characters, unique, not starting with "
        "`restock:` (an export names a PO without a reference `restock:<id>`). An import finds the PO by it.",
    )


class EtaIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"eta": "2026-12-05"}]})

    eta: date


class ReceiptIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"lines": [{"sku": "MUG-BLUE", "quantity": 60}]}]}
    )

    lines: list[SkuQuantity] = Field(min_length=1, max_length=500)


# ---------------------------------------------------------------- orders


class OrderIn(Strict):
    channel: Code
    customer: Customer
    lines: list[SkuQuantity] = Field(min_length=1, max_length=500)
    priority: int = Field(0, ge=0, le=100, description="Higher is filled first from arriving stock.")
    external_ref: ExternalRef | None = Field(
        None,
        description="The shop's order number, unique per channel: sent again with the same lines, the first order "
        "is answered (200) and nothing new is placed; with other lines, 409 `external_ref_taken`.",
    )
    delivery_address: DeliveryAddress | None = None
    shipping_policy: ShippingPolicyName | None = Field(
        None, description="Overrides the channel's shipping policy for this order."
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"channel": "web", "customer": {"email": "ann@example.com"}, "lines": [{"sku": "MUG", "quantity": 2}]}
            ]
        },
    )


# ---------------------------------------------------------------- availability and backorders


SCHEMA_ORG = Literal[
    "https://schema.org/InStock",
    "https://schema.org/BackOrder",
    "https://schema.org/PreOrder",
    "https://schema.org/OutOfStock",
]


class AvailabilityOut(BaseModel):
    sku: str
    channel: str
    state: AvailabilityStateName
    available_now: int
    backorderable: int
    ship_window: Window | None
    backorder_window: Window | None = Field(
        description="In stock, with more backorderable beyond the stock: when those further units ship. "
        "Null when nothing beyond the stock can be backordered with a date."
    )
    message: str
    reason: str
    schema_org: SCHEMA_ORG = Field(description="The schema.org `availability` value for product JSON-LD.")
    availability_date: date | None = Field(
        description="For backorders and pre-orders: the earliest ship date (Google Merchant `availability_date`)."
    )


class AvailabilityBatchIn(Strict):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"channel": "web", "skus": ["MUG-BLUE", "MUG-RED"]}]}
    )

    channel: Code
    skus: list[Code] = Field(min_length=1, max_length=500)


class LineCancelIn(Strict):
    """How many open units of a line to cancel: waiting ones first, then allocated ones. No body, or no quantity,
    cancels every open unit of the line."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"quantity": 2}]})

    quantity: Quantity | None = None


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json")
