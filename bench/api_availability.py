"""Availability reads per second through HTTP, single and batch, against a trivial FastAPI endpoint.

Three kinds of run, each by 16 concurrent client threads with one keep-alive connection each, for a fixed time:
- single:  GET /v1/availability/{sku}?channel=web with a storefront key, a SKU drawn uniformly each time (every
           SKU as likely as any other: the worst case for the per-worker answer cache);
- popular: the same, with SKUs drawn by popularity as product views are (Zipf, exponent --zipf, 1.0 by default:
           the k-th most viewed SKU is viewed 1/k as often as the first);
- batch:   POST /v1/availability with 100 random distinct SKUs;
- trivial: GET /trivial on bench/trivial_app.py, one `def` endpoint returning a small constant JSON,
           the baseline measured in the same run.
restock runs as `python -m restock serve --workers 2`, the trivial app as
`python -m uvicorn trivial_app:app --app-dir bench --workers 2`: same server, same worker count, both up for
the whole run. The SKUs are a mix: 70% in stock, 10% backorder (sold out, confirmed PO), 10% pre-order
(never stocked, confirmed PO), 10% out of stock (sold out, no supply); a sample of answers is checked
against that before the runs. Runs alternate trivial, single, batch; the medians are compared.
Target: single reads reach at least 0.5 of the trivial endpoint's rate; p99 latency reported. Single reads are
answered from each worker's memory once it has seen the SKU (until a change drops the answer): they are measured
after --cache-warmup seconds of untimed reads, as a running shop is; --cache-seconds 0 measures the database path
alone.

    .venv/bin/python bench/api_availability.py                    # 16 clients, 10,000 SKUs, 3 x 8 s each
    .venv/bin/python bench/api_availability.py --seconds 3 --rounds 1 --skus 1000
    .venv/bin/python bench/api_availability.py --statements-only --profile 500
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from common import (
    TODAY,
    add_url_argument,
    bench_schema,
    database_url,
    make_context,
    median,
    plain_sku_rows,
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
    describe_client,
    diagnose,
    free_port,
    ms,
    percentile,
    print_layers,
    replaced,
    request_cpu_ms,
    serving,
    timed_run,
    trivial_app_cpu_ms,
)
from sqlalchemy import insert, text

from restock.api.answers import AnswerCache
from restock.api.app import create_app
from restock.services import apikeys, catalog, purchasing
from restock.services import availability as availability_service
from restock.services.apikeys import Principal
from restock.services.availability import AvailabilityView
from restock.services.context import Context
from restock.store.schema import Movement, Sku, Stock

SCHEMA = "bench_api_availability"
TARGET_RATIO = 0.5
BATCH = 100
WAREHOUSE = "W1"
CHANNEL = "web"
SUPPLIER = "ACME"
ETA_IN_DAYS = 10
ON_HAND = 100
INBOUND = 50
CHUNK = 5_000
KINDS = ("trivial", "single", "popular", "batch")
CACHED_KINDS = ("single", "popular")
"""Answered from each worker's memory once it has seen the SKU: they are measured warm, as a shop runs."""
BENCH_DIR = Path(__file__).resolve().parent


def sku_code(i: int) -> str:
    return f"SKU-{i:05d}"


def expected_state(i: int) -> str:
    """The mix of the catalog: what a shopper must see for SKU i."""
    return {0: "backorder", 1: "preorder", 2: "out_of_stock"}.get(i % 10, "in_stock")


@dataclass(frozen=True)
class Shop:
    codes: list[str]
    expected: dict[str, str]


def build_catalog(ctx: Context, skus: int) -> Shop:
    """Warehouse, channel, supplier and the confirmed PO through the services; SKUs, stock and ledger in bulk.

    In-stock SKUs have ON_HAND units; backorder and out-of-stock SKUs had ON_HAND units once and were counted
    down to 0 (two movements, so the ledger agrees and they are not first releases); pre-order SKUs never had
    any. Backorder and pre-order SKUs are on one confirmed PO of INBOUND units each.
    """
    catalog.add_warehouse(ctx, WAREHOUSE, "Main warehouse")
    catalog.add_channel(ctx, CHANNEL, [WAREHOUSE])
    catalog.add_supplier(ctx, SUPPLIER, 14)
    codes = [sku_code(i) for i in range(skus)]
    expected = {code: expected_state(i) for i, code in enumerate(codes)}
    now = ctx.clock.now()
    with ctx.engine.begin() as conn:
        warehouse_id = int(conn.execute(text("SELECT id FROM warehouses")).scalar_one())
        for start in range(0, skus, CHUNK):
            conn.execute(
                insert(Sku),
                plain_sku_rows(codes[start : start + CHUNK]),
            )
        sku_ids = {str(code): int(id_) for code, id_ in conn.execute(text("SELECT code, id FROM skus"))}
        stocked = [code for code in codes if expected[code] != "preorder"]
        for start in range(0, len(stocked), CHUNK):
            chunk = stocked[start : start + CHUNK]
            conn.execute(
                insert(Stock),
                [
                    {
                        "sku_id": sku_ids[code],
                        "warehouse_id": warehouse_id,
                        "on_hand": ON_HAND if expected[code] == "in_stock" else 0,
                        "allocated": 0,
                    }
                    for code in chunk
                ],
            )
            movements = [_movement(sku_ids[code], warehouse_id, ON_HAND, "initial count", now) for code in chunk]
            movements += [
                _movement(sku_ids[code], warehouse_id, -ON_HAND, "sold out", now)
                for code in chunk
                if expected[code] != "in_stock"
            ]
            conn.execute(insert(Movement), movements)
    inbound = [(code, INBOUND) for code in codes if expected[code] in ("backorder", "preorder")]
    if inbound:
        po = purchasing.create_po(ctx, SUPPLIER, WAREHOUSE, inbound)
        purchasing.confirm_po(ctx, po.id, ctx.clock.today() + timedelta(days=ETA_IN_DAYS))
    settle(ctx.engine)
    return Shop(codes, expected)


def _movement(sku_id: int, warehouse_id: int, delta: int, reason: str, now: Any) -> dict[str, Any]:
    return {
        "sku_id": sku_id,
        "warehouse_id": warehouse_id,
        "kind": "adjustment",
        "on_hand_delta": delta,
        "allocated_delta": 0,
        "reason": reason,
        "ref": "adjustment",
        "created_at": now,
    }


# ---------------------------------------------------------------- the three kinds of request


def single_requests(codes: Sequence[str]) -> NextRequest:
    def next_request(rng: Any, _n: int) -> tuple[str, str, bytes | None]:
        return "GET", f"/v1/availability/{rng.choice(codes)}?channel={CHANNEL}", None

    return next_request


def popular_requests(codes: Sequence[str], exponent: float) -> NextRequest:
    """Product views by popularity: a fixed, shuffled ranking of the catalog with Zipf weights."""
    ranking = list(codes)
    random.Random(5).shuffle(ranking)
    cumulative, total = [], 0.0
    for rank in range(1, len(ranking) + 1):
        total += rank**-exponent
        cumulative.append(total)

    def next_request(rng: Any, _n: int) -> tuple[str, str, bytes | None]:
        [code] = rng.choices(ranking, cum_weights=cumulative)
        return "GET", f"/v1/availability/{code}?channel={CHANNEL}", None

    return next_request


def batch_requests(codes: Sequence[str], size: int) -> NextRequest:
    def next_request(rng: Any, _n: int) -> tuple[str, str, bytes | None]:
        return "POST", "/v1/availability", json.dumps({"channel": CHANNEL, "skus": rng.sample(codes, size)}).encode()

    return next_request


def trivial_requests() -> NextRequest:
    def next_request(_rng: Any, _n: int) -> tuple[str, str, bytes | None]:
        return "GET", "/trivial", None

    return next_request


def check_answers(base: str, headers: dict[str, str], shop: Shop, sample: int) -> None:
    """A sample of SKUs of every state, asked one by one and as a batch, must get the state the catalog implies."""
    rng = random.Random(11)
    by_state: dict[str, list[str]] = {}
    for code, state in shop.expected.items():
        by_state.setdefault(state, []).append(code)
    chosen = [code for codes in by_state.values() for code in rng.sample(codes, min(sample, len(codes)))]
    wrong: list[str] = []
    with httpx.Client(base_url=base, headers=headers, timeout=30) as client:
        for code in chosen:
            response = client.get(f"/v1/availability/{code}", params={"channel": CHANNEL})
            state = response.json().get("state") if response.status_code == 200 else f"HTTP {response.status_code}"
            if state != shop.expected[code]:
                wrong.append(f"GET {code}: {state}, expected {shop.expected[code]}")
        for start in range(0, len(chosen), BATCH):
            codes = chosen[start : start + BATCH]
            response = client.post("/v1/availability", json={"channel": CHANNEL, "skus": codes})
            if response.status_code != 200:
                wrong.append(f"batch: HTTP {response.status_code}: {response.text[:200]}")
                continue
            answers = response.json()
            if [a["sku"] for a in answers] != codes:
                wrong.append("batch: answers not in the order asked")
            wrong += [
                f"batch {a['sku']}: {a['state']}, expected {shop.expected[a['sku']]}"
                for a in answers
                if a["state"] != shop.expected[a["sku"]]
            ]
    if wrong:
        raise SystemExit("wrong availability answers:\n  " + "\n  ".join(wrong[:10]))
    counts = ", ".join(f"{state} {min(sample, len(codes))}" for state, codes in sorted(by_state.items()))
    print(f"answers checked, one by one and in batches: {counts}")


# ---------------------------------------------------------------- alternate the three


@dataclass
class Results:
    rates: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    latencies: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})

    def add(self, kind: str, load: Load) -> None:
        self.rates[kind].append(load.rate)
        self.latencies[kind] += load.latencies

    def rate(self, kind: str) -> float:
        return median(self.rates[kind])

    def p(self, kind: str, q: float) -> float:
        return percentile(sorted(self.latencies[kind]), q)


@dataclass
class Runner:
    servers: dict[str, Server]
    requests: dict[str, NextRequest]
    headers: dict[str, str]
    client_kind: str
    clients: int
    seed: int = 0

    def run(self, kind: str, seconds: float) -> Load:
        self.seed += 1
        return timed_run(
            self.servers[kind],
            self.client_kind,
            self.headers,
            self.requests[kind],
            clients=self.clients,
            seconds=seconds,
            expect=200,
            seed=self.seed,
        )


def report_round(round_no: int, loads: dict[str, Load]) -> None:
    parts = []
    for kind in KINDS:
        load = loads[kind]
        unit = f" ({load.rate * BATCH:,.0f} SKUs/s)" if kind == "batch" else ""
        parts.append(f"{kind} {load.rate:7.1f}/s{unit} p50 {ms(load.percentile(0.5))} p99 {ms(load.percentile(0.99))}")
    ratio = loads["single"].rate / loads["trivial"].rate
    popular = loads["popular"].rate / loads["trivial"].rate
    print(f"  round {round_no}: " + " | ".join(parts) + f" | single/trivial {ratio:.2f}, popular/trivial {popular:.2f}")
    for kind in KINDS:
        print(f"           {kind:>7} {loads[kind].cpu_line()}")


# ---------------------------------------------------------------- where the CPU of one read goes


def print_layers_of_a_read(ctx: Context, headers: dict[str, str], shop: Shop, requests: int) -> None:
    """Take the layers out one by one, in process: what the framework, the key lookup and the service each cost."""
    app = create_app(ctx)
    app.state.answers = AnswerCache(0)
    single, batch = single_requests(shop.codes), batch_requests(shop.codes, BATCH)
    key = headers["Authorization"].removeprefix("Bearer ")
    who = apikeys.authenticate(ctx, key)
    one = availability_service.availability(ctx, shop.codes[0], CHANNEL)
    many = availability_service.availability_many(ctx, shop.codes[:BATCH], CHANNEL)
    rng = random.Random(3)

    def health(_rng: Any, _n: int) -> tuple[str, str, bytes | None]:
        return "GET", "/healthz", None

    def known_key(_ctx: Context, _key: str) -> Principal | None:
        return who

    def answer_one(_ctx: Context, _sku: str, _channel: str | None = None) -> list[AvailabilityView]:
        return one

    def answer_many(_ctx: Context, _skus: list[str], _channel: str) -> list[AvailabilityView]:
        return many

    costs: dict[str, float] = {}
    for name, next_request, service, stub, count in (
        ("single", single, "availability", answer_one, requests),
        ("batch", batch, "availability_many", answer_many, max(1, requests // 10)),
    ):
        costs[f"{name} full"] = request_cpu_ms(app, headers, next_request, requests=count, expect=200)
        with replaced(apikeys, "authenticate", known_key):
            costs[f"{name} no auth"] = request_cpu_ms(app, headers, next_request, requests=count, expect=200)
            with replaced(availability_service, service, stub):
                costs[f"{name} bare"] = request_cpu_ms(app, headers, next_request, requests=count, expect=200)
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
            "GET one SKU, key lookup and service made constants: + dependencies, query checks, JSON answer",
            costs["single bare"],
        ),
        ("GET one SKU, key lookup made a constant: + availability_service.availability", costs["single no auth"]),
        ("GET one SKU as served: + apikeys.authenticate", costs["single full"]),
        (
            "  apikeys.authenticate alone (1 SELECT in its own transaction)",
            call_cpu_ms(lambda: apikeys.authenticate(ctx, key), calls=requests),
        ),
        (
            "  availability_service.availability alone (one SKU, the service, no HTTP)",
            call_cpu_ms(
                lambda: availability_service.availability(ctx, rng.choice(shop.codes), CHANNEL), calls=requests
            ),
        ),
        (
            f"POST {BATCH} SKUs, key lookup and service made constants: + body model, JSON answer",
            costs["batch bare"],
        ),
        (
            f"POST {BATCH} SKUs, key lookup made a constant: + availability_service.availability_many",
            costs["batch no auth"],
        ),
        (f"POST {BATCH} SKUs as served: + apikeys.authenticate", costs["batch full"]),
    ]
    print_layers("availability reads, layer by layer", rows)


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16, help="concurrent HTTP clients (default 16)")
    parser.add_argument("--skus", type=int, default=10_000, help="SKUs in the catalog (default 10000)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each timed run (default 8)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of (trivial, single, batch) runs (default 3)")
    parser.add_argument("--warmup", type=float, default=2.0, help="untimed warm-up of each kind first (default 2 s)")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes of both servers (default 2)")
    parser.add_argument("--client", choices=CLIENT_KINDS, default="stdlib", help="HTTP client (default stdlib)")
    parser.add_argument("--count-requests", type=int, default=50, help="requests over which statements are counted")
    parser.add_argument("--sample", type=int, default=50, help="SKUs of each state whose answers are checked")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile N in-process requests of each")
    parser.add_argument(
        "--layers", type=int, default=0, metavar="N", help="CPU per request, layer by layer, over N in-process requests"
    )
    parser.add_argument(
        "--cache-seconds",
        type=int,
        default=None,
        help="the server's RESTOCK_AVAILABILITY_CACHE_SECONDS (default: its own)",
    )
    parser.add_argument(
        "--cache-warmup",
        type=float,
        default=90.0,
        help="untimed warm-up of the single and popular kinds, so each worker has seen the catalog (default 90 s)",
    )
    parser.add_argument("--zipf", type=float, default=1.0, help="popularity exponent of the popular kind (default 1)")
    parser.add_argument("--statements-only", action="store_true", help="only the in-process diagnostics, no runs")
    add_url_argument(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 64:
        parser.error("--clients must be between 1 and 64")
    if not BATCH <= args.skus <= 100_000:
        parser.error(f"--skus must be between {BATCH} and 100000")
    if not 0 < args.seconds <= 120 or not 1 <= args.rounds <= 20 or args.count_requests < 1:
        parser.error("--seconds must be in (0, 120], --rounds in 1..20, --count-requests positive")
    if (
        not 1 <= args.workers <= 8
        or not 0 <= args.warmup <= 30
        or min(args.profile, args.layers) < 0
        or args.sample < 1
    ):
        parser.error("--workers must be 1..8, --warmup 0..30 s, --profile and --layers not negative, --sample positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url or database_url()
    with bench_schema(url, SCHEMA, keep=args.keep_schema, pool_size=5, max_overflow=5) as engine:
        print(
            f"availability through HTTP: restock serve --workers {args.workers} against a trivial FastAPI app"
            f" under uvicorn --workers {args.workers}; {describe_client(args.client, args.clients)};"
            f" {args.rounds} x ({', '.join(KINDS)}) of {args.seconds:g} s; batches of {BATCH} SKUs"
        )
        print(f"PostgreSQL {server_version(engine)}, schema {SCHEMA}, business date {TODAY}, code {source_revision()}")
        ctx = make_context(engine)
        started = time.perf_counter()
        shop = build_catalog(ctx, args.skus)
        print(f"catalog of {args.skus:,} SKUs built in {time.perf_counter() - started:.1f} s")
        key = apikeys.create_key(ctx, "storefront", CHANNEL, "bench").key
        metrics_key = apikeys.create_key(ctx, "warehouse", None, "bench metrics").key  # /metrics needs one
        headers = {"Authorization": f"Bearer {key}"}
        requests = {
            "single": single_requests(shop.codes),
            "popular": popular_requests(shop.codes, args.zipf),
            "batch": batch_requests(shop.codes, BATCH),
            "trivial": trivial_requests(),
        }
        app = create_app(ctx)
        app.state.answers = AnswerCache(0)  # the diagnostics look at the database path
        diagnose(
            engine,
            app,
            "GET /v1/availability/{sku}",
            headers,
            requests["single"],
            requests=args.count_requests,
            expect=200,
            profile=args.profile,
        )
        diagnose(
            engine,
            app,
            f"POST /v1/availability ({BATCH} SKUs)",
            headers,
            requests["batch"],
            requests=max(1, args.count_requests // 5),
            expect=200,
            profile=args.profile // 10,
        )
        if args.layers:
            print_layers_of_a_read(ctx, headers, shop, args.layers)
        if args.statements_only:
            return 0
        engine.dispose()

        restock_port, trivial_port = free_port(), free_port()
        # The API alone: the outbox worker (e-mails, webhooks, the daily plan) is measured by bench/outbox_smtp.py.
        restock_argv = [sys.executable, "-m", "restock", "serve", "--no-worker", "--port", str(restock_port)]
        trivial_argv = [sys.executable, "-m", "uvicorn", "trivial_app:app", "--app-dir", str(BENCH_DIR)]
        trivial_argv += ["--host", "127.0.0.1", "--port", str(trivial_port), "--log-level", "warning"]
        env = {**os.environ, "RESTOCK_DATABASE_URL": schema_url(url, SCHEMA), "RESTOCK_TODAY": TODAY.isoformat()}
        if args.cache_seconds is not None:
            env["RESTOCK_AVAILABILITY_CACHE_SECONDS"] = str(args.cache_seconds)
        workers = ["--workers", str(args.workers)]
        with (
            serving("restock serve", restock_argv + workers, restock_port, "/readyz", env) as restock,
            serving("trivial app", trivial_argv + workers, trivial_port, "/trivial", env) as trivial,
        ):
            check_answers(restock.base, headers, shop, args.sample)
            runner = Runner(
                {"trivial": trivial, "single": restock, "popular": restock, "batch": restock},
                requests,
                headers,
                args.client,
                args.clients,
            )
            for kind in KINDS:
                warmup = args.cache_warmup if kind in CACHED_KINDS else args.warmup
                if warmup:
                    runner.run(kind, warmup)
            results = Results()
            for round_no in range(1, args.rounds + 1):
                loads = {kind: runner.run(kind, args.seconds) for kind in KINDS}
                for kind, load in loads.items():
                    results.add(kind, load)
                report_round(round_no, loads)
            print_answer_sources(restock.base, metrics_key)
        report(results)
    return 0


def print_answer_sources(base: str, key: str, asks: int = 12) -> None:
    """Where the single reads were answered from, per worker (each /metrics request reaches one of them)."""
    workers: set[tuple[float, float]] = set()
    for _ in range(asks):
        found = {"memory": 0.0, "database": 0.0}
        scrape = httpx.get(base + "/metrics", headers={"Authorization": f"Bearer {key}"}, timeout=5)
        for line in scrape.text.splitlines():
            for source in found:
                if line.startswith(f'restock_availability_answers_total{{source="{source}"}}'):
                    found[source] = float(line.split()[-1])
        workers.add((found["memory"], found["database"]))
    for memory, database in sorted(workers):
        share = memory / (memory + database) if memory + database else 0.0
        print(f"  a worker answered {memory + database:,.0f} single reads, {share:.0%} from memory")


def report(results: Results) -> None:
    print("medians (latency over every timed request of the kind):")
    for kind in KINDS:
        extra = f" = {results.rate(kind) * BATCH:,.0f} SKUs/s" if kind == "batch" else ""
        print(
            f"  {kind:>7}: {results.rate(kind):8.1f} requests/s{extra};"
            f" p50 {ms(results.p(kind, 0.5))}, p99 {ms(results.p(kind, 0.99))}"
        )
    per_round = median([s / t for s, t in zip(results.rates["single"], results.rates["trivial"], strict=True)])
    ratio = results.rate("single") / results.rate("trivial")
    batch_gain = results.rate("batch") * BATCH / results.rate("single")
    print(f"  batch: {batch_gain:.1f}x the SKUs per second of single reads")
    print(f"  median of the per-round ratios single/trivial: {per_round:.2f}")
    popular = results.rate("popular") / results.rate("trivial")
    for name, value, p99 in (
        ("single (uniform)", ratio, results.p("single", 0.99)),
        ("single (popular)", popular, results.p("popular", 0.99)),
    ):
        print(
            f"ratio {name}/trivial = {value:.2f} (target >= {TARGET_RATIO:g}): {verdict(value >= TARGET_RATIO)};"
            f" p99 {ms(p99)}"
        )


if __name__ == "__main__":
    raise SystemExit(main())
