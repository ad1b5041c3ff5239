"""`restock po ...`: a purchase order's life from draft to received, and the lists that show where POs stand."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.shared import JsonFlag, Lines, context, emit_json, out, parse_date, parse_lines, user_errors
from restock.services import purchasing
from restock.services.context import Context
from restock.services.purchasing import POView
from restock.services.shipment_views import ReceiptOut


def _po_change(key: str | None, as_json: bool, said: str, use_case: Callable[..., POView], *args: Any) -> None:
    """Every PO change answers the same way: a sentence (`said`, with {po} and {status} filled in), or the PO
    as JSON; with a key, at most once (the key is bound to the use case and its arguments)."""

    def work(ctx: Context) -> Printed:
        view = use_case(ctx, *args)
        return Printed(said.format(po=view.id, status=view.status), view.to_json())

    run_changing(key, as_json, (use_case.__name__, *args), work)


def po_create(
    supplier: str,
    warehouse: Annotated[str, typer.Option()],
    line: Lines,
    reference: Annotated[
        str | None, typer.Option(help="Your own number for the PO (unique); an import finds the PO by it.")
    ] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    lines = parse_lines(line)

    def work(ctx: Context) -> Printed:
        view = purchasing.create_po(ctx, supplier, warehouse, lines, reference=reference)
        named = f" {view.reference!r}" if view.reference is not None else ""
        return Printed(f"purchase order {view.id}{named} created (draft)", view.to_json())

    request = ("create_po", supplier, warehouse, lines, *([reference] if reference is not None else []))
    run_changing(idempotency_key, as_json, request, work)


def po_send(po: int, as_json: JsonFlag = False, idempotency_key: IdempotencyKey = None) -> None:
    _po_change(idempotency_key, as_json, "purchase order {po} sent", purchasing.send_po, po)


def po_confirm(
    po: int,
    eta: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    when = parse_date(eta)
    _po_change(
        idempotency_key, as_json, f"purchase order {{po}} confirmed, ETA {when}", purchasing.confirm_po, po, when
    )


def po_eta(po: int, eta: str, as_json: JsonFlag = False, idempotency_key: IdempotencyKey = None) -> None:
    when = parse_date(eta)
    _po_change(idempotency_key, as_json, f"purchase order {{po}}: ETA now {when}", purchasing.change_eta, po, when)


def receipt_sentences(receipt: ReceiptOut) -> str:
    """What a receipt did: the PO's new status, each order it filled (at the dock, ready to ship), the free stock."""
    said = [f"purchase order {receipt.id}: received, now {receipt.status}"]
    for f in receipt.filled:
        ready = "ready to ship from the dock" if f.ready_to_ship else "held: the order ships complete"
        said.append(f"  filled {f.order}: {f.quantity} x {f.sku} ({ready})")
    said += [f"  to free stock: {free.quantity} x {free.sku}" for free in receipt.to_free_stock]
    return "\n".join(said)


def po_receive(po: int, line: Lines, as_json: JsonFlag = False, idempotency_key: IdempotencyKey = None) -> None:
    """Book arriving units; says which orders they filled (ready to ship from the dock) and what became free stock."""
    with user_errors():
        lines = parse_lines(line)

    def work(ctx: Context) -> Printed:
        receipt = purchasing.receive_po(ctx, po, lines)
        return Printed(receipt_sentences(receipt), receipt.to_json())

    run_changing(idempotency_key, as_json, ("receive_po", po, lines), work)


def po_cancel(po: int, as_json: JsonFlag = False, idempotency_key: IdempotencyKey = None) -> None:
    _po_change(idempotency_key, as_json, "purchase order {po} cancelled", purchasing.cancel_po, po)


def _po_list_table(views: list[purchasing.POView]) -> Table:
    """One row per PO, its lines folded into received/ordered so a long list stays readable."""
    table = Table("PO", "supplier", "warehouse", "status", "ETA", "lines", title="purchase orders")
    for v in views:
        eta = f"{v.eta}{'' if v.eta_confirmed else ' (unconfirmed)'}" if v.eta else ""
        lines = ", ".join(f"{li.sku} {li.received}/{li.ordered}" for li in v.lines)
        table.add_row(f"{v.id}{_named(v)}", v.supplier, v.warehouse, v.status, eta, lines)
    return table


def po_list(
    status: Annotated[str | None, typer.Option(help="Only POs in this status, e.g. confirmed.")] = None,
    as_json: JsonFlag = False,
) -> None:
    with user_errors():
        views = purchasing.list_pos(context(), status)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    out.print(_po_list_table(views))


def _named(view: purchasing.POView) -> str:
    """The seller's reference after the PO's number, where it has one."""
    return f" ({view.reference})" if view.reference is not None else ""


def _po_table(view: purchasing.POView) -> Table:
    """One PO line by line, with what was promised from it to waiting backorders."""
    eta = f"{view.eta} ({'confirmed' if view.eta_confirmed else 'unconfirmed'})" if view.eta else "none"
    table = Table(
        "SKU",
        "ordered",
        "received",
        "promised",
        title=f"PO {view.id}{_named(view)} · {view.supplier} → {view.warehouse} · {view.status} · ETA {eta}",
    )
    for li in view.lines:
        table.add_row(li.sku, str(li.ordered), str(li.received), str(li.promised))
    return table


def po_show(po: int, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = purchasing.show_po(context(), po)
    if as_json:
        emit_json(view.to_json())
        return
    out.print(_po_table(view))
