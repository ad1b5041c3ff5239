"""What the demo refuses: a catalog too small to show the rules or too big to load, and a database with data."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from restock.domain.errors import Conflict, InvalidInput
from restock.store.schema import Channel, Order, PurchaseOrder, Sku, Supplier, Warehouse

MIN_SKUS = 200
MAX_SKUS = 20_000


def check_size(sku_count: int) -> None:
    if not MIN_SKUS <= sku_count <= MAX_SKUS:
        raise InvalidInput(f"the demo needs between {MIN_SKUS} and {MAX_SKUS} SKUs, got {sku_count}")


def refuse_non_empty(session: Session) -> None:
    """The demo writes a whole shop with fixed codes: mixing it into real data would corrupt both."""
    counts = {
        name: session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in (
            ("SKUs", Sku),
            ("warehouses", Warehouse),
            ("channels", Channel),
            ("suppliers", Supplier),
            ("orders", Order),
            ("purchase orders", PurchaseOrder),
        )
    }
    found = ", ".join(f"{count} {name}" for name, count in counts.items() if count)
    if found:
        raise Conflict(
            f"the demo only loads into an empty database, and this one already has {found}; "
            "point RESTOCK_DATABASE_URL at a new database and run `restock init` first"
        )
