"""What the shop state machine checks after every step: invariants 1-4 and 7 of design.md, in SQL.

A mixin of `tests/property/test_invariants_state_machine.py`'s machine: the helpers that read the database,
the independent oracle of the fill order, and the invariants themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from hypothesis.stateful import invariant
from sqlalchemy import Engine, text

from restock.domain.errors import RestockError
from restock.domain.model import promise_cap

HANDLING_DAYS = 2


@dataclass(frozen=True)
class QueuedPart:
    id: int
    quantity: int
    po_line_id: int | None
    priority: int
    placed_at: Any


class ShopChecks:
    """The database reads and invariants; the machine supplies `engine` and `ended_lines`."""

    engine: Engine
    ended_lines: dict[int, str]

    # ------------------------------------------------------------------ helpers

    def sql(self, query: str, **params: Any) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(text(query), params))

    def open_orders(self) -> list[str]:
        return [row[0] for row in self.sql("SELECT id FROM orders WHERE status = 'open' ORDER BY placed_at, id")]

    def open_pos(self) -> list[int]:
        return [
            row[0]
            for row in self.sql(
                "SELECT id FROM purchase_orders WHERE status IN ('sent', 'confirmed', 'partially_received') ORDER BY id"
            )
        ]

    def outbox_count(self) -> int:
        return int(self.sql("SELECT count(*) FROM outbox")[0][0])

    def attempt(self, action: Callable[[], object]) -> bool:
        """Run a use case; a refusal must leave no trace, not even an outbox row."""
        before = self.outbox_count()
        try:
            action()
        except RestockError:
            assert self.outbox_count() == before, "a refused change wrote a notification"
            return False
        return True

    # ------------------------------------------------------------------ the fill-order oracle

    def free(self, sku_id: int, warehouse_id: int) -> int:
        rows = self.sql(
            "SELECT on_hand - allocated FROM stock WHERE sku_id = :s AND warehouse_id = :w", s=sku_id, w=warehouse_id
        )
        return int(rows[0][0]) if rows else 0

    def on_hand(self, sku_id: int, warehouse_id: int) -> int:
        rows = self.sql("SELECT on_hand FROM stock WHERE sku_id = :s AND warehouse_id = :w", s=sku_id, w=warehouse_id)
        return int(rows[0][0]) if rows else 0

    def eligible_queue(self, sku_id: int, warehouse_id: int) -> list[QueuedPart]:
        rows = self.sql(
            "SELECT id, quantity, po_line_id, priority, placed_at FROM line_parts WHERE kind = 'backordered' "
            "AND sku_id = :s AND channel_id IN (SELECT channel_id FROM channel_warehouses WHERE warehouse_id = :w)",
            s=sku_id,
            w=warehouse_id,
        )
        return [QueuedPart(*row) for row in rows]

    def check_fills_follow_fill_order(self, queue: list[QueuedPart], line_id: int | None, units: int) -> None:
        expected: dict[int, int] = {}

        def pegged_here(part: QueuedPart) -> bool:
            return line_id is not None and part.po_line_id == line_id

        ordered = sorted(queue, key=lambda p: (not pegged_here(p), -p.priority, p.placed_at, p.id))
        for part in ordered:
            take = min(units, part.quantity)
            if take:
                expected[part.id] = take
            units -= take
        after = dict(self.sql("SELECT id, quantity FROM line_parts WHERE kind = 'backordered'"))
        actual = {p.id: p.quantity - after.get(p.id, 0) for p in queue if p.quantity - after.get(p.id, 0)}
        assert actual == expected, "arriving stock did not fill backorders in fill order"

    # ------------------------------------------------------------------ invariants

    @invariant()
    def never_oversell_stock(self) -> None:
        bad = self.sql("SELECT sku_id, warehouse_id FROM stock WHERE allocated < 0 OR allocated > on_hand")
        assert bad == []

    @invariant()
    def balances_equal_their_movements(self) -> None:
        bad = self.sql(
            "SELECT s.sku_id FROM stock s LEFT JOIN (SELECT sku_id, warehouse_id, sum(on_hand_delta) oh, "
            "sum(allocated_delta) al FROM movements GROUP BY sku_id, warehouse_id) m "
            "ON m.sku_id = s.sku_id AND m.warehouse_id = s.warehouse_id "
            "WHERE s.on_hand <> coalesce(m.oh, 0) OR s.allocated <> coalesce(m.al, 0)"
        )
        assert bad == []

    @invariant()
    def allocated_stock_is_exactly_what_order_lines_hold(self) -> None:
        bad = self.sql(
            "SELECT s.sku_id FROM stock s LEFT JOIN (SELECT sku_id, warehouse_id, sum(quantity) q FROM line_parts "
            "WHERE kind = 'allocated' GROUP BY sku_id, warehouse_id) p "
            "ON p.sku_id = s.sku_id AND p.warehouse_id = s.warehouse_id WHERE s.allocated <> coalesce(p.q, 0)"
        )
        assert bad == []

    @invariant()
    def promises_stay_within_the_capped_open_quantity(self) -> None:
        rows = self.sql(
            "SELECT l.id, l.ordered, l.received, l.promised, k.backorder_limit_pct, p.status, "
            "l.promisable, p.eta_confirmed, "
            "(SELECT coalesce(sum(quantity), 0) FROM line_parts b WHERE b.po_line_id = l.id AND b.kind = 'backordered')"
            " FROM po_lines l JOIN purchase_orders p ON p.id = l.po_id JOIN skus k ON k.id = l.sku_id"
        )
        for line_id, ordered, received, promised, limit, status, promisable, confirmed, pegged in rows:
            still_open = status in ("confirmed", "partially_received")
            assert bool(promisable) == (still_open and bool(confirmed)), f"PO line {line_id} open for promises?"
            assert promised == pegged, f"PO line {line_id}: promised {promised} but {pegged} pegged"
            assert 0 <= promised <= promise_cap(ordered, received, limit), f"PO line {line_id} over its cap"
            if status in ("cancelled", "received", "draft", "sent"):
                assert promised == 0, f"PO line {line_id} promises units while {status}"

    @invariant()
    def every_line_is_covered_exactly_by_its_parts(self) -> None:
        """shipped + cancelled + waiting + allocated == ordered for every line, and its status is the rule over its
        parts. Cancelled units are released parts that say who cancelled them; a part released by re-pegging
        says no one, and its units live on in the new parts."""
        rows = self.sql(
            "SELECT l.id, l.status, l.quantity, "
            "coalesce(sum(CASE WHEN p.kind = 'allocated' THEN p.quantity END), 0), "
            "coalesce(sum(CASE WHEN p.kind = 'backordered' THEN p.quantity END), 0), "
            "coalesce(sum(CASE WHEN p.kind = 'shipped' THEN p.quantity END), 0), "
            "coalesce(sum(CASE WHEN p.kind = 'released' AND p.cancelled_by IS NOT NULL THEN p.quantity END), 0) "
            "FROM order_lines l LEFT JOIN line_parts p ON p.order_line_id = l.id GROUP BY l.id, l.status, l.quantity"
        )
        for line_id, status, quantity, allocated, backordered, shipped, cancelled in rows:
            assert allocated + backordered + shipped + cancelled == quantity, f"line {line_id} does not add up"
            if status == "allocated":
                assert (allocated > 0, backordered) == (True, 0), line_id
            elif status == "backordered":
                assert backordered > 0, line_id
            elif status == "shipped":
                assert (allocated, backordered, shipped > 0) == (0, 0, True), line_id
            else:
                assert (allocated, backordered, shipped, cancelled) == (0, 0, 0, quantity), line_id

    @invariant()
    def a_line_ends_exactly_once(self) -> None:
        for line_id, status in self.sql("SELECT id, status FROM order_lines"):
            if line_id in self.ended_lines:
                assert status == self.ended_lines[line_id], f"line {line_id} ended twice"
            elif status in ("shipped", "cancelled"):
                self.ended_lines[line_id] = status

    @invariant()
    def free_stock_never_sits_beside_a_backorder_it_could_fill(self) -> None:
        bad = self.sql(
            "SELECT s.sku_id, s.warehouse_id FROM stock s WHERE s.on_hand > s.allocated AND EXISTS ("
            "SELECT 1 FROM line_parts p JOIN channel_warehouses cw ON cw.channel_id = p.channel_id "
            "WHERE p.kind = 'backordered' AND p.sku_id = s.sku_id AND cw.warehouse_id = s.warehouse_id)"
        )
        assert bad == []

    @invariant()
    def every_promised_date_rests_on_confirmed_supply(self) -> None:
        rows = self.sql(
            "SELECT b.id, b.window_earliest, b.window_latest, b.po_line_id, p.status, p.eta_confirmed, p.eta "
            "FROM line_parts b LEFT JOIN po_lines l ON l.id = b.po_line_id "
            "LEFT JOIN purchase_orders p ON p.id = l.po_id WHERE b.kind = 'backordered'"
        )
        for part_id, earliest, latest, po_line_id, status, confirmed, eta in rows:
            if po_line_id is None:
                assert (earliest, latest) == (None, None), f"part {part_id} has a date without supply"
                continue
            assert status in ("confirmed", "partially_received"), f"part {part_id} on a {status} PO"
            assert confirmed, f"part {part_id} rests on an unconfirmed ETA"
            assert _as_date(earliest) == _as_date(eta) + timedelta(days=HANDLING_DAYS)
            assert _as_date(latest) >= _as_date(earliest)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
