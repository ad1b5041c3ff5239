"""`restock plan` and `restock radar`: today's purchase suggestions and the shortage risks, both read off the
same plan; `restock plan runs` and `restock plan compare`: the stored runs. The planning services load
statsforecast, which is slow to import: imported only when they run."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group, RenderableType
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing, unknown_outcome
from restock.cli.shared import JsonFlag, NJobs, context, emit_json, fail, out, progress_bar, user_errors

if TYPE_CHECKING:
    from restock.services import purchasing
    from restock.services.context import Context
    from restock.services.planning import PlanReport
    from restock.services.planning_views import PlanCompareOut, PlanRunLineOut, PlanRunOut, SupplierTotalOut


def _run_plan(n_jobs: int) -> tuple[Context, PlanReport]:
    """Today's plan, with a progress bar while statsforecast works (the services module loads it: imported late)."""
    from restock.services import planning

    ctx = context()
    with user_errors(), progress_bar("forecasting demand") as report:
        return ctx, planning.plan(ctx, n_jobs=n_jobs, progress=report)


def _supplier_cell(supplier: str, days_late: int) -> str:
    """A supplier that cannot arrive before the stock-out stands out in red, with the days it misses by."""
    return f"[red]{supplier} (late {days_late} d)[/]" if days_late else supplier


def _suggestions_table(report: PlanReport) -> Table:
    """One row per suggestion, most urgent first, with the figures behind it and why."""
    table = Table(
        "SKU",
        "warehouse",
        "supplier",
        "qty",
        "unit cost",
        "value",
        "stock-out",
        "class",
        "position",
        "reorder point",
        "order-up-to",
        "why",
        title=(
            f"purchase suggestions · {report.today} · horizon {report.horizon_days} days · {report.planned} planned"
            f" · stock as of {report.inputs_at:%Y-%m-%d %H:%M} UTC"
        ),
    )
    for s in report.suggestions:
        table.add_row(
            s.sku,
            s.warehouse,
            _supplier_cell(s.supplier, s.days_late),
            str(s.quantity),
            f"{s.unit_cost:.2f}",
            f"{s.value:.2f}",
            _day(s.stockout_date),
            s.abc,
            str(s.position),
            f"{s.reorder_point:.1f}",
            f"{s.order_up_to:.1f}",
            s.explanation,
        )
    return table


def _totals_table(totals: Sequence[SupplierTotalOut]) -> Table:
    """What the suggestions add up to per supplier, and in all."""
    table = Table("supplier", "lines", "units", "value", title="per supplier")
    for t in totals:
        table.add_row(t.supplier, str(t.lines), str(t.units), f"{t.value:.2f}")
    table.add_row(
        "all",
        str(sum(t.lines for t in totals)),
        str(sum(t.units for t in totals)),
        f"{sum(t.value for t in totals):.2f}",
        style="bold",
    )
    return table


def _plan_output(
    report: PlanReport, created: list[purchasing.POView], run: PlanRunOut | None = None
) -> list[RenderableType]:
    """The suggestions with their totals, the SKUs left out for want of supplier terms, the draft POs made from
    them, and the stored run."""
    parts: list[RenderableType] = [_suggestions_table(report)]
    if report.totals:
        parts.append(_totals_table(report.totals))
    if report.without_terms:
        parts.append(f"no supplier terms, not planned: {', '.join(report.without_terms[:20])}")
    parts += [f"draft purchase order {po.id}: {po.supplier} → {po.warehouse}, {len(po.lines)} lines" for po in created]
    if run is not None:
        parts.append(f"stored as plan run {run.id} (`restock plan runs`, `restock plan compare {run.id}`)")
    return parts


def _plan_json(
    report: PlanReport, created: list[purchasing.POView] | None, run: PlanRunOut | None = None
) -> dict[str, Any]:
    data = report.to_json() | ({"purchase_orders": [po.to_json() for po in created]} if created is not None else {})
    return data | ({"run": run.to_json()} if run is not None else {})


def _write_csv(report: PlanReport, target: str) -> None:
    """The suggestions as CSV to a file, or to stdout for `-`."""
    from restock.services.planning_views import plan_csv

    text = plan_csv(report.suggestions)
    if target == "-":
        typer.echo(text, nl=False)
        return
    try:
        Path(target).write_text(text, encoding="utf-8", newline="")
    except OSError as error:
        fail(f"cannot write {target}: {error}", 2)
    count = len(report.suggestions)
    out.print(f"wrote {count} suggestion{'' if count == 1 else 's'} to {target}", highlight=False)


def _make(
    ctx: Context, report: PlanReport, create_pos: bool, record: bool
) -> tuple[list[purchasing.POView], PlanRunOut | None]:
    """The draft POs (with --create-pos) and the stored run (with --record), in one transaction when both."""
    from restock.services import plan_runs, planning

    def drafts() -> list[purchasing.POView]:
        return planning.create_purchase_orders(ctx, report.suggestions) if create_pos else []

    if not record:
        return drafts(), None
    recorded = plan_runs.record_plan_run(ctx, report, "manual", drafts)
    return recorded.created, recorded.run


def _create_pos_once(report: PlanReport, key: str, as_json: bool, record: bool) -> None:
    """--create-pos with a key: the draft POs are made at most once (the run stored with them, with --record); the
    same command again prints them."""

    def work(ctx: Context) -> Printed:
        created, run = _make(ctx, report, True, record)
        return Printed(Group(*_plan_output(report, created, run)), _plan_json(report, created, run))

    run_changing(key, as_json, ("plan --create-pos", record), work)


def plan(
    command: typer.Context,
    create_pos: Annotated[
        bool, typer.Option("--create-pos", help="Turn the suggestions into draft POs, one per supplier and warehouse.")
    ] = False,
    record: Annotated[
        bool,
        typer.Option(
            "--record",
            help="Store this run, as the worker stores its daily one (with the drafts of --create-pos, in the same "
            "transaction), to list and compare it later: `restock plan runs`, `restock plan compare`.",
        ),
    ] = False,
    csv_file: Annotated[
        str | None,
        typer.Option(
            "--csv",
            metavar="FILE",
            help="Write the suggestions as CSV to FILE ('-': to stdout) instead of the table: most urgent first, "
            "one column per JSON field.",
        ),
    ] = None,
    n_jobs: NJobs = 1,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Purchase suggestions for every SKU x warehouse, most urgent first: quantity, supplier, stock-out, and why.

    With totals per supplier. `restock plan runs` lists the stored runs (the worker stores its daily plan; --record
    stores this one); `restock plan compare` shows what changed from one run to the next.
    """
    if command.invoked_subcommand is not None:
        return
    if as_json and csv_file is not None:
        fail("--json and --csv print the plan in two ways: choose one", 2)
    ctx, report = _run_plan(n_jobs)
    if create_pos and idempotency_key is not None:
        _create_pos_once(report, idempotency_key, as_json, record)
        return
    with user_errors(), unknown_outcome(None):
        created, run = _make(ctx, report, create_pos, record)
    if as_json:
        emit_json(_plan_json(report, created if create_pos else None, run))
        return
    if csv_file is not None:
        _write_csv(report, csv_file)
        return
    for part in _plan_output(report, created, run):
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
        "why",
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
            r.reason,
        )
    return table


def radar(n_jobs: NJobs = 1, as_json: JsonFlag = False) -> None:
    """Shortage risk: the SKU x warehouses projected to run short or below safety stock, most revenue at risk first."""
    _, report = _run_plan(n_jobs)
    if as_json:
        emit_json([r.to_json() for r in report.radar])
        return
    out.print(_radar_table(report))


# ---------------------------------------------------------------- stored runs


def _runs_table(runs: Sequence[PlanRunOut]) -> Table:
    table = Table(
        "run",
        "ran at",
        "for",
        "source",
        "stock as of",
        "demand until",
        "lines",
        "units",
        "value",
        "at risk",
        "drafts",
        title="stored plan runs, newest first",
    )
    for r in runs:
        table.add_row(
            str(r.id),
            f"{r.ran_at:%Y-%m-%d %H:%M}",
            r.today.isoformat(),
            r.source,
            f"{r.inputs_at:%Y-%m-%d %H:%M}",
            _day(r.demand_until),
            str(r.lines),
            str(r.units),
            f"{r.value:.2f}",
            str(r.at_risk),
            ", ".join(map(str, r.drafts)),
        )
    return table


def plan_runs(
    limit: Annotated[int, typer.Option("--limit", help="How many runs to list.", min=1, max=1000)] = 30,
    as_json: JsonFlag = False,
) -> None:
    """The stored plan runs, newest first: the worker's daily ones and those of `restock plan --record`."""
    from restock.services import plan_runs as runs

    with user_errors():
        found = runs.list_plan_runs(context(), limit)
    if as_json:
        emit_json([r.to_json() for r in found])
        return
    if not found:
        out.print("no plan run stored yet: the worker stores one a day; `restock plan --record` stores one now")
        return
    out.print(_runs_table(found))


def _lines_table(title: str, lines: Sequence[PlanRunLineOut]) -> Table:
    table = Table("SKU", "warehouse", "supplier", "qty", "value", "stock-out", title=title)
    for line in lines:
        table.add_row(
            line.sku,
            line.warehouse,
            _supplier_cell(line.supplier, line.days_late),
            str(line.quantity),
            f"{line.value:.2f}",
            _day(line.stockout_date),
        )
    return table


def _compare_output(compared: PlanCompareOut) -> list[RenderableType]:
    run, before = compared.run, compared.before
    parts: list[RenderableType] = [
        f"plan run {run.id} ({run.today}, {run.lines} lines, {run.value:.2f}) against run {before.id} "
        f"({before.today}, {before.lines} lines, {before.value:.2f}): {len(compared.new)} new, "
        f"{len(compared.dropped)} dropped, {len(compared.changed)} changed, {compared.unchanged} unchanged"
    ]
    if compared.new:
        parts.append(_lines_table("new", compared.new))
    if compared.dropped:
        parts.append(_lines_table("dropped", compared.dropped))
    if compared.changed:
        changed = Table("SKU", "warehouse", "supplier", "qty before", "qty", "value before", "value", title="changed")
        for c in compared.changed:
            supplier = c.supplier if c.supplier == c.supplier_before else f"{c.supplier_before} → {c.supplier}"
            changed.add_row(
                c.sku,
                c.warehouse,
                supplier,
                str(c.quantity_before),
                str(c.quantity),
                f"{c.value_before:.2f}",
                f"{c.value:.2f}",
            )
        parts.append(changed)
    if compared.totals:
        totals = Table(
            "supplier", "lines before", "lines", "units before", "units", "value before", "value", title="per supplier"
        )
        for t in compared.totals:
            totals.add_row(
                t.supplier,
                str(t.lines_before),
                str(t.lines),
                str(t.units_before),
                str(t.units),
                f"{t.value_before:.2f}",
                f"{t.value:.2f}",
            )
        parts.append(totals)
    return parts


def plan_compare(
    run: Annotated[int | None, typer.Argument(help="The run to look at (default: the latest).", min=1)] = None,
    with_run: Annotated[
        int | None, typer.Option("--with", help="The run to compare it with (default: the one before it).", min=1)
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """A stored plan run against another: new suggestions, dropped ones, changed quantities, and totals per supplier."""
    from restock.services import plan_runs as runs

    with user_errors():
        compared = runs.compare_plan_runs(context(), run, with_run)
    if as_json:
        emit_json(compared.to_json())
        return
    for part in _compare_output(compared):
        out.print(part, highlight=False)
