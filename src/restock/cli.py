"""The `restock` command line: a thin layer that parses, calls one use case, and prints a table or JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from restock.config import Settings
from restock.domain.errors import OrderRefused, RestockError
from restock.services import availability as availability_service
from restock.services import backorders as backorder_service
from restock.services import catalog, orders, purchasing, stock
from restock.services.context import Context

if TYPE_CHECKING:
    from restock.services.planning import PlanReport

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Availability, backorders and replenishment.")
warehouse_app = typer.Typer(no_args_is_help=True, help="Stock locations.")
channel_app = typer.Typer(no_args_is_help=True, help="Sales channels and the warehouses that serve them.")
supplier_app = typer.Typer(no_args_is_help=True, help="Suppliers and their lead times.")
sku_app = typer.Typer(no_args_is_help=True, help="Sellable products and their backorder policy.")
stock_app = typer.Typer(no_args_is_help=True, help="Stock balances and the movement ledger.")
po_app = typer.Typer(no_args_is_help=True, help="Purchase orders.")
order_app = typer.Typer(no_args_is_help=True, help="Customer orders.")
apikey_app = typer.Typer(no_args_is_help=True, help="API keys for the REST API.")
for sub, name in [
    (warehouse_app, "warehouse"),
    (channel_app, "channel"),
    (supplier_app, "supplier"),
    (sku_app, "sku"),
    (stock_app, "stock"),
    (po_app, "po"),
    (order_app, "order"),
    (apikey_app, "apikey"),
]:
    app.add_typer(sub, name=name)

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
Lines = Annotated[list[str], typer.Option("--line", help="SKU:QTY, repeat for more lines.")]


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def context() -> Context:
    try:
        return Context.from_settings(Settings.from_env())
    except ValueError as error:
        fail(str(error), 2)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the errors a user can cause into one readable line and a non-zero exit; nothing was changed."""
    try:
        yield
    except OrderRefused as refused:
        lines = "\n".join(
            f"  {s.sku}: requested {s.requested}, in stock {s.available_now}, "
            f"backorderable {s.backorderable} ({s.reason})"
            for s in refused.short_lines
        )
        fail(f"order refused, not enough supply for:\n{lines}")
    except RestockError as error:
        fail(str(error))
    except SQLAlchemyError as error:
        fail(
            f"database error: {error.__class__.__name__}: {str(error).splitlines()[0]}"
            " (is the database initialised? run `restock init`)",
            3,
        )


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def parse_lines(raw: list[str]) -> list[tuple[str, int]]:
    parsed = []
    for item in raw:
        sku, sep, qty = item.rpartition(":")
        if not sep or not sku:
            fail(f"a line must look like SKU:QTY, got {item!r}", 2)
        try:
            parsed.append((sku, int(qty)))
        except ValueError:
            fail(f"the quantity in {item!r} is not a whole number", 2)
    return parsed


def parse_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        fail(f"not a date (YYYY-MM-DD): {raw!r}", 2)


def done(message: str, as_json: bool, data: Any) -> None:
    if as_json:
        emit_json(data)
    else:
        out.print(message, highlight=False)


# ------------------------------------------------------------------ setup


@app.command()
def init() -> None:
    """Create or upgrade the database (Alembic migrations)."""
    from restock.store.migrate import upgrade

    ctx = context()
    with user_errors():
        upgrade(ctx.engine)
    out.print(f"database ready: {ctx.engine.url.render_as_string(hide_password=True)}")


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data.")] = 7,
    skus: Annotated[int, typer.Option(help="How many SKUs to create.", min=200, max=20000)] = 240,
) -> None:
    """Fill the database with a realistic, deterministic demo data set."""
    from restock.demo import load_demo

    ctx = context()
    with user_errors():
        summary = load_demo(ctx, seed=seed, sku_count=skus)
    out.print(summary)


@warehouse_app.command("add")
def warehouse_add(code: str, name: Annotated[str | None, typer.Option()] = None, as_json: JsonFlag = False) -> None:
    with user_errors():
        new_id = catalog.add_warehouse(context(), code, name)
    done(f"warehouse {code} added", as_json, {"id": new_id, "code": code})


@channel_app.command("add")
def channel_add(
    code: str,
    warehouses: Annotated[str, typer.Option(help="Comma-separated warehouse codes, first used first.")],
    name: Annotated[str | None, typer.Option()] = None,
    safety_buffer: Annotated[int, typer.Option(help="Units per warehouse this channel never sells.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    codes = [w.strip() for w in warehouses.split(",") if w.strip()]
    with user_errors():
        new_id = catalog.add_channel(context(), code, codes, name, safety_buffer)
    done(f"channel {code} added, served by {', '.join(codes)}", as_json, {"id": new_id, "code": code})


@supplier_app.command("add")
def supplier_add(
    code: str,
    lead_time_days: Annotated[int, typer.Option("--lead-time-days")],
    name: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
) -> None:
    with user_errors():
        new_id = catalog.add_supplier(context(), code, lead_time_days, name)
    done(f"supplier {code} added", as_json, {"id": new_id, "code": code})


@sku_app.command("add")
def sku_add(
    code: str,
    name: Annotated[str | None, typer.Option()] = None,
    price: Annotated[str, typer.Option()] = "0",
    backorder: Annotated[str, typer.Option(help="never, confirmed or always.")] = "confirmed",
    max_wait_days: Annotated[int, typer.Option("--max-wait-days")] = 30,
    backorder_limit: Annotated[int, typer.Option("--backorder-limit", help="Percent of confirmed inbound.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    with user_errors():
        new_id = catalog.add_sku(context(), code, name, price, backorder, max_wait_days, backorder_limit)
    done(f"SKU {code} added", as_json, {"id": new_id, "code": code})


# ------------------------------------------------------------------ stock


@stock_app.command("adjust", context_settings={"ignore_unknown_options": True})  # DELTA may be -5
def stock_adjust(
    sku: str,
    warehouse: str,
    delta: int,
    reason: Annotated[str, typer.Option(help="Why: count, damage, found, ...")],
    as_json: JsonFlag = False,
) -> None:
    with user_errors():
        balance = stock.adjust_stock(context(), sku, warehouse, delta, reason)
    done(
        f"{sku} at {warehouse}: on hand {balance.on_hand}, allocated {balance.allocated}",
        as_json,
        balance.to_json(),
    )


@stock_app.command("transfer")
def stock_transfer(sku: str, source: str, target: str, quantity: int, as_json: JsonFlag = False) -> None:
    with user_errors():
        src, dst = stock.transfer_stock(context(), sku, source, target, quantity)
    done(
        f"moved {quantity} of {sku} from {source} to {target}",
        as_json,
        [src.to_json(), dst.to_json()],
    )


@stock_app.command("show")
def stock_show(sku: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False) -> None:
    with user_errors():
        rows = stock.balances(context(), sku)
    if as_json:
        emit_json([b.to_json() for b in rows])
        return
    table = Table("SKU", "warehouse", "on hand", "allocated", "available", title="Stock")
    for b in rows:
        table.add_row(b.sku, b.warehouse, str(b.on_hand), str(b.allocated), str(b.available))
    out.print(table)


# ------------------------------------------------------------------ purchase orders


def _po_done(po: purchasing.POView, message: str, as_json: bool) -> None:
    done(message, as_json, po.to_json())


@po_app.command("create")
def po_create(supplier: str, warehouse: Annotated[str, typer.Option()], line: Lines, as_json: JsonFlag = False) -> None:
    lines = parse_lines(line)
    with user_errors():
        po = purchasing.create_po(context(), supplier, warehouse, lines)
    _po_done(po, f"purchase order {po.id} created (draft)", as_json)


@po_app.command("send")
def po_send(po: int, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = purchasing.send_po(context(), po)
    _po_done(view, f"purchase order {po} sent", as_json)


@po_app.command("confirm")
def po_confirm(po: int, eta: Annotated[str, typer.Option(help="YYYY-MM-DD")], as_json: JsonFlag = False) -> None:
    when = parse_date(eta)
    with user_errors():
        view = purchasing.confirm_po(context(), po, when)
    _po_done(view, f"purchase order {po} confirmed, ETA {when}", as_json)


@po_app.command("eta")
def po_eta(po: int, eta: str, as_json: JsonFlag = False) -> None:
    when = parse_date(eta)
    with user_errors():
        view = purchasing.change_eta(context(), po, when)
    _po_done(view, f"purchase order {po}: ETA now {when}", as_json)


@po_app.command("receive")
def po_receive(po: int, line: Lines, as_json: JsonFlag = False) -> None:
    lines = parse_lines(line)
    with user_errors():
        view = purchasing.receive_po(context(), po, lines)
    _po_done(view, f"purchase order {po}: received, now {view.status}", as_json)


@po_app.command("cancel")
def po_cancel(po: int, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = purchasing.cancel_po(context(), po)
    _po_done(view, f"purchase order {po} cancelled", as_json)


@po_app.command("list")
def po_list(
    status: Annotated[str | None, typer.Option(help="Only POs in this status, e.g. confirmed.")] = None,
    as_json: JsonFlag = False,
) -> None:
    with user_errors():
        views = purchasing.list_pos(context(), status)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table = Table("PO", "supplier", "warehouse", "status", "ETA", "lines", title="purchase orders")
    for v in views:
        eta = f"{v.eta}{'' if v.eta_confirmed else ' (unconfirmed)'}" if v.eta else ""
        lines = ", ".join(f"{li.sku} {li.received}/{li.ordered}" for li in v.lines)
        table.add_row(str(v.id), v.supplier, v.warehouse, v.status, eta, lines)
    out.print(table)


@po_app.command("show")
def po_show(po: int, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = purchasing.show_po(context(), po)
    if as_json:
        emit_json(view.to_json())
        return
    eta = f"{view.eta} ({'confirmed' if view.eta_confirmed else 'unconfirmed'})" if view.eta else "none"
    table = Table(
        "SKU",
        "ordered",
        "received",
        "promised",
        title=f"PO {view.id} · {view.supplier} → {view.warehouse} · {view.status} · ETA {eta}",
    )
    for li in view.lines:
        table.add_row(li.sku, str(li.ordered), str(li.received), str(li.promised))
    out.print(table)


# ------------------------------------------------------------------ orders


def _print_order(view: orders.OrderView) -> None:
    table = Table(
        "SKU",
        "qty",
        "allocated",
        "backordered",
        "status",
        "ship window",
        title=f"order {view.id} · {view.channel} · {view.status}",
    )
    for li in view.lines:
        window = f"{li.ship_window.earliest} – {li.ship_window.latest}" if li.ship_window else ""
        if li.delayed:
            window += " (delayed)"
        table.add_row(li.sku, str(li.quantity), str(li.allocated), str(li.backordered), li.status, window)
    out.print(table)


def _show_order(view: orders.OrderView, as_json: bool) -> None:
    if as_json:
        emit_json(view.to_json())
    else:
        _print_order(view)


@order_app.command("place")
def order_place(
    channel: Annotated[str, typer.Option()],
    email: Annotated[str, typer.Option()],
    line: Lines,
    idempotency_key: Annotated[str | None, typer.Option("--idempotency-key")] = None,
    priority: Annotated[int, typer.Option(help="Higher is filled first from arriving stock.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    request = orders.OrderRequest(
        channel=channel,
        email=email,
        priority=priority,
        idempotency_key=idempotency_key,
        lines=tuple(orders.LineRequest(sku, qty) for sku, qty in parse_lines(line)),
    )
    with user_errors():
        view = orders.place_order(context(), request)
    _show_order(view, as_json)


@order_app.command("show")
def order_show(order: str, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = orders.show_order(context(), order)
    _show_order(view, as_json)


@order_app.command("cancel")
def order_cancel(
    order: str,
    sku: Annotated[str | None, typer.Option(help="Cancel only this SKU's line.")] = None,
    as_json: JsonFlag = False,
) -> None:
    with user_errors():
        view = orders.cancel_line(context(), order, sku) if sku else orders.cancel_order(context(), order)
    _show_order(view, as_json)


@order_app.command("ship")
def order_ship(order: str, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = orders.ship_order(context(), order)
    _show_order(view, as_json)


# ------------------------------------------------------------------ availability and backorders

STATE_STYLE = {"in_stock": "green", "backorder": "yellow", "preorder": "cyan", "out_of_stock": "red"}


def availability_table(views: list[availability_service.AvailabilityView], title: str) -> Table:
    table = Table("SKU", "channel", "state", "now", "backorderable", "ship window", "reason", title=title)
    for v in views:
        d = v.decision
        window = f"{d.ship_window.earliest} – {d.ship_window.latest}" if d.ship_window else ""
        style = STATE_STYLE[d.state.value]
        table.add_row(
            v.sku,
            v.channel,
            f"[{style}]{d.state.value}[/]",
            str(d.available_now),
            str(d.backorderable),
            window,
            d.reason.value,
        )
    return table


@app.command()
def availability(
    sku: str,
    channel: Annotated[str | None, typer.Option(help="One channel; all channels when left out.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """What a shopper sees: in stock, backorder with a ship window, or out of stock, and why."""
    with user_errors():
        views = availability_service.availability(context(), sku, channel)
    if as_json:
        data = [v.to_json() for v in views]
        emit_json(data[0] if channel else data)
        return
    out.print(availability_table(views, f"availability of {sku}"))


@app.command()
def backorders(
    sku: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
) -> None:
    """The waiting backorders, in the order arriving stock fills them."""
    with user_errors():
        rows = backorder_service.waiting_backorders(context(), sku)
    if as_json:
        emit_json([b.to_json() for b in rows])
        return
    table = Table("order", "SKU", "qty", "placed", "PO", "ship window", title="waiting backorders (fill order)")
    for b in rows:
        window = f"{b.ship_window.earliest} – {b.ship_window.latest}" if b.ship_window else "unpromised"
        if b.delayed:
            window += " (delayed)"
        table.add_row(b.order, b.sku, str(b.quantity), b.placed_at.strftime("%Y-%m-%d %H:%M"), str(b.po or ""), window)
    out.print(table)


@app.command()
def overview(
    channel: Annotated[str | None, typer.Option(help="Channel to show; the first one when left out.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Availability of the whole catalog on one channel, with a count per state."""
    with user_errors():
        views = availability_service.catalog_availability(context(), channel)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    counts: dict[str, int] = {}
    for v in views:
        counts[v.decision.state.value] = counts.get(v.decision.state.value, 0) + 1
    out.print(availability_table(views, f"catalog availability on {views[0].channel if views else channel}"))
    out.print("  ".join(f"[{STATE_STYLE[state]}]{state}[/]: {n}" for state, n in sorted(counts.items())))


# ------------------------------------------------------------------ the REST API


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes (one per core is a good start).")] = 1,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not deliver the outbox here (run `restock worker` elsewhere).")
    ] = False,
) -> None:
    """Run the REST API under uvicorn; every worker process opens its own connection pool.

    The outbox worker runs as one thread of this (the supervising) process, never in the API processes:
    exactly one, whatever --workers says, which is what SQLite needs.
    """
    import uvicorn

    ctx = context()  # fail early, and readably, on bad settings
    out.print(f"restock API on http://{host}:{port}  (docs: http://{host}:{port}/docs)")
    stop = None
    if not no_worker:
        from restock.notify.worker import start_in_thread

        _, stop = start_in_thread(ctx)
        out.print("outbox worker running (e-mails, webhooks, periodic updates)")
    try:
        uvicorn.run(
            "restock.api.app:app_from_env", factory=True, host=host, port=port, workers=workers, log_level="warning"
        )
    finally:
        if stop is not None:
            stop.set()


@apikey_app.command("create")
def apikey_create(
    role: Annotated[str, typer.Option(help="storefront, warehouse or admin.")],
    channel: Annotated[str | None, typer.Option(help="The one channel a storefront key may act on.")] = None,
    name: Annotated[str | None, typer.Option(help="What the key is for.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Create a key. It is shown once and stored only as a hash."""
    from restock.services import apikeys

    with user_errors():
        issued = apikeys.create_key(context(), role, channel, name)
    done(
        f"API key {issued.id} ({issued.role}{', ' + channel if channel else ''}): {issued.key}\n"
        "store it now: it is not shown again",
        as_json,
        {"id": issued.id, "key": issued.key, "role": issued.role.value, "channel": issued.channel},
    )


@apikey_app.command("revoke")
def apikey_revoke(key_id: int, as_json: JsonFlag = False) -> None:
    from restock.services import apikeys

    with user_errors():
        apikeys.revoke_key(context(), key_id)
    done(f"API key {key_id} revoked", as_json, {"id": key_id, "revoked": True})


@apikey_app.command("list")
def apikey_list(as_json: JsonFlag = False) -> None:
    from restock.services import apikeys

    with user_errors():
        keys = apikeys.list_keys(context())
    if as_json:
        emit_json(
            [
                {
                    "id": k.id,
                    "prefix": k.prefix,
                    "role": k.role,
                    "channel": k.channel,
                    "name": k.name,
                    "created_at": k.created_at,
                    "revoked_at": k.revoked_at,
                }
                for k in keys
            ]
        )
        return
    table = Table("id", "key starts", "role", "channel", "name", "revoked", title="API keys")
    for k in keys:
        table.add_row(str(k.id), k.prefix + "…", k.role, k.channel or "", k.name or "", str(k.revoked_at or ""))
    out.print(table)


# ------------------------------------------------------------------ customer communication

webhook_app = typer.Typer(no_args_is_help=True, help="Webhook endpoints for integrators.")
app.add_typer(webhook_app, name="webhook")


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Deliver everything due now, then exit (cron, scripts).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Deliver the outbox (e-mails, webhooks) and run the periodic jobs; stops on Ctrl-C or SIGTERM."""
    import logging
    import signal
    import threading

    from restock.notify.worker import Worker

    ctx = context()
    with user_errors():
        runner = Worker(ctx)
        if once:
            result = runner.run_once()
            runner.mailer.close()
            data = {
                "delivered": result.delivered,
                "failed": result.failed,
                "dead": result.dead,
                "jobs": result.jobs_run,
            }
            done(
                f"delivered {result.delivered}, failed {result.failed} (will retry), dead {result.dead}",
                as_json,
                data,
            )
            return
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        err.print("outbox worker running; Ctrl-C stops it")
        try:
            runner.run(stop)
        except KeyboardInterrupt:
            stop.set()


@app.command()
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
    out.print(table)


@app.command()
def subscribe(
    sku: str,
    channel: Annotated[str, typer.Option(help="The channel the shopper buys on.")],
    email: Annotated[str, typer.Option(help="Where the back-in-stock e-mail goes.")],
    as_json: JsonFlag = False,
) -> None:
    """Notify me: one e-mail when an out-of-stock SKU can be bought again (reserves nothing)."""
    from restock.services import subscriptions

    with user_errors():
        view = subscriptions.subscribe(context(), sku, channel, email)
    done(f"{email} will hear when {sku} can be bought on {channel} (subscription {view.id})", as_json, view.to_json())


@webhook_app.command("add")
def webhook_add(
    url: str,
    event: Annotated[
        list[str] | None, typer.Option("--event", help="An event to send (repeat); all events when left out.")
    ] = None,
    secret: Annotated[str | None, typer.Option(help="The signing secret; one is made when left out.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Register an endpoint. Its secret is shown once: the receiver checks signatures with it."""
    from restock.services import webhooks

    with user_errors():
        view = webhooks.add_webhook(context(), url, event or [], secret)
    done(
        f"webhook {view.id} -> {view.url} ({', '.join(view.events)})\nsigning secret: {view.secret}",
        as_json,
        view.to_json(),
    )


@webhook_app.command("list")
def webhook_list(as_json: JsonFlag = False) -> None:
    from restock.services import webhooks

    with user_errors():
        views = webhooks.list_webhooks(context())
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table = Table("id", "url", "events", "disabled", title="webhooks")
    for v in views:
        table.add_row(str(v.id), v.url, ", ".join(v.events), "yes" if v.disabled else "")
    out.print(table)


@webhook_app.command("show")
def webhook_show(webhook_id: int, as_json: JsonFlag = False) -> None:
    """An endpoint with its latest delivery attempts."""
    from restock.services import webhooks

    with user_errors():
        view = webhooks.show_webhook(context(), webhook_id)
    if as_json:
        emit_json(view.to_json())
        return
    table = Table("delivery", "event", "at", "status", "error", "ms", title=f"webhook {view.id}: {view.url}")
    for a in view.attempts:
        table.add_row(
            a.delivery,
            a.event,
            a.attempted_at.strftime("%Y-%m-%d %H:%M:%S"),
            str(a.status_code or ""),
            a.error or "",
            str(a.duration_ms),
        )
    out.print(table)


# ------------------------------------------------------------------ replenishment planning


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@supplier_app.command("scorecard")
def supplier_scorecard(code: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False) -> None:
    """Measured reliability: lead time, ETA slips, on-time and fill rates (per SKU where history allows)."""
    from restock.services.reliability import supplier_scorecard as scorecard

    with user_errors():
        scores = scorecard(context(), code)
    if as_json:
        emit_json([s.to_json() for s in scores])
        return
    table = Table(
        "supplier",
        "SKU",
        "POs",
        "received",
        "lead time (mean ± sd, P90)",
        "ETA moved later",
        "on time",
        "fill rate",
        "P90 late",
        title="supplier scorecard",
    )
    for s in scores:
        lead = "" if s.lead_time_mean is None else f"{s.lead_time_mean:.1f} ± {_days(s.lead_time_std) or '-'}"
        lead += "" if s.lead_time_p90 is None else f", {s.lead_time_p90:.0f}"
        slips = f"{s.eta_moves_later} ({_rate(s.slipped_share)} of POs, avg {_days(s.mean_slip_days)} d)"
        table.add_row(
            s.supplier,
            s.sku or "(all)",
            str(s.pos),
            str(s.received_pos),
            lead,
            slips if s.eta_moves_later else "0",
            _rate(s.on_time_rate),
            _rate(s.fill_rate),
            "" if s.lateness_p90_days is None else f"{s.lateness_p90_days} d",
        )
    out.print(table)


@supplier_app.command("terms")
def supplier_terms(
    supplier: str,
    sku: str,
    unit_cost: Annotated[str, typer.Option("--unit-cost", help="Landed cost of one unit.")],
    moq: Annotated[int, typer.Option(help="Minimum order quantity.")] = 1,
    pack: Annotated[int, typer.Option(help="Pack size: orders are whole packs.")] = 1,
    lead_time_days: Annotated[
        int | None, typer.Option("--lead-time-days", help="Quote for this SKU (default: the supplier's).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record what SUPPLIER offers for SKU (replaces earlier terms); the planner buys only on recorded terms."""
    from restock.services import terms

    with user_errors():
        view = terms.set_supplier_terms(
            context(), supplier, sku, unit_cost=unit_cost, moq=moq, pack_size=pack, lead_time_days=lead_time_days
        )
    done(
        f"{supplier} offers {sku}: {view.unit_cost} a unit, MOQ {view.moq}, packs of {view.pack_size}, "
        f"{view.lead_time_days} days",
        as_json,
        view.to_json(),
    )


@supplier_app.command("terms-list")
def supplier_terms_list(
    supplier: Annotated[str | None, typer.Option()] = None,
    sku: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recorded supplier terms, per supplier and SKU."""
    from restock.services import terms

    with user_errors():
        views = terms.list_supplier_terms(context(), supplier, sku)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table = Table("supplier", "SKU", "unit cost", "MOQ", "pack", "lead time", title="supplier terms")
    for v in views:
        lead = f"{v.lead_time_days} d" + ("" if v.lead_time_quoted else " (supplier's usual)")
        table.add_row(v.supplier, v.sku, str(v.unit_cost), str(v.moq), str(v.pack_size), lead)
    out.print(table)


@sku_app.command("planning")
def sku_planning(
    sku: str,
    review_days: Annotated[int | None, typer.Option("--review-days", help="Days between two plans.")] = None,
    policy: Annotated[str | None, typer.Option(help="order_up_to or eoq.")] = None,
    order_cost: Annotated[str | None, typer.Option("--order-cost", help="Cost of one order (EOQ).")] = None,
    holding_rate: Annotated[
        str | None, typer.Option("--holding-rate", help="Yearly holding cost, % of unit cost.")
    ] = None,
    service_level: Annotated[
        str | None, typer.Option("--service-level", help="Cycle service level in %, e.g. 97.5.")
    ] = None,
    class_service_level: Annotated[
        bool, typer.Option("--class-service-level", help="Drop the override: use the ABC class level.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show a SKU's planning settings, or change those given (the others keep their values)."""
    from restock.services import terms

    changing = any(v is not None for v in (review_days, policy, order_cost, holding_rate, service_level))
    with user_errors():
        if changing or class_service_level:
            view = terms.set_sku_planning(
                context(),
                sku,
                review_days=review_days,
                policy=policy,
                order_cost=order_cost,
                holding_rate_pct=holding_rate,
                service_level_pct=service_level,
                clear_service_level=class_service_level,
            )
        else:
            view = terms.show_sku_planning(context(), sku)
    s = view.settings
    level = "its ABC class level" if s.service_level_pct is None else f"{s.service_level_pct}%"
    done(
        f"{sku}: review every {s.review_days} days, {s.policy.value}, order cost {s.order_cost}, "
        f"holding {s.holding_rate_pct}% a year, service level {level}" + (" (defaults)" if view.is_default else ""),
        as_json,
        view.to_json(),
    )


# ------------------------------------------------------------------ demand and forecasts

demand_app = typer.Typer(no_args_is_help=True, help="Demand history: import demand recorded by another system.")
forecast_app = typer.Typer(no_args_is_help=True, help="Demand forecasts: check them on your own series.")
app.add_typer(demand_app, name="demand")
app.add_typer(forecast_app, name="forecast")


def read_text_file(path: str) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        fail(f"no such file: {path}", 2)
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read {path}: {error}", 2)


@contextmanager
def progress_bar(description: str) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar on stderr (stdout stays clean for --json), fed as (done, total); none when
    stderr is not a terminal, so logs and pipes get only the result and the errors."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    if not err.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


@demand_app.command("import")
def demand_import(
    file: Annotated[str, typer.Argument(help="CSV with a header: sku,date,quantity[,warehouse,channel]")],
    as_json: JsonFlag = False,
) -> None:
    """Import daily demand from another system; a file with any bad row is refused whole."""
    from restock.planning.demand_file import parse_demand_csv
    from restock.services import demand

    ctx = context()
    text = read_text_file(file)
    with user_errors():
        summary = demand.import_demand(ctx, parse_demand_csv(text, today=ctx.clock.today()))
    done(
        f"imported {summary.rows} rows ({summary.units} units, {summary.skus} SKUs) "
        f"from {summary.first_day} to {summary.last_day}",
        as_json,
        summary.to_json(),
    )


@forecast_app.command("evaluate")
def forecast_evaluate(
    file: Annotated[str, typer.Argument(help="CSV in long format with a header: unique_id,ds,y")],
    season_length: Annotated[int, typer.Option(help="The seasonal period, in points (7: weekly on daily data).")] = 7,
    horizon: Annotated[int, typer.Option(help="Points held out at the end of each series and forecast.")] = 14,
    n_jobs: Annotated[int, typer.Option(help="Processes statsforecast may use.", min=1)] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Score the planner's forecasts on your series (MASE, sMAPE) beside a seasonal-naive benchmark."""
    from restock.planning.evaluate import evaluate_forecasts, read_series_csv

    text = read_text_file(file)
    with user_errors(), progress_bar("forecasting") as report:
        frame = read_series_csv(text)
        result = evaluate_forecasts(frame, horizon=horizon, season_length=season_length, n_jobs=n_jobs, progress=report)
    if as_json:
        emit_json(result.to_json())
        return
    table = Table(
        "class", "series", "MASE", "sMAPE %", "benchmark MASE", "benchmark sMAPE %", title="forecast accuracy"
    )

    def cells(mase: float, smape: float) -> list[str]:
        return [f"{mase:.3f}" if mase == mase else "-", f"{smape:.1f}"]

    for name, scores in result.by_class.items():
        table.add_row(
            name,
            str(scores.series),
            *cells(scores.forecast.mase, scores.forecast.smape),
            *cells(scores.benchmark.mase, scores.benchmark.smape),
        )
    table.add_row(
        "overall",
        str(sum(s.series for s in result.by_class.values())),
        *cells(result.overall.mase, result.overall.smape),
        *cells(result.benchmark.mase, result.benchmark.smape),
        style="bold",
    )
    out.print(table)


# ------------------------------------------------------------------ the plan and the radar

NJobs = Annotated[int, typer.Option("--n-jobs", help="Processes statsforecast may use.", min=1, max=64)]


def _run_plan(n_jobs: int) -> tuple[Context, PlanReport]:
    """Today's plan, with a progress bar while statsforecast works (the services module loads it: imported late)."""
    from restock.services import planning

    ctx = context()
    with user_errors(), progress_bar("forecasting demand") as report:
        return ctx, planning.plan(ctx, n_jobs=n_jobs, progress=report)


@app.command()
def plan(
    create_pos: Annotated[
        bool, typer.Option("--create-pos", help="Turn the suggestions into draft POs, one per supplier and warehouse.")
    ] = False,
    n_jobs: NJobs = 1,
    as_json: JsonFlag = False,
) -> None:
    """Purchase suggestions for every SKU x warehouse: reorder point, order-up-to level, supplier, and why."""
    from restock.services import planning

    ctx, report = _run_plan(n_jobs)
    created: list[purchasing.POView] = []
    if create_pos:
        with user_errors():
            created = planning.create_purchase_orders(ctx, report.suggestions)
    if as_json:
        emit_json(report.to_json() | ({"purchase_orders": [po.to_json() for po in created]} if create_pos else {}))
        return
    table = Table(
        "SKU",
        "warehouse",
        "class",
        "position",
        "safety stock",
        "reorder point",
        "order-up-to",
        "qty",
        "supplier",
        "why",
        title=f"purchase suggestions · {report.today} · horizon {report.horizon_days} days · {report.planned} planned",
    )
    for s in report.suggestions:
        supplier = f"[red]{s.supplier} (late)[/]" if s.late_supplier else s.supplier
        table.add_row(
            s.sku,
            s.warehouse,
            s.abc,
            str(s.position),
            f"{s.safety_stock:.1f}",
            f"{s.reorder_point:.1f}",
            f"{s.order_up_to:.1f}",
            str(s.quantity),
            supplier,
            s.explanation,
        )
    out.print(table)
    if report.without_terms:
        out.print(f"no supplier terms, not planned: {', '.join(report.without_terms[:20])}", highlight=False)
    for po in created:
        out.print(f"draft purchase order {po.id}: {po.supplier} → {po.warehouse}, {len(po.lines)} lines")


@app.command()
def radar(n_jobs: NJobs = 1, as_json: JsonFlag = False) -> None:
    """Shortage risk: the SKU x warehouses projected to run short or below safety stock, most revenue at risk first."""
    _, report = _run_plan(n_jobs)
    if as_json:
        emit_json([r.to_json() for r in report.radar])
        return
    table = Table(
        "SKU",
        "warehouse",
        "stock-out",
        "below safety",
        "next receipt",
        "units short",
        "revenue at risk",
        "flags",
        title=f"shortage-risk radar · {report.today} · next {report.horizon_days} days",
    )
    for r in report.radar:
        table.add_row(
            r.sku,
            r.warehouse,
            r.stockout_date or "",
            r.below_safety_date or "",
            r.next_receipt or "",
            str(r.units_short),
            f"{r.revenue_at_risk:.2f}",
            ", ".join(r.flags),
        )
    out.print(table)
