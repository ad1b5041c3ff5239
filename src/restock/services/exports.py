"""Exporting as CSV, in the shapes `restock import` reads: an export of SKUs, stock or purchase orders imports back.

Orders are exported only (one row per line, with its units allocated, waiting, shipped and cancelled): they come
in through the order API. Archived SKUs are left out, as from every list. A PO created without a reference is
written with an empty one; give it one before importing it elsewhere (an import finds POs by their reference).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from restock.domain.imports import COLUMNS, ExportKind, write_table
from restock.services.context import Context, use_case
from restock.store import exports as store

_ROWS: dict[ExportKind, Callable[[Session], list[store.Row]]] = {
    ExportKind.SKUS: store.sku_rows,
    ExportKind.STOCK: store.stock_rows,
    ExportKind.ORDERS: store.order_rows,
    ExportKind.PURCHASE_ORDERS: store.purchase_order_rows,
}


@use_case(readonly=True)
def export_csv(session: Session, ctx: Context, kind: ExportKind) -> str:
    """The whole table of `kind` as CSV with its header row, read in one transaction (one consistent moment)."""
    return write_table(COLUMNS[kind], _ROWS[kind](session))
