"""Fulfilment: shipping an order (one shipment per warehouse), its shipments, and the pick list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from restock.api.fulfilment_schemas import ShipmentIn
from restock.api.idempotency import IdempotencyKey, run_idempotent
from restock.api.routes.orders import OrderId, OrderReader
from restock.api.schemas import Code
from restock.api.security import Ctx, Warehouse, forbidden, own_channel
from restock.domain.errors import NotFound
from restock.services import shipping
from restock.services.apikeys import Role
from restock.services.shipment_views import PickPage, ShipmentOut, ShippedOut

router = APIRouter(prefix="/v1", tags=["fulfilment"])


@router.post("/orders/{order_id}/shipments", status_code=201, response_model=ShippedOut)
def ship(
    order_id: OrderId, ctx: Ctx, who: Warehouse, body: ShipmentIn | None = None, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Ship what is allocated now: every allocated unit, or the named lines' quantities (422 for more than is
    allocated); one shipment per warehouse the units leave from. A line still waiting for stock ships what it holds
    and keeps waiting. 409 when nothing can ship (nothing allocated, or the order ships complete and is not whole).
    Warehouse or admin key."""
    body = body or ShipmentIn()
    request = shipping.ShipmentRequest(
        lines=tuple((line.sku, line.quantity) for line in body.lines or ()),
        carrier=body.carrier,
        tracking_number=body.tracking_number,
        tracking_url=body.tracking_url,
    )
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"orders:{order_id}:shipments",
        body,
        201,
        lambda: shipping.ship(ctx, order_id, request).to_json(),
    )


@router.get("/orders/{order_id}/shipments", response_model=list[ShipmentOut])
def shipments(order_id: OrderId, ctx: Ctx, who: OrderReader) -> list[ShipmentOut]:
    """The order's shipments, oldest first. Warehouse or admin key, or a storefront key for its own channel's orders
    (403 for another channel's, as for `GET /v1/orders/{id}`: a storefront cannot tell them from missing ones)."""
    try:
        found = shipping.shipments_of_order(ctx, order_id)
    except NotFound:
        if who.role is Role.STOREFRONT:
            raise forbidden() from None
        raise
    own_channel(who, found.channel)
    return found.shipments


@router.get("/fulfilment/ready", response_model=PickPage)
def ready(
    ctx: Ctx,
    who: Warehouse,
    warehouse: Annotated[Code | None, Query(description="Only what ships from this warehouse.")] = None,
    limit: Annotated[int, Query(ge=1, le=shipping.MAX_PICK_LIMIT)] = shipping.DEFAULT_PICK_LIMIT,
    after: Annotated[
        str | None,
        Query(min_length=1, max_length=shipping.MAX_CURSOR, description="The `next` of the page before."),
    ] = None,
) -> PickPage:
    """The pick list: what can ship now, one entry per order and warehouse, with the shop's order number. Units a
    receipt filled, waiting at the dock (`cross_dock`, `at_dock`), come first; then the oldest orders. An order that
    ships complete appears only once it is whole. Keyset-paged: `next` is the cursor of the next page, null on the
    last."""
    return shipping.pick_list(ctx, warehouse, limit, after)
