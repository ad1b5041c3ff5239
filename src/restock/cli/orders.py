"""`restock order ...`: placing, showing, cancelling and shipping customer orders; each answers with the order."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing, unknown_outcome
from restock.cli.shared import JsonFlag, Lines, context, emit_json, fail, out, parse_lines, user_errors
from restock.domain import catalog as catalog_rules
from restock.domain.address import DeliveryAddress
from restock.services import order_search, orders, shipping
from restock.services.context import Context
from restock.services.placing import new_order_id
from restock.services.shipment_views import ShipmentOut
from restock.services.views import OrderPage


def _order_table(view: orders.OrderView) -> Table:
    """An order line by line: what is allocated, what waits (and when it should ship), what shipped and what was
    cancelled; the four add up to the line's quantity."""
    table = Table(title=f"order {view.id} · {view.channel} · {view.status}")
    for header in ("SKU", "qty", "allocated", "backordered", "shipped", "cancelled", "status", "ship window"):
        table.add_column(header, overflow="fold")  # a narrow terminal wraps a header, it never cuts one
    for li in view.lines:
        window = f"{li.ship_window.earliest} – {li.ship_window.latest}" if li.ship_window else ""
        if li.delayed:
            window += " (delayed)"
        units = (li.quantity, li.allocated, li.backordered, li.shipped, li.cancelled)
        table.add_row(li.sku, *map(str, units), li.status, window)
    table.caption = _shop_details(view)
    return table


def _shop_details(view: orders.OrderView) -> str | None:
    """The shop's number, the customer's name and where the order goes, when the shop sent them."""
    said = []
    if view.external_ref is not None:
        said.append(f"shop order {view.external_ref}")
    if view.customer.name is not None:
        said.append(view.customer.name)
    if (address := view.delivery_address) is not None:
        place = ", ".join(p for p in (address.line1, address.line2, address.postal_code, address.city) if p)
        said.append(f"to {address.name + ', ' if address.name else ''}{place}, {address.country}")
    if view.shipping_policy is not None:
        said.append(f"ships {view.shipping_policy.replace('_', ' ')}")
    return " · ".join(said) or None


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
    ref: Annotated[
        str | None, typer.Option("--ref", help="The shop's order number: placed again, the first order is shown.")
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="The customer's name.")] = None,
    shipping_policy: Annotated[
        str | None,
        typer.Option(help="as_available or complete (hold it until it is whole): overrides the channel's policy."),
    ] = None,
    address_line1: Annotated[
        str | None,
        typer.Option(
            help="Where the order goes: street and number, with --city and --country (and --postal-code). A second "
            "line, region, phone or another recipient: send the address through the API."
        ),
    ] = None,
    city: Annotated[str | None, typer.Option(help="The delivery address's city.")] = None,
    postal_code: Annotated[str | None, typer.Option(help="The delivery address's postal code.")] = None,
    country: Annotated[str | None, typer.Option(help="The delivery address's country, ISO 3166-1: DE, GB.")] = None,
) -> None:
    """Place an order: each line is allocated, or backordered with a ship window; or the whole order is refused."""
    address = _delivery_address(address_line1, city, postal_code, country)
    with user_errors():
        policy = None if shipping_policy is None else catalog_rules.shipping_policy(shipping_policy)
    request = orders.OrderRequest(
        channel=channel,
        email=email,
        priority=priority,
        idempotency_key=idempotency_key,
        lines=tuple(orders.LineRequest(sku, qty) for sku, qty in parse_lines(line)),
        external_ref=ref,
        customer_name=name,
        delivery_address=address,
        shipping_policy=policy,
    )
    with user_errors(), unknown_outcome(idempotency_key):  # the order row itself carries the key
        view = orders.place_order(context(), request)
    _show_order(view, as_json)


def _shipments_table(shipments: list[ShipmentOut]) -> Table:
    """The order's shipments, oldest first: what left which warehouse when, and how to follow it."""
    table = Table(title="shipments")
    table.add_column("shipment", no_wrap=True, min_width=len(shipping.new_shipment_id()))
    for header in ("warehouse", "shipped (UTC)", "lines", "carrier", "tracking"):
        table.add_column(header, overflow="fold")
    for s in shipments:
        lines = ", ".join(f"{line.quantity} x {line.sku}" for line in s.lines)
        tracking = " ".join(x for x in (s.tracking_number, s.tracking_url) if x)
        table.add_row(s.id, s.warehouse, s.shipped_at.strftime("%Y-%m-%d %H:%M"), lines, s.carrier or "", tracking)
    return table


def _delivery_address(
    line1: str | None, city: str | None, postal_code: str | None, country: str | None
) -> DeliveryAddress | None:
    """The address the options give, as the API takes it (the placing checks it by the same rule); none given: none.
    Part of one is a usage error, before anything is touched."""
    if line1 is None and city is None and postal_code is None and country is None:
        return None
    if line1 is None or city is None or country is None:
        fail("a delivery address needs --address-line1, --city and --country (--postal-code is optional)", 2)
    return DeliveryAddress(line1=line1, city=city, country=country, postal_code=postal_code)


def order_show(order: str, as_json: JsonFlag = False) -> None:
    """The order line by line, then its shipments with their carrier and tracking.

    With --json: the order as every order command prints it, and its `shipments` as `order ship` prints them."""
    with user_errors():
        ctx = context()
        view = orders.show_order(ctx, order)
        shipments = shipping.order_shipments(ctx, order)
    if as_json:
        emit_json({**view.to_json(), "shipments": [s.to_json() for s in shipments]})
        return
    out.print(_order_table(view))
    out.print(_shipments_table(shipments) if shipments else "no shipments yet", highlight=False)


def order_cancel(
    order: str,
    line: Annotated[str | None, typer.Option("--line", "--sku", help="Cancel only this SKU's line.")] = None,
    quantity: Annotated[
        int | None,
        typer.Option(help="Cancel only this many units of the line: backordered ones first, then allocated ones."),
    ] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Cancel the whole order, a line (--line SKU), or part of a line (--line SKU --quantity N)."""
    if quantity is not None and line is None:
        fail("--quantity cancels part of one line: name it with --line SKU")

    def work(ctx: Context) -> Printed:
        view = orders.cancel_line(ctx, order, line, quantity) if line else orders.cancel_order(ctx, order)
        return Printed(_order_table(view), view.to_json())

    part = () if quantity is None else (quantity,)  # without one, a key means what it meant before --quantity
    run_changing(idempotency_key, as_json, ("order cancel", order, line, *part), work)


def _moment(raw: str | None, option: str) -> datetime | None:
    """An ISO date or date and time from the command line (without a zone: UTC), refused as a usage error."""
    if raw is None:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        fail(f"{option} is not a date or time (YYYY-MM-DD or YYYY-MM-DDTHH:MM): {raw!r}", 2)


ORDER_ID_WIDTH = len(new_order_id())
"""An order id's length ("ord_" and 24 hex digits): the order list never cuts one, so it can be copied."""


def _page_table(page: OrderPage) -> Table:
    """A page of orders, newest first: who, what, and what still waits."""
    table = Table()
    table.add_column("order", no_wrap=True, min_width=ORDER_ID_WIDTH)  # whole, to copy into `order show`/`ship`
    for header in ("placed (UTC)", "channel", "ref", "customer", "status"):
        table.add_column(header, overflow="fold")
    table.add_column("lines", overflow="fold")  # the long one: it wraps, the id never does
    for header in ("waiting", "delayed"):
        table.add_column(header, overflow="fold")
    for view in page.items:
        customer = view.customer.email if view.customer.name is None else f"{view.customer.name} <{view.email}>"
        lines = ", ".join(f"{line.quantity} x {line.sku}" for line in view.lines)
        waiting = sum(line.backordered for line in view.lines)
        delayed = "yes" if any(line.delayed for line in view.lines) else ""
        placed = view.placed_at.strftime("%Y-%m-%d %H:%M")
        row = (view.id, placed, view.channel, view.external_ref or "", customer, view.status, lines, str(waiting))
        table.add_row(*row, delayed)
    return table


def order_list(
    status: Annotated[str | None, typer.Option(help="open, shipped or cancelled.")] = None,
    channel: Annotated[str | None, typer.Option()] = None,
    sku: Annotated[str | None, typer.Option(help="Orders with a line of this SKU.")] = None,
    email: Annotated[str | None, typer.Option(help="The customer's e-mail, exact, in any case.")] = None,
    ref: Annotated[str | None, typer.Option("--ref", help="The shop's order number.")] = None,
    placed_from: Annotated[str | None, typer.Option("--from", help="Placed at or after (UTC).")] = None,
    placed_to: Annotated[str | None, typer.Option("--to", help="Placed before (UTC).")] = None,
    delayed: Annotated[
        bool | None, typer.Option("--delayed/--not-delayed", help="With or without a delayed waiting part.")
    ] = None,
    has_backorder: Annotated[
        bool | None, typer.Option("--has-backorder/--no-backorder", help="With or without units waiting.")
    ] = None,
    limit: Annotated[int, typer.Option(help=f"Orders per page (1-{order_search.MAX_LIMIT}).")] = (
        order_search.DEFAULT_LIMIT
    ),
    after: Annotated[str | None, typer.Option(help="The cursor the page before printed.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Orders, newest first, filtered; a page at a time (the next page's cursor is printed after the table)."""
    query = order_search.OrderQuery(
        status=status,
        channel=channel,
        sku=sku,
        email=email,
        external_ref=ref,
        placed_from=_moment(placed_from, "--from"),
        placed_to=_moment(placed_to, "--to"),
        delayed=delayed,
        has_backorder=has_backorder,
        limit=limit,
        after=after,
    )
    with user_errors():
        page = order_search.search_orders(context(), query)
    if as_json:
        emit_json(page.model_dump(mode="json"))
        return
    out.print(_page_table(page))
    out.print(f"next page: --after {page.next}" if page.next else "last page", highlight=False)
