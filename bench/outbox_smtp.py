"""Outbox throughput to a local SMTP server: 1 and 2 restock workers on PostgreSQL against a plain smtplib loop.

Set-up: N e-mail messages of the outbox (rendered from the real templates: one order confirmation each),
a local aiosmtpd server in its own process that counts what it accepts, a PostgreSQL schema of its own.
- Baseline, in the same run: one process sends the same N messages (the same bytes the worker sends)
  over one SMTP connection with `smtplib.SMTP.sendmail` in a loop: no database at all.
- Worker runs: 1, then 2 processes each run `Worker.run_once()` (claim a batch under a lease with SKIP
  LOCKED, send each e-mail, mark the batch delivered) until nothing is due. The e-mails are built (MIME)
  when their event is expanded, as in production; that step is not part of this measurement.
Processes are started first and released together, so their start-up is not timed. The three alternate,
each several rounds, and the medians are compared. Afterwards every message must have arrived once (the
server's count) and the outbox must be empty. Target: one worker reaches at least 0.7 of the plain loop.

    .venv/bin/python bench/outbox_smtp.py                      # 2,000 messages, 5 rounds
    .venv/bin/python bench/outbox_smtp.py --messages 500 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import smtplib
import socket
import time
from dataclasses import replace
from multiprocessing.synchronize import Event
from typing import Any

from common import (
    TODAY,
    add_url_argument,
    bench_schema,
    database_url,
    median,
    schema_url,
    server_version,
    settle,
    source_revision,
    verdict,
)
from sqlalchemy import Engine, insert, text

from restock.config import NotifySettings, Settings
from restock.notify.mail import Outgoing, Templates
from restock.notify.worker import Worker
from restock.services.context import Context
from restock.store.schema import OutboxMessage

SCHEMA = "bench_outbox"
TARGET = 0.7


# ---------------------------------------------------------------- the SMTP server (its own process)


def _serve_smtp(port: int, accepted: Any, ready: Event, stop: Event) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            with accepted.get_lock():
                accepted.value += 1
            return "250 OK"

    controller = Controller(Count(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---------------------------------------------------------------- the messages


def notify_settings(port: int) -> NotifySettings:
    return replace(
        NotifySettings(),
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        mail_from="shop@bench.example",
        shop_name="Bench shop",
        outbox_batch_size=50,
    )


def payloads(count: int, settings: NotifySettings) -> list[dict[str, Any]]:
    """Ready e-mails, as the worker's expansion of `order_placed` stores them in the outbox."""
    templates = Templates()
    context = {
        "shop_name": "Bench shop",
        "public_url": "https://shop.example",
        "order_id": "ord_0123456789abcdef01234567",
        "ships_now": [{"sku": "MUG", "name": "Stoneware mug", "quantity": 1}],
        "backordered": [
            {"sku": "CUP", "name": "Espresso cup", "quantity": 2, "window": "shipping in 12-16 days (...)"}
        ],
    }
    rendered = [templates.render("order_confirmation", f"shopper{n}@example.com", context) for n in range(count)]
    return [Outgoing.compose(r, f"email:bench:{n}", settings).to_payload() for n, r in enumerate(rendered)]


def fill_outbox(engine: Engine, rendered: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE outbox RESTART IDENTITY CASCADE"))
        conn.execute(
            insert(OutboxMessage),
            [
                {
                    "topic": "email",
                    "dedup_key": f"email:bench:{n}",
                    "payload": json.dumps(p, sort_keys=True),
                    "created_at": TODAY,
                    "attempts": 0,
                }
                for n, p in enumerate(rendered)
            ],
        )


def pending(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM outbox WHERE delivered_at IS NULL")).scalar_one())


# ---------------------------------------------------------------- the timed runs (child processes)


def _plain_loop(port: int, messages: list[tuple[str, str, bytes]], go: Event) -> None:
    smtp = smtplib.SMTP("127.0.0.1", port)
    go.wait()
    for sender, to, data in messages:
        smtp.sendmail(sender, [to], data)
    smtp.quit()


def _worker(url: str, port: int, go: Event) -> None:
    settings = replace(Settings(database_url=url, today=TODAY), notify=notify_settings(port))
    ctx = Context.from_settings(settings)
    worker = Worker(ctx, jobs=())
    with ctx.engine.connect() as conn:  # open the pool's connection before the clock starts
        conn.execute(text("SELECT 1"))
    go.wait()
    worker.run_once()
    worker.mailer.close()
    ctx.engine.dispose()


def timed_processes(targets: list[tuple[Any, tuple[Any, ...]]]) -> float:
    """Start the processes, let them get ready, release them together; seconds until all are done."""
    mp = multiprocessing.get_context("fork")
    go = mp.Event()
    procs = [mp.Process(target=fn, args=(*args, go)) for fn, args in targets]
    for p in procs:
        p.start()
    time.sleep(1.0)  # imports, connections
    start = time.perf_counter()
    go.set()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"a benchmark process failed (exit code {p.exitcode})")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_url_argument(parser)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    base = args.database_url or database_url()

    mp = multiprocessing.get_context("fork")
    accepted, ready, stop = mp.Value("i", 0), mp.Event(), mp.Event()
    port = free_port()
    server = mp.Process(target=_serve_smtp, args=(port, accepted, ready, stop), daemon=True)
    server.start()
    ready.wait(10)

    rendered = payloads(args.messages, notify_settings(port))
    wire = [(p["from"], p["to"], p["data"].encode("ascii")) for p in rendered]
    url_of_schema = schema_url(base, SCHEMA)
    results: dict[str, list[float]] = {"plain smtplib loop": [], "1 worker": [], "2 workers": []}
    try:
        with bench_schema(base, SCHEMA, keep=args.keep_schema) as engine:
            print(
                f"outbox -> SMTP: {args.messages} e-mails, PostgreSQL {server_version(engine)}, "
                f"code {source_revision()}"
            )
            for round_no in range(1, args.rounds + 1):
                for name, workers in (("plain smtplib loop", 0), ("1 worker", 1), ("2 workers", 2)):
                    fill_outbox(engine, rendered)
                    settle(engine)
                    before = accepted.value
                    if workers == 0:
                        seconds = timed_processes([(_plain_loop, (port, wire))])
                    else:
                        seconds = timed_processes([(_worker, (url_of_schema, port))] * workers)
                        left = pending(engine)
                        if left:
                            raise SystemExit(f"{name}: {left} messages were not delivered")
                    got = accepted.value - before
                    if got != args.messages:
                        raise SystemExit(f"{name}: the server accepted {got} messages, expected {args.messages}")
                    results[name].append(args.messages / seconds)
                    print(f"  round {round_no}  {name:<20} {args.messages / seconds:8.0f} messages/s")
    finally:
        stop.set()
        server.join(5)

    base_rate = median(results["plain smtplib loop"])
    print(f"\nmedians over {args.rounds} round(s):")
    for name, rates in results.items():
        print(
            f"  {name:<20} {median(rates):8.0f} messages/s   ratio to the plain loop {median(rates) / base_rate:5.2f}"
        )
    per_round = [w / p for w, p in zip(results["1 worker"], results["plain smtplib loop"], strict=True)]
    print(
        f"  per-round ratios of 1 worker: {', '.join(f'{r:.2f}' for r in per_round)} (median {median(per_round):.2f})"
    )
    one = median(results["1 worker"]) / base_rate
    print(f"\none worker / plain smtplib loop = {one:.2f} (target >= {TARGET}): {verdict(one >= TARGET)}")


if __name__ == "__main__":
    main()
