"""The rows a CSV import reads and writes beside the use cases it calls: SKUs by code, balances, POs by reference.

`restock.services.imports` decides; every statement of an import that is not a use case of its own is here.
Look-ups take the codes of a whole file at once, in slices that stay below every driver's parameter limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TypeVar

from sqlalchemy import ColumnElement, func, select, tuple_
from sqlalchemy.orm import Session

from restock.domain.imports import SkuFields, StoredPo
from restock.domain.model import BackorderPolicy, POStatus
from restock.store.schema import Movement, POLine, PurchaseOrder, Sku, Stock, Supplier, Warehouse

SLICE = 2000
"""Codes per IN list: far below SQLite's 32,766 and PostgreSQL's 65,535 bound parameters."""

K = TypeVar("K")


def _slices(values: Iterable[K]) -> Iterator[list[K]]:
    pending = sorted(set(values))  # type: ignore[type-var]
    for start in range(0, len(pending), SLICE):
        yield pending[start : start + SLICE]


def ids_by_code(session: Session, model: type[Sku | Warehouse | Supplier], codes: Iterable[str]) -> dict[str, int]:
    """The ids of the codes that exist; a code missing from the answer is unknown."""
    found: dict[str, int] = {}
    for part in _slices(codes):
        found.update(
            (code, row_id) for code, row_id in session.execute(select(model.code, model.id).where(model.code.in_(part)))
        )
    return found


def _fields(sku: Sku) -> SkuFields:
    return SkuFields(
        name=sku.name,
        price=sku.price,
        backorder=BackorderPolicy(sku.backorder_policy),
        max_wait_days=sku.max_wait_days,
        backorder_limit_pct=sku.backorder_limit_pct,
        release_date=sku.release_date,
        product_url=sku.product_url,
    )


def sku_fields_by_code(session: Session, codes: Iterable[str]) -> dict[str, tuple[int, SkuFields]]:
    """(id, importable fields) of each existing SKU among `codes`."""
    found: dict[str, tuple[int, SkuFields]] = {}
    for part in _slices(codes):
        for sku in session.scalars(select(Sku).where(Sku.code.in_(part))):
            found[sku.code] = (sku.id, _fields(sku))
    return found


def balances_of(session: Session, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], tuple[int, int]]:
    """(on hand, allocated) per (SKU id, warehouse id); a pair without a balance row is missing (it holds 0, 0)."""
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for part in _slices(pairs):
        rows = session.execute(
            select(Stock.sku_id, Stock.warehouse_id, Stock.on_hand, Stock.allocated).where(
                tuple_(Stock.sku_id, Stock.warehouse_id).in_(part)
            )
        )
        found.update(((s, w), (on_hand, allocated)) for s, w, on_hand, allocated in rows)
    return found


def pos_by_reference(session: Session, references: Iterable[str]) -> dict[str, tuple[int, StoredPo]]:
    """(id, what an import compares) of each existing PO among `references`."""
    found: dict[str, tuple[int, StoredPo]] = {}
    for part in _slices(references):
        for po, stored in _stored_pos(session, PurchaseOrder.reference.in_(part)):
            assert po.reference is not None
            found[po.reference] = (po.id, stored)
    return found


def pos_without_reference(session: Session, po_ids: Iterable[int]) -> dict[int, StoredPo]:
    """What an import compares of each PO among `po_ids` that has no reference of the seller's: the POs an export
    names `restock:N` (`domain.imports.exported_reference`). A PO with a reference is exported by it, not so."""
    found: dict[int, StoredPo] = {}
    for part in _slices(po_ids):
        where = PurchaseOrder.id.in_(part) & PurchaseOrder.reference.is_(None)
        found.update((po.id, stored) for po, stored in _stored_pos(session, where))
    return found


def _stored_pos(session: Session, where: ColumnElement[bool]) -> list[tuple[PurchaseOrder, StoredPo]]:
    pos = session.execute(
        select(PurchaseOrder, Supplier.code, Warehouse.code)
        .join(Supplier, Supplier.id == PurchaseOrder.supplier_id)
        .join(Warehouse, Warehouse.id == PurchaseOrder.warehouse_id)
        .where(where)
    ).all()
    lines = _lines_of(session, [po.id for po, _, _ in pos])
    return [
        (po, StoredPo(supplier, warehouse, POStatus(po.status), po.eta, po.eta_confirmed, lines.get(po.id, {})))
        for po, supplier, warehouse in pos
    ]


def _lines_of(session: Session, po_ids: Sequence[int]) -> dict[int, dict[str, tuple[int, int]]]:
    lines: dict[int, dict[str, tuple[int, int]]] = {}
    if po_ids:
        rows = session.execute(
            select(POLine.po_id, Sku.code, POLine.ordered, POLine.received)
            .join(Sku, Sku.id == POLine.sku_id)
            .where(POLine.po_id.in_(po_ids))
        )
        for po_id, code, ordered, received in rows:
            lines.setdefault(po_id, {})[code] = (ordered, received)
    return lines


def newest_movement_id(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(Movement.id), 0))) or 0


def movements_after(session: Session, movement_id: int, sku_ids: Iterable[int]) -> int:
    """How many movements of these SKUs were written after `movement_id`: with their rows locked (see
    `store.repo.lock_skus`), the ones this transaction wrote."""
    written = 0
    for part in _slices(sku_ids):
        query = select(func.count()).select_from(Movement).where(Movement.id > movement_id, Movement.sku_id.in_(part))
        written += session.scalar(query) or 0
    return written
