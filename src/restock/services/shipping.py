"""Shipping orders: allocated units leave their warehouse as shipments, and the line and order statuses follow from
the parts (`domain.lines`).

A shipment takes only what is allocated now (`domain.shipping.units_a_shipment_takes`): by default every allocated
unit, or the named SKUs' quantities. A part shipped only in part is split: a shipped part for what left, the
allocated remainder for what stays. A line with units still on backorder ships what it holds and keeps waiting for
the rest. Units leaving from two warehouses make two shipments. Under the `complete` policy nothing ships until no
unit of the order waits (`domain.shipping.order_may_ship`).
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

from sqlalchemy.orm import Session

from restock.domain import shipping as rules
from restock.domain import validation as valid
from restock.domain.errors import InvalidInput
from restock.domain.events import OrderShipped, ShipmentSnapshot, ShippedLine
from restock.domain.lines import PartKind, order_status
from restock.domain.model import LineStatus, MovementKind
from restock.domain.shipping import (
    HeldPart,
    Take,
    effective_shipping_policy,
    nothing_to_ship,
    shipments_by_warehouse,
    units_a_shipment_takes,
)
from restock.services.context import Context, use_case
from restock.services.fulfilling import end_line, locked_order
from restock.services.order_events import lines_ended
from restock.services.order_views import OrderView, order_view
from restock.services.shipment_views import PickLineOut, PickOut, PickPage, ShipmentLineOut, ShipmentOut, ShippedOut
from restock.store import order_reads as reads
from restock.store import repo
from restock.store import shipments as store
from restock.store.ledger import must_move
from restock.store.outbox import emit
from restock.store.parts import split_off
from restock.store.schema import Channel, LinePart, Order, Shipment

DEFAULT_PICK_LIMIT = 100
MAX_PICK_LIMIT = 1000
MAX_CURSOR = 300


@dataclass(frozen=True)
class ShipmentRequest:
    """What to ship: every allocated unit (no lines), or these SKUs' quantities; how the parcel can be followed."""

    lines: tuple[tuple[str, int], ...] = ()
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = None

    def checked(self) -> ShipmentRequest:
        for sku, quantity in self.lines:
            valid.code(sku, "SKU code")
            valid.quantity(quantity)
        if self.carrier is not None:
            rules.carrier(self.carrier)
        if self.tracking_number is not None:
            rules.tracking_number(self.tracking_number)
        if self.tracking_url is not None:
            rules.tracking_url(self.tracking_url)
        return self

    def requested(self) -> dict[str, int] | None:
        """Units asked per SKU (a SKU named twice: both quantities); None for everything allocated."""
        if not self.lines:
            return None
        asked: dict[str, int] = defaultdict(int)
        for sku, quantity in self.lines:
            asked[sku] += quantity
        return dict(asked)


def new_shipment_id() -> str:
    return "shp_" + secrets.token_hex(12)


@use_case()
def ship(session: Session, ctx: Context, order_id: str, request: ShipmentRequest = ShipmentRequest()) -> ShippedOut:
    """Ship what is allocated now (all of it, or the named lines' quantities): one shipment per warehouse."""
    request = request.checked()
    order = locked_order(session, order_id)
    rows = reads.lines_with_sku_codes(session, order.id)
    lines = {line.id: line for line, _ in rows}
    parts = reads.parts_of_lines(session, list(lines))
    codes = {line.id: code for line, code in rows}
    _refuse_unknown_skus(order_id, request.requested(), set(codes.values()))
    held = [
        HeldPart(p.id, p.order_line_id, codes[p.order_line_id], cast(int, p.warehouse_id), p.quantity)
        for line_parts in parts.values()
        for p in line_parts
        if p.kind == PartKind.ALLOCATED
    ]
    waiting = sum(p.quantity for ps in parts.values() for p in ps if p.kind == PartKind.BACKORDERED)
    policy = effective_shipping_policy(
        order.shipping_policy, session.get_one(Channel, order.channel_id).shipping_policy
    )
    if refusal := nothing_to_ship(order_id, policy, sum(h.quantity for h in held), waiting):
        raise refusal
    takes = units_a_shipment_takes(held, request.requested())
    now = ctx.clock.now()
    by_id = {p.id: p for ps in parts.values() for p in ps}
    made = [
        _ship_from(session, order, warehouse_id, group, by_id, request, now)
        for warehouse_id, group in shipments_by_warehouse(takes).items()
    ]
    touched = {take.part.line_id for take in takes}
    for line_id in sorted(touched):
        end_line(lines[line_id], reads.parts_of_lines(session, [line_id])[line_id])
    view = _settle(session, order, made, [i for i in sorted(touched) if lines[i].status == LineStatus.SHIPPED], now)
    return ShippedOut(shipments=[_shipment_out(row) for row in made], order=view)


def _refuse_unknown_skus(order_id: str, requested: dict[str, int] | None, skus: set[str]) -> None:
    unknown = sorted(set(requested or ()) - skus)
    if unknown:
        raise InvalidInput(f"order {order_id} has no line for {', '.join(unknown)}")


def _ship_from(
    session: Session,
    order: Order,
    warehouse_id: int,
    takes: Sequence[Take],
    parts: dict[int, LinePart],
    request: ShipmentRequest,
    now: datetime,
) -> store.ShipmentRow:
    """One shipment: the taken units leave this warehouse (ledger), their parts become shipped parts of it."""
    shipment = Shipment(
        id=new_shipment_id(),
        order_id=order.id,
        warehouse_id=warehouse_id,
        carrier=request.carrier,
        tracking_number=request.tracking_number,
        tracking_url=request.tracking_url,
        shipped_at=now,
    )
    session.add(shipment)
    session.flush()  # the shipped parts point at it
    per_line: dict[int, int] = defaultdict(int)
    for take in takes:
        _ship_part(session, order, parts[take.part.part_id], take, shipment.id, now)
        per_line[take.part.line_id] += take.quantity
    store.add_shipment_lines(session, shipment.id, sorted(per_line.items()))
    session.flush()
    [row] = store.shipments_of(session, order.id, [shipment.id])
    return row


def _ship_part(session: Session, order: Order, part: LinePart, take: Take, shipment_id: str, now: datetime) -> None:
    must_move(
        session,
        sku_id=part.sku_id,
        warehouse_id=take.part.warehouse_id,
        kind=MovementKind.SHIPMENT,
        now=now,
        on_hand_delta=-take.quantity,
        allocated_delta=-take.quantity,
        ref=f"order:{order.id}",
    )
    if take.whole:
        part.kind, part.shipment_id = PartKind.SHIPPED.value, shipment_id
        return
    # the allocated remainder stays as it was (its fill, its window)
    split_off(session, part, take.quantity, kind=PartKind.SHIPPED.value, shipment_id=shipment_id)


def _settle(
    session: Session, order: Order, made: list[store.ShipmentRow], ended: list[int], now: datetime
) -> OrderView:
    """The order's new status, and the shipped message: the shipments, and the order as it now reads."""
    session.flush()
    order.status = order_status(reads.line_statuses(session, order.id)).value
    session.flush()
    view = order_view(session, order)
    event = lines_ended(OrderShipped, view, ended)
    assert isinstance(event, OrderShipped)
    emit(session, _with_shipments(event, made), now)
    return view


def _with_shipments(event: OrderShipped, made: list[store.ShipmentRow]) -> OrderShipped:
    snapshots = tuple(
        ShipmentSnapshot(
            id=row.id,
            warehouse=row.warehouse,
            carrier=row.carrier,
            tracking_number=row.tracking_number,
            tracking_url=row.tracking_url,
            shipped_at=row.shipped_at,
            lines=tuple(ShippedLine(sku=sku, quantity=quantity) for sku, quantity in row.lines),
        )
        for row in made
    )
    return replace(event, shipments=snapshots)


def _shipment_out(row: store.ShipmentRow) -> ShipmentOut:
    return ShipmentOut(
        id=row.id,
        order=row.order_id,
        warehouse=row.warehouse,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        tracking_url=row.tracking_url,
        shipped_at=row.shipped_at,
        lines=[ShipmentLineOut(sku=sku, quantity=quantity) for sku, quantity in row.lines],
    )


def ship_order(ctx: Context, order_id: str) -> OrderView:
    """Ship everything allocated now (the first shipping command, kept): the order as it then reads."""
    return ship(ctx, order_id).order


@dataclass(frozen=True)
class OrderShipments:
    """An order's shipments, with the channel it was placed on (a storefront key reads only its own channel's)."""

    channel: str
    shipments: list[ShipmentOut]


@use_case(readonly=True)
def shipments_of_order(session: Session, ctx: Context, order_id: str) -> OrderShipments:
    """The order's shipments, oldest first, and its channel; an unknown order is a 404, not an empty list."""
    order = repo.order(session, order_id)
    channel = session.get_one(Channel, order.channel_id).code
    return OrderShipments(channel, [_shipment_out(row) for row in store.shipments_of(session, order_id)])


def order_shipments(ctx: Context, order_id: str) -> list[ShipmentOut]:
    """The order's shipments, oldest first."""
    return shipments_of_order(ctx, order_id).shipments


# ---------------------------------------------------------------- the pick list


@use_case(readonly=True)
def pick_list(
    session: Session,
    ctx: Context,
    warehouse: str | None = None,
    limit: int = DEFAULT_PICK_LIMIT,
    after: str | None = None,
) -> PickPage:
    """A page of what can ship now, one entry per order and warehouse: units a receipt brought to the dock first
    (cross-docking), then the oldest orders (`domain.shipping.pick_list_order`). An order that ships complete
    appears only once nothing of it waits. Keyset-paged: `next` is where the following page starts, None on the last.

    Two queries whatever the page's size or the backlog's: the page's entries (one more, to know whether another
    follows), then their parts.
    """
    if warehouse is not None:
        repo.warehouse_by_code(session, valid.code(warehouse, "warehouse code"))
    if not 1 <= limit <= MAX_PICK_LIMIT:
        raise InvalidInput(f"a pick-list page holds 1 to {MAX_PICK_LIMIT} entries, not {limit}")
    start = None if after is None else pick_after_of(after)
    found = store.pick_entries(session, warehouse, limit + 1, start)
    more, page = len(found) > limit, found[:limit]
    parts: dict[tuple[str, int], list[store.PickPartRow]] = defaultdict(list)
    for part in store.pick_parts(session, page):
        parts[(part.order_id, part.warehouse_id)].append(part)
    items = [_pick(entry, parts[(entry.order_id, entry.warehouse_id)]) for entry in page]
    last = page[-1] if page else None
    following = None
    if more and last is not None:
        following = pick_cursor_of(store.PickAfter(last.cross_dock, last.placed_at, last.order_id, last.warehouse))
    return PickPage(items=items, next=following)


def pick_cursor_of(after: store.PickAfter) -> str:
    """Opaque to clients: the last entry's sort key, base64url-encoded JSON."""
    key = [after.cross_dock, after.placed_at.isoformat(), after.order_id, after.warehouse]
    raw = json.dumps(key, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def pick_after_of(cursor: str) -> store.PickAfter:
    """The sort key a cursor names; anything this service did not write is refused."""
    bad = InvalidInput("invalid cursor: pass back the `next` value of the page before")
    if not 1 <= len(cursor) <= MAX_CURSOR or not cursor.isascii():
        raise bad
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
        cross_dock, placed_at, order_id, warehouse = key
        moment = datetime.fromisoformat(placed_at)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise bad from None
    texts = (order_id, warehouse)
    if not isinstance(cross_dock, bool) or moment.tzinfo is not None:
        raise bad
    if not all(isinstance(text, str) and text for text in texts):
        raise bad
    return store.PickAfter(cross_dock, moment, order_id, warehouse)


def _pick(entry: store.PickEntryRow, parts: list[store.PickPartRow]) -> PickOut:
    per_sku: dict[str, list[int]] = {}
    for part in parts:
        units = per_sku.setdefault(part.sku, [0, 0])
        units[0] += part.quantity
        units[1] += part.quantity if part.at_dock else 0
    return PickOut(
        order=entry.order_id,
        external_ref=entry.external_ref,
        warehouse=entry.warehouse,
        placed_at=entry.placed_at,
        shipping_policy=effective_shipping_policy(entry.order_policy, entry.channel_policy).value,
        cross_dock=entry.cross_dock,
        received_at=entry.received_at,
        lines=[PickLineOut(sku=sku, quantity=q, at_dock=dock) for sku, (q, dock) in per_sku.items()],
    )
