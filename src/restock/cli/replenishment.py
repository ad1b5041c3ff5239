"""`restock plan` and `restock radar`: today's purchase suggestions and the shortage risks, both read off the
same plan. The planning services load statsforecast, which is slow to import: imported only when they run."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing, unknown_outcome
from restock.cli.shared import JsonFlag, NJobs, context, emit_json, out, progress_bar, user_errors

if TYPE_CHECKING:
    from restock.services import purchasing
    from restock.services.context import Context
    from restock.services.planning import PlanReport


def _run_plan(n_jobs: int) -> tuple[Context, PlanReport]:
    """Today's plan, with a progress bar while statsforecast works (the services module loads it: imported late)."""
    from restock.services import planning

    ctx = context()
    with user_errors(), progress_bar("forecasting demand") as report:
        return ctx, planning.plan(ctx, n_jobs=n_jobs, progress=report)


def _suggestions_table(report: PlanReport) -> Table:
    """One row per suggestion with the figures behind it and why; a late supplier stands out in red."""
    table = Table(
        "SKU",
        "warehouse",
        "class",
        "position",
        "safety stock",
        "reorder point",
        "order-up-to",
        "qty",
        "supplier",
        "why",
        title=f"purchase suggestions · {report.today} · horizon {report.horizon_days} days · {report.planned} planned",
    )
    for s in report.suggestions:
        supplier = f"[red]{s.supplier} (late)[/]" if s.late_supplier else s.supplier
        table.add_row(
            s.sku,
            s.warehouse,
            s.abc,
            str(s.position),
            f"{s.safety_stock:.1f}",
            f"{s.reorder_point:.1f}",
            f"{s.order_up_to:.1f}",
            str(s.quantity),
            supplier,
            s.explanation,
        )
    return table


def _plan_output(report: PlanReport, created: list[purchasing.POView]) -> list[RenderableType]:
    """The suggestions, the SKUs left out for want of supplier terms, and the draft POs made from them."""
    parts: list[RenderableType] = [_suggestions_table(report)]
    if report.without_terms:
        parts.append(f"no supplier terms, not planned: {', '.join(report.without_terms[:20])}")
    parts += [f"draft purchase order {po.id}: {po.supplier} → {po.warehouse}, {len(po.lines)} lines" for po in created]
    return parts


def _plan_json(report: PlanReport, created: list[purchasing.POView] | None) -> dict[str, Any]:
    return report.to_json() | ({"purchase_orders": [po.to_json() for po in created]} if created is not None else {})


def _create_pos_once(report: PlanReport, key: str, as_json: bool) -> None:
    """--create-pos with a key: the draft POs are made at most once; the same command again prints them."""
    from restock.services import planning

    def work(ctx: Context) -> Printed:
        created = planning.create_purchase_orders(ctx, report.suggestions)
        return Printed(Group(*_plan_output(report, created)), _plan_json(report, created))

    run_changing(key, as_json, ("plan --create-pos",), work)


def plan(
    create_pos: Annotated[
        bool, typer.Option("--create-pos", help="Turn the suggestions into draft POs, one per supplier and warehouse.")
    ] = False,
    n_jobs: NJobs = 1,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Purchase suggestions for every SKU x warehouse: reorder point, order-up-to level, supplier, and why."""
    from restock.services import planning

    ctx, report = _run_plan(n_jobs)
    if create_pos and idempotency_key is not None:
        _create_pos_once(report, idempotency_key, as_json)
        return
    created: list[purchasing.POView] = []
    if create_pos:
        with user_errors(), unknown_outcome(None):
            created = planning.create_purchase_orders(ctx, report.suggestions)
    if as_json:
        emit_json(_plan_json(report, created if create_pos else None))
        return
    for part in _plan_output(report, created):
        out.print(part, highlight=False)


def _day(day: date | None) -> str:
    return "" if day is None else day.isoformat()


def _radar_table(report: PlanReport) -> Table:
    """The SKU x warehouses at risk, in the plan's order: most revenue at risk first."""
    table = Table(
        "SKU",
        "warehouse",
        "stock-out",
        "below safety",
        "next receipt",
        "units short",
        "revenue at risk",
        "flags",
        title=f"shortage-risk radar · {report.today} · next {report.horizon_days} days",
    )
    for r in report.radar:
        table.add_row(
            r.sku,
            r.warehouse,
            _day(r.stockout_date),
            _day(r.below_safety_date),
            _day(r.next_receipt),
            str(r.units_short),
            f"{r.revenue_at_risk:.2f}",
            ", ".join(r.flags),
        )
    return table


def radar(n_jobs: NJobs = 1, as_json: JsonFlag = False) -> None:
    """Shortage risk: the SKU x warehouses projected to run short or below safety stock, most revenue at risk first."""
    _, report = _run_plan(n_jobs)
    if as_json:
        emit_json([r.to_json() for r in report.radar])
        return
    out.print(_radar_table(report))
