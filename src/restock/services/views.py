"""The read models of the core use cases, declared once: what a service returns, the API answers (these are the
response models of the OpenAPI document, under the names it shows) and the CLI prints as JSON.

Pydantic models live here, below the API, because the services build them and `api` may import `services` but
not the other way round. A field the API must not show is declared once too, with `exclude=True`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, StringConstraints

from restock.domain.model import LineStatusName, OrderStatusName, ShippingPolicyName, ShipWindow

Email = Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=r"^[\x21-\x7e]+@[\x21-\x7e]+$")]


def _as_utc(moment: datetime) -> datetime:
    """Stored timestamps are naive UTC: shown with their offset (`...Z`), as `config.utc_iso` writes them."""
    return moment.replace(tzinfo=UTC)


UtcTime = Annotated[datetime, PlainSerializer(_as_utc, return_type=datetime)]


class ReadModel(BaseModel):
    """A frozen answer of a use case; `to_json` is what the CLI prints and outbox payloads carry."""

    model_config = ConfigDict(frozen=True)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class Window(BaseModel):
    model_config = ConfigDict(frozen=True)

    earliest: date
    latest: date


def window_of(window: ShipWindow | None) -> Window | None:
    """The domain's ship window as shown: an undated line or backorder has none."""
    return None if window is None else Window(earliest=window.earliest, latest=window.latest)


class DeliveryAddress(BaseModel):
    """Where the order goes, as the shop sent it (see `domain.address` for the rule it is checked against)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    line1: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    line2: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    city: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    region: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    country: Annotated[str, StringConstraints(pattern="^[A-Z]{2}$")] = Field(
        description="ISO 3166-1 alpha-2, upper case: DE, GB, US."
    )
    phone: Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=r"^[0-9+\-(). /]+$")] | None = None


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None


# ---------------------------------------------------------------- catalog


class WarehouseOut(ReadModel):
    code: str
    name: str


class ChannelOut(ReadModel):
    code: str
    name: str
    warehouses: list[str]
    safety_buffer: int
    shipping_policy: ShippingPolicyName = "as_available"
    """`complete`: an order ships only once it is wholly allocated (an order may override it)."""


class SupplierOut(ReadModel):
    code: str
    name: str
    lead_time_days: int
    lateness_p90_days: int | None


class SkuOut(ReadModel):
    code: str
    name: str
    price: Decimal
    backorder: str
    max_wait_days: int
    backorder_limit: int
    release_date: date | None = None
    """A product not yet released is a pre-order while this date is ahead and it has never been sold."""
    product_url: str | None = None
    """The product's page on the shop."""
    archived: bool = False
    """Archived: no new orders, hidden from lists unless asked for; its history stays."""


# ---------------------------------------------------------------- stock


class BalanceOut(ReadModel):
    sku: str
    warehouse: str
    on_hand: int
    allocated: int
    available: int

    @classmethod
    def of(cls, sku: str, warehouse: str, on_hand: int, allocated: int) -> BalanceOut:
        """A balance with what is free to sell: on hand less what customers hold."""
        return cls(sku=sku, warehouse=warehouse, on_hand=on_hand, allocated=allocated, available=on_hand - allocated)


class MovementOut(ReadModel):
    id: int
    sku: str
    warehouse: str
    kind: str
    on_hand_delta: int
    allocated_delta: int
    reason: str | None
    ref: str | None
    created_at: UtcTime


# ---------------------------------------------------------------- purchase orders


class PurchaseOrderLineOut(ReadModel):
    sku: str
    ordered: int
    received: int
    promised: int


class EtaChangeOut(ReadModel):
    old_eta: date | None
    new_eta: date
    changed_at: UtcTime


class PurchaseOrderOut(ReadModel):
    id: int
    reference: str | None = None
    """The seller's own number for the PO (unique), if it was given one."""
    supplier: str
    warehouse: str
    status: str
    eta: date | None
    eta_confirmed: bool
    lines: list[PurchaseOrderLineOut]
    eta_history: list[EtaChangeOut]


# ---------------------------------------------------------------- orders and backorders


class OrderLineOut(ReadModel):
    id: int = Field(exclude=True)
    sku: str
    quantity: int
    allocated: int = Field(description="Units held for the line now, ready to ship (shipped units not included).")
    backordered: int
    shipped: int = Field(default=0, description="Units of the line already shipped.")
    cancelled: int = Field(
        default=0,
        description="Units of the line cancelled: shipped + cancelled + backordered + allocated = quantity.",
    )
    status: LineStatusName
    ship_window: Window | None
    delayed: bool


class OrderOut(ReadModel):
    id: str
    status: OrderStatusName
    channel: str
    placed_at: UtcTime
    customer: Customer
    lines: list[OrderLineOut]
    external_ref: str | None = None
    """The shop's own order number, unique per channel."""
    delivery_address: DeliveryAddress | None = None
    shipping_policy: ShippingPolicyName = Field(
        default="as_available",
        description="The order's effective shipping policy (its own, else its channel's): `complete` holds every "
        "unit until the whole order is allocated.",
    )
    replayed: bool = Field(default=False, exclude=True)
    """True when an idempotent retry returned the first result instead of placing again."""

    @property
    def email(self) -> str:
        return self.customer.email

    def to_json(self) -> dict[str, Any]:
        """The order without its customer (nor where it goes): what the CLI prints and the order's outbox payloads
        carry."""
        return self.model_dump(mode="json", exclude={"customer", "delivery_address"})


class OrderPage(ReadModel):
    """A page of orders, newest first, and where the next one starts."""

    items: list[OrderOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class BackorderOut(ReadModel):
    order: str
    sku: str
    quantity: int
    placed_at: UtcTime
    po: int | None
    ship_window: Window | None
    delayed: bool
    priority: int
