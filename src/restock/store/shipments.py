"""Shipments, the pick list, and the fills a receipt made (cross-docking): their SQL.

The pick list reads every allocated part with its order's shipping policy and the units its order still waits for;
which orders may ship is decided by the domain rule (`domain.shipping.order_may_ship`) over those rows, not in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

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
class ReadyPart:
    """An allocated part, with what the pick list and the shipping-policy rule need of its order."""

    order_id: str
    external_ref: str | None
    placed_at: datetime
    order_policy: str | None
    channel_policy: str
    warehouse: str
    sku: str
    quantity: int
    received_at: datetime | None
    """When the receipt that filled it came in; None for units allocated from the shelf."""


def ready_parts(session: Session, warehouse_code: str | None) -> list[ReadyPart]:
    """Every allocated part (of one warehouse, or all), oldest order first."""
    query = (
        select(
            Order.id,
            Order.external_ref,
            Order.placed_at,
            Order.shipping_policy,
            Channel.shipping_policy.label("channel_policy"),
            Warehouse.code.label("warehouse"),
            Sku.code.label("sku"),
            LinePart.quantity,
            ReceiptFill.received_at,
        )
        .select_from(LinePart)
        .join(OrderLine, OrderLine.id == LinePart.order_line_id)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Channel, Channel.id == Order.channel_id)
        .join(Warehouse, Warehouse.id == LinePart.warehouse_id)
        .join(Sku, Sku.id == LinePart.sku_id)
        .outerjoin(ReceiptFill, ReceiptFill.batch == LinePart.filled_by)
        .where(LinePart.kind == PartKind.ALLOCATED.value)
        .order_by(Order.placed_at, Order.id, OrderLine.id, LinePart.id)
    )
    if warehouse_code is not None:
        query = query.where(Warehouse.code == warehouse_code)
    return [ReadyPart(*row) for row in session.execute(query)]


def units_waiting(session: Session, order_ids: Sequence[str]) -> dict[str, int]:
    """Units of these orders still waiting for stock (backordered), per order; absent means none."""
    if not order_ids:
        return {}
    rows = session.execute(
        select(OrderLine.order_id, func.sum(LinePart.quantity))
        .join(OrderLine, OrderLine.id == LinePart.order_line_id)
        .where(OrderLine.order_id.in_(set(order_ids)), LinePart.kind == PartKind.BACKORDERED.value)
        .group_by(OrderLine.order_id)
    )
    return {order_id: int(units) for order_id, units in rows}
