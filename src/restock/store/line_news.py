"""When each backordered line's customer last heard about it, and the lines whose quiet stretch is over."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row, exists, func, select, update
from sqlalchemy.orm import Session

from restock.domain.lines import PartKind
from restock.domain.model import LineStatus
from restock.store.delivery import insert_ignoring_duplicates
from restock.store.schema import LineNews, LinePart, Order, OrderLine, Sku, UpdateOptOut


def record_news(session: Session, line_ids: Sequence[int], now: datetime, delay_notice: bool = False) -> None:
    """These lines' customers just heard about them (a delay notice counted too, if it was one)."""
    insert_ignoring_duplicates(
        session, LineNews, [{"order_line_id": i, "last_news_at": now, "delay_notices": 0} for i in line_ids]
    )
    values: dict[str, object] = {"last_news_at": now}
    if delay_notice:
        values["delay_notices"] = LineNews.delay_notices + 1
    session.execute(
        update(LineNews)
        .where(LineNews.order_line_id.in_(line_ids))
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def last_told_on(session: Session, line_id: int) -> date:
    """The day the line's customer last heard about it: the last news (confirmation, delay notice, update),
    else the order's placement, when the confirmation told them."""
    row = session.execute(
        select(LineNews.last_news_at, Order.placed_at)
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .outerjoin(LineNews, LineNews.order_line_id == OrderLine.id)
        .where(OrderLine.id == line_id)
    ).one()
    told: datetime = row.last_news_at or row.placed_at
    return told.date()


def quiet_backordered_lines(session: Session, quiet_since: datetime, limit: int) -> list[Row[Any]]:
    """Backordered lines with no news since `quiet_since` whose order did not opt out, by name: line_id,
    order_id, external_ref, email, placed_at, sku, quantity (the line's, not what still waits)."""
    last_news = func.coalesce(LineNews.last_news_at, Order.placed_at)
    opted_out = exists().where(UpdateOptOut.order_id == Order.id)
    return list(
        session.execute(
            select(
                OrderLine.id.label("line_id"),
                Order.id.label("order_id"),
                Order.external_ref,
                Order.email,
                Order.placed_at,
                Sku.code.label("sku"),
                OrderLine.quantity,
            )
            .join(Order, Order.id == OrderLine.order_id)
            .join(Sku, Sku.id == OrderLine.sku_id)
            .outerjoin(LineNews, LineNews.order_line_id == OrderLine.id)
            .where(OrderLine.status == LineStatus.BACKORDERED.value, last_news <= quiet_since, ~opted_out)
            .order_by(OrderLine.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class WaitingPart:
    """A waiting part of a line as the customer hears of it: how many units, and its stored window."""

    id: int
    quantity: int
    earliest: date | None
    latest: date | None


def waiting_parts(session: Session, line_ids: Sequence[int]) -> dict[int, list[WaitingPart]]:
    """The waiting parts of each line (a line with none is left out)."""
    waiting: dict[int, list[WaitingPart]] = defaultdict(list)
    for line_id, part_id, quantity, earliest, latest in session.execute(
        select(LinePart.order_line_id, LinePart.id, LinePart.quantity, LinePart.window_earliest, LinePart.window_latest)
        .where(LinePart.order_line_id.in_(line_ids), LinePart.kind == PartKind.BACKORDERED.value)
        .order_by(LinePart.id)
    ):
        waiting[line_id].append(WaitingPart(part_id, quantity, earliest, latest))
    return waiting
