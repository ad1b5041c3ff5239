"""`restock stock ...`: counting, moving and showing stock; every change goes through the movement ledger."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.shared import JsonFlag, context, emit_json, out, user_errors
from restock.services import stock
from restock.services.context import Context


def stock_adjust(
    sku: str,
    warehouse: str,
    delta: int,
    reason: Annotated[str, typer.Option(help="Why: count, damage, found, ...")],
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    def work(ctx: Context) -> Printed:
        balance = stock.adjust_stock(ctx, sku, warehouse, delta, reason)
        return Printed(
            f"{sku} at {warehouse}: on hand {balance.on_hand}, allocated {balance.allocated}", balance.to_json()
        )

    run_changing(idempotency_key, as_json, ("stock adjust", sku, warehouse, delta, reason), work)


def stock_transfer(
    sku: str, source: str, target: str, quantity: int, as_json: JsonFlag = False, idempotency_key: IdempotencyKey = None
) -> None:
    def work(ctx: Context) -> Printed:
        src, dst = stock.transfer_stock(ctx, sku, source, target, quantity)
        return Printed(f"moved {quantity} of {sku} from {source} to {target}", [src.to_json(), dst.to_json()])

    run_changing(idempotency_key, as_json, ("stock transfer", sku, source, target, quantity), work)


def stock_show(sku: Annotated[str | None, typer.Argument()] = None, as_json: JsonFlag = False) -> None:
    with user_errors():
        rows = stock.balances(context(), sku)
    if as_json:
        emit_json([b.to_json() for b in rows])
        return
    table = Table("SKU", "warehouse", "on hand", "allocated", "available", title="Stock")
    for b in rows:
        table.add_row(b.sku, b.warehouse, str(b.on_hand), str(b.allocated), str(b.available))
    out.print(table)
