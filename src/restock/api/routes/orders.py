"""Orders, availability and the backorder queue."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from restock.api.answers import ANSWERS_FROM_DATABASE, ANSWERS_FROM_MEMORY, AnswerCache
from restock.api.idempotency import NO_BODY, IdempotencyKey, run_idempotent
from restock.api.schemas import (
    AvailabilityBatchIn,
    AvailabilityOut,
    BackorderOut,
    Code,
    Email,
    ExternalRef,
    LineCancelIn,
    Moment,
    OrderIn,
    OrderOut,
    OrderPage,
)
from restock.api.security import Caller, Ctx, Storefront, Warehouse, forbidden, own_channel, require
from restock.domain.address import DeliveryAddress as Address
from restock.domain.cancelling import CancelledBy
from restock.domain.errors import NotFound
from restock.domain.model import OrderStatusName, ShippingPolicy
from restock.services import availability as availability_service
from restock.services import backorders as backorder_service
from restock.services import order_search, orders
from restock.services.apikeys import Principal, Role
from restock.services.context import Context

router = APIRouter(prefix="/v1")

OrderReader = Annotated[Principal, Depends(require(Role.STOREFRONT, Role.WAREHOUSE))]
"""Who reads orders: the warehouse (it ships them, to their address), a storefront (its own channel's), admin."""

SCHEMA_ORG = {
    "in_stock": "https://schema.org/InStock",
    "backorder": "https://schema.org/BackOrder",
    "preorder": "https://schema.org/PreOrder",
    "out_of_stock": "https://schema.org/OutOfStock",
}
OrderId = Annotated[str, Path(min_length=1, max_length=64, pattern="^[A-Za-z0-9_]+$")]


def order_key(who: Principal, key: str | None) -> str | None:
    """The key the order row carries: the API key's, so that two callers' keys never meet; hashed when it would
    not fit the column (a client's key may be 200 characters, the prefix makes it longer)."""
    if key is None:
        return None
    scoped = f"api:{who.key_id}:{key}"
    return scoped if len(scoped) <= 200 else f"api:{who.key_id}:sha256:{hashlib.sha256(key.encode()).hexdigest()}"


def order_json(view: orders.OrderView) -> dict[str, Any]:
    """The placed order as the idempotent answer stores it (the customer last, as it always was, then where it
    goes)."""
    address = view.delivery_address
    return {
        **view.to_json(),
        "customer": view.customer.model_dump(mode="json"),
        "delivery_address": None if address is None else address.model_dump(mode="json"),
    }


def availability_json(view: availability_service.AvailabilityView) -> dict[str, Any]:
    data = view.to_json()
    window = view.decision.ship_window
    dated = data["state"] in ("backorder", "preorder") and window is not None
    return {
        **data,
        "schema_org": SCHEMA_ORG[data["state"]],
        "availability_date": window.earliest.isoformat() if dated and window else None,
    }


def _readable_order(ctx: Context, who: Principal, order_id: str) -> orders.OrderView:
    """An order the caller may see: a storefront sees its own channel's, and cannot tell others from missing ones."""
    try:
        view = orders.show_order(ctx, order_id)
    except NotFound:
        if who.role is Role.STOREFRONT:
            raise forbidden() from None
        raise
    own_channel(who, view.channel)
    return view


@router.post("/orders", status_code=201, response_model=OrderOut, tags=["orders"])
def place_order(body: OrderIn, ctx: Ctx, who: Storefront, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Allocate from stock, backorder against confirmed supply where allowed, or refuse the whole order (409)
    listing every short line.

    With an `external_ref` (the shop's order number) the channel already has an order under: that order, 200, when
    the lines are the same (a re-sent order places nothing); 409 `external_ref_taken` when they differ."""
    own_channel(who, body.channel)
    request = _order_request(body, order_key(who, idempotency_key))
    replayed = False

    def place() -> dict[str, Any]:
        nonlocal replayed
        view = orders.place_order(ctx, request)
        replayed = view.replayed
        return order_json(view)

    return run_idempotent(ctx, who, idempotency_key, "orders", body, lambda _: 200 if replayed else 201, place)


def _order_request(body: OrderIn, key: str | None) -> orders.OrderRequest:
    address = body.delivery_address
    return orders.OrderRequest(
        channel=body.channel,
        email=body.customer.email,
        lines=tuple(orders.LineRequest(line.sku, line.quantity) for line in body.lines),
        priority=body.priority,
        idempotency_key=key,
        external_ref=body.external_ref,
        customer_name=body.customer.name,
        delivery_address=None if address is None else Address(**address.model_dump()),
        shipping_policy=None if body.shipping_policy is None else ShippingPolicy(body.shipping_policy),
    )


@router.get("/orders", response_model=OrderPage, tags=["orders"])
def list_orders(
    ctx: Ctx,
    who: OrderReader,
    status: Annotated[OrderStatusName | None, Query()] = None,
    channel: Annotated[Code | None, Query(description="A storefront key sees its own channel's orders only.")] = None,
    sku: Annotated[Code | None, Query(description="Orders with a line of this SKU.")] = None,
    email: Annotated[Email | None, Query(description="The customer's e-mail, exact, in any case.")] = None,
    external_ref: Annotated[ExternalRef | None, Query(description="The shop's order number.")] = None,
    placed_from: Annotated[Moment | None, Query(description="Placed at or after (a time without zone: UTC).")] = None,
    placed_to: Annotated[Moment | None, Query(description="Placed before (a time without zone: UTC).")] = None,
    delayed: Annotated[bool | None, Query(description="With (true) or without (false) a delayed waiting part.")] = None,
    has_backorder: Annotated[bool | None, Query(description="With (true) or without (false) units waiting.")] = None,
    limit: Annotated[int, Query(ge=1, le=order_search.MAX_LIMIT)] = order_search.DEFAULT_LIMIT,
    after: Annotated[
        str | None,
        Query(min_length=1, max_length=order_search.MAX_CURSOR, description="The `next` of the page before."),
    ] = None,
) -> OrderPage:
    """Orders, newest first, filtered; keyset-paged (`next` is the cursor of the next page, null on the last)."""
    if who.role is Role.STOREFRONT:
        channel = channel or who.channel
        own_channel(who, channel or "")
    query = order_search.OrderQuery(
        status=status,
        channel=channel,
        sku=sku,
        email=email,
        external_ref=external_ref,
        placed_from=placed_from,
        placed_to=placed_to,
        delayed=delayed,
        has_backorder=has_backorder,
        limit=limit,
        after=after,
    )
    return order_search.search_orders(ctx, query)


@router.get("/orders/{order_id}", response_model=OrderOut, tags=["orders"])
def get_order(order_id: OrderId, ctx: Ctx, who: OrderReader) -> OrderOut:
    """The order with its customer and delivery address: for the warehouse, admin, and the storefront of its channel."""
    return _readable_order(ctx, who, order_id)


@router.post("/orders/{order_id}/cancel", response_model=OrderOut, tags=["orders"])
def cancel_order(order_id: OrderId, ctx: Ctx, who: Caller, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Cancel every open line: what they held goes to the next waiting backorder at once. Admin only."""
    if who.role is not Role.ADMIN:
        raise forbidden()
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"orders:{order_id}:cancel",
        NO_BODY,
        200,
        lambda: order_json(orders.cancel_order(ctx, order_id)),
    )


@router.post("/orders/{order_id}/lines/{sku}/cancel", response_model=OrderOut, tags=["orders"])
def cancel_line(
    order_id: OrderId,
    sku: Code,
    ctx: Ctx,
    who: Caller,
    body: LineCancelIn | None = None,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Cancel `quantity` open units of the line (all of them without one): the backordered units first, then the
    allocated ones. An admin key cancels any open unit (the e-mail says the shop had to); a storefront key only
    backordered units of its own channel's orders, on its customer's behalf (403 if the cancel would touch
    allocated units)."""
    by = cancelled_by(who)
    if by is CancelledBy.SHOP:
        _readable_order(ctx, who, order_id)
    wanted = body or LineCancelIn()
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"orders:{order_id}:cancel:{sku}",
        wanted,
        200,
        lambda: order_json(orders.cancel_line(ctx, order_id, sku, wanted.quantity, by)),
    )


def cancelled_by(who: Principal) -> CancelledBy:
    """An admin cancels as the merchant, a storefront on its customer's behalf; a warehouse key may not cancel."""
    if who.role is Role.ADMIN:
        return CancelledBy.MERCHANT
    if who.role is Role.STOREFRONT:
        return CancelledBy.SHOP
    raise forbidden()


@router.post("/orders/{order_id}/ship", response_model=OrderOut, tags=["orders"])
def ship_order(order_id: OrderId, ctx: Ctx, who: Warehouse, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Ship every unit allocated now, as one shipment per warehouse; a line still waiting for stock ships what it
    holds and keeps waiting for the rest (warehouse or admin key). `POST /v1/orders/{id}/shipments` does the same,
    with tracking and a choice of lines."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"orders:{order_id}:ship",
        NO_BODY,
        200,
        lambda: order_json(orders.ship_order(ctx, order_id)),
    )


@router.get("/availability/{sku}", response_model=AvailabilityOut, tags=["availability"])
async def get_availability(
    request: Request, sku: Code, ctx: Ctx, who: Storefront, channel: Annotated[Code | None, Query()] = None
) -> Response:
    """What a shopper sees, with the schema.org value and `availability_date` for JSON-LD and merchant feeds.
    A storefront key may leave out `channel`: its own is used. The answer may be up to
    `RESTOCK_AVAILABILITY_CACHE_SECONDS` old (an order always decides afresh)."""
    channel = channel or who.channel
    if channel is None:
        raise NotFound("name the channel: ?channel=CODE")
    own_channel(who, channel)
    answers: AnswerCache = request.app.state.answers
    key = (sku, channel, ctx.clock.today())
    body = answers.get(key)
    if body is None:
        generation = answers.generation()
        [view] = await run_in_threadpool(availability_service.availability, ctx, sku, channel)
        body = json.dumps(availability_json(view), separators=(",", ":")).encode()
        answers.put(key, body, generation)
        ANSWERS_FROM_DATABASE.inc()
    else:
        ANSWERS_FROM_MEMORY.inc()
    return Response(body, media_type="application/json")  # already in shape: skip re-validating the hottest read


@router.post("/availability", response_model=list[AvailabilityOut], tags=["availability"])
def batch_availability(body: AvailabilityBatchIn, ctx: Ctx, who: Storefront) -> JSONResponse:
    """Up to 500 SKUs at once, for a product listing page; in the order asked."""
    own_channel(who, body.channel)
    views = availability_service.availability_many(ctx, body.skus, body.channel)
    return JSONResponse([availability_json(v) for v in views])


@router.get("/backorders", response_model=list[BackorderOut], tags=["backorders"])
def list_backorders(
    ctx: Ctx,
    who: Warehouse,
    sku: Annotated[Code | None, Query()] = None,
    warehouse: Annotated[Code | None, Query(description="Only backorders this warehouse's receipts can fill.")] = None,
    min_age_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    delayed: Annotated[bool | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[BackorderOut]:
    """The waiting queue in fill order (priority, then order time), filterable."""
    older_than = ctx.clock.now() - timedelta(days=min_age_days) if min_age_days is not None else None
    return backorder_service.waiting_backorders(ctx, sku, limit, warehouse, older_than, delayed)
