"""`restock order ship` and `restock pick-list`: shipping what is allocated now, and what a warehouse can ship."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.orders import _order_table
from restock.cli.shared import JsonFlag, context, emit_json, out, parse_lines, user_errors
from restock.services import shipping
from restock.services.context import Context
from restock.services.shipment_views import PickOut, ShipmentOut, ShippedOut

ShipLines = Annotated[
    list[str] | None, typer.Option("--line", help="SKU:QTY to ship only that much of a line; repeat for more.")
]


def shipment_sentence(shipment: ShipmentOut) -> str:
    """One shipment in a line: its id, where it left from, what it took, how to follow it."""
    what = ", ".join(f"{line.quantity} x {line.sku}" for line in shipment.lines)
    follow = " ".join(x for x in (shipment.carrier, shipment.tracking_number, shipment.tracking_url) if x)
    return f"shipment {shipment.id} from {shipment.warehouse}: {what}" + (f" ({follow})" if follow else "")


def shipped_json(shipped: ShippedOut) -> dict[str, Any]:
    """The order as every order command prints it, with the shipments just made beside its lines."""
    return {**shipped.order.to_json(), "shipments": [s.to_json() for s in shipped.shipments]}


def order_ship(
    order: str,
    line: ShipLines = None,
    carrier: Annotated[str | None, typer.Option(help="Who carries the parcel, e.g. DHL.")] = None,
    tracking: Annotated[str | None, typer.Option("--tracking", help="The carrier's tracking number.")] = None,
    tracking_url: Annotated[str | None, typer.Option("--tracking-url", help="Where the customer follows it.")] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Ship what is allocated now: every allocated unit, or only the --line quantities; one shipment per warehouse."""
    with user_errors():
        lines = tuple(parse_lines(line or []))
    request = shipping.ShipmentRequest(lines, carrier, tracking, tracking_url)

    def work(ctx: Context) -> Printed:
        shipped = shipping.ship(ctx, order, request)
        said = Group(*(Text(shipment_sentence(s)) for s in shipped.shipments), _order_table(shipped.order))
        return Printed(said, shipped_json(shipped))

    run_changing(idempotency_key, as_json, ("order ship", order, *lines, carrier, tracking, tracking_url), work)


def _pick_table(picks: list[PickOut]) -> Table:
    table = Table("order", "shop no.", "warehouse", "placed", "SKU", "qty", "at dock", "policy", title="ready to ship")
    for pick in picks:
        for number, li in enumerate(pick.lines):
            first = number == 0
            table.add_row(
                pick.order if first else "",
                (pick.external_ref or "") if first else "",
                pick.warehouse if first else "",
                pick.placed_at.strftime("%Y-%m-%d %H:%M") if first else "",
                li.sku,
                str(li.quantity),
                str(li.at_dock) if li.at_dock else "",
                pick.shipping_policy if first else "",
            )
    return table


def pick_list(
    warehouse: Annotated[str | None, typer.Option(help="Only what ships from this warehouse.")] = None,
    limit: Annotated[int, typer.Option(help=f"Entries per page (1-{shipping.MAX_PICK_LIMIT}).")] = (
        shipping.DEFAULT_PICK_LIMIT
    ),
    after: Annotated[str | None, typer.Option(help="The cursor the page before printed.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """What can ship now: units a receipt brought to the dock first (cross-docking), then the oldest orders.

    A page at a time: the next page's cursor is printed after the table."""
    with user_errors():
        page = shipping.pick_list(context(), warehouse, limit, after)
    if as_json:
        emit_json(page.model_dump(mode="json"))
        return
    out.print(_pick_table(page.items))
    out.print(f"next page: --after {page.next}" if page.next else "last page", highlight=False, soft_wrap=True)
