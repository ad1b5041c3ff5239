"""`restock order ...`: placing, showing, cancelling and shipping customer orders; each answers with the order."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing, unknown_outcome
from restock.cli.shared import JsonFlag, Lines, context, emit_json, out, parse_lines, user_errors
from restock.services import orders
from restock.services.context import Context


def _order_table(view: orders.OrderView) -> Table:
    """An order line by line: what was allocated, what waits, and when the waiting part should ship."""
    table = Table(
        "SKU",
        "qty",
        "allocated",
        "backordered",
        "shipped",
        "status",
        "ship window",
        title=f"order {view.id} · {view.channel} · {view.status}",
    )
    for li in view.lines:
        window = f"{li.ship_window.earliest} – {li.ship_window.latest}" if li.ship_window else ""
        if li.delayed:
            window += " (delayed)"
        table.add_row(
            li.sku, str(li.quantity), str(li.allocated), str(li.backordered), str(li.shipped), li.status, window
        )
    return table


def _show_order(view: orders.OrderView, as_json: bool) -> None:
    """Every order command ends the same way: the order as it now stands, as a table or JSON."""
    if as_json:
        emit_json(view.to_json())
    else:
        out.print(_order_table(view))


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
    with user_errors(), unknown_outcome(idempotency_key):  # the order row itself carries the key
        view = orders.place_order(context(), request)
    _show_order(view, as_json)


def order_show(order: str, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = orders.show_order(context(), order)
    _show_order(view, as_json)


def order_cancel(
    order: str,
    sku: Annotated[str | None, typer.Option(help="Cancel only this SKU's line.")] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    def work(ctx: Context) -> Printed:
        view = orders.cancel_line(ctx, order, sku) if sku else orders.cancel_order(ctx, order)
        return Printed(_order_table(view), view.to_json())

    run_changing(idempotency_key, as_json, ("order cancel", order, sku), work)
