"""Stored plan runs: writing one with its lines and drafts, and reading them back (newest first, or one by id)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, aliased

from restock.store.schema import PlanRun, PlanRunDraft, PlanRunLine, POLine, PurchaseOrder, Sku, Supplier, Warehouse
from restock.store.schema import table as table_of


@dataclass(frozen=True)
class RunRecord:
    """A plan run's header, as stored (amounts exact to the cent)."""

    ran_at: datetime
    today: date
    inputs_at: datetime
    demand_until: date | None
    source: str
    horizon_days: int
    planned: int
    lines: int
    units: int
    value: Decimal
    at_risk: int
    revenue_at_risk: Decimal


@dataclass(frozen=True)
class LineRecord:
    """One suggestion of a run, by codes."""

    sku: str
    warehouse: str
    supplier: str
    quantity: int
    unit_cost: Decimal
    value: Decimal
    stockout_date: date | None
    stockout_to_prevent: date | None
    days_late: int
    explanation: str


@dataclass(frozen=True)
class StoredRun:
    id: int
    record: RunRecord


@dataclass(frozen=True)
class DraftRow:
    """A draft PO a run made: its id, supplier, warehouse and number of lines (as the PO is now)."""

    po_id: int
    supplier: str
    warehouse: str
    lines: int


def _ids(session: Session, model: type[Sku] | type[Warehouse] | type[Supplier]) -> dict[str, int]:
    return {str(code): int(id_) for code, id_ in session.execute(select(model.code, model.id))}


def add_run(session: Session, run: RunRecord, lines: Sequence[LineRecord], po_ids: Sequence[int]) -> int:
    """Store a run, its lines in the order given (rank 1 first) and its drafts; returns its id."""
    header = PlanRun(**vars(run))
    session.add(header)
    session.flush()
    run_id = header.id
    skus, warehouses, suppliers = _ids(session, Sku), _ids(session, Warehouse), _ids(session, Supplier)
    if lines:
        session.execute(
            insert(table_of(PlanRunLine)),
            [
                {
                    "run_id": run_id,
                    "rank": rank,
                    "sku_id": skus[line.sku],
                    "warehouse_id": warehouses[line.warehouse],
                    "supplier_id": suppliers[line.supplier],
                    "quantity": line.quantity,
                    "unit_cost": line.unit_cost,
                    "value": line.value,
                    "stockout_date": line.stockout_date,
                    "stockout_to_prevent": line.stockout_to_prevent,
                    "days_late": line.days_late,
                    "explanation": line.explanation,
                }
                for rank, line in enumerate(lines, start=1)
            ],
        )
    if po_ids:
        session.execute(insert(table_of(PlanRunDraft)), [{"run_id": run_id, "po_id": po} for po in po_ids])
    return run_id


_HEADER = [
    PlanRun.id,
    PlanRun.ran_at,
    PlanRun.today,
    PlanRun.inputs_at,
    PlanRun.demand_until,
    PlanRun.source,
    PlanRun.horizon_days,
    PlanRun.planned,
    PlanRun.lines,
    PlanRun.units,
    PlanRun.value,
    PlanRun.at_risk,
    PlanRun.revenue_at_risk,
]


def _stored(row: Sequence[object]) -> StoredRun:
    run_id, *fields = row
    assert isinstance(run_id, int)
    return StoredRun(run_id, RunRecord(*fields))  # type: ignore[arg-type]


def latest_runs(session: Session, limit: int) -> list[StoredRun]:
    """The last `limit` runs, newest first."""
    rows = session.execute(select(*_HEADER).order_by(PlanRun.id.desc()).limit(limit))
    return [_stored(tuple(row)) for row in rows]


def run(session: Session, run_id: int) -> StoredRun | None:
    row = session.execute(select(*_HEADER).where(PlanRun.id == run_id)).first()
    return None if row is None else _stored(tuple(row))


def latest_run_id(session: Session) -> int | None:
    return session.scalar(select(func.max(PlanRun.id)))


def run_before(session: Session, run_id: int) -> int | None:
    """The run stored just before `run_id`, if any."""
    return session.scalar(select(func.max(PlanRun.id)).where(PlanRun.id < run_id))


def lines(session: Session, run_id: int, limit: int | None = None) -> list[LineRecord]:
    """A run's suggestions in its order (the first `limit` of them when given)."""
    query = (
        select(
            Sku.code,
            Warehouse.code,
            Supplier.code,
            PlanRunLine.quantity,
            PlanRunLine.unit_cost,
            PlanRunLine.value,
            PlanRunLine.stockout_date,
            PlanRunLine.stockout_to_prevent,
            PlanRunLine.days_late,
            PlanRunLine.explanation,
        )
        .join(Sku, Sku.id == PlanRunLine.sku_id)
        .join(Warehouse, Warehouse.id == PlanRunLine.warehouse_id)
        .join(Supplier, Supplier.id == PlanRunLine.supplier_id)
        .where(PlanRunLine.run_id == run_id)
        .order_by(PlanRunLine.rank)
        .limit(limit)
    )
    return [LineRecord(*tuple(row)) for row in session.execute(query)]


def supplier_totals(session: Session, run_id: int) -> list[tuple[str, int, int, Decimal]]:
    """(supplier, lines, units, value) of a run's suggestions, by supplier code."""
    query = (
        select(Supplier.code, func.count(), func.sum(PlanRunLine.quantity), func.sum(PlanRunLine.value))
        .join(Supplier, Supplier.id == PlanRunLine.supplier_id)
        .where(PlanRunLine.run_id == run_id)
        .group_by(Supplier.code)
        .order_by(Supplier.code)
    )
    return [(code, int(count), int(units), Decimal(value)) for code, count, units, value in session.execute(query)]


def drafts(session: Session, run_ids: Sequence[int]) -> dict[int, list[DraftRow]]:
    """The drafts each run made, by PO id."""
    if not run_ids:
        return {}
    supplier, warehouse = aliased(Supplier), aliased(Warehouse)
    line_count = select(POLine.po_id, func.count().label("lines")).group_by(POLine.po_id).subquery()
    query = (
        select(PlanRunDraft.run_id, PurchaseOrder.id, supplier.code, warehouse.code, line_count.c.lines)
        .join(PurchaseOrder, PurchaseOrder.id == PlanRunDraft.po_id)
        .join(supplier, supplier.id == PurchaseOrder.supplier_id)
        .join(warehouse, warehouse.id == PurchaseOrder.warehouse_id)
        .outerjoin(line_count, line_count.c.po_id == PurchaseOrder.id)
        .where(PlanRunDraft.run_id.in_(run_ids))
        .order_by(PlanRunDraft.run_id, PurchaseOrder.id)
    )
    found: dict[int, list[DraftRow]] = {run_id: [] for run_id in run_ids}
    for run_id, po_id, supplier_code, warehouse_code, count in session.execute(query):
        found[run_id].append(DraftRow(po_id, supplier_code, warehouse_code, int(count or 0)))
    return found
