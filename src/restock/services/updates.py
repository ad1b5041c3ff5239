"""The periodic "still on its way" update: a customer whose backorder has waited a while without news hears
that it is not forgotten (RESTOCK_STILL_WAITING_DAYS, default 7).

"News" is the order confirmation, a delay notice or a previous update (kept per line in `line_news`);
a customer who clicked "stop these updates" for the order gets none. A line whose window has passed still gets
its update, worded as late (`domain.wording.window_has_passed`): nothing else tells a customer when a PO goes
overdue without a new date.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from restock.domain.events import BackorderStillWaiting
from restock.domain.lines import line_window
from restock.domain.model import part_window
from restock.services.context import Context, use_case
from restock.store import line_news as news
from restock.store.outbox import emit

BATCH = 1000
"""Lines handled per transaction; the job runs again until none is left."""


def record_news(session: Session, line_ids: list[int], now: datetime, delay_notice: bool = False) -> None:
    """The customer just heard about these lines: the quiet stretch starts again."""
    if line_ids:
        news.record_news(session, line_ids, now, delay_notice)


@use_case()
def send_still_waiting_updates(session: Session, ctx: Context) -> int:
    """Queue one update per backordered line quiet for the configured number of days; returns how many."""
    now = ctx.clock.now()
    quiet_since = now - timedelta(days=ctx.settings.notify.still_waiting_days)
    rows = news.quiet_backordered_lines(session, quiet_since, BATCH)
    waiting = news.waiting_parts(session, [row.line_id for row in rows])
    for row in rows:
        parts = waiting.get(row.line_id, [])
        update = BackorderStillWaiting(
            order=row.order_id,
            line=row.line_id,
            email=row.email,
            sku=row.sku,
            quantity=sum(part.quantity for part in parts) or row.quantity,  # what waits, not the whole line
            placed_at=row.placed_at,
            ship_window=line_window([part_window(part.earliest, part.latest) for part in parts]),
            external_ref=row.external_ref,
            on=now.date(),
        )
        emit(session, update, now)
    record_news(session, [row.line_id for row in rows], now)
    return len(rows)
