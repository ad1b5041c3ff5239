"""Finding orders: one query for a page of orders (newest first, keyset-paged), one for all of their lines.

The page walks `ix_orders_placed` (placed_at, id) backwards from the cursor; an e-mail filter uses
`ix_orders_email` (lower(email)) instead. The filters on lines (a SKU, a delayed or a waiting part) are EXISTS
subqueries through `order_lines.order_id`, so an order is tested once however many lines it has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from restock.domain.lines import PartKind
from restock.store.schema import Channel, LinePart, Order, OrderLine, Sku


@dataclass(frozen=True)
class OrderFilter:
    """What the orders sought have in common; None leaves a field unfiltered."""

    status: str | None = None
    channel: str | None = None
    sku: str | None = None
    email: str | None = None
    """Matched in any case: stored and sought alike lower-cased (`ix_orders_email` is on lower(email))."""
    external_ref: str | None = None
    placed_from: datetime | None = None
    """Inclusive, naive UTC as stored."""
    placed_to: datetime | None = None
    """Exclusive, naive UTC as stored."""
    delayed: bool | None = None
    has_backorder: bool | None = None


@dataclass(frozen=True)
class After:
    """Where the last page ended: the keyset (placed_at, id) of its last order."""

    placed_at: datetime
    order_id: str


@dataclass(frozen=True)
class FoundOrder:
    order: Order
    channel_code: str
    channel_shipping_policy: str


def order_page(session: Session, wanted: OrderFilter, limit: int, after: After | None) -> list[FoundOrder]:
    """Up to `limit` orders matching `wanted`, newest first (placed_at, then id, descending), after `after`."""
    query = _filtered(
        select(Order, Channel.code, Channel.shipping_policy).join(Channel, Channel.id == Order.channel_id), wanted
    )
    if after is not None:
        query = query.where(
            or_(
                Order.placed_at < after.placed_at,
                and_(Order.placed_at == after.placed_at, Order.id < after.order_id),
            )
        )
    query = query.order_by(Order.placed_at.desc(), Order.id.desc()).limit(limit)
    return [FoundOrder(order, code, policy) for order, code, policy in session.execute(query)]


def _filtered(query: Select[Order, str, str], wanted: OrderFilter) -> Select[Order, str, str]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.status is not None:
        conditions.append(Order.status == wanted.status)
    if wanted.channel is not None:
        conditions.append(Channel.code == wanted.channel)
    if wanted.email is not None:
        conditions.append(func.lower(Order.email) == wanted.email.lower())
    if wanted.external_ref is not None:
        conditions.append(Order.external_ref == wanted.external_ref)
    if wanted.placed_from is not None:
        conditions.append(Order.placed_at >= wanted.placed_from)
    if wanted.placed_to is not None:
        conditions.append(Order.placed_at < wanted.placed_to)
    if wanted.sku is not None:
        sku_id = select(Sku.id).where(Sku.code == wanted.sku).scalar_subquery()
        conditions.append(exists().where(OrderLine.order_id == Order.id, OrderLine.sku_id == sku_id))
    if wanted.delayed is not None:
        conditions.append(_yes_or_no(_has_waiting_part(LinePart.delayed.is_(True)), wanted.delayed))
    if wanted.has_backorder is not None:
        conditions.append(_yes_or_no(_has_waiting_part(), wanted.has_backorder))
    return query.where(*conditions)


def _has_waiting_part(*also: ColumnElement[bool]) -> ColumnElement[bool]:
    """An order with a part still waiting (and `also` true of it). Mirrors the order view (`services.order_views`):
    a line is backordered by its waiting parts, and delayed when one of them is; tests check the two agree."""
    return exists().where(
        OrderLine.order_id == Order.id,
        LinePart.order_line_id == OrderLine.id,
        LinePart.kind == PartKind.BACKORDERED.value,
        *also,
    )


def _yes_or_no(condition: ColumnElement[bool], wanted: bool) -> ColumnElement[bool]:
    return condition if wanted else ~condition


@dataclass(frozen=True)
class Lines:
    """The lines of a page of orders, each with its SKU's code, and their parts."""

    by_order: dict[str, list[tuple[OrderLine, str]]]
    parts: dict[int, list[LinePart]]


def lines_of_orders(session: Session, order_ids: Sequence[str]) -> Lines:
    """Every line of these orders with its SKU's code and its parts, in one query (a line per part, or one row
    for a line without parts), in the order they were written."""
    by_order: dict[str, list[tuple[OrderLine, str]]] = defaultdict(list)
    parts: dict[int, list[LinePart]] = defaultdict(list)
    if not order_ids:
        return Lines(by_order, parts)
    query = (
        select(OrderLine, Sku.code, LinePart)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .outerjoin(LinePart, LinePart.order_line_id == OrderLine.id)
        .where(OrderLine.order_id.in_(list(order_ids)))
        .order_by(OrderLine.id, LinePart.id)
    )
    seen: set[int] = set()
    for line, code, part in session.execute(query):
        if line.id not in seen:
            seen.add(line.id)
            by_order[line.order_id].append((line, code))
        if part is not None:
            parts[line.id].append(part)
    return Lines(by_order, parts)
