"""Fill-on-receipt: N waiting backorder lines for one SKU, receive N units, time the fill.

Baseline, measured in the same run on the same state: one plain SQL UPDATE turning the same N backorder
parts into allocated ones. Target: the fill through `receive_po` takes at most 5x the plain UPDATE,
which only a set-based fill can reach (a Python loop of single-row statements cannot).

    .venv/bin/python bench/fill_on_receipt.py                 # 100,000 lines, 3 rounds
    .venv/bin/python bench/fill_on_receipt.py --lines 10000 --repeat 1

The waiting backorders are bulk-inserted with SQLAlchemy Core (placing 100,000 orders through the
service would take minutes), row for row what `place_order` writes. To keep that model honest, the
first order of every set-up is placed through the real service and its rows are compared with the
rows the model builds for it; a mismatch stops the benchmark.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from common import (
    TODAY,
    StatementCounter,
    add_url_argument,
    bench_schema,
    bump_sequence,
    database_url,
    fmt_seconds,
    make_context,
    median,
    next_id,
    server_version,
    settle,
    timed,
    truncate_all,
    verdict,
)
from sqlalchemy import Connection, Engine, func, insert, select, text, update

from restock.domain.model import LineStatus, OrderStatus, ShipWindow
from restock.services import catalog, orders, purchasing
from restock.services.context import Context
from restock.services.supply import window_for
from restock.services.views import Customer, window_of
from restock.store.schema import (
    LinePart,
    Order,
    OrderLine,
    OutboxMessage,
    POLine,
    Stock,
)

SCHEMA = "bench_fill"
TARGET_RATIO = 5.0
SKU = "MUG"
WAREHOUSE = "W1"
CHANNEL = "web"
SUPPLIER = "ACME"
ETA_IN_DAYS = 10
CHUNK = 10_000
PLAIN_UPDATE = text(
    "UPDATE line_parts SET kind = 'allocated', warehouse_id = :w WHERE sku_id = :s AND kind = 'backordered'"
)


@dataclass(frozen=True)
class FillState:
    """Ids of the catalog and the PO the waiting backorders rest on."""

    lines: int
    sku_id: int
    warehouse_id: int
    channel_id: int
    po_id: int
    po_line_id: int
    window: ShipWindow


@dataclass(frozen=True)
class WaitingOrder:
    """One waiting single-unit backorder, as `place_order` records it."""

    index: int
    order_id: str
    email: str
    placed_at: datetime
    line_id: int
    part_id: int


# ---------------------------------------------------------------- the rows place_order writes


def email_for(i: int) -> str:
    return f"shopper{i}@example.com"


def order_id_for(i: int) -> str:
    """Same shape as `orders.new_order_id` (28 characters), but predictable."""
    return f"ord_{i:024x}"


def request_for(i: int) -> orders.OrderRequest:
    return orders.OrderRequest(CHANNEL, email_for(i), (orders.LineRequest(SKU, 1),))


def order_row(state: FillState, w: WaitingOrder) -> dict[str, Any]:
    return {
        "id": w.order_id,
        "channel_id": state.channel_id,
        "email": w.email,
        "priority": 0,
        "status": OrderStatus.OPEN.value,
        "placed_at": w.placed_at,
        "idempotency_key": None,
        "request_hash": request_for(w.index).fingerprint(),
    }


def line_row(state: FillState, w: WaitingOrder) -> dict[str, Any]:
    return {
        "id": w.line_id,
        "order_id": w.order_id,
        "sku_id": state.sku_id,
        "quantity": 1,
        "status": LineStatus.BACKORDERED.value,
    }


def part_row(state: FillState, w: WaitingOrder) -> dict[str, Any]:
    return {
        "id": w.part_id,
        "order_line_id": w.line_id,
        "sku_id": state.sku_id,
        "channel_id": state.channel_id,
        "kind": "backordered",
        "quantity": 1,
        "warehouse_id": None,
        "po_line_id": state.po_line_id,
        "priority": 0,
        "placed_at": w.placed_at,
        "window_earliest": state.window.earliest,
        "window_latest": state.window.latest,
        "promised_latest": state.window.latest,
        "delayed": False,
        "filled_by": None,
    }


def placed_payload(state: FillState, w: WaitingOrder) -> str:
    """The `order_placed` payload, built from the service's own view classes and encoded as `emit` does."""
    view = orders.OrderView(
        id=w.order_id,
        status=OrderStatus.OPEN.value,
        channel=CHANNEL,
        customer=Customer(email=w.email),
        placed_at=w.placed_at,
        lines=[
            orders.LineView(
                id=w.line_id,
                sku=SKU,
                quantity=1,
                allocated=0,
                backordered=1,
                shipped=0,
                status=LineStatus.BACKORDERED.value,
                ship_window=window_of(state.window),
                delayed=False,
            )
        ],
    )
    return json.dumps({"email": w.email, **view.to_json()}, default=str, sort_keys=True)


def outbox_row(state: FillState, w: WaitingOrder) -> dict[str, Any]:
    return {
        "topic": "order_placed",
        "dedup_key": f"order_placed:{w.order_id}",
        "payload": placed_payload(state, w),
        "created_at": w.placed_at,
        "attempts": 0,
    }


# ---------------------------------------------------------------- set-up


def build_catalog(ctx: Context, lines: int) -> FillState:
    """Warehouse, channel, supplier, SKU and a confirmed PO of `lines` units, all through the services."""
    warehouse_id = catalog.add_warehouse(ctx, WAREHOUSE, "Main warehouse")
    channel_id = catalog.add_channel(ctx, CHANNEL, [WAREHOUSE])
    catalog.add_supplier(ctx, SUPPLIER, 14)
    sku_id = catalog.add_sku(ctx, SKU, "Mug", "12.50", "confirmed", 30, 100)
    po = purchasing.create_po(ctx, SUPPLIER, WAREHOUSE, [(SKU, lines)])
    eta = ctx.clock.today() + timedelta(days=ETA_IN_DAYS)
    purchasing.confirm_po(ctx, po.id, eta)
    with ctx.engine.connect() as conn:
        po_line_id = conn.execute(select(POLine.id).where(POLine.po_id == po.id)).scalar_one()
    window = window_for(ctx.settings, eta, None)
    assert window is not None
    return FillState(lines, sku_id, warehouse_id, channel_id, po.id, po_line_id, window)


def place_first_order(ctx: Context, state: FillState) -> WaitingOrder:
    """Place order 0 through the real service and check the model builds exactly the rows it wrote."""
    view = orders.place_order(ctx, request_for(0))
    if [line.status for line in view.lines] != [LineStatus.BACKORDERED.value]:
        raise SystemExit(f"the first order should have been backordered, got {view}")
    with ctx.engine.connect() as conn:
        part_id = conn.execute(select(LinePart.id).where(LinePart.order_line_id == view.lines[0].id)).scalar_one()
        first = WaitingOrder(0, view.id, view.email, view.placed_at, view.lines[0].id, part_id)
        real = {
            "orders": _one(conn, Order, Order.id == first.order_id),
            "order_lines": _one(conn, OrderLine, OrderLine.id == first.line_id),
            "line_parts": _one(conn, LinePart, LinePart.id == first.part_id),
            "outbox": _one(conn, OutboxMessage, OutboxMessage.dedup_key == f"order_placed:{first.order_id}"),
        }
    modelled = {
        "orders": order_row(state, first),
        "order_lines": line_row(state, first),
        "line_parts": part_row(state, first),
        "outbox": outbox_row(state, first),
    }
    for table, model in modelled.items():
        wrong = {k: (v, real[table][k]) for k, v in model.items() if real[table][k] != v}
        if wrong:
            raise SystemExit(f"bench model of place_order is out of date: {table} differs (model, real): {wrong}")
    return first


def _one(conn: Connection, model: Any, where: Any) -> dict[str, Any]:
    return dict(conn.execute(select(model.__table__).where(where)).mappings().one())


def waiting_orders(conn: Connection, first: WaitingOrder, count: int) -> Iterator[WaitingOrder]:
    """Orders 1..count-1, each placed a millisecond after the one before (FIFO order = id order)."""
    line_id, part_id = next_id(conn, "order_lines"), next_id(conn, "line_parts")
    for i in range(1, count):
        yield WaitingOrder(
            i,
            order_id_for(i),
            email_for(i),
            first.placed_at + timedelta(milliseconds=i),
            line_id + i - 1,
            part_id + i - 1,
        )


def _chunks(items: Iterator[WaitingOrder], size: int) -> Iterator[list[WaitingOrder]]:
    chunk: list[WaitingOrder] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def build_state(engine: Engine, lines: int) -> FillState:
    """A fresh schema state: catalog, a confirmed PO of `lines` units, `lines` waiting backorders pegged to it."""
    truncate_all(engine)
    ctx = make_context(engine)
    state = build_catalog(ctx, lines)
    first = place_first_order(ctx, state)
    with engine.begin() as conn:
        for chunk in _chunks(waiting_orders(conn, first, lines), CHUNK):
            conn.execute(insert(Order), [order_row(state, w) for w in chunk])
            conn.execute(insert(OrderLine), [line_row(state, w) for w in chunk])
            conn.execute(insert(LinePart), [part_row(state, w) for w in chunk])
            conn.execute(insert(OutboxMessage), [outbox_row(state, w) for w in chunk])
        conn.execute(update(POLine).where(POLine.id == state.po_line_id).values(promised=POLine.promised + lines - 1))
        bump_sequence(conn, "order_lines")
        bump_sequence(conn, "line_parts")
    settle(engine)
    return state


# ---------------------------------------------------------------- the two timed operations


def run_plain(engine: Engine, state: FillState) -> float:
    def update_all() -> None:
        with engine.begin() as conn:
            result = conn.execute(PLAIN_UPDATE, {"w": state.warehouse_id, "s": state.sku_id})
            if result.rowcount != state.lines:
                raise SystemExit(f"plain UPDATE touched {result.rowcount} rows, expected {state.lines}")

    return timed(update_all)


def run_fill(engine: Engine, state: FillState) -> tuple[float, int]:
    """Seconds `receive_po` took, and how many SQL statements it sent (set-based: independent of the lines)."""
    ctx = make_context(engine)
    counter = StatementCounter(engine)
    try:
        seconds = timed(lambda: purchasing.receive_po(ctx, state.po_id, [(SKU, state.lines)]))
    finally:
        counter.close()
    check_filled(engine, state)
    return seconds, counter.total


def check_filled(engine: Engine, state: FillState) -> None:
    """Every line allocated, the stock fully allocated, one backorder_filled message per line, promises returned."""
    with engine.connect() as conn:

        def count(query: Any) -> int:
            return int(conn.execute(query).scalar_one())

        checks = {
            "allocated lines": count(
                select(func.count()).select_from(OrderLine).where(OrderLine.status == LineStatus.ALLOCATED.value)
            ),
            "allocated parts": count(select(func.count()).select_from(LinePart).where(LinePart.kind == "allocated")),
            "stock allocated": count(
                select(Stock.allocated).where(Stock.sku_id == state.sku_id, Stock.warehouse_id == state.warehouse_id)
            ),
            "stock on hand": count(
                select(Stock.on_hand).where(Stock.sku_id == state.sku_id, Stock.warehouse_id == state.warehouse_id)
            ),
            "backorder_filled messages": count(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.topic == "backorder_filled")
            ),
            "PO line received": count(select(POLine.received).where(POLine.id == state.po_line_id)),
        }
        waiting = count(select(func.count()).select_from(LinePart).where(LinePart.kind == "backordered"))
        promised = count(select(POLine.promised).where(POLine.id == state.po_line_id))
    wrong = {name: got for name, got in checks.items() if got != state.lines}
    if waiting != 0:
        wrong["parts still waiting (expected 0)"] = waiting
    if promised != 0:
        wrong["PO line promised (expected 0)"] = promised
    if wrong:
        raise SystemExit(f"fill-on-receipt left a wrong state (expected {state.lines} each): {wrong}")


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lines", type=int, default=100_000, help="waiting backorder lines (default 100000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (plain UPDATE, fill) (default 3)")
    add_url_argument(parser)
    args = parser.parse_args(argv)
    if not 2 <= args.lines <= 1_000_000:
        parser.error("--lines must be between 2 and 1000000")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url or database_url()
    with bench_schema(url, SCHEMA, keep=args.keep_schema) as engine:
        print(f"fill-on-receipt: {args.lines:,} waiting backorder lines of one SKU, receive {args.lines:,} units")
        print(f"PostgreSQL {server_version(engine)}, schema {SCHEMA}, {args.repeat} round(s), business date {TODAY}")
        plains: list[float] = []
        fills: list[float] = []
        for round_no in range(1, args.repeat + 1):
            started = time.perf_counter()
            state = build_state(engine, args.lines)
            setup = time.perf_counter() - started
            plain = run_plain(engine, state)
            state = build_state(engine, args.lines)
            fill, statements = run_fill(engine, state)
            plains.append(plain)
            fills.append(fill)
            print(
                f"  round {round_no}: plain UPDATE {fmt_seconds(plain)} | fill (receive_po) {fmt_seconds(fill)}"
                f" | ratio {fill / plain:5.2f}x | receive_po sent {statements} SQL statements"
                f" | state built in {setup:.1f} s"
            )
        plain_median, fill_median = median(plains), median(fills)
        ratio = fill_median / plain_median
        print(f"median plain UPDATE:       {fmt_seconds(plain_median)}")
        print(f"median fill (receive_po):  {fmt_seconds(fill_median)}  ({args.lines / fill_median:,.0f} lines/s)")
        per_round = median([fill / plain for fill, plain in zip(fills, plains, strict=True)])
        print(f"median of the per-round ratios: {per_round:.2f}x (each round's pair ran back to back)")
        print(f"ratio fill/plain = {ratio:.2f}x (target <= {TARGET_RATIO:g}x): {verdict(ratio <= TARGET_RATIO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
