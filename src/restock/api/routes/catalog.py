"""Catalog and stock: warehouses, channels, suppliers, SKUs with their policy; balances, ledger, adjustments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from restock.api.catalog_schemas import ChannelPatch, SkuPatch, SupplierPatch
from restock.api.idempotency import NO_BODY, IdempotencyKey, run_idempotent
from restock.api.schemas import (
    AdjustmentIn,
    BalanceOut,
    ChannelIn,
    ChannelOut,
    Code,
    LedgerPage,
    SkuIn,
    SkuOut,
    SupplierIn,
    SupplierOut,
    WarehouseIn,
    WarehouseOut,
)
from restock.api.security import Admin, Ctx, Warehouse
from restock.domain.validation import MAX_ID
from restock.services import catalog, catalog_edits, stock

router = APIRouter(prefix="/v1")
CodePath = Annotated[Code, Path()]


@router.get("/warehouses", response_model=list[WarehouseOut], tags=["catalog"])
def list_warehouses(ctx: Ctx, who: Warehouse) -> list[WarehouseOut]:
    return catalog.list_warehouses(ctx)


@router.post("/warehouses", status_code=201, response_model=WarehouseOut, tags=["catalog"])
def add_warehouse(body: WarehouseIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    def produce() -> dict[str, Any]:
        catalog.add_warehouse(ctx, body.code, body.name)
        return WarehouseOut(code=body.code, name=body.name or body.code).to_json()

    return run_idempotent(ctx, who, idempotency_key, "warehouses", body, 201, produce)


@router.get("/channels", response_model=list[ChannelOut], tags=["catalog"])
def list_channels(ctx: Ctx, who: Warehouse) -> list[ChannelOut]:
    return catalog.list_channels(ctx)


@router.post("/channels", status_code=201, response_model=ChannelOut, tags=["catalog"])
def add_channel(body: ChannelIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    def produce() -> dict[str, Any]:
        catalog.add_channel(ctx, body.code, body.warehouses, body.name, body.safety_buffer)
        return ChannelOut(
            code=body.code, name=body.name or body.code, warehouses=body.warehouses, safety_buffer=body.safety_buffer
        ).to_json()

    return run_idempotent(ctx, who, idempotency_key, "channels", body, 201, produce)


@router.get("/suppliers", response_model=list[SupplierOut], tags=["catalog"])
def list_suppliers(ctx: Ctx, who: Warehouse) -> list[SupplierOut]:
    return catalog.list_suppliers(ctx)


@router.post("/suppliers", status_code=201, response_model=SupplierOut, tags=["catalog"])
def add_supplier(body: SupplierIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    def produce() -> dict[str, Any]:
        catalog.add_supplier(ctx, body.code, body.lead_time_days, body.name)
        name = body.name or body.code
        return SupplierOut(
            code=body.code, name=name, lead_time_days=body.lead_time_days, lateness_p90_days=None
        ).to_json()

    return run_idempotent(ctx, who, idempotency_key, "suppliers", body, 201, produce)


@router.get("/skus", response_model=list[SkuOut], tags=["catalog"])
def list_skus(
    ctx: Ctx,
    who: Warehouse,
    archived: Annotated[bool, Query(description="Also list archived SKUs (each says whether it is).")] = False,
) -> list[SkuOut]:
    """The SKUs on sale, by code; archived ones are left out unless `archived=true`."""
    return catalog.list_skus(ctx, archived)


@router.post("/skus", status_code=201, response_model=SkuOut, tags=["catalog"])
def add_sku(body: SkuIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    def produce() -> dict[str, Any]:
        catalog.add_sku(
            ctx,
            body.code,
            body.name,
            body.price,
            body.backorder,
            body.max_wait_days,
            body.backorder_limit,
            body.release_date,
            body.product_url,
        )
        return SkuOut.model_validate({**body.model_dump(), "name": body.name or body.code}).to_json()

    return run_idempotent(ctx, who, idempotency_key, "skus", body, 201, produce)


@router.patch("/channels/{code}", response_model=ChannelOut, tags=["catalog"])
def edit_channel(
    code: CodePath, body: ChannelPatch, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Change the fields sent: the warehouses (the whole ordered list), the safety buffer, the shipping policy.
    New orders follow at once; what is allocated or promised stays."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"channels/{code}:patch",
        body,
        200,
        lambda: catalog_edits.edit_channel(ctx, code, body.edit()).to_json(),
    )


@router.patch("/suppliers/{code}", response_model=SupplierOut, tags=["catalog"])
def edit_supplier(
    code: CodePath, body: SupplierPatch, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Change the supplier's name or usual lead time; confirmed POs keep their ETAs, backorders their windows."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"suppliers/{code}:patch",
        body,
        200,
        lambda: catalog_edits.edit_supplier(ctx, code, body.edit()).to_json(),
    )


@router.patch("/skus/{code}", response_model=SkuOut, tags=["catalog"])
def edit_sku(
    code: CodePath, body: SkuPatch, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Change the fields sent (`null` clears `release_date` or `product_url`). The change applies to new orders and
    availability answers at once; backorders already taken keep their windows."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"skus/{code}:patch",
        body,
        200,
        lambda: catalog_edits.edit_sku(ctx, code, body.edit()).to_json(),
    )


@router.post("/skus/{code}/archive", response_model=SkuOut, tags=["catalog"])
def archive_sku(code: CodePath, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Stop selling the SKU: orders for it are refused, availability says out of stock (reason `archived`), lists
    leave it out. Its movements, orders and POs stay readable, and its open orders still ship."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"skus/{code}:archive",
        NO_BODY,
        200,
        lambda: catalog_edits.archive_sku(ctx, code).to_json(),
    )


@router.post("/skus/{code}/unarchive", response_model=SkuOut, tags=["catalog"])
def unarchive_sku(code: CodePath, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Sell the SKU again, with the settings it had."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"skus/{code}:unarchive",
        NO_BODY,
        200,
        lambda: catalog_edits.unarchive_sku(ctx, code).to_json(),
    )


@router.get("/stock", response_model=list[BalanceOut], tags=["stock"])
def balances(ctx: Ctx, who: Warehouse, sku: Annotated[Code | None, Query()] = None) -> list[BalanceOut]:
    """Balances per SKU and warehouse."""
    return stock.balances(ctx, sku)


@router.get("/stock/movements", response_model=LedgerPage, tags=["stock"])
def movements(
    ctx: Ctx,
    who: Warehouse,
    sku: Annotated[Code | None, Query()] = None,
    after: Annotated[int, Query(ge=0, le=MAX_ID, description="Id of the last movement of the previous page.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LedgerPage:
    """The append-only ledger, oldest first, a page at a time."""
    page = stock.ledger(ctx, sku, after, limit)
    return LedgerPage(items=page, next_after=page[-1].id if len(page) == limit else None)


@router.post("/stock/adjustments", status_code=201, response_model=BalanceOut, tags=["stock"])
def adjust(body: AdjustmentIn, ctx: Ctx, who: Warehouse, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Count corrections, damage, found stock, with a reason; never below what customers hold."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        "adjustments",
        body,
        201,
        lambda: stock.adjust_stock(ctx, body.sku, body.warehouse, body.delta, body.reason).to_json(),
    )
