"""Purchase orders in the database: their lines, their ETA history, and the guarded receipt of units.

`store.supply` owns the promise capacity on PO lines; this module owns the rest of a PO's rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from restock.domain.model import POStatus
from restock.store.schema import EtaChange, POLine, PurchaseOrder, Sku


def add_draft(
    session: Session,
    supplier_id: int,
    warehouse_id: int,
    lines: Sequence[tuple[int, int]],
    now: datetime,
    reference: str | None = None,
) -> PurchaseOrder:
    """A new draft PO with its (SKU id, quantity) lines, nothing received or promised yet; a reference that another
    PO has fails the flush (the column is unique)."""
    po = PurchaseOrder(
        supplier_id=supplier_id,
        warehouse_id=warehouse_id,
        status=POStatus.DRAFT.value,
        created_at=now,
        eta_confirmed=False,
        reference=reference,
    )
    session.add(po)
    session.flush()
    session.add_all(POLine(po_id=po.id, sku_id=sku_id, ordered=q, received=0, promised=0) for sku_id, q in lines)
    session.flush()
    return po


def id_by_reference(session: Session, reference: str) -> int | None:
    """The PO the seller numbers `reference`, if any."""
    return session.scalar(select(PurchaseOrder.id).where(PurchaseOrder.reference == reference))


def line_rows(session: Session, po_id: int) -> list[tuple[str, int, int, int]]:
    """(SKU code, ordered, received, promised) of each line, in line order."""
    rows = session.execute(
        select(Sku.code, POLine.ordered, POLine.received, POLine.promised)
        .join(Sku, Sku.id == POLine.sku_id)
        .where(POLine.po_id == po_id)
        .order_by(POLine.id)
    )
    return [(code, ordered, received, promised) for code, ordered, received, promised in rows]


def eta_history(session: Session, po_id: int) -> list[EtaChange]:
    return list(session.scalars(select(EtaChange).where(EtaChange.po_id == po_id).order_by(EtaChange.id)))


def record_eta(session: Session, po: PurchaseOrder, eta: date, now: datetime) -> None:
    """A new ETA, kept in the history (supplier lateness is measured on it)."""
    session.add(EtaChange(po_id=po.id, old_eta=po.eta, new_eta=eta, changed_at=now))
    po.eta = eta


def sku_ids(session: Session, po_id: int) -> list[int]:
    return list(session.scalars(select(POLine.sku_id).where(POLine.po_id == po_id)))


def line_ids(session: Session, po_id: int) -> list[int]:
    return list(session.scalars(select(POLine.id).where(POLine.po_id == po_id)))


def line_for(session: Session, po_id: int, sku_id: int) -> POLine | None:
    return session.scalar(select(POLine).where(POLine.po_id == po_id, POLine.sku_id == sku_id))


def book_receipt(session: Session, line_id: int, quantity: int) -> bool:
    """Count received units on a line; False when a concurrent receipt took the open quantity first."""
    booked = session.execute(
        update(POLine)
        .where(POLine.id == line_id, POLine.received + quantity <= POLine.ordered)
        .values(received=POLine.received + quantity)
    )
    return bool(booked.rowcount == 1)  # type: ignore[attr-defined]


def has_open_lines(session: Session, po_id: int) -> bool:
    """True while some line still waits for units."""
    open_line = select(POLine.id).where(POLine.po_id == po_id, POLine.received < POLine.ordered).limit(1)
    return session.scalar(open_line) is not None


def clear_promises(session: Session, line_ids: Sequence[int]) -> None:
    """Nothing rests on these lines any more (their backorders were moved or un-promised)."""
    session.execute(update(POLine).where(POLine.id.in_(line_ids)).values(promised=0))


def purchase_orders(session: Session, status: str | None = None) -> list[PurchaseOrder]:
    query = select(PurchaseOrder).order_by(PurchaseOrder.id)
    if status:
        query = query.where(PurchaseOrder.status == status)
    return list(session.scalars(query))
