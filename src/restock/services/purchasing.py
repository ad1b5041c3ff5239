"""Purchase orders: create, send, confirm with an ETA, move the ETA, receive, cancel.

Receiving fills waiting backorders before stock becomes free; an ETA change re-promises the
backorders pegged to the PO; a cancellation moves them to other confirmed supply, or un-promises them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from restock.domain import validation as valid
from restock.domain.errors import Conflict, InvalidInput, NotFound
from restock.domain.events import POCancelled
from restock.domain.imports import reference as po_reference
from restock.domain.model import OPEN_PO_STATUSES, MovementKind, POStatus
from restock.domain.purchasing import eta_within_reach
from restock.domain.shipping import order_may_ship
from restock.services.availability_watch import watching_availability
from restock.services.context import Context, use_case
from restock.services.promising import apply_new_window, repeg_parts, waiting_parts_on
from restock.services.shipment_views import FilledOut, FreeStockOut, ReceiptOut
from restock.services.supply import refresh_supplier_lateness, window_for
from restock.services.views import EtaChangeOut, PurchaseOrderLineOut, PurchaseOrderOut
from restock.store import purchasing as pos
from restock.store import repo, shipments
from restock.store.fill import FillResult, stock_arrives
from restock.store.outbox import emit
from restock.store.schema import POLine, PurchaseOrder, Sku, Supplier, Warehouse
from restock.store.supply import open_for_promises

POLineView = PurchaseOrderLineOut
EtaChangeView = EtaChangeOut
POView = PurchaseOrderOut


def po_view(session: Session, po: PurchaseOrder) -> POView:
    lines = pos.line_rows(session, po.id)
    history = pos.eta_history(session, po.id)
    return POView(
        id=po.id,
        reference=po.reference,
        supplier=session.get_one(Supplier, po.supplier_id).code,
        warehouse=session.get_one(Warehouse, po.warehouse_id).code,
        status=po.status,
        eta=po.eta,
        eta_confirmed=po.eta_confirmed,
        lines=[
            POLineView(sku=sku, ordered=ordered, received=received, promised=promised)
            for sku, ordered, received, promised in lines
        ],
        eta_history=[EtaChangeView(old_eta=c.old_eta, new_eta=c.new_eta, changed_at=c.changed_at) for c in history],
    )


def _check_lines(lines: Sequence[tuple[str, int]]) -> None:
    if not lines:
        raise InvalidInput("at least one line SKU:QTY is needed")
    for sku, quantity in lines:
        valid.code(sku, "SKU code")
        valid.quantity(quantity, f"quantity of {sku}")
    if len({sku for sku, _ in lines}) != len(lines):
        raise InvalidInput("a SKU appears on two lines: put its whole quantity on one line")


def _require_status(po: PurchaseOrder, allowed: set[POStatus], action: str) -> None:
    if POStatus(po.status) not in allowed:
        raise Conflict(f"cannot {action} purchase order {po.id}: it is {po.status}")


@use_case()
def create_po(
    session: Session,
    ctx: Context,
    supplier_code: str,
    warehouse_code: str,
    lines: Sequence[tuple[str, int]],
    *,
    reference: str | None = None,
) -> POView:
    """A draft PO; `reference` is the seller's own number for it (unique; an import finds the PO by it)."""
    return new_draft_po(session, ctx, supplier_code, warehouse_code, lines, reference=reference)


def new_draft_po(
    session: Session,
    ctx: Context,
    supplier_code: str,
    warehouse_code: str,
    lines: Sequence[tuple[str, int]],
    *,
    reference: str | None = None,
) -> POView:
    """A draft PO inside the caller's transaction (the planner creates several at once, all or none)."""
    _check_lines(lines)
    if reference is not None:
        _check_reference_free(session, po_reference(reference))
    supplier = repo.supplier_by_code(session, supplier_code)
    warehouse = repo.warehouse_by_code(session, warehouse_code)
    skus = [(repo.sku_by_code(session, sku).id, quantity) for sku, quantity in lines]
    try:
        po = pos.add_draft(session, supplier.id, warehouse.id, skus, ctx.clock.now(), reference=reference)
    except IntegrityError:  # another transaction took the reference between the check and the insert
        raise _reference_taken(reference) from None
    return po_view(session, po)


def _check_reference_free(session: Session, reference: str) -> None:
    if pos.id_by_reference(session, reference) is not None:
        raise _reference_taken(reference)


def _reference_taken(reference: str | None) -> Conflict:
    return Conflict(f"a purchase order with the reference {reference!r} exists already: a reference names one PO")


@use_case()
def send_po(session: Session, ctx: Context, po_id: int) -> POView:
    po = repo.purchase_order(session, po_id, for_update=True)
    _require_status(po, {POStatus.DRAFT}, "send")
    po.status, po.sent_at = POStatus.SENT.value, ctx.clock.now()
    return po_view(session, po)


@use_case()
def confirm_po(session: Session, ctx: Context, po_id: int, eta: date) -> POView:
    """The supplier confirmed the PO with a date: from now on its open quantity can carry backorders."""
    po = repo.purchase_order(session, po_id, for_update=True)
    _require_status(po, {POStatus.DRAFT, POStatus.SENT}, "confirm")
    with watching_availability(session, ctx, pos.sku_ids(session, po_id)):
        return _confirm(session, ctx, po, eta)


def _confirm(session: Session, ctx: Context, po: PurchaseOrder, eta: date) -> POView:
    now = ctx.clock.now()
    pos.record_eta(session, po, eta_within_reach(eta, ctx.clock.today()), now)
    po.status, po.eta_confirmed, po.confirmed_at = POStatus.CONFIRMED.value, True, now
    po.sent_at = po.sent_at or now
    po.first_confirmed_eta = po.first_confirmed_eta or eta
    open_for_promises(session, po.id, True)
    return po_view(session, po)


@use_case()
def change_eta(session: Session, ctx: Context, po_id: int, eta: date) -> POView:
    """Move the ETA: kept in the history, and every backorder pegged to the PO gets its new window."""
    _lock_skus_of(session, po_id)  # SKU locks first, as every use case takes them
    po = repo.purchase_order(session, po_id, for_update=True)
    _require_status(po, {POStatus.SENT, POStatus.CONFIRMED, POStatus.PARTIALLY_RECEIVED}, "change the ETA of")
    eta_within_reach(eta, ctx.clock.today())
    if eta == po.eta:
        raise InvalidInput(f"purchase order {po_id} already has ETA {eta}")
    with watching_availability(session, ctx, pos.sku_ids(session, po_id)):
        return _move_eta(session, ctx, po, eta)


def _move_eta(session: Session, ctx: Context, po: PurchaseOrder, eta: date) -> POView:
    now = ctx.clock.now()
    pos.record_eta(session, po, eta, now)
    session.flush()
    refresh_supplier_lateness(session, po.supplier_id, ctx.clock.today())
    if po.eta_confirmed:
        supplier = session.get_one(Supplier, po.supplier_id)
        session.refresh(supplier)
        window = window_for(ctx.settings, eta, supplier.lateness_p90_days)
        for part in waiting_parts_on(session, pos.line_ids(session, po.id)):
            apply_new_window(session, part, window, now)
    session.flush()
    return po_view(session, po)


def _lock_skus_of(session: Session, po_id: int) -> None:
    """Take the SKU locks of the PO's lines first: receipts fill queues, ETA changes and cancels move promises."""
    repo.lock_skus(session, pos.sku_ids(session, po_id))


@use_case()
def receive_po(session: Session, ctx: Context, po_id: int, lines: Sequence[tuple[str, int]]) -> ReceiptOut:
    """Book arriving units: each line's units go to waiting backorders (pegged to it first) before they are free.

    Answers with the PO and what the receipt did: the orders and units it filled (at the dock, ready to ship
    straight away: they head the pick list) and what became free stock."""
    _check_lines(lines)
    _lock_skus_of(session, po_id)  # SKU locks first, as every use case takes them
    po = repo.purchase_order(session, po_id, for_update=True)
    _require_status(po, {POStatus.SENT, POStatus.CONFIRMED, POStatus.PARTIALLY_RECEIVED}, "receive")
    with watching_availability(session, ctx, pos.sku_ids(session, po_id)):
        return _receive(session, ctx, po, lines)


def _receive(session: Session, ctx: Context, po: PurchaseOrder, lines: Sequence[tuple[str, int]]) -> ReceiptOut:
    po_id = po.id
    now = ctx.clock.now()
    received = []
    for sku_code, quantity in lines:
        sku = repo.sku_by_code(session, sku_code)
        line = pos.line_for(session, po.id, sku.id)
        if line is None:
            raise NotFound(f"purchase order {po_id} has no line for {sku_code}")
        if quantity > line.ordered - line.received:
            raise InvalidInput(
                f"cannot receive {quantity} of {sku_code}: only {line.ordered - line.received} are still open"
            )
        received.append((sku, line, quantity))
    fills = [
        _receive_line(session, po, sku, line, quantity, now) for sku, line, quantity in sorted(received, key=_by_sku)
    ]
    po.received_at = po.received_at or now
    session.flush()
    open_left = pos.has_open_lines(session, po.id)
    po.status = (POStatus.PARTIALLY_RECEIVED if open_left else POStatus.RECEIVED).value
    if not open_left:
        open_for_promises(session, po.id, False)  # closed: nothing left to promise from
    refresh_supplier_lateness(session, po.supplier_id, ctx.clock.today())
    session.flush()
    return _receipt_answer(session, po, [(sku.code, quantity) for sku, _, quantity in received], fills)


def _by_sku(received: tuple[Sku, POLine, int]) -> int:
    return received[0].id


def _receipt_answer(
    session: Session, po: PurchaseOrder, received: Sequence[tuple[str, int]], fills: Sequence[FillResult]
) -> ReceiptOut:
    """The PO as it now reads, the units each filled order got (ready to ship unless its order ships complete and
    still waits for more), and per SKU what no backorder took: free stock."""
    filled = shipments.filled_by(session, [fill.batch for fill in fills if fill.parts])
    waiting = shipments.units_waiting(session, [row.order_id for row in filled])
    policies = shipments.policies_of(session, [row.order_id for row in filled])
    arrived: dict[str, int] = defaultdict(int)
    for sku, quantity in received:
        arrived[sku] += quantity
    taken: dict[str, int] = defaultdict(int)
    for row in filled:
        taken[row.sku] += row.quantity
    return ReceiptOut(
        **po_view(session, po).model_dump(),
        filled=[
            FilledOut(
                order=row.order_id,
                sku=row.sku,
                quantity=row.quantity,
                ready_to_ship=order_may_ship(policies[row.order_id], waiting.get(row.order_id, 0)),
            )
            for row in filled
        ],
        to_free_stock=[
            FreeStockOut(sku=sku, quantity=quantity - taken[sku])
            for sku, quantity in arrived.items()
            if quantity > taken[sku]
        ],
    )


def _receive_line(
    session: Session, po: PurchaseOrder, sku: Sku, line: POLine, quantity: int, now: datetime
) -> FillResult:
    # Stock row first, PO line second: the same lock order as placing an order, so no deadlock.
    fill = stock_arrives(
        session,
        sku_id=sku.id,
        warehouse_id=po.warehouse_id,
        quantity=quantity,
        kind=MovementKind.RECEIPT,
        now=now,
        ref=f"po:{po.id}",
        receiving_po_line_id=line.id,
    )
    # Pegged backorders were filled first, so promised <= open still holds after this (CHECK-backed).
    # The guard refuses a receipt that a concurrent one has made too large; everything rolls back.
    if not pos.book_receipt(session, line.id, quantity):
        raise Conflict(f"cannot receive {quantity} of {sku.code}: another receipt booked the open quantity first")
    if fill.parts:
        shipments.record_receipt_fill(session, fill.batch, po.id, po.warehouse_id, now)
    return fill


@use_case()
def cancel_po(session: Session, ctx: Context, po_id: int) -> POView:
    """Cancel what is still open; its backorders move to other confirmed supply where there is room."""
    _lock_skus_of(session, po_id)  # SKU locks first, as every use case takes them
    po = repo.purchase_order(session, po_id, for_update=True)
    _require_status(po, set(OPEN_PO_STATUSES), "cancel")
    with watching_availability(session, ctx, pos.sku_ids(session, po_id)):
        return _cancel(session, ctx, po)


def _cancel(session: Session, ctx: Context, po: PurchaseOrder) -> POView:
    po.status, po.cancelled_at = POStatus.CANCELLED.value, ctx.clock.now()
    open_for_promises(session, po.id, False)
    session.flush()
    line_ids = pos.line_ids(session, po.id)
    parts = waiting_parts_on(session, line_ids)
    pos.clear_promises(session, line_ids)
    repeg_parts(session, ctx, parts)
    session.flush()
    emit(session, POCancelled(po=po.id, repegged_parts=len(parts)), ctx.clock.now())
    return po_view(session, po)


@use_case(readonly=True)
def show_po(session: Session, ctx: Context, po_id: int) -> POView:
    return po_view(session, repo.purchase_order(session, po_id))


@use_case(readonly=True)
def list_pos(session: Session, ctx: Context, status: str | None = None) -> list[POView]:
    return [po_view(session, po) for po in pos.purchase_orders(session, status)]
