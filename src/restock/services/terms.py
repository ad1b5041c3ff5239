"""Supplier terms per SKU (lead time, MOQ, pack size, landed unit cost) and per-SKU planning settings."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput
from restock.domain.model import MAX_QUANTITY
from restock.planning.policy import DEFAULT, OrderPolicy, PlanningSettings
from restock.services.catalog import parse_price
from restock.services.context import Context, use_case
from restock.services.planning_views import SupplierTermsOut
from restock.store import repo
from restock.store import terms as store
from restock.store.schema import Sku, SkuPlanning, Supplier, SupplierSku

MAX_LEAD_TIME_DAYS = 730
CENT = Decimal("0.01")


SupplierTermsView = SupplierTermsOut


def _check_terms(lead_time_days: int | None, moq: int, pack_size: int) -> None:
    if lead_time_days is not None and not 0 <= lead_time_days <= MAX_LEAD_TIME_DAYS:
        raise InvalidInput(f"the lead time must be between 0 and {MAX_LEAD_TIME_DAYS} days, got {lead_time_days}")
    for what, value in (("the MOQ", moq), ("the pack size", pack_size)):
        if not 1 <= value <= MAX_QUANTITY:
            raise InvalidInput(f"{what} must be a whole number from 1 to {MAX_QUANTITY}, got {value}")


def _terms_view(supplier: Supplier, sku: Sku, terms: SupplierSku) -> SupplierTermsView:
    quoted = terms.lead_time_days is not None
    return SupplierTermsView(
        supplier=supplier.code,
        sku=sku.code,
        lead_time_days=terms.lead_time_days if terms.lead_time_days is not None else supplier.lead_time_days,
        lead_time_quoted=quoted,
        moq=terms.moq,
        pack_size=terms.pack_size,
        unit_cost=terms.unit_cost,
    )


@use_case()
def set_supplier_terms(
    session: Session,
    ctx: Context,
    supplier_code: str,
    sku_code: str,
    *,
    unit_cost: str | Decimal,
    moq: int = 1,
    pack_size: int = 1,
    lead_time_days: int | None = None,
) -> SupplierTermsView:
    """Record (or replace) what a supplier offers for a SKU; the planner buys only on recorded terms."""
    _check_terms(lead_time_days, moq, pack_size)
    cost = parse_price(unit_cost)
    supplier = repo.supplier_by_code(session, supplier_code)
    sku = repo.sku_by_code(session, sku_code)
    terms = store.put_supplier_terms(
        session, supplier.id, sku.id, lead_time_days=lead_time_days, moq=moq, pack_size=pack_size, unit_cost=cost
    )
    return _terms_view(supplier, sku, terms)


@use_case(readonly=True)
def list_supplier_terms(
    session: Session, ctx: Context, supplier_code: str | None = None, sku_code: str | None = None
) -> list[SupplierTermsView]:
    supplier_id = None if supplier_code is None else repo.supplier_by_code(session, supplier_code).id
    sku_id = None if sku_code is None else repo.sku_by_code(session, sku_code).id
    rows = store.supplier_terms_rows(session, supplier_id, sku_id)
    return [_terms_view(supplier, sku, terms) for supplier, sku, terms in rows]


@dataclass(frozen=True)
class SkuPlanningView:
    sku: str
    settings: PlanningSettings
    is_default: bool

    def to_json(self) -> dict[str, Any]:
        s = self.settings
        return {
            "sku": self.sku,
            "review_days": s.review_days,
            "policy": s.policy.value,
            "order_cost": str(s.order_cost),
            "holding_rate_pct": str(s.holding_rate_pct),
            "service_level_pct": None if s.service_level_pct is None else str(s.service_level_pct),
            "default": self.is_default,
        }


def planning_settings_of(row: SkuPlanning | None) -> PlanningSettings:
    if row is None:
        return DEFAULT
    return PlanningSettings(
        row.review_days, OrderPolicy(row.policy), row.order_cost, row.holding_rate_pct, row.service_level_pct
    )


def _decimal(raw: str | Decimal | None, what: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidInput(f"{what} must be a number, got {str(raw)[:40]!r}") from None
    if not value.is_finite() or abs(value) > 10**9 or value != value.quantize(CENT):
        raise InvalidInput(f"{what} must be a number up to 1000000000 with at most 2 decimals, got {str(raw)[:40]!r}")
    return value.quantize(CENT)


def _setting_changes(
    review_days: int | None,
    policy: str | None,
    order_cost: str | Decimal | None,
    holding_rate_pct: str | Decimal | None,
    service_level_pct: str | Decimal | None,
    clear_service_level: bool,
) -> dict[str, Any]:
    """The settings given, parsed (what is not given is left out); an unreadable one is refused."""
    changes: dict[str, Any] = {}
    if review_days is not None:
        changes["review_days"] = review_days
    if policy is not None:
        try:
            changes["policy"] = OrderPolicy(policy)
        except ValueError:
            raise InvalidInput(f"the order policy must be order_up_to or eoq, got {policy[:40]!r}") from None
    for name, raw in (("order_cost", order_cost), ("holding_rate_pct", holding_rate_pct)):
        value = _decimal(raw, name.replace("_", " "))
        if value is not None:
            changes[name] = value
    level = _decimal(service_level_pct, "the service level")
    if level is not None:
        changes["service_level_pct"] = level
    elif clear_service_level:
        changes["service_level_pct"] = None
    return changes


@use_case()
def set_sku_planning(
    session: Session,
    ctx: Context,
    sku_code: str,
    *,
    review_days: int | None = None,
    policy: str | None = None,
    order_cost: str | Decimal | None = None,
    holding_rate_pct: str | Decimal | None = None,
    service_level_pct: str | Decimal | None = None,
    clear_service_level: bool = False,
) -> SkuPlanningView:
    """Change some of a SKU's planning settings; what is not given keeps its current (or default) value."""
    sku = repo.sku_by_code(session, sku_code)
    current = planning_settings_of(store.sku_planning_row(session, sku.id))
    given = (review_days, policy, order_cost, holding_rate_pct, service_level_pct)
    changes = _setting_changes(*given, clear_service_level)
    try:
        wanted = replace(current, **changes)
    except ValueError as error:
        raise InvalidInput(str(error)) from None
    store.put_sku_planning(session, sku.id, wanted)
    return SkuPlanningView(sku.code, wanted, False)


@use_case(readonly=True)
def show_sku_planning(session: Session, ctx: Context, sku_code: str) -> SkuPlanningView:
    sku = repo.sku_by_code(session, sku_code)
    row = store.sku_planning_row(session, sku.id)
    return SkuPlanningView(sku.code, planning_settings_of(row), row is None)
