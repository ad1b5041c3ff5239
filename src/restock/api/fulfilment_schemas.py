"""What a warehouse sends to ship an order: which units (all allocated ones when left out) and the parcel's tracking."""

from __future__ import annotations

from pydantic import ConfigDict, Field

from restock.api.schemas import SkuQuantity, Strict
from restock.domain.shipping import MAX_CARRIER, MAX_TRACKING_NUMBER, MAX_TRACKING_URL


class ShipmentIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {},
                {
                    "lines": [{"sku": "MUG-BLUE", "quantity": 2}],
                    "carrier": "DHL",
                    "tracking_number": "JD014600006281",
                    "tracking_url": "https://www.dhl.com/track?id=JD014600006281",
                },
            ]
        },
    )

    lines: list[SkuQuantity] | None = Field(
        default=None, min_length=1, max_length=500, description="Leave out to ship every unit allocated now."
    )
    carrier: str | None = Field(default=None, min_length=1, max_length=MAX_CARRIER)
    tracking_number: str | None = Field(default=None, min_length=1, max_length=MAX_TRACKING_NUMBER)
    tracking_url: str | None = Field(default=None, min_length=1, max_length=MAX_TRACKING_URL, pattern="^https?://")
