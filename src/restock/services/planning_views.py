"""The read models of replenishment planning, declared once: supplier terms, scorecards, the plan and the radar.
Each is what its use case returns, the API's response model (under the name the OpenAPI document shows) and what
the CLI prints as JSON. See `services.views` for why they live below the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, PlainSerializer

from restock.domain.imports import write_table
from restock.services.views import ReadModel, UtcTime

DecimalText = Annotated[Decimal, PlainSerializer(str, return_type=str, when_used="json")]
"""An amount shown as its exact text (`"4.20"`)."""


class SupplierTermsOut(ReadModel):
    supplier: str
    sku: str
    lead_time_days: int
    """The quote for this SKU, or the supplier's usual lead time."""
    lead_time_quoted: bool
    moq: int
    pack_size: int
    unit_cost: DecimalText


class SuggestionOut(ReadModel):
    # One purchase to make: SKU, warehouse, supplier, quantity, with the figures behind it and a one-line why.
    sku: str
    warehouse: str
    supplier: str
    quantity: int
    unit_cost: float
    value: float
    abc: Literal["A", "B", "C"]
    service_level: float
    position: int = Field(
        description="On hand - allocated - waiting backorders + every open PO line (draft, sent or confirmed)."
    )
    safety_stock: float
    reorder_point: float
    order_up_to: float
    stockout_date: date | None = Field(description="First day the projected stock goes below zero, if any.")
    stockout_to_prevent: date | None = Field(
        description="First day from which the projected stock stays below zero, which no open PO ends: the "
        "stock-out this purchase must prevent (the supplier is chosen, and days_late counted, against it)."
    )
    late_supplier: bool = Field(
        description="Cannot arrive before the stock-out: no supplier delivers before the stock-out a new PO must "
        "prevent (one no open PO ends); the fastest was chosen."
    )
    days_late: int = Field(description="Days the chosen supplier's delivery misses that stock-out by (0: in time).")
    open_pos: list[str] = Field(
        default_factory=list, description="The open POs counted in the position (`PO 3`), soonest expected first."
    )
    explanation: str = Field(description="Why now, how much and how it was rounded, which supplier and why.")

    def to_json(self) -> dict[str, Any]:
        """As the CLI and the stored answers have always written it: the order's value last."""
        data = self.model_dump(mode="json")
        return data | {"value": data.pop("value")}


PLAN_CSV_COLUMNS = (
    "sku",
    "warehouse",
    "supplier",
    "quantity",
    "unit_cost",
    "value",
    "stockout_date",
    "stockout_to_prevent",
    "late_supplier",
    "days_late",
    "abc",
    "service_level",
    "position",
    "safety_stock",
    "reorder_point",
    "order_up_to",
    "explanation",
)
"""The columns of a plan's CSV: SuggestionOut's fields, under the same names."""
MONEY_COLUMNS = frozenset({"unit_cost", "value"})


def plan_csv(suggestions: Sequence[SuggestionOut]) -> str:
    """The suggestions as CSV, in their order (most urgent first), as `restock export` writes a table: a header
    row, RFC 4180 quoting, lines ending in \\n, ISO dates, true/false, amounts with two decimals, empty for none;
    every other value as its JSON field shows it."""

    def cell(s: SuggestionOut, column: str) -> object:
        value = getattr(s, column)
        return f"{value:.2f}" if column in MONEY_COLUMNS else value

    return write_table(PLAN_CSV_COLUMNS, [[cell(s, column) for column in PLAN_CSV_COLUMNS] for s in suggestions])


class RiskOut(ReadModel):
    # One SKU x warehouse at risk: when it runs short, how much revenue that puts at risk, and why.
    sku: str
    warehouse: str
    stockout_date: date | None
    below_safety_date: date | None
    next_receipt: date | None
    units_short: int
    revenue_at_risk: float
    flags: list[
        Literal[
            "stockout_before_receipt",
            "stockout_after_receipt",
            "backorders_uncovered",
            "late_po",
            "supplier_slipping",
            "demand_spike",
            "late_supplier",
        ]
    ]
    reason: str = Field(description="Why it is at risk, in words, from its flags and dates.")
    projected: list[int] = Field(
        description="Projected available stock at the end of each day of the horizon.", repr=False
    )


class SupplierTotalOut(ReadModel):
    # What the suggestions add up to for one supplier.
    supplier: str
    lines: int
    units: int
    value: float


class PlanOut(ReadModel):
    today: date
    inputs_at: UtcTime = Field(description="When the plan read its inputs: the stock and open POs are as of then.")
    demand_until: date | None = Field(description="The last day of demand history the forecasts saw.")
    horizon_days: int
    planned: int = Field(description="SKU x warehouse rows planned.")
    without_terms: list[str] = Field(description="SKUs with demand or backorders but no supplier terms.")
    suggestions: list[SuggestionOut] = Field(
        description="Most urgent first: the earliest stock-out (none last), then the largest value."
    )
    totals: list[SupplierTotalOut] = Field(description="The suggestions per supplier, by supplier code.")
    radar: list[RiskOut] = Field(exclude=True)
    """Answered by the radar, not with the plan."""

    def to_json(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude={"suggestions"})
        return data | {"suggestions": [s.to_json() for s in self.suggestions]}


# ---------------------------------------------------------------- stored plan runs


class PlanRunOut(ReadModel):
    # A stored plan run: when, for which day, from inputs as of when, and what it added up to.
    id: int
    ran_at: UtcTime
    today: date
    inputs_at: UtcTime = Field(description="When the run read its inputs: the stock and open POs are as of then.")
    demand_until: date | None = Field(description="The last day of demand history its forecasts saw.")
    source: Literal["daily", "manual"] = Field(description="daily: the worker's run; manual: `restock plan --record`.")
    horizon_days: int
    planned: int = Field(description="SKU x warehouse rows planned.")
    lines: int = Field(description="Purchase suggestions.")
    units: int
    value: float
    at_risk: int = Field(description="Rows on its radar.")
    revenue_at_risk: float
    drafts: list[int] = Field(description="Ids of the draft POs it made.")


class PlanRunLineOut(ReadModel):
    # One suggestion of a stored run.
    sku: str
    warehouse: str
    supplier: str
    quantity: int
    unit_cost: float
    value: float
    stockout_date: date | None
    stockout_to_prevent: date | None
    days_late: int
    explanation: str


class PlanRunDraftOut(ReadModel):
    # A draft PO a run made, as the PO is now.
    po_id: int
    supplier: str
    warehouse: str
    lines: int


class PlanRunDetailOut(PlanRunOut):
    suggestions: list[PlanRunLineOut] = Field(description="In the run's order: most urgent first.")
    totals: list[SupplierTotalOut] = Field(description="Its suggestions per supplier, by supplier code.")
    purchase_orders: list[PlanRunDraftOut] = Field(description="The draft POs it made.")


class QuantityChangeOut(ReadModel):
    # A SKU x warehouse suggested by both runs, with another quantity (or supplier).
    sku: str
    warehouse: str
    supplier_before: str
    supplier: str
    quantity_before: int
    quantity: int
    value_before: float
    value: float


class SupplierChangeOut(ReadModel):
    # One supplier's suggestions in both runs (0 where it had none).
    supplier: str
    lines_before: int
    lines: int
    units_before: int
    units: int
    value_before: float
    value: float


class PlanCompareOut(ReadModel):
    run: PlanRunOut
    before: PlanRunOut = Field(description="The run it is compared with (by default the one stored before it).")
    new: list[PlanRunLineOut] = Field(description="Suggested now, not before (in the run's order).")
    dropped: list[PlanRunLineOut] = Field(description="Suggested before, not now (in the earlier run's order).")
    changed: list[QuantityChangeOut] = Field(description="Suggested by both, another quantity or supplier.")
    unchanged: int = Field(description="Suggested by both, the same quantity from the same supplier.")
    totals: list[SupplierChangeOut] = Field(description="Per supplier, by supplier code.")
