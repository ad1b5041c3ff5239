"""`restock po ...`: a purchase order's life from draft to received, and the lists that show where POs stand."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from restock.cli.shared import JsonFlag, Lines, context, done, emit_json, out, parse_date, parse_lines, user_errors
from restock.services import purchasing


def _po_done(po: purchasing.POView, message: str, as_json: bool) -> None:
    """Every PO change answers the same way: a sentence, or the whole PO as JSON."""
    done(message, as_json, po.to_json())


def po_create(supplier: str, warehouse: Annotated[str, typer.Option()], line: Lines, as_json: JsonFlag = False) -> None:
    lines = parse_lines(line)
    with user_errors():
        po = purchasing.create_po(context(), supplier, warehouse, lines)
    _po_done(po, f"purchase order {po.id} created (draft)", as_json)


def po_send(po: int, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = purchasing.send_po(context(), po)
    _po_done(view, f"purchase order {po} sent", as_json)


def po_confirm(po: int, eta: Annotated[str, typer.Option(help="YYYY-MM-DD")], as_json: JsonFlag = False) -> None:
    when = parse_date(eta)
    with user_errors():
        view = purchasing.confirm_po(context(), po, when)
    _po_done(view, f"purchase order {po} confirmed, ETA {when}", as_json)


def po_eta(po: int, eta: str, as_json: JsonFlag = False) -> None:
    when = parse_date(eta)
    with user_errors():
        view = purchasing.change_eta(context(), po, when)
    _po_done(view, f"purchase order {po}: ETA now {when}", as_json)


def po_receive(po: int, line: Lines, as_json: JsonFlag = False) -> None:
    lines = parse_lines(line)
    with user_errors():
        view = purchasing.receive_po(context(), po, lines)
    _po_done(view, f"purchase order {po}: received, now {view.status}", as_json)


def po_cancel(po: int, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = purchasing.cancel_po(context(), po)
    _po_done(view, f"purchase order {po} cancelled", as_json)


def _po_list_table(views: list[purchasing.POView]) -> Table:
    """One row per PO, its lines folded into received/ordered so a long list stays readable."""
    table = Table("PO", "supplier", "warehouse", "status", "ETA", "lines", title="purchase orders")
    for v in views:
        eta = f"{v.eta}{'' if v.eta_confirmed else ' (unconfirmed)'}" if v.eta else ""
        lines = ", ".join(f"{li.sku} {li.received}/{li.ordered}" for li in v.lines)
        table.add_row(str(v.id), v.supplier, v.warehouse, v.status, eta, lines)
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


def _po_table(view: purchasing.POView) -> Table:
    """One PO line by line, with what was promised from it to waiting backorders."""
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
    return table


def po_show(po: int, as_json: JsonFlag = False) -> None:
    with user_errors():
        view = purchasing.show_po(context(), po)
    if as_json:
        emit_json(view.to_json())
        return
    out.print(_po_table(view))
