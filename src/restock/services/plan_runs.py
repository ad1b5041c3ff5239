"""Stored plan runs: keeping a plan with the drafts it made (one transaction), listing runs, showing one, and
comparing a run with an earlier one (by default the run before it).

The worker's daily plan stores its run (`services.planning.daily_plan`); `restock plan --record` stores one by
hand. With RESTOCK_PLAN_NOTIFY set, storing a run queues its summary for the purchasing contact (an outbox
event, `PlanRunRecorded`, that the worker turns into the `plan_summary` e-mail).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput, NotFound
from restock.domain.events import PlanRunRecorded
from restock.services.context import Context, joining, use_case
from restock.services.planning_views import (
    PlanCompareOut,
    PlanOut,
    PlanRunDetailOut,
    PlanRunDraftOut,
    PlanRunLineOut,
    PlanRunOut,
    QuantityChangeOut,
    SupplierChangeOut,
    SupplierTotalOut,
)
from restock.services.purchasing import POView
from restock.store import plan_runs as store
from restock.store.outbox import emit

RunSource = Literal["daily", "manual"]
MAX_LIST = 1000
CENT = Decimal("0.01")


def _money(value: float) -> Decimal:
    """An amount the plan shows as a float (already rounded to the cent), as the exact stored amount."""
    return Decimal(repr(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RecordedRun:
    run: PlanRunOut
    created: list[POView]


# ---------------------------------------------------------------- storing


def run_record(report: PlanOut, source: RunSource, ran_at: datetime) -> store.RunRecord:
    """A plan's header as stored: its day, the moment of its inputs, and its totals (the radar's too)."""
    return store.RunRecord(
        ran_at=ran_at,
        today=report.today,
        inputs_at=report.inputs_at.replace(tzinfo=None),
        demand_until=report.demand_until,
        source=source,
        horizon_days=report.horizon_days,
        planned=report.planned,
        lines=len(report.suggestions),
        units=sum(s.quantity for s in report.suggestions),
        value=sum((_money(s.value) for s in report.suggestions), Decimal("0.00")),
        at_risk=len(report.radar),
        revenue_at_risk=sum((_money(r.revenue_at_risk) for r in report.radar), Decimal("0.00")),
    )


def line_records(report: PlanOut) -> list[store.LineRecord]:
    """The plan's suggestions in its order (most urgent first), as stored."""
    return [
        store.LineRecord(
            sku=s.sku,
            warehouse=s.warehouse,
            supplier=s.supplier,
            quantity=s.quantity,
            unit_cost=_money(s.unit_cost),
            value=_money(s.value),
            stockout_date=s.stockout_date,
            stockout_to_prevent=s.stockout_to_prevent,
            days_late=s.days_late,
            explanation=s.explanation,
        )
        for s in report.suggestions
    ]


@use_case()
def record_plan_run(
    session: Session,
    ctx: Context,
    report: PlanOut,
    source: RunSource,
    draft: Callable[[], list[POView]] | None = None,
) -> RecordedRun:
    """Store a plan with the drafts `draft` makes, in one transaction: the run is kept with its drafts or, when
    drafting fails, neither is. With RESTOCK_PLAN_NOTIFY set, its summary e-mail is queued in the same transaction."""
    with joining(session):
        created = draft() if draft is not None else []
    now = ctx.clock.now()
    run_id = store.add_run(session, run_record(report, source, now), line_records(report), [po.id for po in created])
    address = ctx.settings.plan_notify
    if address is not None:
        emit(session, PlanRunRecorded(run=run_id, to=address), now)
    stored = store.run(session, run_id)
    assert stored is not None
    return RecordedRun(_run_out(stored, [po.id for po in created]), created)


# ---------------------------------------------------------------- reading


def _run_out(stored: store.StoredRun, drafts: Sequence[int]) -> PlanRunOut:
    """A stored header as shown (amounts as the plan shows them, floats to the cent)."""
    return PlanRunOut.model_validate({"id": stored.id, **vars(stored.record), "drafts": list(drafts)})


def _line_out(line: store.LineRecord) -> PlanRunLineOut:
    return PlanRunLineOut.model_validate(vars(line))


def _stored_run(session: Session, run_id: int) -> store.StoredRun:
    stored = store.run(session, run_id)
    if stored is None:
        raise NotFound(f"no plan run {run_id}")
    return stored


def header_of(detail: PlanRunDetailOut) -> PlanRunOut:
    """A run's header without its lines."""
    return PlanRunOut.model_validate(detail.model_dump(include=set(PlanRunOut.model_fields)))


@use_case(readonly=True)
def list_plan_runs(session: Session, ctx: Context, limit: int = 30) -> list[PlanRunOut]:
    """The last `limit` runs, newest first."""
    if not 1 <= limit <= MAX_LIST:
        raise InvalidInput(f"the number of runs to list must be from 1 to {MAX_LIST}, got {limit}")
    runs = store.latest_runs(session, limit)
    drafts = store.drafts(session, [r.id for r in runs])
    return [_run_out(r, [d.po_id for d in drafts[r.id]]) for r in runs]


def run_detail(session: Session, run_id: int, lines: int | None = None) -> PlanRunDetailOut:
    """A run with its suggestions (the first `lines` of them when given, the most urgent), its totals per
    supplier and its drafts; read in the caller's transaction (the summary e-mail reads it in the worker's)."""
    stored = _stored_run(session, run_id)
    made = store.drafts(session, [run_id])[run_id]
    header = _run_out(stored, [d.po_id for d in made])
    return PlanRunDetailOut(
        **dict(header),
        suggestions=[_line_out(line) for line in store.lines(session, run_id, lines)],
        totals=[
            SupplierTotalOut(supplier=supplier, lines=count, units=units, value=float(value))
            for supplier, count, units, value in store.supplier_totals(session, run_id)
        ],
        purchase_orders=[PlanRunDraftOut(**vars(d)) for d in made],
    )


@use_case(readonly=True)
def show_plan_run(session: Session, ctx: Context, run_id: int) -> PlanRunDetailOut:
    return run_detail(session, run_id)


# ---------------------------------------------------------------- comparing


@dataclass(frozen=True)
class LineChanges:
    new: list[PlanRunLineOut]
    dropped: list[PlanRunLineOut]
    changed: list[QuantityChangeOut]
    unchanged: int


def compare_lines(before: Sequence[PlanRunLineOut], now: Sequence[PlanRunLineOut]) -> LineChanges:
    """Suggestions matched by SKU x warehouse: new (only now, in the later run's order), dropped (only before, in
    the earlier run's order), changed (in both, another quantity or supplier, in the later run's order), and how
    many are the same in both."""
    earlier = {(line.sku, line.warehouse): line for line in before}
    later = {(line.sku, line.warehouse): line for line in now}
    changed = [
        QuantityChangeOut(
            sku=line.sku,
            warehouse=line.warehouse,
            supplier_before=old.supplier,
            supplier=line.supplier,
            quantity_before=old.quantity,
            quantity=line.quantity,
            value_before=old.value,
            value=line.value,
        )
        for line in now
        if (old := earlier.get((line.sku, line.warehouse))) is not None
        and (old.quantity, old.supplier) != (line.quantity, line.supplier)
    ]
    return LineChanges(
        new=[line for line in now if (line.sku, line.warehouse) not in earlier],
        dropped=[line for line in before if (line.sku, line.warehouse) not in later],
        changed=changed,
        unchanged=sum(1 for key in later.keys() & earlier.keys()) - len(changed),
    )


def supplier_changes(before: Sequence[SupplierTotalOut], now: Sequence[SupplierTotalOut]) -> list[SupplierChangeOut]:
    """Each supplier's lines, units and value in both runs (0 where it had none), by supplier code."""
    earlier = {t.supplier: t for t in before}
    later = {t.supplier: t for t in now}
    none = SupplierTotalOut(supplier="", lines=0, units=0, value=0.0)
    return [
        SupplierChangeOut(
            supplier=supplier,
            lines_before=earlier.get(supplier, none).lines,
            lines=later.get(supplier, none).lines,
            units_before=earlier.get(supplier, none).units,
            units=later.get(supplier, none).units,
            value_before=earlier.get(supplier, none).value,
            value=later.get(supplier, none).value,
        )
        for supplier in sorted(earlier.keys() | later.keys())
    ]


@use_case(readonly=True)
def compare_plan_runs(
    session: Session, ctx: Context, run_id: int | None = None, before_id: int | None = None
) -> PlanCompareOut:
    """A run (default: the latest) against another (default: the one stored before it)."""
    if run_id is None:
        run_id = store.latest_run_id(session)
        if run_id is None:
            raise NotFound("no plan run is stored yet: the worker stores one a day, `restock plan --record` one now")
    _stored_run(session, run_id)
    if before_id is None:
        before_id = store.run_before(session, run_id)
        if before_id is None:
            raise NotFound(f"plan run {run_id} is the first one stored: there is no earlier run to compare it with")
    if before_id == run_id:
        raise InvalidInput(f"a plan run compared with itself changes nothing: give another run than {run_id}")
    now, before = run_detail(session, run_id), run_detail(session, before_id)
    changes = compare_lines(before.suggestions, now.suggestions)
    return PlanCompareOut(
        run=header_of(now),
        before=header_of(before),
        new=changes.new,
        dropped=changes.dropped,
        changed=changes.changed,
        unchanged=changes.unchanged,
        totals=supplier_changes(before.totals, now.totals),
    )
