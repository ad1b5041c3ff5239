"""The periodic "still on its way" update: a customer whose backorder has waited a while without news hears
that it is not forgotten (RESTOCK_STILL_WAITING_DAYS, default 7).

"News" is the order confirmation, a delay notice or a previous update (kept per line in `line_news`);
a customer who clicked "stop these updates" for the order gets none.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain.lines import line_window
from restock.domain.model import LineStatus, ShipWindow, part_window
from restock.services.availability import window_json
from restock.services.context import Context, use_case
from restock.store.delivery import insert_ignoring_duplicates
from restock.store.outbox import emit
from restock.store.schema import LineNews, LinePart, Order, OrderLine, Sku, UpdateOptOut

BATCH = 1000
"""Lines handled per transaction; the job runs again until none is left."""


def record_news(session: Session, line_ids: list[int], now: datetime, delay_notice: bool = False) -> None:
    """The customer just heard about these lines: the quiet stretch starts again."""
    if not line_ids:
        return
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


@use_case()
def send_still_waiting_updates(session: Session, ctx: Context) -> int:
    """Queue one update per backordered line quiet for the configured number of days; returns how many."""
    now = ctx.clock.now()
    quiet_since = now - timedelta(days=ctx.settings.notify.still_waiting_days)
    last_news = func.coalesce(LineNews.last_news_at, Order.placed_at)
    opted_out = exists().where(UpdateOptOut.order_id == Order.id)
    rows = session.execute(
        select(OrderLine.id, Order.id, Order.email, Order.placed_at, Sku.code, OrderLine.quantity)
        .join(Order, Order.id == OrderLine.order_id)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .outerjoin(LineNews, LineNews.order_line_id == OrderLine.id)
        .where(OrderLine.status == LineStatus.BACKORDERED.value, last_news <= quiet_since, ~opted_out)
        .order_by(OrderLine.id)
        .limit(BATCH)
    ).all()
    windows = _line_windows(session, [row[0] for row in rows])
    for line_id, order_id, email, placed_at, sku, quantity in rows:
        emit(
            session,
            "backorder_still_waiting",
            f"backorder_still_waiting:{line_id}:{now.date().isoformat()}",
            {
                "order": order_id,
                "line": line_id,
                "email": email,
                "sku": sku,
                "quantity": quantity,
                "placed_at": utc_iso(placed_at),
                "ship_window": window_json(windows.get(line_id)),
            },
            now,
        )
    record_news(session, [row[0] for row in rows], now)
    return len(rows)


def _line_windows(session: Session, line_ids: list[int]) -> dict[int, ShipWindow | None]:
    """Each line's promise over its waiting parts (`domain.lines.line_window`): undated if any part is."""
    waiting: dict[int, list[ShipWindow | None]] = defaultdict(list)
    for line_id, earliest, latest in session.execute(
        select(LinePart.order_line_id, LinePart.window_earliest, LinePart.window_latest).where(
            LinePart.order_line_id.in_(line_ids), LinePart.kind == "backordered"
        )
    ):
        waiting[line_id].append(part_window(earliest, latest))
    return {line_id: line_window(windows) for line_id, windows in waiting.items()}
