"""Purchase orders: create, send, confirm with an ETA, change the ETA, receive, cancel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from restock.api.idempotency import NO_BODY, IdempotencyKey, run_idempotent
from restock.api.schemas import EtaIn, PurchaseOrderIn, PurchaseOrderOut, ReceiptIn
from restock.api.security import Admin, Ctx, Warehouse
from restock.domain.model import POStatusName
from restock.domain.validation import MAX_ID
from restock.services import purchasing
from restock.services.shipment_views import ReceiptOut

router = APIRouter(prefix="/v1/purchase-orders", tags=["purchase orders"])
PoStatus = POStatusName
PoId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.post("", status_code=201, response_model=PurchaseOrderOut)
def create(body: PurchaseOrderIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """A draft PO, optionally with the seller's own number for it (`reference`: unique, a second PO with the same
    one is a 409)."""
    lines = [(line.sku, line.quantity) for line in body.lines]
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        "purchase-orders",
        body,
        201,
        lambda: purchasing.create_po(ctx, body.supplier, body.warehouse, lines, reference=body.reference).to_json(),
    )


@router.get("", response_model=list[PurchaseOrderOut])
def list_all(ctx: Ctx, who: Warehouse, status: Annotated[PoStatus | None, Query()] = None) -> list[PurchaseOrderOut]:
    return purchasing.list_pos(ctx, status)


@router.get("/{po_id}", response_model=PurchaseOrderOut)
def get(po_id: PoId, ctx: Ctx, who: Warehouse) -> PurchaseOrderOut:
    """The PO with its lines (ordered, received, promised) and its full ETA history."""
    return purchasing.show_po(ctx, po_id)


@router.post("/{po_id}/send", response_model=PurchaseOrderOut)
def send(po_id: PoId, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    return run_idempotent(
        ctx, who, idempotency_key, f"po:{po_id}:send", NO_BODY, 200, lambda: purchasing.send_po(ctx, po_id).to_json()
    )


@router.post("/{po_id}/confirm", response_model=PurchaseOrderOut)
def confirm(po_id: PoId, body: EtaIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """The supplier confirmed a date: from now on the PO can carry backorders."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"po:{po_id}:confirm",
        body,
        200,
        lambda: purchasing.confirm_po(ctx, po_id, body.eta).to_json(),
    )


@router.post("/{po_id}/eta", response_model=PurchaseOrderOut)
def change_eta(po_id: PoId, body: EtaIn, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Move the ETA: pegged backorders get new windows, and later ones are marked delayed."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"po:{po_id}:eta",
        body,
        200,
        lambda: purchasing.change_eta(ctx, po_id, body.eta).to_json(),
    )


@router.post("/{po_id}/receipts", status_code=201, response_model=ReceiptOut)
def receive(
    po_id: PoId, body: ReceiptIn, ctx: Ctx, who: Warehouse, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Book arriving units: waiting backorders are filled first (pegged, priority, FIFO). Answers with the PO and
    what the receipt did: `filled`, the orders and units it filled (at the dock, ready to ship: they head the pick
    list), and `to_free_stock`, what no backorder took."""
    lines = [(line.sku, line.quantity) for line in body.lines]
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"receipts:{po_id}",
        body,
        201,
        lambda: purchasing.receive_po(ctx, po_id, lines).to_json(),
    )


@router.post("/{po_id}/cancel", response_model=PurchaseOrderOut)
def cancel(po_id: PoId, ctx: Ctx, who: Admin, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    """Cancel: its backorders move to other confirmed supply, or are un-promised."""
    return run_idempotent(
        ctx,
        who,
        idempotency_key,
        f"po:{po_id}:cancel",
        NO_BODY,
        200,
        lambda: purchasing.cancel_po(ctx, po_id).to_json(),
    )
