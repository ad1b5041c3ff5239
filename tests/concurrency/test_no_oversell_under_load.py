"""Many clients at once on PostgreSQL: the guarded UPDATEs must hold where SQLite's single writer proves nothing."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import Engine, text

from restock.domain.errors import OrderRefused, RestockError
from restock.services import orders, purchasing, stock
from restock.services.context import Context
from tests.builders import balance, confirmed_po, on_hand, order, standard_catalog
from tests.conftest import make_context

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("load")]  # one load test at a time

CLIENTS = 60


def all_at_once(count: int, action: Callable[[int], str]) -> Counter[str]:
    """Run `action` from `count` threads released together; count what each one reports."""
    start = threading.Barrier(count)

    def client(n: int) -> str:
        start.wait()
        return action(n)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(client, range(count)))


def test_concurrent_orders_never_oversell_stock_or_inbound(postgres: Engine) -> None:
    ctx = make_context(postgres)
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 20)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)

    def buy_one(n: int) -> str:
        try:
            return order(ctx, "MUG", 1, email=f"c{n}@example.com").lines[0].status
        except OrderRefused:
            return "refused"

    outcome = all_at_once(CLIENTS, buy_one)
    assert outcome == {"allocated": 20, "backordered": 10, "refused": CLIENTS - 30}
    assert balance(ctx, "MUG", "W1") == (20, 20)
    assert purchasing.show_po(ctx, po).lines[0].promised == 10
    assert stock.ledger_discrepancies(ctx) == []
    assert count_rows(postgres, "SELECT count(*) FROM outbox WHERE topic = 'order_placed'") == 30


def test_concurrent_retries_with_one_idempotency_key_place_one_order(postgres: Engine) -> None:
    ctx = make_context(postgres)
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 50)
    outcome = all_at_once(20, lambda n: order(ctx, "MUG", 2, key="checkout-7").id)
    assert len(outcome) == 1
    assert balance(ctx, "MUG", "W1") == (50, 2)
    assert count_rows(postgres, "SELECT count(*) FROM orders") == 1


def test_receipts_cancellations_and_orders_racing_keep_every_balance_right(postgres: Engine) -> None:
    ctx = make_context(postgres)
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    po = confirmed_po(ctx, "MUG", 40, eta_in_days=8)
    spare = confirmed_po(ctx, "MUG", 30, eta_in_days=12)
    doomed = confirmed_po(ctx, "MUG", 20, eta_in_days=6)
    early = [order(ctx, "MUG", 3, email=f"e{n}@example.com") for n in range(12)]

    def act(n: int) -> str:
        try:
            match n % 6:
                case 0 | 1:
                    orders.cancel_order(ctx, early[n // 6 * 2 + n % 6].id)
                case 2:
                    purchasing.receive_po(ctx, po, [("MUG", 3)])
                case 3 if n == 3:
                    purchasing.cancel_po(ctx, doomed)
                case 3:
                    purchasing.change_eta(ctx, spare, ctx.clock.today() + timedelta(days=14 + n))
                case _:
                    return order(ctx, "MUG", 2, email=f"n{n}@example.com").lines[0].status
        except RestockError:  # refused orders, the PO already cancelled in an earlier round
            return "refused"
        return "done"

    for _ in range(3):
        all_at_once(36, act)
        assert_invariants(ctx, postgres)
        on_hand(ctx, "MUG", "W1", 36)  # room for the next round's early orders
        early = [order(ctx, "MUG", 3, email=f"e{n}@example.com") for n in range(12)]


def assert_invariants(ctx: Context, engine: Engine) -> None:
    assert stock.ledger_discrepancies(ctx) == []
    assert count_rows(engine, "SELECT count(*) FROM stock WHERE allocated < 0 OR allocated > on_hand") == 0
    assert (
        count_rows(
            engine,
            "SELECT count(*) FROM po_lines l WHERE l.promised <> (SELECT coalesce(sum(quantity), 0) FROM line_parts p"
            " WHERE p.po_line_id = l.id AND p.kind = 'backordered') OR l.promised > l.ordered - l.received",
        )
        == 0
    )
    assert (
        count_rows(
            engine,
            "SELECT count(*) FROM stock s WHERE s.on_hand > s.allocated AND EXISTS (SELECT 1 FROM line_parts p"
            " WHERE p.kind = 'backordered' AND p.sku_id = s.sku_id)",
        )
        == 0
    )


def count_rows(engine: Engine, query: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(query)).scalar_one())
