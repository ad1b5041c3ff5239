"""The read models of fulfilment: shipments, the pick list, and what a receipt did. The services build them, the API
answers them and the CLI prints them (see `services.views` for why they live below the API)."""

from __future__ import annotations

from pydantic import Field

from restock.domain.model import ShippingPolicyName
from restock.services.views import OrderOut, PurchaseOrderOut, ReadModel, UtcTime


class ShipmentLineOut(ReadModel):
    sku: str
    quantity: int


class ShipmentOut(ReadModel):
    """Units of an order that left one warehouse together."""

    id: str
    order: str
    warehouse: str
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    shipped_at: UtcTime
    lines: list[ShipmentLineOut]


class ShippedOut(ReadModel):
    """What shipping answers: the shipments it made (one per warehouse) and the order as it now reads."""

    shipments: list[ShipmentOut]
    order: OrderOut


class PickLineOut(ReadModel):
    sku: str
    quantity: int = Field(description="Units allocated to the order in this warehouse, ready to ship now.")
    at_dock: int = Field(
        description="Of them, units a purchase order's receipt filled: at the receiving dock (cross-docking)."
    )


class PickOut(ReadModel):
    """One order's units ready to ship from one warehouse."""

    order: str
    external_ref: str | None = Field(description="The shop's order number, where it sent one.")
    warehouse: str
    placed_at: UtcTime
    shipping_policy: ShippingPolicyName
    cross_dock: bool = Field(description="Some units came with a receipt and wait at the dock: these come first.")
    received_at: UtcTime | None = Field(description="When the latest receipt that filled any of these units came in.")
    lines: list[PickLineOut]


class PickPage(ReadModel):
    """A page of the pick list, in pick order, and where the next one starts."""

    items: list[PickOut]
    next: str | None = Field(description="Pass as `after` for the next page; null on the last page.")


class FilledOut(ReadModel):
    """Units a receipt gave to a waiting order: at the dock, ready to ship (unless the order ships complete)."""

    order: str
    sku: str
    quantity: int
    ready_to_ship: bool = Field(description="False when the order ships complete and other units still wait.")


class FreeStockOut(ReadModel):
    sku: str
    quantity: int = Field(description="Units of the receipt no waiting backorder took: now free stock.")


class ReceiptOut(PurchaseOrderOut):
    """The purchase order after the receipt, and what the receipt did: orders it filled, and what became free stock."""

    filled: list[FilledOut] = Field(default_factory=list)
    to_free_stock: list[FreeStockOut] = Field(default_factory=list)
