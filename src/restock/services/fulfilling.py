"""Cancelling orders: what a line held goes back, and the line and order statuses follow from the parts
(`domain.lines`). Shipping is `services.shipping`; both settle an order the same way (`settle`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from restock.domain.errors import Conflict
from restock.domain.events import OrderCancelled, OrderShipped
from restock.domain.lines import PartKind, line_status, order_status
from restock.domain.model import MovementKind
from restock.services.availability_watch import watching_availability
from restock.services.context import Context, use_case
from restock.services.order_events import lines_ended
from restock.services.order_views import OrderView, order_view
from restock.store import order_reads as reads
from restock.store import repo
from restock.store.fill import fill_waiting_backorders
from restock.store.ledger import must_move
from restock.store.outbox import emit
from restock.store.schema import LinePart, Order, OrderLine
from restock.store.supply import release_promise


def locked_order(session: Session, order_id: str) -> Order:
    """The order, locked, after its SKUs' locks: the same lock order as every use case (see `repo.lock_skus`)."""
    repo.lock_skus(session, reads.sku_ids_of_order(session, order_id))
    return repo.order(session, order_id, for_update=True)


def open_lines(session: Session, order: Order) -> list[OrderLine]:
    return reads.open_lines(session, order.id)


def end_line(line: OrderLine, parts: list[LinePart]) -> None:
    """A line's status after its parts changed: the rule over its parts, `domain.lines.line_status`."""
    line.status = line_status(PartKind(part.kind) for part in parts).value


def _release_line(
    session: Session, line: OrderLine, parts: list[LinePart], now: datetime, ref: str
) -> set[tuple[int, int]]:
    """Give back everything a line holds; return the (SKU, warehouse) pairs whose stock was freed."""
    freed: set[tuple[int, int]] = set()
    for part in parts:
        if part.kind == PartKind.ALLOCATED and part.warehouse_id is not None:
            must_move(
                session,
                sku_id=part.sku_id,
                warehouse_id=part.warehouse_id,
                kind=MovementKind.RELEASE,
                now=now,
                allocated_delta=-part.quantity,
                ref=ref,
            )
            freed.add((part.sku_id, part.warehouse_id))
        elif part.kind == PartKind.BACKORDERED and part.po_line_id is not None:
            release_promise(session, part.po_line_id, part.quantity)
        if part.kind in (PartKind.ALLOCATED, PartKind.BACKORDERED):
            part.kind = PartKind.RELEASED.value
    end_line(line, parts)
    return freed


def settle(
    session: Session,
    order: Order,
    event: type[OrderCancelled] | type[OrderShipped],
    lines: list[OrderLine],
    now: datetime,
) -> OrderView:
    """After lines ended (shipped or cancelled): the order's new status, and the message the customer gets.

    Lines end once, so the ids of the lines that ended make the message's key unique.
    """
    session.flush()
    order.status = order_status(reads.line_statuses(session, order.id)).value
    session.flush()
    view = order_view(session, order)
    emit(session, lines_ended(event, view, [line.id for line in lines]), now)
    return view


def cancel_lines(session: Session, ctx: Context, order: Order, lines: list[OrderLine]) -> OrderView:
    """Cancel these open lines of a locked order (see `locked_order`), inside the caller's transaction."""
    with watching_availability(session, ctx, [line.sku_id for line in lines]):
        return _cancel_lines(session, ctx, order, lines)


def _cancel_lines(session: Session, ctx: Context, order: Order, lines: list[OrderLine]) -> OrderView:
    now, ref = ctx.clock.now(), f"cancel:{order.id}"
    freed: set[tuple[int, int]] = set()
    parts = reads.parts_of_lines(session, [line.id for line in lines])
    for line in lines:
        freed |= _release_line(session, line, parts[line.id], now, ref=ref)
    session.flush()
    for sku_id, warehouse_id in sorted(freed):
        fill_waiting_backorders(session, sku_id=sku_id, warehouse_id=warehouse_id, now=now, ref=ref)
    return settle(session, order, OrderCancelled, lines, now)


@use_case()
def cancel_order(session: Session, ctx: Context, order_id: str) -> OrderView:
    """Cancel every line still open; what they held goes to the next waiting backorder at once."""
    order = locked_order(session, order_id)
    lines = open_lines(session, order)
    if not lines:
        raise Conflict(f"order {order_id} has nothing left to cancel (it is {order.status})")
    return cancel_lines(session, ctx, order, lines)


@use_case()
def cancel_line(session: Session, ctx: Context, order_id: str, sku_code: str) -> OrderView:
    order = locked_order(session, order_id)
    sku = repo.sku_by_code(session, sku_code)
    lines = [line for line in open_lines(session, order) if line.sku_id == sku.id]
    if not lines:
        raise Conflict(f"order {order_id} has no open line for {sku_code}")
    return cancel_lines(session, ctx, order, lines)
