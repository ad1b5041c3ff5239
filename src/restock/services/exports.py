"""Exporting as CSV, in the shapes `restock import` reads: an export of SKUs, stock or purchase orders imports back.

Orders are exported only (one row per line, with its units allocated, waiting, shipped and cancelled): they come
in through the order API. Archived SKUs are left out, as from every list. A PO without a reference of the seller's
is written as `restock:<id>` (`domain.imports.exported_reference`): imported back into this shop it finds that
PO; another shop refuses it (give it a reference of your own to load it elsewhere).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from restock.domain.imports import COLUMNS, ExportKind, exported_reference, write_table
from restock.services.context import Context, use_case
from restock.store import exports as store


def _purchase_order_rows(session: Session) -> list[store.Row]:
    """Each PO line's row with its reference cell as an import finds the PO again (`exported_reference`)."""
    return [_po_row(*row) for row in store.purchase_order_rows(session)]


def _po_row(reference: object, po_id: object, *rest: object) -> store.Row:
    assert isinstance(po_id, int)
    assert reference is None or isinstance(reference, str)
    return (exported_reference(reference, po_id), *rest)


_ROWS: dict[ExportKind, Callable[[Session], list[store.Row]]] = {
    ExportKind.SKUS: store.sku_rows,
    ExportKind.STOCK: store.stock_rows,
    ExportKind.ORDERS: store.order_rows,
    ExportKind.PURCHASE_ORDERS: _purchase_order_rows,
}


@use_case(readonly=True)
def export_csv(session: Session, ctx: Context, kind: ExportKind) -> str:
    """The whole table of `kind` as CSV with its header row, read in one transaction (one consistent moment)."""
    return write_table(COLUMNS[kind], _ROWS[kind](session))
