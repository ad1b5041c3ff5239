"""`restock warehouse|channel|supplier|sku add`: the master data everything else refers to by code."""

from __future__ import annotations

from typing import Annotated

import typer

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.shared import JsonFlag
from restock.services import catalog
from restock.services.context import Context


def warehouse_add(
    code: str,
    name: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    def work(ctx: Context) -> Printed:
        return Printed(f"warehouse {code} added", {"id": catalog.add_warehouse(ctx, code, name), "code": code})

    run_changing(idempotency_key, as_json, ("warehouse add", code, name), work)


def channel_add(
    code: str,
    warehouses: Annotated[str, typer.Option(help="Comma-separated warehouse codes, first used first.")],
    name: Annotated[str | None, typer.Option()] = None,
    safety_buffer: Annotated[int, typer.Option(help="Units per warehouse this channel never sells.")] = 0,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    codes = [w.strip() for w in warehouses.split(",") if w.strip()]

    def work(ctx: Context) -> Printed:
        new_id = catalog.add_channel(ctx, code, codes, name, safety_buffer)
        return Printed(f"channel {code} added, served by {', '.join(codes)}", {"id": new_id, "code": code})

    run_changing(idempotency_key, as_json, ("channel add", code, codes, name, safety_buffer), work)


def supplier_add(
    code: str,
    lead_time_days: Annotated[int, typer.Option("--lead-time-days")],
    name: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    def work(ctx: Context) -> Printed:
        return Printed(
            f"supplier {code} added", {"id": catalog.add_supplier(ctx, code, lead_time_days, name), "code": code}
        )

    run_changing(idempotency_key, as_json, ("supplier add", code, lead_time_days, name), work)


def sku_add(
    code: str,
    name: Annotated[str | None, typer.Option()] = None,
    price: Annotated[str, typer.Option()] = "0",
    backorder: Annotated[str, typer.Option(help="never, confirmed or always.")] = "confirmed",
    max_wait_days: Annotated[int, typer.Option("--max-wait-days")] = 30,
    backorder_limit: Annotated[int, typer.Option("--backorder-limit", help="Percent of confirmed inbound.")] = 100,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    def work(ctx: Context) -> Printed:
        new_id = catalog.add_sku(ctx, code, name, price, backorder, max_wait_days, backorder_limit)
        return Printed(f"SKU {code} added", {"id": new_id, "code": code})

    run_changing(
        idempotency_key, as_json, ("sku add", code, name, price, backorder, max_wait_days, backorder_limit), work
    )
