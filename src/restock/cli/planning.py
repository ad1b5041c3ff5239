"""`restock supplier scorecard|terms|terms-list` and `restock sku planning`: what the planner plans with,
the suppliers' measured reliability, the terms they offer, and each SKU's planning settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from restock.cli.shared import JsonFlag, context, done, emit_json, out, user_errors

if TYPE_CHECKING:
    from restock.services.reliability import SupplierScore
    from restock.services.terms import SkuPlanningView


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.0%}"


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _score_row(s: SupplierScore) -> list[str]:
    """One supplier (or one of its SKUs); a blank cell where there is no history to measure yet."""
    lead = "" if s.lead_time_mean is None else f"{s.lead_time_mean:.1f} ± {_days(s.lead_time_std) or '-'}"
    lead += "" if s.lead_time_p90 is None else f", {s.lead_time_p90:.0f}"
    slips = f"{s.eta_moves_later} ({_rate(s.slipped_share)} of POs, avg {_days(s.mean_slip_days)} d)"
    return [
        s.supplier,
        s.sku or "(all)",
        str(s.pos),
        str(s.received_pos),
        lead,
        slips if s.eta_moves_later else "0",
        _rate(s.on_time_rate),
        _rate(s.fill_rate),
        "" if s.lateness_p90_days is None else f"{s.lateness_p90_days} d",
    ]


def _scorecard_table(scores: list[SupplierScore]) -> Table:
    table = Table(
        "supplier",
        "SKU",
        "POs",
        "received",
        "lead time (mean ± sd, P90)",
        "ETA moved later",
        "on time",
        "fill rate",
        "P90 late",
        title="supplier scorecard",
    )
    for s in scores:
        table.add_row(*_score_row(s))
    return table


def supplier_scorecard(code: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False) -> None:
    """Measured reliability: lead time, ETA slips, on-time and fill rates (per SKU where history allows)."""
    from restock.services.reliability import supplier_scorecard as scorecard

    with user_errors():
        scores = scorecard(context(), code)
    if as_json:
        emit_json([s.to_json() for s in scores])
        return
    out.print(_scorecard_table(scores))


def supplier_terms(
    supplier: str,
    sku: str,
    unit_cost: Annotated[str, typer.Option("--unit-cost", help="Landed cost of one unit.")],
    moq: Annotated[int, typer.Option(help="Minimum order quantity.")] = 1,
    pack: Annotated[int, typer.Option(help="Pack size: orders are whole packs.")] = 1,
    lead_time_days: Annotated[
        int | None, typer.Option("--lead-time-days", help="Quote for this SKU (default: the supplier's).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Record what SUPPLIER offers for SKU (replaces earlier terms); the planner buys only on recorded terms."""
    from restock.services import terms

    with user_errors():
        view = terms.set_supplier_terms(
            context(), supplier, sku, unit_cost=unit_cost, moq=moq, pack_size=pack, lead_time_days=lead_time_days
        )
    done(
        f"{supplier} offers {sku}: {view.unit_cost} a unit, MOQ {view.moq}, packs of {view.pack_size}, "
        f"{view.lead_time_days} days",
        as_json,
        view.to_json(),
    )


def supplier_terms_list(
    supplier: Annotated[str | None, typer.Option()] = None,
    sku: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recorded supplier terms, per supplier and SKU."""
    from restock.services import terms

    with user_errors():
        views = terms.list_supplier_terms(context(), supplier, sku)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table = Table("supplier", "SKU", "unit cost", "MOQ", "pack", "lead time", title="supplier terms")
    for v in views:
        lead = f"{v.lead_time_days} d" + ("" if v.lead_time_quoted else " (supplier's usual)")
        table.add_row(v.supplier, v.sku, str(v.unit_cost), str(v.moq), str(v.pack_size), lead)
    out.print(table)


def _planning_summary(sku: str, view: SkuPlanningView) -> str:
    """The settings in one sentence, saying when they are still the defaults (nothing was ever set)."""
    s = view.settings
    level = "its ABC class level" if s.service_level_pct is None else f"{s.service_level_pct}%"
    return (
        f"{sku}: review every {s.review_days} days, {s.policy.value}, order cost {s.order_cost}, "
        f"holding {s.holding_rate_pct}% a year, service level {level}" + (" (defaults)" if view.is_default else "")
    )


def sku_planning(
    sku: str,
    review_days: Annotated[int | None, typer.Option("--review-days", help="Days between two plans.")] = None,
    policy: Annotated[str | None, typer.Option(help="order_up_to or eoq.")] = None,
    order_cost: Annotated[str | None, typer.Option("--order-cost", help="Cost of one order (EOQ).")] = None,
    holding_rate: Annotated[
        str | None, typer.Option("--holding-rate", help="Yearly holding cost, % of unit cost.")
    ] = None,
    service_level: Annotated[
        str | None, typer.Option("--service-level", help="Cycle service level in %, e.g. 97.5.")
    ] = None,
    class_service_level: Annotated[
        bool, typer.Option("--class-service-level", help="Drop the override: use the ABC class level.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Show a SKU's planning settings, or change those given (the others keep their values)."""
    from restock.services import terms

    changing = any(v is not None for v in (review_days, policy, order_cost, holding_rate, service_level))
    with user_errors():
        if changing or class_service_level:
            view = terms.set_sku_planning(
                context(),
                sku,
                review_days=review_days,
                policy=policy,
                order_cost=order_cost,
                holding_rate_pct=holding_rate,
                service_level_pct=service_level,
                clear_service_level=class_service_level,
            )
        else:
            view = terms.show_sku_planning(context(), sku)
    done(_planning_summary(sku, view), as_json, view.to_json())
