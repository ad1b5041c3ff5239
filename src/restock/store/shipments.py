"""Shipments, the pick list, and the fills a receipt made (cross-docking): their SQL.

The pick list is one grouped query that filters (the shipping policy), sorts (cross-docked first, then oldest) and
cuts a page in the database, keyset-paged; then the parts of that page only. Both mirror domain rules
(`domain.shipping.order_may_ship`, `pick_list_order`), and a property test checks they agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, and_, case, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from restock.domain.lines import PartKind
from restock.domain.model import ShippingPolicy
from restock.domain.shipping import effective_shipping_policy
from restock.store.schema import (
    Channel,
    LinePart,
    Order,
    OrderLine,
    ReceiptFill,
    Shipment,
    ShipmentLine,
    Sku,
    Warehouse,
    table,
)


@dataclass(frozen=True)
class ShipmentRow:
    id: str
    order_id: str
    warehouse: str
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None
    shipped_at: datetime
    lines: tuple[tuple[str, int], ...]
    """(SKU code, units), in line order."""


def add_shipment_lines(session: Session, shipment_id: str, lines: Sequence[tuple[int, int]]) -> None:
    """What a shipment took: (order line id, units) each."""
    session.execute(
        insert(table(ShipmentLine)),
        [{"shipment_id": shipment_id, "order_line_id": line_id, "quantity": units} for line_id, units in lines],
    )


def shipments_of(session: Session, order_id: str, ids: Sequence[str] | None = None) -> list[ShipmentRow]:
    """An order's shipments (or only these), oldest first, each with what it took."""
    query = (
        select(Shipment, Warehouse.code)
        .join(Warehouse, Warehouse.id == Shipment.warehouse_id)
        .where(Shipment.order_id == order_id)
        .order_by(Shipment.shipped_at, Shipment.id)
    )
    if ids is not None:
        query = query.where(Shipment.id.in_(ids))
    found = [(shipment, code) for shipment, code in session.execute(query)]
    lines = _lines_of(session, [shipment.id for shipment, _ in found])
    return [
        ShipmentRow(
            id=s.id,
            order_id=s.order_id,
            warehouse=code,
            carrier=s.carrier,
            tracking_number=s.tracking_number,
            tracking_url=s.tracking_url,
            shipped_at=s.shipped_at,
            lines=tuple(lines.get(s.id, ())),
        )
        for s, code in found
    ]


def _lines_of(session: Session, shipment_ids: Sequence[str]) -> dict[str, list[tuple[str, int]]]:
    out: dict[str, list[tuple[str, int]]] = {}
    if not shipment_ids:
        return out
    rows = session.execute(
        select(ShipmentLine.shipment_id, Sku.code, ShipmentLine.quantity)
        .join(OrderLine, OrderLine.id == ShipmentLine.order_line_id)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .where(ShipmentLine.shipment_id.in_(shipment_ids))
        .order_by(ShipmentLine.order_line_id)
    )
    for shipment_id, code, quantity in rows:
        out.setdefault(shipment_id, []).append((code, quantity))
    return out


# ---------------------------------------------------------------- receipts and the dock


def record_receipt_fill(session: Session, batch: str, po_id: int, warehouse_id: int, now: datetime) -> None:
    """The parts of fill `batch` came with a receipt of PO `po_id`: their units are at the dock."""
    session.execute(
        insert(table(ReceiptFill)).values(batch=batch, po_id=po_id, warehouse_id=warehouse_id, received_at=now)
    )


@dataclass(frozen=True)
class FilledRow:
    order_id: str
    sku: str
    quantity: int


def filled_by(session: Session, batches: Sequence[str]) -> list[FilledRow]:
    """The units these fill batches gave to orders, per order and SKU, in order of the orders' first filled part."""
    if not batches:
        return []
    first = func.min(LinePart.id)
    rows = session.execute(
        select(OrderLine.order_id, Sku.code, func.sum(LinePart.quantity))
        .join(OrderLine, OrderLine.id == LinePart.order_line_id)
        .join(Sku, Sku.id == LinePart.sku_id)
        .where(LinePart.filled_by.in_(batches))
        .group_by(OrderLine.order_id, Sku.code)
        .order_by(first)
    )
    return [FilledRow(order_id, code, int(quantity)) for order_id, code, quantity in rows]


def policies_of(session: Session, order_ids: Sequence[str]) -> dict[str, ShippingPolicy]:
    """The effective shipping policy of these orders (`domain.shipping.effective_shipping_policy`)."""
    if not order_ids:
        return {}
    rows = session.execute(
        select(Order.id, Order.shipping_policy, Channel.shipping_policy)
        .join(Channel, Channel.id == Order.channel_id)
        .where(Order.id.in_(set(order_ids)))
    )
    return {order_id: effective_shipping_policy(own, channel) for order_id, own, channel in rows}


# ---------------------------------------------------------------- the pick list


@dataclass(frozen=True)
class PickAfter:
    """Where the last page of the pick list ended: its last entry's key (`domain.shipping.pick_list_order`)."""

    cross_dock: bool
    placed_at: datetime
    order_id: str
    warehouse: str


@dataclass(frozen=True)
class PickEntryRow:
    """One order's allocated units in one warehouse: what a pick-list entry says of the order."""

    order_id: str
    external_ref: str | None
    placed_at: datetime
    order_policy: str | None
    channel_policy: str
    warehouse_id: int
    warehouse: str
    received_at: datetime | None
    """When the latest receipt that filled any of these units came in; None when all came from the shelf."""

    @property
    def cross_dock(self) -> bool:
        return self.received_at is not None


@dataclass(frozen=True)
class PickPartRow:
    """An allocated part of a pick-list entry."""

    order_id: str
    warehouse_id: int
    sku: str
    quantity: int
    at_dock: bool
    """A receipt filled it: the units wait at the receiving dock."""


def _may_ship() -> ColumnElement[bool]:
    """Mirrors `domain.shipping.order_may_ship` over `effective_shipping_policy` (the order's own policy, else its
    channel's): an `as_available` order ships what it holds; a `complete` one only once no part of it is backordered.
    tests/property/test_pick_list_sql.py checks the two agree."""
    waiting = exists().where(
        OrderLine.order_id == Order.id,
        LinePart.order_line_id == OrderLine.id,
        LinePart.kind == PartKind.BACKORDERED.value,
    )
    return or_(_policy() == ShippingPolicy.AS_AVAILABLE.value, ~waiting)


def _policy() -> ColumnElement[str]:
    return func.coalesce(Order.shipping_policy, Channel.shipping_policy)


def pick_entries(
    session: Session, warehouse_code: str | None, limit: int, after: PickAfter | None
) -> list[PickEntryRow]:
    """Up to `limit` pick-list entries (one per order and warehouse with allocated units, of one warehouse or all),
    of orders that may ship now, after `after`, in pick-list order.

    The order is `domain.shipping.pick_list_order` as SQL: entries with units a receipt filled first (cross-docking),
    then the oldest order, then order id and warehouse code, so the order is total and keyset paging is exact;
    tests/property/test_pick_list_sql.py checks the two agree. The database groups, filters, sorts and cuts: only the
    page comes back.
    """
    part = aliased(LinePart)
    line = aliased(OrderLine)
    latest_receipt = func.max(ReceiptFill.received_at)
    grouped = (
        select(
            Order.id.label("order_id"),
            Order.external_ref.label("external_ref"),
            Order.placed_at.label("placed_at"),
            Order.shipping_policy.label("order_policy"),
            Channel.shipping_policy.label("channel_policy"),
            part.warehouse_id.label("warehouse_id"),
            Warehouse.code.label("warehouse"),
            latest_receipt.label("received_at"),
            case((latest_receipt.is_(None), 1), else_=0).label("dock_rank"),
        )
        .select_from(part)
        .join(line, line.id == part.order_line_id)
        .join(Order, Order.id == line.order_id)
        .join(Channel, Channel.id == Order.channel_id)
        .join(Warehouse, Warehouse.id == part.warehouse_id)
        .outerjoin(ReceiptFill, ReceiptFill.batch == part.filled_by)
        .where(part.kind == PartKind.ALLOCATED.value, _may_ship())
        .group_by(
            Order.id,
            Order.external_ref,
            Order.placed_at,
            Order.shipping_policy,
            Channel.shipping_policy,
            part.warehouse_id,
            Warehouse.code,
        )
    )
    if warehouse_code is not None:
        grouped = grouped.where(Warehouse.code == warehouse_code)
    entries = grouped.subquery("pick_entries")
    key = (entries.c.dock_rank, entries.c.placed_at, entries.c.order_id, entries.c.warehouse)
    query = select(
        entries.c.order_id,
        entries.c.external_ref,
        entries.c.placed_at,
        entries.c.order_policy,
        entries.c.channel_policy,
        entries.c.warehouse_id,
        entries.c.warehouse,
        entries.c.received_at,
    )
    if after is not None:
        query = query.where(
            _beyond(key, (0 if after.cross_dock else 1, after.placed_at, after.order_id, after.warehouse))
        )
    query = query.order_by(*key).limit(limit)
    return [PickEntryRow(*row) for row in session.execute(query)]


def _beyond(columns: Sequence[ColumnElement[Any]], values: Sequence[object]) -> ColumnElement[bool]:
    """(columns) > (values), compared left to right as a sort does (written out: both databases, any index)."""
    return or_(
        *(and_(*(columns[j] == values[j] for j in range(i)), columns[i] > values[i]) for i in range(len(columns)))
    )


def pick_parts(session: Session, entries: Sequence[PickEntryRow]) -> list[PickPartRow]:
    """The allocated parts of these pick-list entries (a page: bounded), in line order."""
    if not entries:
        return []
    wanted = {(e.order_id, e.warehouse_id) for e in entries}
    rows = session.execute(
        select(
            OrderLine.order_id,
            LinePart.warehouse_id,
            Sku.code,
            LinePart.quantity,
            ReceiptFill.received_at.is_not(None),
        )
        .select_from(LinePart)
        .join(OrderLine, OrderLine.id == LinePart.order_line_id)
        .join(Sku, Sku.id == LinePart.sku_id)
        .outerjoin(ReceiptFill, ReceiptFill.batch == LinePart.filled_by)
        .where(
            OrderLine.order_id.in_({order_id for order_id, _ in wanted}),
            LinePart.kind == PartKind.ALLOCATED.value,
        )
        .order_by(OrderLine.id, LinePart.id)
    )
    return [
        PickPartRow(order_id, cast(int, warehouse_id), code, quantity, bool(at_dock))
        for order_id, warehouse_id, code, quantity, at_dock in rows
        if (order_id, warehouse_id) in wanted
    ]


def units_waiting(session: Session, order_ids: Sequence[str]) -> dict[str, int]:
    """Units of these orders still waiting for stock (backordered), per order; absent means none (a receipt's
    filled orders: as many as it filled)."""
    if not order_ids:
        return {}
    rows = session.execute(
        select(OrderLine.order_id, func.sum(LinePart.quantity))
        .join(OrderLine, OrderLine.id == LinePart.order_line_id)
        .where(OrderLine.order_id.in_(set(order_ids)), LinePart.kind == PartKind.BACKORDERED.value)
        .group_by(OrderLine.order_id)
    )
    return {order_id: int(units) for order_id, units in rows}
