"""`restock availability`, `backorders` and `overview`: what shoppers see and what waits for stock."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from restock.cli.shared import JsonFlag, context, emit_json, out, user_errors
from restock.domain.model import ShipWindow
from restock.services import availability as availability_service
from restock.services import backorders as backorder_service

STATE_STYLE = {"in_stock": "green", "backorder": "yellow", "preorder": "cyan", "out_of_stock": "red"}


def _window(window: ShipWindow | None) -> str:
    return f"{window.earliest} – {window.latest}" if window else ""


def availability_table(views: list[availability_service.AvailabilityView], title: str) -> Table:
    """One row per SKU and channel, the state coloured so a long catalog can be scanned by eye. An in-stock SKU
    that could also be backordered shows when the backordered part would ship (`backorder window`), as a product
    page says "11 in stock; more ship in 9-12 days"."""
    headers = ("SKU", "channel", "state", "now", "backorderable", "ship window", "backorder window", "reason")
    table = Table(*headers, title=title)
    for v in views:
        d = v.decision
        style = STATE_STYLE[d.state.value]
        table.add_row(
            v.sku,
            v.channel,
            f"[{style}]{d.state.value}[/]",
            str(d.available_now),
            str(d.backorderable),
            _window(d.ship_window),
            _window(d.backorder_window),
            d.reason.value,
        )
    return table


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


def _state_counts(views: list[availability_service.AvailabilityView]) -> str:
    """The footer under the catalog: how many SKUs are in each state, in the states' colours."""
    counts: dict[str, int] = {}
    for v in views:
        counts[v.decision.state.value] = counts.get(v.decision.state.value, 0) + 1
    return "  ".join(f"[{STATE_STYLE[state]}]{state}[/]: {n}" for state, n in sorted(counts.items()))


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
    out.print(availability_table(views, f"catalog availability on {views[0].channel if views else channel}"))
    out.print(_state_counts(views))
