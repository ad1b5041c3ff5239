"""`restock webhook ...`: the endpoints integrators register, and what was last delivered to each."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.shared import JsonFlag, context, emit_json, out, user_errors

if TYPE_CHECKING:
    from restock.services.context import Context
    from restock.services.webhooks import WebhookView


def webhook_add(
    url: str,
    event: Annotated[
        list[str] | None, typer.Option("--event", help="An event to send (repeat); all events when left out.")
    ] = None,
    secret: Annotated[str | None, typer.Option(help="The signing secret; one is made when left out.")] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Register an endpoint. Its secret is shown once: the receiver checks signatures with it."""
    from restock.services import webhooks

    def work(ctx: Context) -> Printed:
        view = webhooks.add_webhook(ctx, url, event or [], secret)
        return Printed(
            f"webhook {view.id} -> {view.url} ({', '.join(view.events)})\nsigning secret: {view.secret}", view.to_json()
        )

    run_changing(idempotency_key, as_json, ("webhook add", url, event, secret), work)


def webhook_list(as_json: JsonFlag = False) -> None:
    from restock.services import webhooks

    with user_errors():
        views = webhooks.list_webhooks(context())
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table = Table("id", "url", "events", "disabled", title="webhooks")
    for v in views:
        table.add_row(str(v.id), v.url, ", ".join(v.events), "yes" if v.disabled else "")
    out.print(table)


def _attempts_table(view: WebhookView) -> Table:
    """The endpoint's latest delivery attempts, so an integrator can see why deliveries fail."""
    table = Table("delivery", "event", "at", "status", "error", "ms", title=f"webhook {view.id}: {view.url}")
    if view.paused_until is not None:  # its circuit breaker is open
        until = f"{view.paused_until:%Y-%m-%d %H:%M:%S}"
        table.caption = f"paused until {until} UTC after {view.consecutive_failures} failures in a row"
    elif view.consecutive_failures:
        table.caption = f"{view.consecutive_failures} failures in a row"
    for a in view.attempts:
        table.add_row(
            a.delivery,
            a.event,
            a.attempted_at.strftime("%Y-%m-%d %H:%M:%S"),
            str(a.status_code or ""),
            a.error or "",
            str(a.duration_ms),
        )
    return table


def webhook_show(webhook_id: int, as_json: JsonFlag = False) -> None:
    """An endpoint with its latest delivery attempts."""
    from restock.services import webhooks

    with user_errors():
        view = webhooks.show_webhook(context(), webhook_id)
    if as_json:
        emit_json(view.to_json())
        return
    out.print(_attempts_table(view))
