"""Request and response bodies of replenishment planning: supplier terms and scorecards, SKU settings, plan, radar."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from restock.api.schemas import Code, PurchaseOrderOut, Strict
from restock.domain.model import MAX_QUANTITY
from restock.planning.policy import OrderPolicyName
from restock.services.planning_views import PlanOut, RiskOut, SuggestionOut, SupplierTermsOut

__all__ = ["PlanOut", "RiskOut", "SuggestionOut", "SupplierTermsOut"]


class SupplierTermsIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"unit_cost": "4.20", "moq": 50, "pack_size": 12, "lead_time_days": 21}]},
    )

    unit_cost: Decimal = Field(
        ge=0, le=Decimal("9999999999.99"), decimal_places=2, description="Landed cost of one unit."
    )
    moq: int = Field(1, ge=1, le=MAX_QUANTITY, strict=True, description="Minimum order quantity.")
    pack_size: int = Field(1, ge=1, le=MAX_QUANTITY, strict=True, description="Orders are whole packs.")
    lead_time_days: Annotated[int, Field(ge=0, le=730, strict=True)] | None = Field(
        None, description="Quoted lead time; null: the supplier's usual one."
    )


class SkuPlanningIn(Strict):
    """Only the fields sent change; `service_level_pct: null` goes back to the SKU's ABC class level."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"review_days": 7, "policy": "eoq", "order_cost": "30.00"}]},
    )

    review_days: Annotated[int, Field(ge=1, le=365, strict=True)] | None = None
    policy: OrderPolicyName | None = None
    order_cost: Decimal | None = Field(None, ge=0, le=Decimal("1000000"), decimal_places=2)
    holding_rate_pct: Decimal | None = Field(None, gt=0, le=100, decimal_places=2)
    service_level_pct: Decimal | None = Field(None, ge=50, lt=100, decimal_places=2)


class SkuPlanningOut(BaseModel):
    sku: str
    review_days: int
    policy: str
    order_cost: str
    holding_rate_pct: str
    service_level_pct: str | None
    default: bool


class PlanOrdersIn(Strict):
    """Which suggestions to order: all of today's plan, or only those of the SKUs listed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{}, {"skus": ["MUG-BLUE"]}]})

    skus: list[Code] | None = Field(None, min_length=1, max_length=10_000)


class PlanOrdersOut(PlanOut):
    purchase_orders: list[PurchaseOrderOut]


class SupplierScoreOut(BaseModel):
    supplier: str
    sku: str | None = Field(description="null: the supplier as a whole.")
    pos: int = Field(description="POs sent.")
    received_pos: int
    lead_time_mean: float | None = Field(description="Days from sent to first receipt.")
    lead_time_std: float | None
    lead_time_p50: float | None = Field(description="Median days from sent to first receipt: dates an unconfirmed PO.")
    lead_time_p90: float | None
    eta_moves_later: int
    slipped_share: float | None = Field(description="Share of confirmed POs whose ETA moved later at least once.")
    mean_slip_days: float | None
    on_time_rate: float | None = Field(description="Received on or before the first confirmed ETA.")
    fill_rate: float | None = Field(description="Received / ordered on closed POs.")
    lateness_p90_days: int | None = Field(description="The P90 lateness that widens backorder ship windows.")
