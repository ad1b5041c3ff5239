"""Replenishment planning: supplier scorecards and terms, SKU planning settings, the plan (JSON or CSV), the radar,
and the stored plan runs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import JSONResponse, Response

from restock.api.idempotency import IdempotencyKey, run_idempotent
from restock.api.planning_schemas import (
    PlanOrdersIn,
    PlanOrdersOut,
    PlanOut,
    RiskOut,
    SkuPlanningIn,
    SkuPlanningOut,
    SupplierScoreOut,
    SupplierTermsIn,
    SupplierTermsOut,
)
from restock.api.schemas import Code
from restock.api.security import Admin, Ctx, Warehouse
from restock.domain.validation import MAX_ID
from restock.services import plan_runs, planning, terms
from restock.services.planning_views import PlanCompareOut, PlanRunDetailOut, PlanRunOut, plan_csv
from restock.services.reliability import supplier_scorecard

router = APIRouter(prefix="/v1")
CodePath = Annotated[Code, Path()]


@router.get("/suppliers/scorecard", response_model=list[SupplierScoreOut], tags=["planning"])
def scorecards(ctx: Ctx, who: Warehouse) -> list[dict[str, Any]]:
    """Every supplier's measured lead time, ETA slips, on-time and fill rates, and per SKU where history allows."""
    return [s.to_json() for s in supplier_scorecard(ctx)]


@router.get("/suppliers/{code}/scorecard", response_model=list[SupplierScoreOut], tags=["planning"])
def scorecard(code: CodePath, ctx: Ctx, who: Warehouse) -> list[dict[str, Any]]:
    """One supplier's scorecard: the supplier first, then its SKUs with enough history."""
    return [s.to_json() for s in supplier_scorecard(ctx, code)]


@router.get("/suppliers/{code}/skus", response_model=list[SupplierTermsOut], tags=["planning"])
def supplier_terms(code: CodePath, ctx: Ctx, who: Warehouse) -> list[SupplierTermsOut]:
    return terms.list_supplier_terms(ctx, code)


@router.put("/suppliers/{code}/skus/{sku}", response_model=SupplierTermsOut, tags=["planning"])
def set_supplier_terms(code: CodePath, sku: CodePath, body: SupplierTermsIn, ctx: Ctx, who: Admin) -> SupplierTermsOut:
    """What this supplier offers for the SKU; the planner suggests purchases only on recorded terms."""
    return terms.set_supplier_terms(
        ctx,
        code,
        sku,
        unit_cost=body.unit_cost,
        moq=body.moq,
        pack_size=body.pack_size,
        lead_time_days=body.lead_time_days,
    )


@router.get("/skus/{code}/planning", response_model=SkuPlanningOut, tags=["planning"])
def sku_planning(code: CodePath, ctx: Ctx, who: Warehouse) -> dict[str, Any]:
    return terms.show_sku_planning(ctx, code).to_json()


@router.put("/skus/{code}/planning", response_model=SkuPlanningOut, tags=["planning"])
def set_sku_planning(code: CodePath, body: SkuPlanningIn, ctx: Ctx, who: Admin) -> dict[str, Any]:
    """Change the fields sent; the others keep their values."""
    return terms.set_sku_planning(
        ctx,
        code,
        review_days=body.review_days,
        policy=body.policy,
        order_cost=body.order_cost,
        holding_rate_pct=body.holding_rate_pct,
        service_level_pct=body.service_level_pct,
        clear_service_level="service_level_pct" in body.model_fields_set and body.service_level_pct is None,
    ).to_json()


CSV = "text/csv"


def wants_csv(accept: str | None, format_: str | None) -> bool:
    """`?format=csv`, or (without `format`) an Accept header naming text/csv before any JSON type."""
    if format_ is not None:
        return format_ == "csv"
    types = [part.split(";")[0].strip().lower() for part in (accept or "").split(",")]
    csv_at = types.index(CSV) if CSV in types else None
    json_at = next((i for i, t in enumerate(types) if t in ("application/json", "application/*", "*/*")), None)
    return csv_at is not None and (json_at is None or csv_at < json_at)


@router.get(
    "/plan",
    response_model=PlanOut,
    tags=["planning"],
    responses={200: {"content": {CSV: {"schema": {"type": "string"}}}, "description": "The plan (JSON or CSV)."}},
)
def get_plan(
    ctx: Ctx,
    who: Warehouse,
    format_: Annotated[
        Literal["json", "csv"] | None,
        Query(alias="format", description="csv: the suggestions as CSV (as does `Accept: text/csv`)."),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> PlanOut | Response:
    """Today's purchase suggestions for every SKU x warehouse, most urgent first, with totals per supplier
    (forecasts are computed: this takes a while on a large catalog). As CSV with `?format=csv` or
    `Accept: text/csv`: one row per suggestion, one column per field, as `restock plan --csv` writes it."""
    report = planning.plan(ctx)
    if not wants_csv(accept, format_):
        return report
    return Response(
        plan_csv(report.suggestions),
        media_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="plan-{report.today}.csv"'},
    )


@router.post("/plan/purchase-orders", status_code=201, response_model=PlanOrdersOut, tags=["planning"])
def create_plan_orders(
    body: PlanOrdersIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Plan, then turn the suggestions (all, or those of `skus`) into draft POs, one per supplier and warehouse.
    The plan counts every open PO, drafts included: called again, it drafts nothing that is already covered."""

    def produce() -> dict[str, Any]:
        report = planning.plan(ctx)
        wanted = None if body.skus is None else set(body.skus)
        chosen = [s for s in report.suggestions if wanted is None or s.sku in wanted]
        created = planning.create_purchase_orders(ctx, chosen)
        return report.to_json() | {"purchase_orders": [po.to_json() for po in created]}

    return run_idempotent(ctx, who, idempotency_key, "plan-purchase-orders", body, 201, produce)


@router.get("/radar", response_model=list[RiskOut], tags=["planning"])
def get_radar(ctx: Ctx, who: Warehouse) -> list[RiskOut]:
    """SKU x warehouses projected to run short or below safety stock over the plan's horizon, flagged, most
    revenue at risk first."""
    return planning.plan(ctx).radar


RunId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/plan/runs", response_model=list[PlanRunOut], tags=["planning"])
def list_plan_runs(
    ctx: Ctx,
    who: Warehouse,
    limit: Annotated[int, Query(ge=1, le=plan_runs.MAX_LIST, description="How many runs, newest first.")] = 30,
) -> list[PlanRunOut]:
    """The stored plan runs, newest first: the worker's daily plan, and `restock plan --record`."""
    return plan_runs.list_plan_runs(ctx, limit)


@router.get("/plan/runs/{run_id}", response_model=PlanRunDetailOut, tags=["planning"])
def get_plan_run(run_id: RunId, ctx: Ctx, who: Warehouse) -> PlanRunDetailOut:
    """A stored run with its suggestions (in its order), its totals per supplier and the drafts it made."""
    return plan_runs.show_plan_run(ctx, run_id)


@router.get("/plan/runs/{run_id}/compare", response_model=PlanCompareOut, tags=["planning"])
def compare_plan_run(
    run_id: RunId,
    ctx: Ctx,
    who: Warehouse,
    with_run: Annotated[
        int | None,
        Query(alias="with", ge=1, le=MAX_ID, description="The run to compare with (default: the one before)."),
    ] = None,
) -> PlanCompareOut:
    """The run against another: new suggestions, dropped ones, changed quantities, and totals per supplier."""
    return plan_runs.compare_plan_runs(ctx, run_id, with_run)
