"""The set-based fill's line statuses (`store.fill._mark_lines_allocated`) are the domain's `line_status`.

The rule lives in `domain.lines`; the fill writes it as one UPDATE over the lines it touched. On random
queues (orders of random size and priority, on channels served by different warehouses, pegged to a PO or
undated) and random receipts (found stock in either warehouse, partial PO receipts), every stored line's
status must equal the rule over its stored parts, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from restock.domain.lines import PartKind, line_status
from restock.services import purchasing
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import LinePart, OrderLine
from tests.builders import confirmed_po, on_hand, order, standard_catalog

orders_placed = st.lists(
    st.tuples(st.integers(1, 4), st.integers(0, 2), st.sampled_from(["web", "market"])),  # quantity, priority
    min_size=1,
    max_size=8,
)
receipts = st.lists(
    st.tuples(st.sampled_from(["W1", "W2", "PO"]), st.integers(1, 6)),  # where the units arrive, how many
    min_size=1,
    max_size=5,
)

_POS: dict[int, int] = {}


def _stored_statuses_and_rule(ctx: Context) -> tuple[dict[int, str], dict[int, str]]:
    with unit_of_work(ctx.engine, readonly=True) as session:
        stored = {line.id: line.status for line in session.scalars(select(OrderLine))}
        kinds: dict[int, list[PartKind]] = defaultdict(list)
        for line_id, kind in session.execute(select(LinePart.order_line_id, LinePart.kind)):
            kinds[line_id].append(PartKind(kind))
    return stored, {line_id: line_status(kinds[line_id]).value for line_id in stored}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(placed=orders_placed, arriving=receipts)
def test_stored_line_status_after_a_fill_is_line_status_of_the_stored_parts(
    ctx: Context, placed: list[tuple[int, int, str]], arriving: list[tuple[str, int]]
) -> None:
    if id(ctx) not in _POS:  # one catalog per test database; the examples add to its queue
        standard_catalog(ctx, backorder="always")
        _POS[id(ctx)] = confirmed_po(ctx, "MUG", 1000, eta_in_days=8)
    po = _POS[id(ctx)]
    for quantity, priority, channel in placed:
        order(ctx, "MUG", quantity, channel=channel, priority=priority)
    for where, quantity in arriving:
        if where == "PO":
            purchasing.receive_po(ctx, po, [("MUG", quantity)])
        else:
            on_hand(ctx, "MUG", where, quantity)
    stored, rule = _stored_statuses_and_rule(ctx)
    assert stored == rule
