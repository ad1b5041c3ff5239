"""Order placement: the service layer against raw SQL, 16 concurrent workers, orders spread over 10,000 SKUs.

Service run: W threads place single-line orders (quantity 1, a random SKU each) through
`restock.services.orders.place_order`, sharing one Context (one engine, pool 20 + 10 overflow).
Raw run, the baseline in the same run: W threads, each with its own psycopg connection, doing the same
writes in one transaction with hand-written SQL: INSERT order, INSERT order line, guarded UPDATE of
the stock, INSERT movement, INSERT line part, INSERT outbox row, COMMIT.
The two alternate (raw, service, raw, service, ...) and the medians are compared.
Target: the service reaches at least 0.5 of the raw rate.

    .venv/bin/python bench/order_placement.py                       # 16 workers, 10,000 SKUs, 2 x 10 s each
    .venv/bin/python bench/order_placement.py --seconds 3 --rounds 1 --skus 1000
    .venv/bin/python bench/order_placement.py --profile 2000        # also cProfile 2,000 single-threaded orders

After the runs the invariants are checked: per SKU, stock.allocated equals the allocated line parts and
0 <= allocated <= on_hand, and every balance equals the sum of its ledger movements.
Before the runs, the SQL one `place_order` sends is counted and listed (--statements-only stops there).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import multiprocessing
import os
import pstats
import random
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from common import (
    TODAY,
    StatementCounter,
    add_url_argument,
    bench_schema,
    database_url,
    make_context,
    median,
    plain_sku_rows,
    search_path_args,
    server_version,
    settle,
    verdict,
)
from sqlalchemy import Engine, insert, text
from sqlalchemy.engine import make_url

from restock.domain.model import LineStatus, OrderStatus
from restock.services import catalog, orders
from restock.services.context import Context
from restock.store.db import make_engine
from restock.store.schema import Movement, Sku, Stock

SCHEMA = "bench_orders"
TARGET_RATIO = 0.5
WAREHOUSE = "W1"
CHANNEL = "web"
STOCK_PER_SKU = 100_000
CHUNK = 5_000
WARM_ORDERS = 8
"""psycopg prepares a statement on its 5th execution on a connection: warm up past that before counting."""


@dataclass(frozen=True)
class Catalog:
    channel_id: int
    warehouse_id: int
    sku_ids: dict[str, int]

    @property
    def codes(self) -> list[str]:
        return list(self.sku_ids)


def sku_code(i: int) -> str:
    return f"SKU-{i:05d}"


def build_catalog(ctx: Context, skus: int) -> Catalog:
    """One warehouse and a channel through the services; the SKUs, their stock and its ledger in bulk.

    Each stock row gets the `adjustment` movement `adjust_stock` would have written, so the ledger agrees.
    """
    warehouse_id = catalog.add_warehouse(ctx, WAREHOUSE, "Main warehouse")
    channel_id = catalog.add_channel(ctx, CHANNEL, [WAREHOUSE])
    now = ctx.clock.now()
    codes = [sku_code(i) for i in range(skus)]
    with ctx.engine.begin() as conn:
        for start in range(0, skus, CHUNK):
            chunk = codes[start : start + CHUNK]
            conn.execute(
                insert(Sku),
                plain_sku_rows(chunk),
            )
        sku_ids = {str(code): int(id_) for code, id_ in conn.execute(text("SELECT code, id FROM skus"))}
        rows = [(sku_ids[code], warehouse_id) for code in codes]
        for start in range(0, skus, CHUNK):
            chunk_rows = rows[start : start + CHUNK]
            conn.execute(
                insert(Stock),
                [{"sku_id": s, "warehouse_id": w, "on_hand": STOCK_PER_SKU, "allocated": 0} for s, w in chunk_rows],
            )
            conn.execute(
                insert(Movement),
                [
                    {
                        "sku_id": s,
                        "warehouse_id": w,
                        "kind": "adjustment",
                        "on_hand_delta": STOCK_PER_SKU,
                        "allocated_delta": 0,
                        "reason": "initial count",
                        "ref": "adjustment",
                        "created_at": now,
                    }
                    for s, w in chunk_rows
                ],
            )
    settle(ctx.engine)
    return Catalog(channel_id, warehouse_id, sku_ids)


# ---------------------------------------------------------------- the two kinds of worker


def order_request(sku: str, n: int) -> orders.OrderRequest:
    return orders.OrderRequest(CHANNEL, f"shopper{n}@example.com", (orders.LineRequest(sku, 1),))


class ServicePlacer:
    """Places orders through the service layer, as the API or the CLI would."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def __call__(self, sku: str, n: int) -> None:
        view = orders.place_order(self.ctx, order_request(sku, n))
        if view.lines[0].status != LineStatus.ALLOCATED.value:
            raise RuntimeError(f"order for {sku} was not allocated from stock: {view}")

    def close(self) -> None:
        """The engine is shared and disposed of by its owner."""


RAW_ORDER = (
    "INSERT INTO orders (id, channel_id, email, priority, status, placed_at, idempotency_key, request_hash)"
    " VALUES (%s, %s, %s, 0, %s, %s, NULL, %s)"
)
RAW_LINE = "INSERT INTO order_lines (order_id, sku_id, quantity, status) VALUES (%s, %s, 1, %s) RETURNING id"
RAW_STOCK = (
    "UPDATE stock SET allocated = allocated + 1 WHERE sku_id = %s AND warehouse_id = %s AND on_hand - allocated >= 1"
)
RAW_MOVEMENT = (
    "INSERT INTO movements (sku_id, warehouse_id, kind, on_hand_delta, allocated_delta, reason, ref, created_at)"
    " VALUES (%s, %s, 'allocation', 0, 1, NULL, %s, %s)"
)
RAW_PART = (
    "INSERT INTO line_parts (order_line_id, sku_id, channel_id, kind, quantity, warehouse_id, po_line_id,"
    " priority, placed_at, window_earliest, window_latest, promised_latest, delayed, filled_by)"
    " VALUES (%s, %s, %s, 'allocated', 1, %s, NULL, 0, %s, NULL, NULL, NULL, false, NULL)"
)
RAW_OUTBOX = (
    "INSERT INTO outbox (topic, dedup_key, payload, created_at, attempts) VALUES ('order_placed', %s, %s, %s, 0)"
)


class RawPlacer:
    """The same rows as the service writes for an in-stock single-line order, in one hand-written transaction."""

    def __init__(self, conninfo: str, schema: str, ctx: Context, shop: Catalog) -> None:
        self.conn = psycopg.connect(conninfo, options=search_path_args(schema)["options"])
        self.clock = ctx.clock
        self.shop = shop

    def __call__(self, sku: str, n: int) -> None:
        request = order_request(sku, n)
        order_id, now = "ord_" + secrets.token_hex(12), self.clock.now()
        sku_id, warehouse_id = self.shop.sku_ids[sku], self.shop.warehouse_id
        with self.conn.transaction(), self.conn.cursor() as cur:
            cur.execute(
                RAW_ORDER,
                (order_id, self.shop.channel_id, request.email, OrderStatus.OPEN.value, now, request.fingerprint()),
            )
            cur.execute(RAW_LINE, (order_id, sku_id, LineStatus.ALLOCATED.value))
            row = cur.fetchone()
            assert row is not None
            line_id = int(row[0])
            cur.execute(RAW_STOCK, (sku_id, warehouse_id))
            if cur.rowcount != 1:
                raise RuntimeError(f"no free stock of {sku}")
            cur.execute(RAW_MOVEMENT, (sku_id, warehouse_id, f"order:{order_id}", now))
            cur.execute(RAW_PART, (line_id, sku_id, self.shop.channel_id, warehouse_id, now))
            cur.execute(RAW_OUTBOX, (f"order_placed:{order_id}", self._payload(order_id, request, line_id, now), now))

    def _payload(self, order_id: str, request: orders.OrderRequest, line_id: int, now: datetime) -> str:
        line = request.lines[0]
        body = {
            "email": request.email,
            "id": order_id,
            "status": OrderStatus.OPEN.value,
            "channel": CHANNEL,
            "placed_at": now.isoformat(),
            "lines": [
                {
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "allocated": line.quantity,
                    "backordered": 0,
                    "status": LineStatus.ALLOCATED.value,
                    "ship_window": None,
                    "delayed": False,
                }
            ],
        }
        return json.dumps(body, default=str, sort_keys=True)

    def close(self) -> None:
        self.conn.close()


Placer = Callable[[str, int], None]


# ---------------------------------------------------------------- running W workers for a while


@dataclass
class Outcome:
    orders: int
    seconds: float
    cpu_seconds: float
    """CPU time of this Python process (all threads) during the run; Python code holds the GIL, so ~1 core at most."""
    errors: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.orders / self.seconds

    @property
    def cpu_ms_per_order(self) -> float:
        return self.cpu_seconds / max(self.orders, 1) * 1000

    @property
    def cpu_share(self) -> float:
        return self.cpu_seconds / self.seconds


def run_workers(placers: Sequence[Placer], codes: list[str], seconds: float, seed: int) -> Outcome:
    """Every placer in its own thread, placing orders for random SKUs until `seconds` have passed."""
    stop = threading.Event()
    start_line = threading.Barrier(len(placers) + 1)
    done = [0] * len(placers)
    errors: list[str] = []

    def work(index: int, place: Placer) -> None:
        rng = random.Random(seed * 1000 + index)
        start_line.wait()
        while not stop.is_set():
            try:
                place(rng.choice(codes), seed * 10_000_000 + index * 100_000 + done[index])
            except Exception as error:  # one failure must not hide the others' figures
                errors.append(f"worker {index}: {type(error).__name__}: {error}")
                return
            done[index] += 1

    threads = [threading.Thread(target=work, args=(i, p), daemon=True) for i, p in enumerate(placers)]
    for thread in threads:
        thread.start()
    start_line.wait()
    started, cpu_started = time.perf_counter(), time.process_time()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return Outcome(sum(done), time.perf_counter() - started, time.process_time() - cpu_started, errors)


@dataclass
class Bench:
    engine: Engine
    ctx: Context
    shop: Catalog
    conninfo: str
    workers: int
    processes: int = 1
    placed: int = 0
    seed: int = 0

    def placers(self, kind: str, count: int) -> list[ServicePlacer | RawPlacer]:
        if kind == "service":
            return [ServicePlacer(self.ctx) for _ in range(count)]
        return [RawPlacer(self.conninfo, SCHEMA, self.ctx, self.shop) for _ in range(count)]

    def run(self, kind: str, seconds: float) -> Outcome:
        self.seed += 1
        if self.processes > 1:
            outcome = self._run_in_processes(kind, seconds)
        else:
            outcome = self._run_here(kind, seconds, self.workers, self.seed)
        self.placed += outcome.orders
        if outcome.errors:
            raise SystemExit(f"{kind} run failed:\n  " + "\n  ".join(outcome.errors[:5]))
        return outcome

    def _run_here(self, kind: str, seconds: float, threads: int, seed: int) -> Outcome:
        placers = self.placers(kind, threads)
        try:
            return run_workers(placers, self.shop.codes, seconds, seed)
        finally:
            for placer in placers:
                placer.close()

    def _run_in_processes(self, kind: str, seconds: float) -> Outcome:
        """The workers spread over P forked processes, as `uvicorn --workers P` would run the service.

        Each child gets its own engine (a pool must never cross a fork) and its own raw connections.
        """
        fork = multiprocessing.get_context("fork")
        results = fork.Queue()
        threads = self.workers // self.processes
        children = [
            fork.Process(target=self._child, args=(kind, seconds, threads, self.seed * 100 + i, results))
            for i in range(self.processes)
        ]
        self.engine.dispose()
        for child in children:
            child.start()
        outcomes = [results.get() for _ in children]
        for child in children:
            child.join()
        return Outcome(
            sum(o.orders for o in outcomes),
            max(o.seconds for o in outcomes),
            sum(o.cpu_seconds for o in outcomes),
            [e for o in outcomes for e in o.errors],
        )

    def _child(self, kind: str, seconds: float, threads: int, seed: int, results: Any) -> None:
        engine = make_engine(
            self.engine.url.render_as_string(hide_password=False),
            connect_args=search_path_args(SCHEMA),
            pool_size=threads + 2,
            max_overflow=0,
        )
        child = Bench(engine, make_context(engine), self.shop, self.conninfo, self.workers)
        try:
            results.put(child._run_here(kind, seconds, threads, seed))
        finally:
            engine.dispose()

    def round_trips(self, kind: str, orders_to_place: int) -> float:
        """Protocol round trips per order (BEGIN, COMMIT and the pool's pre-ping included), from a libpq trace."""
        fd, path = tempfile.mkstemp(prefix="restock-trace-", suffix=".log")
        engine = make_engine(
            self.engine.url.render_as_string(hide_password=False),
            connect_args=search_path_args(SCHEMA),
            pool_size=1,  # one connection: the one traced
            max_overflow=0,
        )
        place: ServicePlacer | RawPlacer = (
            ServicePlacer(make_context(engine)) if kind == "service" else self.placers(kind, 1)[0]
        )
        rng = random.Random(7)
        try:
            for n in range(WARM_ORDERS):  # connect, fill the caches, let psycopg prepare: outside the count
                place(rng.choice(self.shop.codes), -50_000 - n)
            if isinstance(place, RawPlacer):
                pgconn = _pgconn(place.conn)
            else:
                with engine.connect() as conn:
                    pgconn = _pgconn(conn.connection.driver_connection)
            pgconn.trace(fd)
            for n in range(orders_to_place):
                place(rng.choice(self.shop.codes), -60_000 - n)
            pgconn.untrace()
            trace = Path(path).read_text(errors="replace")
        finally:
            place.close()
            engine.dispose()
            os.close(fd)
            Path(path).unlink(missing_ok=True)
        self.placed += WARM_ORDERS + orders_to_place
        return sum(1 for line in trace.splitlines() if _is_round_trip(line)) / orders_to_place

    def single(self, kind: str, orders_to_place: int) -> tuple[float, float]:
        """(wall ms, Python CPU ms) per order for one worker alone: the latency, without any contention."""
        [place] = self.placers(kind, 1)
        rng = random.Random(1)
        try:
            for n in range(WARM_ORDERS):
                place(rng.choice(self.shop.codes), -30_000 - n)
            started, cpu_started = time.perf_counter(), time.process_time()
            for n in range(orders_to_place):
                place(rng.choice(self.shop.codes), -40_000 - n)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        finally:
            place.close()
        self.placed += WARM_ORDERS + orders_to_place
        return wall / orders_to_place * 1000, cpu / orders_to_place * 1000


# ---------------------------------------------------------------- what one place_order sends


def count_statements(engine: Engine, ctx: Context, codes: list[str], orders_to_place: int) -> int:
    """Statements per service order, as SQLAlchemy's before_cursor_execute sees them, with the list of one."""
    counter = StatementCounter(engine, keep_log=True)
    place = ServicePlacer(ctx)
    rng = random.Random(42)
    for n in range(WARM_ORDERS):  # warm the compiled-statement cache first
        place(rng.choice(codes), -1 - n)
    counter.reset()
    place(rng.choice(codes), -20)
    one_order = list(counter.log)
    counter.reset()
    for n in range(orders_to_place):
        place(rng.choice(codes), -21 - n)
    per_order = counter.total / orders_to_place
    counter.close()
    print(f"SQL statements per place_order (single-line, in stock): {per_order:.1f}  (raw transaction: 6)")
    print("statements of one order, in order:")
    for number, statement in enumerate(one_order, 1):
        print(f"  {number:2d}. {shorten(statement)}")
    return WARM_ORDERS + 1 + orders_to_place


def shorten(statement: str, width: int = 150) -> str:
    return statement if len(statement) <= width else statement[: width - 3] + "..."


def _is_round_trip(line: str) -> bool:
    """A frontend message the client then waits on: a simple Query, or the Sync ending an extended query."""
    parts = line.split("\t")
    return len(parts) > 3 and parts[1] == "F" and parts[3].split(" ")[0] in ("Query", "Sync")


def _pgconn(dbapi_conn: Any) -> Any:
    return dbapi_conn.pgconn


def profile_service(ctx: Context, codes: list[str], orders_to_place: int) -> None:
    place = ServicePlacer(ctx)
    rng = random.Random(99)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for n in range(orders_to_place):
        place(rng.choice(codes), -10_000 - n)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(
        f"cProfile: {orders_to_place} orders single-threaded in {elapsed:.2f} s"
        f" ({orders_to_place / elapsed:.0f}/s, {elapsed / orders_to_place * 1000:.2f} ms each, profiler on)"
    )
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(25)
    stats.sort_stats("tottime").print_stats(15)


# ---------------------------------------------------------------- invariants


INVARIANTS = {
    "stock.allocated differs from the sum of allocated line parts": """
        SELECT count(*) FROM stock s
        LEFT JOIN (
            SELECT sku_id, warehouse_id, sum(quantity) AS q FROM line_parts WHERE kind = 'allocated'
            GROUP BY sku_id, warehouse_id
        ) p ON p.sku_id = s.sku_id AND p.warehouse_id = s.warehouse_id
        WHERE s.allocated <> coalesce(p.q, 0)""",
    "allocated outside 0..on_hand": "SELECT count(*) FROM stock WHERE allocated < 0 OR allocated > on_hand",
    "balance differs from the sum of its movements": """
        SELECT count(*) FROM stock s
        LEFT JOIN (
            SELECT sku_id, warehouse_id, sum(on_hand_delta) AS oh, sum(allocated_delta) AS al FROM movements
            GROUP BY sku_id, warehouse_id
        ) m ON m.sku_id = s.sku_id AND m.warehouse_id = s.warehouse_id
        WHERE s.on_hand <> coalesce(m.oh, 0) OR s.allocated <> coalesce(m.al, 0)""",
}


def check_invariants(engine: Engine, placed: int) -> None:
    with engine.connect() as conn:
        broken = {name: int(conn.execute(text(sql)).scalar_one()) for name, sql in INVARIANTS.items()}
        counts = {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in ("orders", "order_lines", "line_parts")
        }
        counts["order_placed messages"] = int(
            conn.execute(text("SELECT count(*) FROM outbox WHERE topic = 'order_placed'")).scalar_one()
        )
        allocated = int(conn.execute(text("SELECT coalesce(sum(allocated), 0) FROM stock")).scalar_one())
    problems = [f"{name}: {rows} SKU(s)" for name, rows in broken.items() if rows]
    problems += [f"{name}: {got}, expected {placed}" for name, got in counts.items() if got != placed]
    if allocated != placed:
        problems.append(f"units allocated: {allocated}, expected {placed}")
    if problems:
        raise SystemExit("invariants broken:\n  " + "\n  ".join(problems))
    print(
        f"invariants hold: {placed:,} orders; per SKU allocated = allocated line parts, 0 <= allocated <= on_hand,"
        " balances = sum of movements"
    )


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=16, help="concurrent workers (default 16)")
    parser.add_argument("--skus", type=int, default=10_000, help="SKUs orders are spread over (default 10000)")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each timed run (default 10)")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="spread the workers over P processes, one per core, as the service runs (default 2; 1: threads only)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds of (raw, service) runs (default 2)")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed warm-up of each kind first (default 2 s)")
    parser.add_argument("--count-orders", type=int, default=50, help="orders over which statements are counted")
    parser.add_argument("--single", type=int, default=300, help="orders timed for one worker alone (0: skip)")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N single-threaded orders")
    parser.add_argument("--statements-only", action="store_true", help="only the single-worker diagnostics, no runs")
    add_url_argument(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.workers <= 64:
        parser.error("--workers must be between 1 and 64")
    if not 1 <= args.skus <= 100_000:
        parser.error("--skus must be between 1 and 100000")
    if args.seconds <= 0 or args.rounds < 1 or args.count_orders < 1:
        parser.error("--seconds, --rounds and --count-orders must be positive")
    if args.processes < 1 or args.workers % args.processes:
        parser.error("--workers must be a multiple of --processes")
    if args.warmup < 0 or args.profile < 0 or args.single < 0:
        parser.error("--warmup, --single and --profile must not be negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url or database_url()
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    pool = {"pool_size": 20, "max_overflow": 10}
    with bench_schema(url, SCHEMA, keep=args.keep_schema, **pool) as engine:
        print(
            f"order placement: {args.workers} workers in {args.processes} process(es), single-line orders over"
            f" {args.skus:,} SKUs,"
            f" {args.rounds} x (raw {args.seconds:g} s, service {args.seconds:g} s)"
        )
        print(f"PostgreSQL {server_version(engine)}, schema {SCHEMA}, business date {TODAY}, pool 20 + 10 overflow")
        ctx = make_context(engine)
        started = time.perf_counter()
        shop = build_catalog(ctx, args.skus)
        print(f"catalog of {args.skus:,} SKUs with stock built in {time.perf_counter() - started:.1f} s")
        bench = Bench(engine, ctx, shop, conninfo, args.workers, args.processes)

        bench.placed += count_statements(engine, ctx, shop.codes, args.count_orders)
        for kind in ("raw", "service"):
            trips = bench.round_trips(kind, args.count_orders)
            print(f"protocol round trips per order, {kind:>7}: {trips:4.1f} (BEGIN, COMMIT and pool pre-ping included)")
        if args.single:
            for kind in ("raw", "service"):
                wall, cpu = bench.single(kind, args.single)
                print(f"one worker alone, {kind:>7}: {wall:5.2f} ms/order wall, {cpu:5.2f} ms/order Python CPU")
        if args.profile:
            profile_service(ctx, shop.codes, args.profile)
            bench.placed += args.profile
        if args.statements_only:
            check_invariants(engine, bench.placed)
            return 0

        if args.warmup:
            bench.run("raw", args.warmup)
            bench.run("service", args.warmup)
        raws: list[float] = []
        services: list[float] = []
        for round_no in range(1, args.rounds + 1):
            raw = bench.run("raw", args.seconds)
            service = bench.run("service", args.seconds)
            raws.append(raw.rate)
            services.append(service.rate)
            print(
                f"  round {round_no}: raw {raw.rate:7.1f} orders/s ({raw.orders:,} in {raw.seconds:.1f} s)"
                f" | service {service.rate:7.1f} orders/s ({service.orders:,} in {service.seconds:.1f} s)"
                f" | ratio {service.rate / raw.rate:.2f}"
            )
            for name, outcome in (("raw", raw), ("service", service)):
                print(
                    f"           {name:>7}: Python CPU {outcome.cpu_ms_per_order:5.2f} ms/order,"
                    f" process busy {outcome.cpu_share:4.0%} of one core"
                )
        raw_median, service_median = median(raws), median(services)
        ratio = service_median / raw_median
        print(f"median raw SQL:       {raw_median:8.1f} orders/s")
        print(f"median service layer: {service_median:8.1f} orders/s")
        per_round = median([service / raw for service, raw in zip(services, raws, strict=True)])
        print(f"median of the per-round ratios: {per_round:.2f} (each round's pair ran back to back)")
        print(f"ratio service/raw = {ratio:.2f} (target >= {TARGET_RATIO:g}): {verdict(ratio >= TARGET_RATIO)}")
        check_invariants(engine, bench.placed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
