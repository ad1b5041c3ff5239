"""`restock warehouse|channel|supplier|sku add`: the master data everything else refers to by code; `... set` to
change it later (only the options given change), `restock sku archive|unarchive|list`."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Annotated, TypeVar

import typer
from rich.table import Table

from restock.cli.once import IdempotencyKey, Printed, run_changing
from restock.cli.shared import JsonFlag, context, emit_json, fail, out, parse_date, user_errors
from restock.domain.catalog import KEEP, Keep
from restock.services import catalog, catalog_edits
from restock.services.context import Context

T = TypeVar("T")


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
    shipping_policy: Annotated[
        str, typer.Option(help="as_available (ship what is allocated) or complete (hold an order until it is whole).")
    ] = "as_available",
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    codes = [w.strip() for w in warehouses.split(",") if w.strip()]

    def work(ctx: Context) -> Printed:
        new_id = catalog.add_channel(ctx, code, codes, name, safety_buffer, shipping_policy)
        said = f"channel {code} added, served by {', '.join(codes)}"
        if shipping_policy != "as_available":
            said += f", ships {shipping_policy}"
        return Printed(said, {"id": new_id, "code": code})

    policy = () if shipping_policy == "as_available" else (shipping_policy,)  # a key keeps what it meant before
    run_changing(idempotency_key, as_json, ("channel add", code, codes, name, safety_buffer, *policy), work)


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
    release_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD: a pre-order until then if never sold; later `sku set` changes it.")
    ] = None,
    product_url: Annotated[
        str | None, typer.Option(help="The product's page on the shop (http/https): back-in-stock e-mails link it.")
    ] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    release = None if release_date is None else parse_date(release_date)

    def work(ctx: Context) -> Printed:
        new_id = catalog.add_sku(
            ctx, code, name, price, backorder, max_wait_days, backorder_limit, release, product_url
        )
        return Printed(f"SKU {code} added", {"id": new_id, "code": code})

    extra = () if release_date is None and product_url is None else (release_date, product_url)  # keys keep meaning
    request = ("sku add", code, name, price, backorder, max_wait_days, backorder_limit, *extra)
    run_changing(idempotency_key, as_json, request, work)


# ---------------------------------------------------------------- edits and archiving

CLEAR = "none"
"""What `--release-date` and `--product-url` take to clear the value."""


def _changed(what: str, code: str, edit: object) -> str:
    """`SKU MUG updated: price, max_wait_days`: the fields given, by the names the API and JSON use."""
    fields = [f.name for f in dataclasses.fields(edit) if getattr(edit, f.name) is not KEEP]  # type: ignore[arg-type]
    return f"{what} {code} updated: {', '.join(fields)}"


def _nothing_to_change(edit: object) -> None:
    if all(getattr(edit, f.name) is KEEP for f in dataclasses.fields(edit)):  # type: ignore[arg-type]
        fail("nothing to change: give at least one option (see --help)", 2)


def _release(raw: str | None) -> date | Keep | None:
    if raw is None:
        return KEEP
    return None if raw.lower() == CLEAR else parse_date(raw)


def _url(raw: str | None) -> str | Keep | None:
    if raw is None:
        return KEEP
    return None if raw.lower() == CLEAR else raw


def _given(value: T | None) -> T | Keep:
    return KEEP if value is None else value


def sku_set(
    code: str,
    name: Annotated[str | None, typer.Option()] = None,
    price: Annotated[str | None, typer.Option()] = None,
    backorder: Annotated[str | None, typer.Option(help="never, confirmed or always.")] = None,
    max_wait: Annotated[int | None, typer.Option("--max-wait", "--max-wait-days", help="Days.")] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", "--backorder-limit", help="Percent of confirmed inbound.")
    ] = None,
    release_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD: a pre-order until then if never sold; 'none' clears it.")
    ] = None,
    product_url: Annotated[str | None, typer.Option(help="The product's page (http/https); 'none' clears it.")] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Change a SKU's settings for new orders and availability answers; backorders already taken keep their windows."""
    edit = catalog_edits.SkuEdit(
        name=_given(name),
        price=_given(price),
        backorder=_given(backorder),
        max_wait_days=_given(max_wait),
        backorder_limit_pct=_given(limit),
        release_date=_release(release_date),
        product_url=_url(product_url),
    )
    _nothing_to_change(edit)

    def work(ctx: Context) -> Printed:
        view = catalog_edits.edit_sku(ctx, code, edit)
        return Printed(_changed("SKU", code, edit), view.to_json())

    request = ("sku set", code, name, price, backorder, max_wait, limit, release_date, product_url)
    run_changing(idempotency_key, as_json, request, work)


def sku_archive(code: str, as_json: JsonFlag = False, idempotency_key: IdempotencyKey = None) -> None:
    """Stop selling a SKU: new orders are refused, it reads out of stock and leaves lists.

    Its history stays and its open orders still ship; `restock sku unarchive` sells it again."""

    def work(ctx: Context) -> Printed:
        view = catalog_edits.archive_sku(ctx, code)
        return Printed(f"SKU {code} archived: it takes no new orders", view.to_json())

    run_changing(idempotency_key, as_json, ("sku archive", code), work)


def sku_unarchive(code: str, as_json: JsonFlag = False, idempotency_key: IdempotencyKey = None) -> None:
    """Sell an archived SKU again, with the settings it had."""

    def work(ctx: Context) -> Printed:
        view = catalog_edits.unarchive_sku(ctx, code)
        return Printed(f"SKU {code} is on sale again", view.to_json())

    run_changing(idempotency_key, as_json, ("sku unarchive", code), work)


def sku_list(
    archived: Annotated[bool, typer.Option("--archived", help="Also list archived SKUs.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """The SKUs on sale, by code; archived ones only with --archived."""
    with user_errors():
        views = catalog.list_skus(context(), archived)
    if as_json:
        emit_json([v.to_json() for v in views])
        return
    table = Table("SKU", "name", "price", "backorder", "max wait", "limit", "release", title="SKUs")
    if archived:
        table.add_column("archived")
    for v in views:
        release = str(v.release_date) if v.release_date else ""
        row = [v.code, v.name, str(v.price), v.backorder, f"{v.max_wait_days} d", f"{v.backorder_limit}%", release]
        table.add_row(*row, *(["yes" if v.archived else ""] if archived else []))
    out.print(table)


def channel_set(
    code: str,
    warehouses: Annotated[
        str | None, typer.Option(help="Comma-separated warehouse codes, first used first: replaces the list.")
    ] = None,
    buffer: Annotated[
        int | None, typer.Option("--buffer", "--safety-buffer", help="Units per warehouse this channel never sells.")
    ] = None,
    shipping_policy: Annotated[str | None, typer.Option(help="as_available or complete.")] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Change which warehouses serve a channel, its safety buffer or its shipping policy, for new orders."""
    codes = None if warehouses is None else tuple(w.strip() for w in warehouses.split(",") if w.strip())
    edit = catalog_edits.ChannelEdit(
        warehouses=_given(codes), safety_buffer=_given(buffer), shipping_policy=_given(shipping_policy)
    )
    _nothing_to_change(edit)

    def work(ctx: Context) -> Printed:
        view = catalog_edits.edit_channel(ctx, code, edit)
        return Printed(_changed("channel", code, edit), view.to_json())

    run_changing(idempotency_key, as_json, ("channel set", code, codes, buffer, shipping_policy), work)


def supplier_set(
    code: str,
    name: Annotated[str | None, typer.Option()] = None,
    lead_time: Annotated[int | None, typer.Option("--lead-time", "--lead-time-days", help="Days.")] = None,
    as_json: JsonFlag = False,
    idempotency_key: IdempotencyKey = None,
) -> None:
    """Change a supplier's name or usual lead time; confirmed POs keep their ETAs, backorders their windows."""
    edit = catalog_edits.SupplierEdit(name=_given(name), lead_time_days=_given(lead_time))
    _nothing_to_change(edit)

    def work(ctx: Context) -> Printed:
        view = catalog_edits.edit_supplier(ctx, code, edit)
        return Printed(_changed("supplier", code, edit), view.to_json())

    run_changing(idempotency_key, as_json, ("supplier set", code, name, lead_time), work)
