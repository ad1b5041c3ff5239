"""Cancelling orders, whole or in part: what the cancelled units held goes back, and the line and order statuses
follow from the parts (`domain.lines`). Shipping is `services.shipping`; both settle an order the same way
(`settle`).

Which units a partial cancel takes is `domain.cancelling.units_a_partial_cancel_releases` (waiting before
allocated); who may take them is `domain.cancelling.may_release`. For every line, shipped + cancelled + waiting
+ allocated stays equal to what was ordered: a part is split, never shrunk alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from restock.domain import validation as valid
from restock.domain.cancelling import (
    CancelledBy,
    OpenPart,
    Release,
    may_release,
    units_a_partial_cancel_releases,
)
from restock.domain.errors import Conflict, NotAllowed
from restock.domain.events import CancelledUnits, OrderCancelled, OrderShipped, UnitsToCome
from restock.domain.lines import OPEN_LINE_STATUSES, PartKind, line_status, order_status
from restock.domain.model import LineStatus, MovementKind, ShipWindow
from restock.services.availability_watch import watching_availability
from restock.services.context import Context, use_case
from restock.services.order_events import lines_ended
from restock.services.order_views import OrderView, order_view
from restock.store import order_reads as reads
from restock.store import repo
from restock.store.fill import fill_waiting_backorders
from restock.store.ledger import must_move
from restock.store.outbox import emit
from restock.store.parts import split_off
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


def _settled_view(session: Session, order: Order) -> OrderView:
    """The order's status from its lines' (`domain.lines.order_status`), and the order as it now reads."""
    session.flush()
    order.status = order_status(reads.line_statuses(session, order.id)).value
    session.flush()
    return order_view(session, order)


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
    view = _settled_view(session, order)
    emit(session, lines_ended(event, view, [line.id for line in lines]), now)
    return view


# ---------------------------------------------------------------- releasing units


def open_part(part: LinePart) -> OpenPart:
    """A stored part as the cancel order sees it."""
    return OpenPart(part.id, PartKind(part.kind), part.quantity, part.window_latest)


def _split_off(session: Session, part: LinePart, quantity: int, by: CancelledBy) -> LinePart:
    """Cancel `quantity` units of a part: all of it in place, or a released part beside the rest (which keeps its
    id, kind, peg and window, as a partly filled backorder does)."""
    if quantity == part.quantity:
        part.kind = PartKind.RELEASED.value
        part.cancelled_by = by.value
        return part
    return split_off(session, part, quantity, kind=PartKind.RELEASED.value, cancelled_by=by.value)


def _give_back(session: Session, part: LinePart, quantity: int, now: datetime, ref: str) -> tuple[int, int] | None:
    """What `quantity` units of an open part held goes back: stock to its warehouse (returned: the pair to fill
    from), or a promise to its PO line."""
    if part.kind == PartKind.ALLOCATED and part.warehouse_id is not None:
        must_move(
            session,
            sku_id=part.sku_id,
            warehouse_id=part.warehouse_id,
            kind=MovementKind.RELEASE,
            now=now,
            allocated_delta=-quantity,
            ref=ref,
        )
        return part.sku_id, part.warehouse_id
    if part.kind == PartKind.BACKORDERED and part.po_line_id is not None:
        release_promise(session, part.po_line_id, quantity)
    return None


def release_units(
    session: Session,
    ctx: Context,
    order: Order,
    lines: list[OrderLine],
    plan: Sequence[Release],
    by: CancelledBy,
) -> OrderView:
    """Cancel exactly the planned units of these open lines of a locked order (see `locked_order`), inside the
    caller's transaction: freed stock goes to the next waiting backorder at once, a freed promise back to its PO
    line, and the customer hears what was cancelled, by whom, and what still comes."""
    with watching_availability(session, ctx, [line.sku_id for line in lines]):
        return _release_units(session, ctx, order, lines, plan, by)


def _release_units(
    session: Session, ctx: Context, order: Order, lines: list[OrderLine], plan: Sequence[Release], by: CancelledBy
) -> OrderView:
    now, ref = ctx.clock.now(), f"cancel:{order.id}"
    parts = reads.parts_of_lines(session, [line.id for line in lines])
    by_id = {part.id: part for line in lines for part in parts[line.id]}
    freed: set[tuple[int, int]] = set()
    released: list[LinePart] = []
    per_line: dict[int, int] = {}
    for release in plan:
        part = by_id[release.part_id]
        pair = _give_back(session, part, release.quantity, now, ref)
        if pair is not None:
            freed.add(pair)
        released.append(_split_off(session, part, release.quantity, by))
        per_line[part.order_line_id] = per_line.get(part.order_line_id, 0) + release.quantity
    for line in lines:
        end_line(line, parts[line.id])
    session.flush()
    for sku_id, warehouse_id in sorted(freed):
        fill_waiting_backorders(session, sku_id=sku_id, warehouse_id=warehouse_id, now=now, ref=ref)
    ended = [line.id for line in lines if LineStatus(line.status) not in OPEN_LINE_STATUSES]
    view = _settled_view(session, order)
    emit(session, _cancelled_event(view, ended, per_line, sorted(p.id for p in released), by), now)
    return view


def _cancelled_event(
    view: OrderView, ended: list[int], per_line: dict[int, int], released: list[int], by: CancelledBy
) -> OrderCancelled:
    """The order as it now reads, what this cancellation took per line, and what still ships or waits."""
    base = lines_ended(OrderCancelled, view, ended)
    assert isinstance(base, OrderCancelled)
    skus = {line.id: line.sku for line in view.lines}
    to_come = tuple(
        UnitsToCome(
            sku=line.sku,
            held=line.allocated,
            waiting=line.backordered,
            ship_window=ShipWindow(line.ship_window.earliest, line.ship_window.latest) if line.ship_window else None,
        )
        for line in view.lines
        if LineStatus(line.status) in OPEN_LINE_STATUSES
    )
    cancelled = tuple(CancelledUnits(sku=skus[line_id], quantity=n) for line_id, n in sorted(per_line.items()))
    return replace(base, cancelled_by=by, cancelled=cancelled, to_come=to_come, released_parts=tuple(released))


def _plan(session: Session, lines: list[OrderLine], quantity: int | None) -> list[Release]:
    parts = reads.parts_of_lines(session, [line.id for line in lines])
    return units_a_partial_cancel_releases([open_part(p) for line in lines for p in parts[line.id]], quantity)


def cancel_lines(
    session: Session, ctx: Context, order: Order, lines: list[OrderLine], by: CancelledBy = CancelledBy.MERCHANT
) -> OrderView:
    """Cancel these open lines of a locked order whole, inside the caller's transaction."""
    return release_units(session, ctx, order, lines, _plan(session, lines, None), by)


@use_case()
def cancel_order(session: Session, ctx: Context, order_id: str) -> OrderView:
    """Cancel every line still open; what they held goes to the next waiting backorder at once."""
    order = locked_order(session, order_id)
    lines = open_lines(session, order)
    if not lines:
        raise Conflict(f"order {order_id} has nothing left to cancel (it is {order.status})")
    return cancel_lines(session, ctx, order, lines)


@use_case()
def cancel_line(
    session: Session,
    ctx: Context,
    order_id: str,
    sku_code: str,
    quantity: int | None = None,
    by: CancelledBy = CancelledBy.MERCHANT,
) -> OrderView:
    """Cancel `quantity` open units of the SKU's line (all of them when None): waiting units first, then allocated
    ones (`domain.cancelling`). A shop may cancel only waiting units; a quantity above what is open is refused."""
    if quantity is not None:
        valid.quantity(quantity, "the quantity to cancel")
    order = locked_order(session, order_id)
    sku = repo.sku_by_code(session, sku_code)
    lines = [line for line in open_lines(session, order) if line.sku_id == sku.id]
    if not lines:
        raise Conflict(f"order {order_id} has no open line for {sku_code}")
    plan = _plan(session, lines, quantity)
    if not may_release(by, plan):
        held = sum(release.quantity for release in plan if release.kind is not PartKind.BACKORDERED)
        raise NotAllowed(
            f"only units still waiting for stock may be cancelled with this key; this would cancel {held} "
            f"allocated unit(s) of {sku_code}: the merchant can"
        )
    return release_units(session, ctx, order, lines, plan, by)
