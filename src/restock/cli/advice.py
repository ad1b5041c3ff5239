"""`restock policy advise`: per SKU, the backorder policy that pays by what restock measured, why, what it expects
to change, and the `restock sku set` command that applies it (the advice changes nothing itself). The demand
history it reads loads the forecasting libraries, slow to import: imported only when the command runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from restock.cli.shared import JsonFlag, context, emit_json, out, user_errors

if TYPE_CHECKING:
    from restock.services.advice import PolicyAdviceOut


def _policy(policy: str, max_wait_days: int) -> str:
    return policy if policy == "never" else f"{policy}, {max_wait_days} d"


def _expects(a: PolicyAdviceOut) -> str:
    """The change over as many days as were measured, signed; "up to" when nobody was measured cancelling."""
    if not a.changes:
        return "no change"
    e = a.expects
    return (
        f"{'up to ' if e.up_to else ''}{e.kept_sales:+.0f} kept sales, {e.cancellations:+.0f} cancellations, "
        f"{e.broken_promises:+.1f} broken promises: {e.net_value:+,.2f} over {a.measures.days} days like the last"
    )


def policy_advise(
    sku: Annotated[str | None, typer.Option(help="Only this SKU.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Recommend a backorder policy per SKU (never, confirmed with a max wait, always) from what restock measured.

    From the last 90 days: the backorder cancellation rate by promised wait, the suppliers' lateness against their
    ship windows, the demand lost on out-of-stock days, the margin and how often the SKU sells. It changes nothing:
    apply an advice with the `restock sku set` command it prints."""
    from restock.services.advice import advise_backorder_policies

    with user_errors():
        advised = advise_backorder_policies(context(), sku)
    if as_json:
        emit_json([a.to_json() for a in advised])
        return
    table = Table("SKU", "now", "advice", "why", "expects", title="backorder policy advice (apply with the command)")
    for a in advised:
        advice = _policy(a.policy, a.max_wait_days) if a.changes else "keep"
        table.add_row(a.sku, _policy(a.policy_now, a.max_wait_days_now), advice, a.why, _expects(a))
    out.print(table)
    for a in advised:
        if a.command:
            out.print(a.command, highlight=False, soft_wrap=True)
