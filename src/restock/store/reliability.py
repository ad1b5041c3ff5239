"""The purchase-order history that measures suppliers: one set-based read per question, for all suppliers at once."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.domain.model import POStatus
from restock.domain.promise import lateness_days
from restock.store.schema import EtaChange, POLine, PurchaseOrder, Sku, Supplier


def supplier_codes(session: Session, supplier_code: str | None = None) -> dict[int, str]:
    """Every supplier's code (or the one supplier's) by its id, in code order."""
    query = select(Supplier.id, Supplier.code).order_by(Supplier.code)
    if supplier_code is not None:
        query = query.where(Supplier.code == supplier_code)
    return {int(row[0]): str(row[1]) for row in session.execute(query)}


PO_LINE_FACTS = [
    "supplier",
    "sku",
    "po_id",
    "status",
    "sent_at",
    "received_at",
    "first_confirmed_eta",
    "eta",
    "ordered",
    "received",
]


def po_line_facts(session: Session, supplier_code: str | None = None) -> pd.DataFrame:
    """Every line of every PO that was sent (drafts measure nothing) with its PO's dates, in one query."""
    query = (
        select(
            Supplier.code,
            Sku.code,
            PurchaseOrder.id,
            PurchaseOrder.status,
            PurchaseOrder.sent_at,
            PurchaseOrder.received_at,
            PurchaseOrder.first_confirmed_eta,
            PurchaseOrder.eta,
            POLine.ordered,
            POLine.received,
        )
        .join(PurchaseOrder, POLine.po_id == PurchaseOrder.id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(Sku, Sku.id == POLine.sku_id)
        .where(PurchaseOrder.status != POStatus.DRAFT.value, PurchaseOrder.sent_at.is_not(None))
        .order_by(PurchaseOrder.id, POLine.id)
    )
    if supplier_code is not None:
        query = query.where(Supplier.code == supplier_code)
    return pd.DataFrame([tuple(row) for row in session.execute(query)], columns=PO_LINE_FACTS)


ETA_MOVES = ["supplier", "po_id", "old_eta", "new_eta"]


def eta_moves(session: Session, supplier_code: str | None = None) -> pd.DataFrame:
    """Every change of an already given ETA (a first confirmation is not a move), in one query."""
    query = (
        select(Supplier.code, EtaChange.po_id, EtaChange.old_eta, EtaChange.new_eta)
        .join(PurchaseOrder, PurchaseOrder.id == EtaChange.po_id)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .where(EtaChange.old_eta.is_not(None))
        .order_by(EtaChange.id)
    )
    if supplier_code is not None:
        query = query.where(Supplier.code == supplier_code)
    return pd.DataFrame([tuple(row) for row in session.execute(query)], columns=ETA_MOVES)


def supplier_lateness(session: Session, today: date, supplier_id: int | None = None) -> dict[int, list[int]]:
    """Per supplier id, how late each of its (not cancelled) POs was or is, by domain.promise.lateness_days."""
    query = select(
        PurchaseOrder.supplier_id, PurchaseOrder.first_confirmed_eta, PurchaseOrder.received_at, PurchaseOrder.eta
    ).where(
        PurchaseOrder.first_confirmed_eta.is_not(None),
        PurchaseOrder.status != POStatus.CANCELLED.value,
    )
    if supplier_id is not None:
        query = query.where(PurchaseOrder.supplier_id == supplier_id)
    found: dict[int, list[int]] = {}
    for sid, first_eta, received_at, eta in session.execute(query.order_by(PurchaseOrder.id)):
        late = lateness_days(first_eta, received_at.date() if received_at else None, eta, today)
        if late is not None:
            found.setdefault(sid, []).append(late)
    return found
