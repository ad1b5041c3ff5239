"""Orders per second through HTTP: `restock serve --workers 2` against a raw SQL transaction, 16 concurrent clients.

Two cases, each with its baseline measured in the same run:
- spread: single-line orders (quantity 1) for a random SKU out of 10,000, all with plenty of stock;
- hot:    every order for the same SKU, with stock for the whole run.

HTTP side: `python -m restock serve --port P --workers 2` in a subprocess, on a schema of its own; 16 client
threads in this process, each with one keep-alive connection, POST /v1/orders back to back with a storefront
key. Only 201s count; any other answer stops the benchmark.
Baseline: the raw SQL transaction of bench/order_placement.py (`RawPlacer`: INSERT order, INSERT line,
guarded UPDATE of the stock, INSERT movement, INSERT line part, INSERT outbox row, COMMIT) by 16 workers
spread over 2 forked processes, same SKU choice.
Runs alternate raw, http, raw, http; the medians are compared. Target: at least 0.4 of the raw rate, in
both cases.

    .venv/bin/python bench/api_orders.py                          # 16 clients, 10,000 SKUs, 3 x 8 s each side
    .venv/bin/python bench/api_orders.py --seconds 3 --rounds 1 --skus 1000 --cases hot
    .venv/bin/python bench/api_orders.py --statements-only --profile 500

Before the runs, one POST /v1/orders is sent straight into the ASGI app in this process, and the SQL
statements and transactions per request are counted and listed (`--profile N` adds a cProfile of N).
After the runs the invariants are checked: per SKU, stock.allocated equals the allocated line parts,
0 <= allocated <= on_hand, balances equal the sum of their movements, one order, line, part and
`order_placed` message per order placed.
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from common import (
    TODAY,
    add_url_argument,
    bench_schema,
    database_url,
    make_context,
    median,
    schema_url,
    server_version,
    settle,
    source_revision,
    verdict,
)
from http_load import (
    CLIENT_KINDS,
    Load,
    NextRequest,
    Server,
    call_cpu_ms,
    cpu_seconds,
    describe_client,
    diagnose,
    free_port,
    machine_busy_seconds,
    ms,
    percentile,
    print_layers,
    replaced,
    request_cpu_ms,
    serving,
    timed_run,
    trivial_app_cpu_ms,
)
from order_placement import (
    CHANNEL,
    STOCK_PER_SKU,
    WAREHOUSE,
    Catalog,
    Outcome,
    RawPlacer,
    build_catalog,
    check_invariants,
    order_request,
    run_workers,
)
from sqlalchemy import text
from sqlalchemy.engine import make_url

from restock.api.app import create_app
from restock.domain.model import MAX_QUANTITY
from restock.services import apikeys, orders, stock
from restock.services.apikeys import Principal
from restock.services.context import Context

SCHEMA = "bench_api_orders"
TARGET_RATIO = 0.4
CASES = ("spread", "hot")
BEST_CASE_RATE = 5_000
"""Orders/s neither side reaches on 2 cores: the hot SKU gets stock for this rate over the whole run."""


def order_body(sku: str, n: int) -> bytes:
    customer = {"email": f"shopper{n}@example.com"}
    return json.dumps({"channel": CHANNEL, "customer": customer, "lines": [{"sku": sku, "quantity": 1}]}).encode()


def order_requests(codes: Sequence[str]) -> NextRequest:
    def next_request(rng: Any, n: int) -> tuple[str, str, bytes | None]:
        return "POST", "/v1/orders", order_body(rng.choice(codes), n)

    return next_request


def add_hot_stock(ctx: Context, sku: str, units: int) -> int:
    """Top the hot SKU up through the service (one ledger movement per call), in the largest steps it allows."""
    added = 0
    while added < units:
        step = min(MAX_QUANTITY, units - added)
        stock.adjust_stock(ctx, sku, WAREHOUSE, step, "bench: stock for the hot-SKU runs")
        added += step
    return added


# ---------------------------------------------------------------- the raw baseline, in forked processes


@dataclass(frozen=True)
class RawSide:
    conninfo: str
    ctx: Context
    shop: Catalog
    workers: int
    processes: int

    def run(self, codes: list[str], seconds: float, seed: int) -> RawLoad:
        """`workers` threads over `processes` forked processes, each thread with its own psycopg connection."""
        fork = multiprocessing.get_context("fork")
        results = fork.Queue()
        threads = self.workers // self.processes
        children = [
            fork.Process(target=self._child, args=(codes, seconds, threads, seed * 100 + i, results))
            for i in range(self.processes)
        ]
        self.ctx.engine.dispose()  # a pool must never cross a fork
        machine_started = machine_busy_seconds()
        for child in children:
            child.start()
        try:
            done: list[tuple[Outcome, float]] = [results.get(timeout=seconds + 120) for _ in children]
        finally:
            for child in children:
                child.join(timeout=30)
                if child.is_alive():
                    child.kill()
        machine_cpu = machine_busy_seconds() - machine_started
        outcomes = [outcome for outcome, _ in done]
        outcome = Outcome(
            sum(o.orders for o in outcomes),
            max(o.seconds for o in outcomes),
            sum(o.cpu_seconds for o in outcomes),
            [e for o in outcomes for e in o.errors],
        )
        if outcome.errors:
            raise SystemExit("raw run failed:\n  " + "\n  ".join(outcome.errors[:5]))
        return RawLoad(outcome, sum(pg for _, pg in done), machine_cpu)

    def _child(self, codes: list[str], seconds: float, threads: int, seed: int, results: Any) -> None:
        """Runs in a forked child: its threads' orders, and the CPU their PostgreSQL backends spent on them."""
        try:
            placers = [RawPlacer(self.conninfo, SCHEMA, self.ctx, self.shop) for _ in range(threads)]
        except Exception as error:
            results.put((Outcome(0, 0.0, 0.0, [f"connect: {type(error).__name__}: {error}"]), 0.0))
            return
        try:
            backends = [placer.conn.info.backend_pid for placer in placers]
            pg_started = cpu_seconds(backends)
            outcome = run_workers(placers, codes, seconds, seed)
            results.put((outcome, cpu_seconds(backends) - pg_started))
        finally:
            for placer in placers:
                placer.close()


@dataclass(frozen=True)
class RawLoad:
    outcome: Outcome
    postgres_cpu: float
    """CPU of the raw workers' own PostgreSQL backends during the run."""
    machine_cpu: float
    """Busy CPU of the whole machine from the fork to the last child's exit (connecting included)."""

    @property
    def rate(self) -> float:
        return self.outcome.rate

    def cpu_line(self, processes: int) -> str:
        per = 1000 / max(self.outcome.orders, 1)
        return (
            f"CPU per order: Python {self.outcome.cpu_seconds * per:5.2f} ms ({processes} processes),"
            f" postgres {self.postgres_cpu * per:5.2f} ms; cores busy: whole machine"
            f" {self.machine_cpu / self.outcome.seconds:4.2f} of {os.cpu_count()}"
        )


# ---------------------------------------------------------------- one case: alternate raw and http


@dataclass
class CaseResult:
    case: str
    raw_rates: list[float]
    http_rates: list[float]
    latencies: list[float]

    @property
    def ratio(self) -> float:
        return median(self.http_rates) / median(self.raw_rates)

    @property
    def per_round_ratio(self) -> float:
        return median([h / r for h, r in zip(self.http_rates, self.raw_rates, strict=True)])


@dataclass
class Runner:
    raw: RawSide
    server: Server
    headers: dict[str, str]
    client_kind: str
    clients: int
    placed: int = 0
    seed: int = 0

    def raw_run(self, codes: list[str], seconds: float) -> RawLoad:
        self.seed += 1
        load = self.raw.run(codes, seconds, self.seed)
        self.placed += load.outcome.orders
        return load

    def http_run(self, codes: list[str], seconds: float) -> Load:
        self.seed += 1
        load = timed_run(
            self.server,
            self.client_kind,
            self.headers,
            order_requests(codes),
            clients=self.clients,
            seconds=seconds,
            expect=201,
            seed=self.seed,
        )
        self.placed += load.requests
        return load

    def case(self, case: str, codes: list[str], args: argparse.Namespace) -> CaseResult:
        what = f"{len(codes):,} SKUs" if case == "spread" else f"one hot SKU ({codes[0]})"
        print(f"\n== {case}: single-line orders over {what}")
        if args.warmup:
            self.raw_run(codes, args.warmup)
            self.http_run(codes, args.warmup)
        result = CaseResult(case, [], [], [])
        for round_no in range(1, args.rounds + 1):
            raw_load = self.raw_run(codes, args.seconds)
            raw = raw_load.outcome
            http = self.http_run(codes, args.seconds)
            result.raw_rates.append(raw.rate)
            result.http_rates.append(http.rate)
            result.latencies += http.latencies
            print(
                f"  round {round_no}: raw {raw.rate:7.1f} orders/s ({raw.orders:,} in {raw.seconds:.1f} s)"
                f" | http {http.rate:7.1f} orders/s ({http.requests:,} in {http.seconds:.1f} s,"
                f" p50 {ms(http.percentile(0.5))}, p99 {ms(http.percentile(0.99))})"
                f" | ratio {http.rate / raw.rate:.2f}"
            )
            print(f"           raw  {raw_load.cpu_line(args.processes)}")
            print(f"           http {http.cpu_line()}")
        ordered = sorted(result.latencies)
        print(f"  median raw SQL: {median(result.raw_rates):8.1f} orders/s")
        print(
            f"  median http:    {median(result.http_rates):8.1f} orders/s;"
            f" latency over all {len(ordered):,} timed requests: p50 {ms(percentile(ordered, 0.5))},"
            f" p99 {ms(percentile(ordered, 0.99))}"
        )
        print(f"  median of the per-round ratios: {result.per_round_ratio:.2f}")
        print(
            f"  {case}: ratio http/raw = {result.ratio:.2f} (target >= {TARGET_RATIO:g}):"
            f" {verdict(result.ratio >= TARGET_RATIO)}"
        )
        return result


# ---------------------------------------------------------------- where the CPU of one order goes


def print_layers_of_an_order(ctx: Context, headers: dict[str, str], codes: list[str], requests: int) -> None:
    """Take the layers out one by one, in process: what the framework, the key lookup and the service each cost."""
    app = create_app(ctx)
    post = order_requests(codes)
    key = headers["Authorization"].removeprefix("Bearer ")
    who = apikeys.authenticate(ctx, key)
    view = orders.place_order(ctx, order_request(codes[0], 0))
    rng = random.Random(3)

    def health(_rng: Any, _n: int) -> tuple[str, str, bytes | None]:
        return "GET", "/healthz", None

    def known_key(_ctx: Context, _key: str) -> Principal | None:
        return who

    def placed(_ctx: Context, _request: orders.OrderRequest) -> orders.OrderView:
        return view

    full = request_cpu_ms(app, headers, post, requests=requests, expect=201)
    with replaced(apikeys, "authenticate", known_key):
        without_auth = request_cpu_ms(app, headers, post, requests=requests, expect=201)
        with replaced(orders, "place_order", placed):
            bare = request_cpu_ms(app, headers, post, requests=requests, expect=201)
    rows = [
        (
            "trivial FastAPI app, GET /trivial: the floor (routing, one `def` endpoint, in-process client)",
            trivial_app_cpu_ms(requests),
        ),
        (
            "restock GET /healthz: + the two @app.middleware('http') layers (limit_body, metrics.observe)",
            request_cpu_ms(app, {}, health, requests=requests, expect=200),
        ),
        (
            "POST /v1/orders, key lookup and place_order made constants: + body model, dependencies, JSONResponse",
            bare,
        ),
        ("POST /v1/orders, key lookup replaced by a constant: + orders.place_order", without_auth),
        ("POST /v1/orders as served: + apikeys.authenticate", full),
        (
            "  apikeys.authenticate alone (1 SELECT in its own transaction)",
            call_cpu_ms(lambda: apikeys.authenticate(ctx, key), calls=requests),
        ),
        (
            "  orders.place_order alone (the service, no HTTP)",
            call_cpu_ms(lambda: orders.place_order(ctx, order_request(rng.choice(codes), 1)), calls=requests),
        ),
    ]
    print_layers("POST /v1/orders, layer by layer", rows)


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients and raw workers (default 16)")
    parser.add_argument("--skus", type=int, default=10_000, help="SKUs the spread case uses (default 10000)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each timed run (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (raw, http) runs per case (default 3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed warm-up of each side per case (default 2 s)")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help="uvicorn worker processes, and processes the raw workers are spread over (default 2)",
    )
    parser.add_argument("--cases", default="spread,hot", help="comma-separated: spread, hot (default both)")
    parser.add_argument("--client", choices=CLIENT_KINDS, default="stdlib", help="HTTP client (default stdlib)")
    parser.add_argument("--count-requests", type=int, default=50, help="requests over which statements are counted")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N in-process requests")
    parser.add_argument(
        "--layers", type=int, default=0, metavar="N", help="CPU per request, layer by layer, over N in-process requests"
    )
    parser.add_argument("--statements-only", action="store_true", help="only the in-process diagnostics, no runs")
    add_url_argument(parser)
    args = parser.parse_args(argv)
    args.case_list = [c.strip() for c in args.cases.split(",") if c.strip()]
    if not args.case_list or set(args.case_list) - set(CASES):
        parser.error(f"--cases takes a comma-separated list of {', '.join(CASES)}")
    if not 1 <= args.clients <= 64:
        parser.error("--clients must be between 1 and 64")
    if not 1 <= args.skus <= 100_000:
        parser.error("--skus must be between 1 and 100000")
    if not 0 < args.seconds <= 120 or not 1 <= args.rounds <= 20 or args.count_requests < 1:
        parser.error("--seconds must be in (0, 120], --rounds in 1..20, --count-requests positive")
    if not 1 <= args.processes <= 8 or args.clients % args.processes:
        parser.error("--processes must be 1..8 and divide --clients")
    if not 0 <= args.warmup <= 30 or args.profile < 0 or args.layers < 0:
        parser.error("--warmup must be in 0..30 s, --profile and --layers not negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url or database_url()
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with bench_schema(url, SCHEMA, keep=args.keep_schema, pool_size=5, max_overflow=5) as engine:
        print(
            f"orders through HTTP: restock serve --workers {args.processes},"
            f" {describe_client(args.client, args.clients)};"
            f" baseline: raw SQL, {args.clients} workers in {args.processes} processes;"
            f" {args.rounds} x ({args.seconds:g} s raw, {args.seconds:g} s http) per case"
        )
        print(f"PostgreSQL {server_version(engine)}, schema {SCHEMA}, business date {TODAY}, code {source_revision()}")
        ctx = make_context(engine)
        started = time.perf_counter()
        shop = build_catalog(ctx, args.skus)
        hot = shop.codes[0]
        runs = len(args.case_list) * (2 * args.rounds * args.seconds + 2 * args.warmup)
        hot_units = add_hot_stock(ctx, hot, max(MAX_QUANTITY, math.ceil(BEST_CASE_RATE * runs)))
        settle(engine)
        print(
            f"catalog of {args.skus:,} SKUs with stock built in {time.perf_counter() - started:.1f} s;"
            f" hot SKU {hot} has {hot_units + STOCK_PER_SKU:,} units"
        )
        key = apikeys.create_key(ctx, "storefront", CHANNEL, "bench").key
        headers = {"Authorization": f"Bearer {key}"}

        diagnose(
            engine,
            create_app(ctx),
            "POST /v1/orders (single line, in stock)",
            headers,
            order_requests(shop.codes),
            requests=args.count_requests,
            expect=201,
            profile=args.profile,
        )
        if args.layers:
            print_layers_of_an_order(ctx, headers, shop.codes, args.layers)
        with engine.connect() as conn:  # the diagnostics placed orders too: the invariants count them
            placed = int(conn.execute(text("SELECT count(*) FROM orders")).scalar_one())
        if args.statements_only:
            check_invariants(engine, placed)
            return 0

        raw = RawSide(conninfo, ctx, shop, args.clients, args.processes)
        port = free_port()
        # The API alone: the outbox worker (e-mails, webhooks, the daily plan) is measured by bench/outbox_smtp.py.
        argv_server = [sys.executable, "-m", "restock", "serve", "--no-worker", "--port", str(port)]
        argv_server += ["--workers", str(args.processes)]
        env = {
            **os.environ,
            "RESTOCK_DATABASE_URL": schema_url(url, SCHEMA),
            "RESTOCK_TODAY": TODAY.isoformat(),
        }
        results: list[CaseResult] = []
        engine.dispose()  # nothing of ours open while the processes fork
        with serving("restock serve", argv_server, port, "/readyz", env) as server:
            runner = Runner(raw, server, headers, args.client, args.clients, placed)
            for case in args.case_list:
                codes = shop.codes if case == "spread" else [hot]
                results.append(runner.case(case, codes, args))
            placed = runner.placed
        print("\nsummary (medians):")
        for result in results:
            ordered = sorted(result.latencies)
            print(
                f"  {result.case:>6}: raw {median(result.raw_rates):7.1f} orders/s,"
                f" http {median(result.http_rates):7.1f} orders/s (p50 {ms(percentile(ordered, 0.5))},"
                f" p99 {ms(percentile(ordered, 0.99))}), ratio {result.ratio:.2f}"
                f" (target >= {TARGET_RATIO:g}: {verdict(result.ratio >= TARGET_RATIO)})"
            )
        check_invariants(engine, placed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
