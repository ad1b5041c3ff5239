"""`restock kpi`: the numbers that show the business, over the days before today, in total, per channel, supplier
and SKU, and (with --daily) day by day. The demand history behind lost demand loads the forecasting libraries,
which are slow to import: imported only when the command runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from restock.cli.shared import JsonFlag, context, emit_json, out, user_errors

if TYPE_CHECKING:
    from restock.services.kpis import KpiFigures, KpiGroup, KpiReport

NONE = "-"
NOT_PER_CHANNEL = "not per channel: see the note below"


def _share(value: float | None) -> str:
    return NONE if value is None else f"{value:.1%}"


def _number(value: float | None, digits: int = 1) -> str:
    return NONE if value is None else f"{value:,.{digits}f}"


def _of(part: int, whole: int, what: str) -> str:
    return f"{part:,} of {whole:,} {what}"


def _totals_table(t: KpiFigures) -> Table:
    """Each figure beside the counts it is made of, in words."""
    table = Table("figure", "value", "what it counts", title="totals")
    table.add_row(
        "fill rate",
        _share(t.fill_rate),
        _of(t.units_from_stock, t.units, "units ordered were filled from stock when ordered"),
    )
    table.add_row(
        "backorder rate", _share(t.backorder_rate), _of(t.backorder_lines, t.lines, "lines had units backordered")
    )
    table.add_row(
        "promise-kept rate",
        _share(t.promise_kept_rate),
        _of(t.promises_kept, t.promises_due, "backorder lines due shipped by the promised date"),
    )
    table.add_row(
        "average delay",
        NONE if t.average_delay_days is None else f"{t.average_delay_days:.1f} days",
        f"beyond the promise, over {t.promises_broken:,} broken promise(s) (days so far for those still waiting)",
    )
    table.add_row(
        "backorder cancellations",
        _share(t.backorder_cancellation_rate),
        _of(t.cancelled_backorder_units, t.backordered_units, "backordered units were cancelled"),
    )
    if t.lost_units is None:
        table.add_row("lost demand", NONE, NOT_PER_CHANNEL)
    else:
        lost = f"{t.lost_units:,.1f} units, {t.lost_value or 0:,.2f}"
        table.add_row("lost demand", lost, "estimated on out-of-stock days, at today's prices")
    table.add_row("notify-me sign-ups", f"{t.signups:,}", "requests to hear when an item is back")
    uncosted = f" ({t.uncosted_units:,} more without a unit cost)" if t.uncosted_units else ""
    table.add_row(
        "inventory value",
        _number(t.inventory_value, 2),
        NOT_PER_CHANNEL if t.on_hand is None else f"{t.on_hand:,} units on hand now x unit cost{uncosted}",
    )
    table.add_row(
        "days of cover",
        _number(t.days_of_cover),
        NOT_PER_CHANNEL
        if t.sellable is None
        else f"{t.sellable:,} sellable now / {_number(t.demand_per_day, 2)} a day (average demand)",
    )
    return table


_COLUMNS = (
    "lines",
    "fill rate",
    "backorder",
    "promise kept",
    "delay d",
    "cancelled",
    "lost value",
    "sign-ups",
    "value",
)


def _cells(f: KpiFigures) -> list[str]:
    return [
        f"{f.lines:,}",
        _share(f.fill_rate),
        _share(f.backorder_rate),
        _share(f.promise_kept_rate),
        _number(f.average_delay_days),
        _share(f.backorder_cancellation_rate),
        _number(f.lost_value, 2),
        f"{f.signups:,}",
        _number(f.inventory_value, 2),
        _number(f.days_of_cover),
    ]


def _groups_table(title: str, groups: list[KpiGroup]) -> Table:
    table = Table(title.split()[-1], *_COLUMNS, "cover d", title=title)
    for g in groups:
        table.add_row(g.code, *_cells(g))
    return table


def _daily_table(report: KpiReport) -> Table:
    table = Table("day", *_COLUMNS, "cover d", title="day by day (stock at the end of the day)")
    for d in report.daily:
        table.add_row(d.day.isoformat(), *_cells(d))
    return table


def _waits_table(report: KpiReport) -> Table:
    table = Table("promised wait (days)", "backordered", "cancelled", "rate", title="backorder cancellations by wait")
    for b in report.cancellation_by_wait:
        table.add_row(b.wait, f"{b.backordered_units:,}", f"{b.cancelled_units:,}", _share(b.cancellation_rate))
    return table


def _heading(report: KpiReport) -> str:
    scope = [f"{name} {value}" for name, value in (("channel", report.channel), ("SKU", report.sku)) if value]
    scope += [f"supplier {report.supplier}'s SKUs"] if report.supplier else []
    return f"KPIs · {report.first_day}..{report.last_day} ({report.days} days)" + "".join(f" · {s}" for s in scope)


def kpi(
    channel: Annotated[str | None, typer.Option(help="Only this channel's orders and sign-ups.")] = None,
    sku: Annotated[str | None, typer.Option(help="Only this SKU.")] = None,
    supplier: Annotated[str | None, typer.Option(help="Only the SKUs this supplier offers.")] = None,
    days: Annotated[int, typer.Option(help="Days before today to measure (1-365).")] = 90,
    daily: Annotated[bool, typer.Option("--daily", help="Print the figures day by day too.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Fill rate, backorders, promises kept, cancellations, lost demand, sign-ups, inventory value and cover."""
    from restock.services.kpis import KpiQuery, business_kpis

    with user_errors():
        report = business_kpis(context(), KpiQuery(channel=channel, sku=sku, supplier=supplier, days=days))
    if as_json:
        emit_json(report.to_json())
        return
    out.print(_heading(report), highlight=False)
    out.print(_totals_table(report.totals))
    if report.cancellation_by_wait:
        out.print(_waits_table(report))
    for title, groups in (
        ("per channel", report.by_channel),
        ("per supplier", report.by_supplier),
        ("per SKU", report.by_sku),
    ):
        if groups:
            out.print(_groups_table(title, groups))
    if daily:
        out.print(_daily_table(report))
    out.print(f"inventory at the {report.cost_basis}; {report.note}", highlight=False)
