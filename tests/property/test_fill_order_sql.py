"""The store's SQL fill order (`store.queue.fill_order_by`) agrees with the domain's rule (`fill_key`).

The rule lives in `domain.allocation`; the store mirrors it as an ORDER BY so the fill is one running sum.
On random queues (ties in priority and time included) both must put the backorders in the same order, on
SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from restock.domain.allocation import WaitingPart, fill_key, queue_key
from restock.domain.lines import PartKind
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.queue import fill_order_by, queue_order_by
from restock.store.schema import LinePart, OrderLine, POLine
from tests.builders import confirmed_po, order, standard_catalog

T0 = datetime(2026, 11, 27, 9, 0)

waiting = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 2), st.sampled_from([None, 0, 1])),  # priority, hour, PO line
    min_size=1,
    max_size=12,
)


_SETUPS: dict[int, tuple[int, int, int, list[int]]] = {}


def _setup(ctx: Context) -> tuple[int, int, int, list[int]]:
    standard_catalog(ctx, backorder="always")
    po_lines = [confirmed_po(ctx, "MUG", 5, eta_in_days=8), confirmed_po(ctx, "MUG", 5, eta_in_days=9)]
    order(ctx, "MUG", 1)
    with unit_of_work(ctx.engine, readonly=True) as session:
        line = session.scalars(select(OrderLine)).one()
        part = session.scalars(select(LinePart)).first()
        assert part is not None
        ids = [session.scalars(select(POLine.id).where(POLine.po_id == po)).one() for po in po_lines]
        return line.id, part.sku_id, part.channel_id, ids


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(queue=waiting, receiving=st.sampled_from([None, 0, 1]))
def test_sql_fill_order_is_the_domain_fill_key(
    ctx: Context, queue: list[tuple[int, int, int | None]], receiving: int | None
) -> None:
    if id(ctx) not in _SETUPS:  # one catalog per test database; each example replaces the queue
        _SETUPS[id(ctx)] = _setup(ctx)
    line_id, sku_id, channel_id, po_line_ids = _SETUPS[id(ctx)]
    receiving_id = None if receiving is None else po_line_ids[receiving]
    with unit_of_work(ctx.engine) as session:
        session.execute(delete(LinePart))
        for priority, hour, po in queue:
            session.add(
                LinePart(
                    order_line_id=line_id,
                    sku_id=sku_id,
                    channel_id=channel_id,
                    kind=PartKind.BACKORDERED.value,
                    quantity=1,
                    po_line_id=None if po is None else po_line_ids[po],
                    priority=priority,
                    placed_at=T0 + timedelta(hours=hour),
                )
            )
    with unit_of_work(ctx.engine, readonly=True) as session:
        rows = session.execute(
            select(LinePart.id, LinePart.po_line_id, LinePart.priority, LinePart.placed_at).order_by(
                *fill_order_by(receiving_id)
            )
        ).all()
        queued = session.execute(
            select(LinePart.id, LinePart.po_line_id, LinePart.priority, LinePart.placed_at).order_by(*queue_order_by())
        ).all()
    parts = [WaitingPart(*row) for row in rows]
    assert parts == sorted(parts, key=lambda p: fill_key(p, receiving_id))
    assert [WaitingPart(*row) for row in queued] == sorted(parts, key=queue_key)
