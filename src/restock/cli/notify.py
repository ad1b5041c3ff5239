"""`restock worker`, `outbox`, `subscribe` and `webhook ...`: how customers and integrators hear of changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.shared import JsonFlag, context, done, emit_json, err, out, user_errors

if TYPE_CHECKING:
    from restock.notify.worker import Worker
    from restock.services.context import Context
    from restock.services.outbox import MessageView


def _deliver_once(runner: Worker, as_json: bool) -> None:
    """One round for cron and scripts: deliver what is due, close the mailer, report the counts."""
    result = runner.run_once()
    runner.mailer.close()
    data = {"delivered": result.delivered, "failed": result.failed, "dead": result.dead, "jobs": result.jobs_run}
    done(f"delivered {result.delivered}, failed {result.failed} (will retry), dead {result.dead}", as_json, data)


def _run_until_stopped(runner: Worker) -> None:
    """The long-running worker: logs to stderr, stops cleanly on SIGTERM (service managers) or Ctrl-C."""
    import logging
    import signal
    import threading

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    err.print("outbox worker running; Ctrl-C stops it")
    try:
        runner.run(stop)
    except KeyboardInterrupt:
        stop.set()


def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver everything due now, then exit (cron, scripts).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Deliver the outbox (e-mails, webhooks) and run the periodic jobs; stops on Ctrl-C or SIGTERM."""
    from restock.notify.worker import Worker

    ctx = context()
    with user_errors():
        runner = Worker(ctx)
        if once:
            _deliver_once(runner, as_json)
        else:
            _run_until_stopped(runner)


def _outbox_table(messages: list[MessageView], dead: bool) -> Table:
    """The listed messages, oldest first, with why the last attempt failed."""
    table = Table("id", "topic", "key", "created", "attempts", "last error", title="dead" if dead else "pending")
    for m in messages:
        table.add_row(
            str(m.id),
            m.topic,
            m.dedup_key,
            m.created_at.strftime("%Y-%m-%d %H:%M"),
            str(m.attempts),
            m.last_error or "",
        )
    return table


def outbox(
    dead: Annotated[
        bool, typer.Option("--dead", help="List the messages parked as dead, with their last error.")
    ] = False,
    retry: Annotated[int | None, typer.Option("--retry", help="Retry this dead message (by id).")] = None,
    as_json: JsonFlag = False,
) -> None:
    """The outbox: counts, the pending or dead messages, or retry a dead one by hand."""
    from restock.services import outbox as outbox_service

    ctx = context()
    with user_errors():
        if retry is not None:
            view = outbox_service.retry_message(ctx, retry)
            done(f"message {view.id} ({view.topic}) is due again", as_json, view.to_json())
            return
        counts = outbox_service.outbox_counts(ctx)
        messages = outbox_service.list_messages(ctx, dead=dead)
    if as_json:
        emit_json({"counts": counts, "messages": [m.to_json() for m in messages]})
        return
    out.print("  ".join(f"{k}: {v}" for k, v in counts.items()))
    out.print(_outbox_table(messages, dead))


def subscribe(
    sku: str,
    channel: Annotated[str, typer.Option(help="The channel the shopper buys on.")],
    email: Annotated[str, typer.Option(help="Where the back-in-stock e-mail goes.")],
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Notify me: one e-mail when an out-of-stock SKU can be bought again (reserves nothing)."""
    from restock.services import subscriptions

    def work(ctx: Context) -> Printed:
        view = subscriptions.subscribe(ctx, sku, channel, email)
        return Printed(
            f"{email} will hear when {sku} can be bought on {channel} (subscription {view.id})", view.to_json()
        )

    run_changing(idempotency_key, as_json, ("subscribe", sku, channel, email), work)
