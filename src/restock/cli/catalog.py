"""`restock warehouse|channel|supplier|sku add`: the master data everything else refers to by code."""

from __future__ import annotations

from typing import Annotated

import typer

from restock.cli.shared import JsonFlag, context, done, user_errors
from restock.services import catalog


def warehouse_add(code: str, name: Annotated[str | None, typer.Option()] = None, as_json: JsonFlag = False) -> None:
    with user_errors():
        new_id = catalog.add_warehouse(context(), code, name)
    done(f"warehouse {code} added", as_json, {"id": new_id, "code": code})


def channel_add(
    code: str,
    warehouses: Annotated[str, typer.Option(help="Comma-separated warehouse codes, first used first.")],
    name: Annotated[str | None, typer.Option()] = None,
    safety_buffer: Annotated[int, typer.Option(help="Units per warehouse this channel never sells.")] = 0,
    as_json: JsonFlag = False,
) -> None:
    codes = [w.strip() for w in warehouses.split(",") if w.strip()]
    with user_errors():
        new_id = catalog.add_channel(context(), code, codes, name, safety_buffer)
    done(f"channel {code} added, served by {', '.join(codes)}", as_json, {"id": new_id, "code": code})


def supplier_add(
    code: str,
    lead_time_days: Annotated[int, typer.Option("--lead-time-days")],
    name: Annotated[str | None, typer.Option()] = None,
    as_json: JsonFlag = False,
) -> None:
    with user_errors():
        new_id = catalog.add_supplier(context(), code, lead_time_days, name)
    done(f"supplier {code} added", as_json, {"id": new_id, "code": code})


def sku_add(
    code: str,
    name: Annotated[str | None, typer.Option()] = None,
    price: Annotated[str, typer.Option()] = "0",
    backorder: Annotated[str, typer.Option(help="never, confirmed or always.")] = "confirmed",
    max_wait_days: Annotated[int, typer.Option("--max-wait-days")] = 30,
    backorder_limit: Annotated[int, typer.Option("--backorder-limit", help="Percent of confirmed inbound.")] = 100,
    as_json: JsonFlag = False,
) -> None:
    with user_errors():
        new_id = catalog.add_sku(context(), code, name, price, backorder, max_wait_days, backorder_limit)
    done(f"SKU {code} added", as_json, {"id": new_id, "code": code})
