"""When each backordered line's customer last heard about it, and the lines whose quiet stretch is over."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
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


def quiet_backordered_lines(session: Session, quiet_since: datetime, limit: int) -> list[Row[Any]]:
    """Backordered lines with no news since `quiet_since` whose order did not opt out, by name: line_id,
    order_id, email, placed_at, sku, quantity."""
    last_news = func.coalesce(LineNews.last_news_at, Order.placed_at)
    opted_out = exists().where(UpdateOptOut.order_id == Order.id)
    return list(
        session.execute(
            select(
                OrderLine.id.label("line_id"),
                Order.id.label("order_id"),
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


def waiting_windows(session: Session, line_ids: Sequence[int]) -> dict[int, list[tuple[date | None, date | None]]]:
    """The stored windows (earliest, latest) of each line's waiting parts."""
    waiting: dict[int, list[tuple[date | None, date | None]]] = defaultdict(list)
    for line_id, earliest, latest in session.execute(
        select(LinePart.order_line_id, LinePart.window_earliest, LinePart.window_latest).where(
            LinePart.order_line_id.in_(line_ids), LinePart.kind == PartKind.BACKORDERED.value
        )
    ):
        waiting[line_id].append((earliest, latest))
    return waiting
