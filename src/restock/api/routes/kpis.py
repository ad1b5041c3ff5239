"""The numbers that show the business (`GET /v1/kpis`) and the backorder policy advice built on them
(`GET /v1/policy/advice`): for a key that may read the plan (warehouse or admin).

The response models are the use cases' read models (`restock.services.kpis`, `restock.services.advice`), declared
once below the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from restock.api.schemas import Code
from restock.api.security import Ctx, Warehouse
from restock.services.advice import PolicyAdviceOut, advise_backorder_policies
from restock.services.kpis import DEFAULT_KPI_DAYS, MAX_KPI_DAYS, KpiQuery, KpiReport, business_kpis

router = APIRouter(prefix="/v1")


@router.get("/kpis", response_model=KpiReport, tags=["planning"])
def get_kpis(
    ctx: Ctx,
    who: Warehouse,
    channel: Annotated[Code | None, Query(description="Only this channel's orders and sign-ups.")] = None,
    sku: Annotated[Code | None, Query(description="Only this SKU.")] = None,
    supplier: Annotated[Code | None, Query(description="Only the SKUs this supplier offers.")] = None,
    days: Annotated[int, Query(ge=1, le=MAX_KPI_DAYS, description="Days before today to measure.")] = DEFAULT_KPI_DAYS,
) -> KpiReport:
    """Fill rate, backorder rate, promises kept and the delay beyond them, backorder cancellations (in total and by
    the wait promised), estimated lost demand on out-of-stock days, notify-me sign-ups, inventory value and days of
    cover: in total, day by day, per channel, SKU and supplier, over the `days` full days before today."""
    return business_kpis(ctx, KpiQuery(channel=channel, sku=sku, supplier=supplier, days=days))


@router.get("/policy/advice", response_model=list[PolicyAdviceOut], tags=["planning"])
def get_policy_advice(
    ctx: Ctx, who: Warehouse, sku: Annotated[Code | None, Query(description="Only this SKU.")] = None
) -> list[PolicyAdviceOut]:
    """Per SKU, the backorder policy (`never`, `confirmed` with a `max_wait_days`, `always`) that pays by the last 90
    days' cancellations by promised wait, the suppliers' lateness, lost demand and margin; why, what it expects to
    change, and the `restock sku set` command that applies it. Recommends only: nothing is changed."""
    return advise_backorder_policies(ctx, sku)
