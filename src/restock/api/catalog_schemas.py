"""Request bodies of catalog edits: PATCH sends only the fields to change.

A field left out keeps its value; `null` clears a SKU's release date or product URL and is refused for every
other field (a name, a price or a policy cannot be "nothing"). Unknown fields are refused, as everywhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, model_validator

from restock.api.schemas import Code, Name, ProductUrl, Strict
from restock.domain.catalog import KEEP, MAX_CHANNEL_WAREHOUSES, MAX_LEAD_TIME_DAYS, MAX_PRICE, MAX_SAFETY_BUFFER
from restock.domain.model import MAX_WAIT_DAYS, BackorderPolicyName, ShippingPolicyName
from restock.services.catalog_edits import ChannelEdit, SkuEdit, SupplierEdit


class Patch(Strict):
    """Only the fields sent change; those in `NULLABLE` may be sent as null to clear them."""

    NULLABLE: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _null_only_where_it_clears(self) -> Patch:
        nulled = sorted(f for f in self.model_fields_set - self.NULLABLE if getattr(self, f) is None)
        if nulled:
            raise ValueError(f"{', '.join(nulled)} may not be null: leave a field out to keep its value")
        return self

    def sent(self, field: str) -> Any:
        """The value sent for `field`, or KEEP when it was left out."""
        return getattr(self, field) if field in self.model_fields_set else KEEP


class SkuPatch(Patch):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"price": "13.90", "max_wait_days": 21, "release_date": None}]},
    )
    NULLABLE: ClassVar[frozenset[str]] = frozenset({"release_date", "product_url"})

    name: Name | None = None
    price: Decimal | None = Field(None, ge=0, le=MAX_PRICE, decimal_places=2)
    backorder: BackorderPolicyName | None = None
    max_wait_days: Annotated[int, Field(ge=0, le=MAX_WAIT_DAYS, strict=True)] | None = None
    backorder_limit: Annotated[int, Field(ge=0, le=100, strict=True)] | None = Field(
        None, description="Percent of confirmed inbound that may be promised."
    )
    release_date: date | None = Field(None, description="Null clears it: the SKU is no pre-order any more.")
    product_url: ProductUrl | None = Field(None, description="An http(s) address of the product's page; null clears.")

    def edit(self) -> SkuEdit:
        return SkuEdit(
            name=self.sent("name"),
            price=self.sent("price"),
            backorder=self.sent("backorder"),
            max_wait_days=self.sent("max_wait_days"),
            backorder_limit_pct=self.sent("backorder_limit"),
            release_date=self.sent("release_date"),
            product_url=self.sent("product_url"),
        )


class ChannelPatch(Patch):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"warehouses": ["W2", "W1"], "shipping_policy": "complete"}]}
    )

    warehouses: list[Code] | None = Field(
        None,
        min_length=1,
        max_length=MAX_CHANNEL_WAREHOUSES,
        description="The whole list, in allocation order (first used first): it replaces the current one.",
    )
    safety_buffer: Annotated[int, Field(ge=0, le=MAX_SAFETY_BUFFER, strict=True)] | None = None
    shipping_policy: ShippingPolicyName | None = Field(
        None, description="`as_available` ships what is allocated; `complete` holds an order until it is whole."
    )

    def edit(self) -> ChannelEdit:
        warehouses = self.sent("warehouses")
        return ChannelEdit(
            warehouses=warehouses if warehouses is KEEP else tuple(warehouses),
            safety_buffer=self.sent("safety_buffer"),
            shipping_policy=self.sent("shipping_policy"),
        )


class SupplierPatch(Patch):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"lead_time_days": 21}]})

    name: Name | None = None
    lead_time_days: Annotated[int, Field(ge=0, le=MAX_LEAD_TIME_DAYS, strict=True)] | None = None

    def edit(self) -> SupplierEdit:
        return SupplierEdit(name=self.sent("name"), lead_time_days=self.sent("lead_time_days"))
