"""Reading an order back: its lines, their parts and statuses, for the order page and for cancel and ship.

The parts of all of an order's lines come in one query, whatever the number of lines.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.domain.lines import OPEN_LINE_STATUSES
from restock.store.schema import Channel, LinePart, Order, OrderLine, Sku


def order_by_idempotency_key(session: Session, key: str) -> Order | None:
    return session.scalar(select(Order).where(Order.idempotency_key == key))


def order_by_external_ref(session: Session, channel_code: str, external_ref: str) -> Order | None:
    """The channel's order under the shop's own number (`uq_orders_channel_external_ref` makes it one at most)."""
    query = (
        select(Order)
        .join(Channel, Channel.id == Order.channel_id)
        .where(Channel.code == channel_code, Order.external_ref == external_ref)
    )
    return session.scalar(query)


def lines_with_sku_codes(session: Session, order_id: str) -> list[tuple[OrderLine, str]]:
    """The order's lines in the order they were written, each with its SKU's code."""
    rows = session.execute(
        select(OrderLine, Sku.code)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .where(OrderLine.order_id == order_id)
        .order_by(OrderLine.id)
    )
    return [(line, code) for line, code in rows]


def parts_of_lines(session: Session, line_ids: Sequence[int]) -> dict[int, list[LinePart]]:
    """Every part of these lines (released ones too), per line id, in the order they were written."""
    parts: dict[int, list[LinePart]] = defaultdict(list)
    if line_ids:
        query = select(LinePart).where(LinePart.order_line_id.in_(line_ids)).order_by(LinePart.id)
        for part in session.scalars(query):
            parts[part.order_line_id].append(part)
    return parts


def sku_ids_of_order(session: Session, order_id: str) -> list[int]:
    return list(session.scalars(select(OrderLine.sku_id).where(OrderLine.order_id == order_id)))


def open_lines(session: Session, order_id: str) -> list[OrderLine]:
    """The lines still allocated or waiting (see `domain.lines.OPEN_LINE_STATUSES`)."""
    statuses = sorted(status.value for status in OPEN_LINE_STATUSES)
    query = select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.status.in_(statuses))
    return list(session.scalars(query.order_by(OrderLine.id)))


def line_statuses(session: Session, order_id: str) -> list[str]:
    return list(session.scalars(select(OrderLine.status).where(OrderLine.order_id == order_id)))
