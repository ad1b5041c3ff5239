"""CSV imports and exports: every error of a file at once and nothing changed; a re-import changes nothing more;
an export imports back; a stock count moves stock through adjustments and fills waiting backorders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, text

from restock.domain.imports import ExportKind, ImportKind, ImportRefused
from restock.services import (
    availability,
    availability_feed,
    catalog,
    exports,
    imports,
    orders,
    purchasing,
    stock,
    webhooks,
)
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import Base, Movement, Sku
from tests.builders import balance, confirmed_po, on_hand, order, outbox_payloads, standard_catalog

SKUS = """code,name,price,backorder_policy,max_wait_days,backorder_limit_pct,release_date,product_url
CUP,Cup,3.50,always,20,50,2027-03-01,https://shop.example.com/cup
PLATE,Plate,8.00,never,30,100,,
MUG,Mug,12.50,confirmed,30,100,,https://shop.example.com/mug
"""

POS = """reference,supplier,warehouse,status,eta,eta_confirmed,sku,ordered,received
PO-1,ACME,W1,confirmed,2026-12-10,true,MUG,10,0
PO-1,ACME,W1,confirmed,2026-12-10,true,CUP,4,0
PO-2,FAST,W2,sent,2026-12-05,false,CUP,6,0
PO-3,ACME,W2,draft,,false,MUG,2,0
"""

EXCLUDED = {"commit_receipts"}
"""Written by every committed write transaction on PostgreSQL (`services.context`), whatever it did."""


def snapshot(ctx: Context) -> dict[str, list[str]]:
    """Every row of every table (but the commit receipts), as text, in a stable order."""
    with unit_of_work(ctx.engine, readonly=True) as session:
        return {
            table.name: sorted(repr(tuple(row)) for row in session.execute(select(table)))
            for table in Base.metadata.sorted_tables
            if table.name not in EXCLUDED
        }


def refused(ctx: Context, kind: ImportKind, csv: str) -> list[tuple[int, str | None]]:
    """(line, column) of each error the import names; asserts that it changed nothing."""
    before = snapshot(ctx)
    with pytest.raises(ImportRefused) as caught:
        imports.import_csv(ctx, kind, csv)
    assert snapshot(ctx) == before
    assert all(error.why for error in caught.value.errors)
    return [(error.line, error.column) for error in caught.value.errors]


def with_cups(ctx: Context) -> None:
    """The standard catalog with the SKUs of `SKUS` (the purchase orders of `POS` buy CUPs)."""
    standard_catalog(ctx)
    imports.import_csv(ctx, ImportKind.SKUS, SKUS)


def movement_count(ctx: Context) -> int:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return len(session.scalars(select(Movement.id)).all())


# ---------------------------------------------------------------- every error at once, nothing changed


def test_a_sku_file_with_ten_different_errors_reports_all_ten_and_changes_nothing(ctx: Context) -> None:
    standard_catalog(ctx)
    csv = (
        "code,name,price,backorder_policy,max_wait_days,backorder_limit_pct,release_date,product_url,colour\n"
        "OK-1,Fine,1.00,confirmed,10,100,,,red\n"  # a good row: still not imported
        "C U P,Cup,1.00,confirmed,10,100,,,red\n"  # 3: code
        "A2,Cup,abc,confirmed,10,100,,,red\n"  # 4: price
        "A3,Cup,1.234,confirmed,10,100,,,red\n"  # 5: price, too many decimals
        "A4,Cup,1.00,sometimes,10,100,,,red\n"  # 6: policy
        "A5,Cup,1.00,confirmed,soon,100,,,red\n"  # 7: max wait
        "A6,Cup,1.00,confirmed,10,150,,,red\n"  # 8: limit
        "A7,Cup,1.00,confirmed,10,100,2027-13-01,,red\n"  # 9: release date
        "A8,Cup,1.00,confirmed,10,100,,ftp://x,red\n"  # 10: product URL
        "OK-1,Again,1.00,confirmed,10,100,,,red\n"  # 11: the same code twice
    )
    errors = refused(ctx, ImportKind.SKUS, csv)
    assert errors == [
        (1, "colour"),
        (3, "code"),
        (4, "price"),
        (5, "price"),
        (6, "backorder_policy"),
        (7, "max_wait_days"),
        (8, "backorder_limit_pct"),
        (9, "release_date"),
        (10, "product_url"),
        (11, "code"),
    ]


def test_a_stock_file_with_ten_different_errors_reports_all_ten_and_changes_nothing(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 5)
    order(ctx, "MUG", 4)  # 4 allocated at W1
    csv = (
        "sku,warehouse,counted\n"
        "MUG,W2,3\n"  # a good row: still not imported
        "NOPE,W1,3\n"  # 3: unknown SKU
        "MUG,W9,3\n"  # 4: unknown warehouse
        "MUG,W1,2\n"  # 5: below what is allocated
        "MUG,W2,4\n"  # 6: counted twice
        "MUG,W1,-1\n"  # 7: negative
        "MUG,W1,lots\n"  # 8: not a number
        "MUG,W1,2000000\n"  # 9: above the bound of any quantity
        "M U G,W1,1\n"  # 10: not a code
        "MUG,W1,1,extra\n"  # 11: a value too many
        "NOPE,W9,1\n"  # 12: unknown SKU and unknown warehouse
    )
    errors = refused(ctx, ImportKind.STOCK, csv)
    assert errors == [
        (3, "sku"),
        (4, "warehouse"),
        (5, "counted"),
        (6, "sku"),
        (7, "counted"),
        (8, "counted"),
        (9, "counted"),
        (10, "sku"),
        (11, None),
        (12, "sku"),
        (12, "warehouse"),
    ]


def test_a_purchase_order_file_with_ten_different_errors_reports_all_ten_and_changes_nothing(ctx: Context) -> None:
    with_cups(ctx)
    imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, POS)
    eta = (ctx.clock.today() + timedelta(days=10)).isoformat()
    past = (ctx.clock.today() - timedelta(days=1)).isoformat()
    csv = (
        "reference,supplier,warehouse,status,eta,eta_confirmed,sku,ordered,received\n"
        f"NEW-1,ACME,W1,confirmed,{eta},,MUG,5,0\n"  # a good row: still not imported
        f"NEW-1,FAST,W1,confirmed,{eta},,CUP,5,0\n"  # 3: another supplier on the same PO
        f"NEW-2,NOBODY,W1,draft,,,MUG,5,0\n"  # 4: unknown supplier
        f"NEW-3,ACME,W1,confirmed,{past},,MUG,5,0\n"  # 5: ETA in the past
        "NEW-4,ACME,W1,confirmed,,,MUG,5,0\n"  # 6: confirmed without an ETA
        f"NEW-5,ACME,W1,received,{eta},,MUG,5,5\n"  # 7: status not creatable; 7: received on a new PO
        f"PO-1,ACME,W1,confirmed,2026-12-10,true,MUG,11,0\n"  # 8: changes an existing PO's ordered quantity
        "PO-3,ACME,W2,banana,,,MUG,2,0\n"  # 9: no such status
        f"NEW-6,ACME,W1,draft,{eta},,MUG,0,0\n"  # 10: ordered zero; 10: a draft with an ETA
        f"NEW-7,ACME,W1,confirmed,{eta},,GHOST,5,0\n"  # 11: unknown SKU
    )
    errors = refused(ctx, ImportKind.PURCHASE_ORDERS, csv)
    assert errors == [
        (3, "supplier"),
        (4, "supplier"),
        (5, "eta"),
        (6, "eta"),
        (7, "received"),
        (7, "status"),
        (8, "ordered"),
        (8, "sku"),  # and so the PO's CUP line is left out
        (9, "status"),
        (10, "ordered"),
        (11, "sku"),
    ]


def test_a_file_without_its_header_is_refused_with_the_missing_columns(ctx: Context) -> None:
    standard_catalog(ctx)
    assert refused(ctx, ImportKind.STOCK, "MUG,W1,5\n") == [(1, None)]
    assert refused(ctx, ImportKind.STOCK, "sku,counted\nMUG,5\n") == [(1, "warehouse")]
    assert refused(ctx, ImportKind.SKUS, "") == [(1, None)]


# ---------------------------------------------------------------- SKUs


def test_a_sku_import_creates_new_skus_and_updates_only_what_the_file_changes(ctx: Context) -> None:
    standard_catalog(ctx)
    first = imports.import_csv(ctx, ImportKind.SKUS, SKUS)
    assert (first.created, first.updated, first.unchanged) == (2, 1, 0)  # MUG got its product URL
    second = imports.import_csv(ctx, ImportKind.SKUS, "code,price\nMUG,13.00\nCUP,3.50\n")
    assert (second.created, second.updated, second.unchanged) == (0, 1, 1)
    skus = {s.code: s for s in catalog.list_skus(ctx)}
    assert (skus["MUG"].name, str(skus["MUG"].price)) == ("Mug", "13.00")  # the name the file left out stays
    assert (skus["CUP"].backorder, skus["CUP"].max_wait_days, skus["CUP"].backorder_limit) == ("always", 20, 50)
    with unit_of_work(ctx.engine, readonly=True) as session:
        cup = session.scalars(select(Sku).where(Sku.code == "CUP")).one()
        assert (cup.release_date, cup.product_url) == (date(2027, 3, 1), "https://shop.example.com/cup")


def test_an_empty_release_date_or_product_url_cell_clears_it(ctx: Context) -> None:
    standard_catalog(ctx)
    imports.import_csv(ctx, ImportKind.SKUS, SKUS)
    imports.import_csv(ctx, ImportKind.SKUS, "code,release_date,product_url\nCUP,,\n")
    with unit_of_work(ctx.engine, readonly=True) as session:
        cup = session.scalars(select(Sku).where(Sku.code == "CUP")).one()
        assert (cup.release_date, cup.product_url, cup.backorder_policy) == (None, None, "always")


def test_a_sku_import_changes_a_sku_as_a_catalog_edit_does_feed_and_events_included(ctx: Context) -> None:
    """One event per state that changed (not one from the import and one from the edit), and the feed names
    the SKU, so every API worker drops what it remembers of it."""
    standard_catalog(ctx)
    webhooks.add_webhook(ctx, "https://erp.example.com/hooks", ["availability.changed"])
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    cursor = availability_feed.last_change(ctx)
    before = len(outbox_payloads(ctx, "availability_changed"))
    done = imports.import_csv(ctx, ImportKind.SKUS, "code,name,backorder_policy\nMUG,Mug,never\nCUP,Cup,never\n")
    assert (done.created, done.updated) == (1, 1)
    assert availability_feed.changes_since(ctx, cursor).sku_codes >= {"MUG"}
    payloads = outbox_payloads(ctx, "availability_changed")[before:]
    changed = [(p["sku"], p["channel"], p["new_state"], p["reason"]) for p in payloads]
    assert changed == [("MUG", "web", "out_of_stock", "backorders_disabled")]
    [view] = availability.availability(ctx, "MUG", "web")
    assert view.decision.reason.value == "backorders_disabled"


# ---------------------------------------------------------------- stock counts


def test_a_count_fills_waiting_backorders(ctx: Context) -> None:
    standard_catalog(ctx)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    waiting = order(ctx, "MUG", 3)
    assert waiting.lines[0].status == "backordered"
    result = imports.import_csv(ctx, ImportKind.STOCK, "sku,warehouse,counted\nMUG,W1,5\n")
    assert (result.updated, result.movements) == (1, 2)  # the count, and the allocation to the backorder
    line = orders.show_order(ctx, waiting.id).lines[0]
    assert (line.status, line.allocated, line.backordered) == ("allocated", 3, 0)
    assert balance(ctx, "MUG", "W1") == (5, 3)
    assert [p["order"] for p in outbox_payloads(ctx, "backorder_filled")] == [waiting.id]
    counted = [m for m in stock.ledger(ctx, "MUG") if m.kind == "adjustment"]
    assert [(m.on_hand_delta, m.reason) for m in counted] == [(5, "count")]


def test_a_count_sets_on_hand_to_what_was_counted_through_adjustments(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 10)
    order(ctx, "MUG", 2)
    result = imports.import_csv(ctx, ImportKind.STOCK, "sku,warehouse,counted\nMUG,W1,6\nMUG,W2,4\n")
    assert (result.rows, result.updated, result.unchanged, result.movements) == (2, 2, 0, 2)
    assert balance(ctx, "MUG", "W1") == (6, 2)
    assert balance(ctx, "MUG", "W2") == (4, 0)
    counted = [(m.warehouse, m.on_hand_delta) for m in stock.ledger(ctx, "MUG") if m.reason == "count"]
    assert counted == [("W1", -4), ("W2", 4)]
    assert stock.ledger_discrepancies(ctx) == []


def test_a_count_below_what_is_allocated_is_refused(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 10)
    order(ctx, "MUG", 7)
    assert refused(ctx, ImportKind.STOCK, "sku,warehouse,counted\nMUG,W1,6\n") == [(2, "counted")]
    assert balance(ctx, "MUG", "W1") == (10, 7)


# ---------------------------------------------------------------- purchase orders


def test_an_imported_confirmed_po_carries_backorders_like_one_made_through_the_api(ctx: Context) -> None:
    with_cups(ctx)
    result = imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, POS)
    assert (result.rows, result.created) == (4, 3)
    statuses = {(p.status, p.eta, p.eta_confirmed) for p in purchasing.list_pos(ctx)}
    assert statuses == {
        ("confirmed", date(2026, 12, 10), True),
        ("sent", date(2026, 12, 5), False),
        ("draft", None, False),
    }
    placed = order(ctx, "MUG", 4)
    line = placed.lines[0]
    assert (line.status, line.backordered) == ("backordered", 4)
    assert line.ship_window is not None
    assert line.ship_window.earliest >= date(2026, 12, 10)


def test_a_po_found_by_its_reference_moves_forward_and_re_promises_its_backorders(ctx: Context) -> None:
    with_cups(ctx)
    imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, POS)
    placed = order(ctx, "MUG", 4)
    before = placed.lines[0].ship_window
    moved = POS.replace("2026-12-10", "2026-12-17").replace("draft,,false", "sent,,false")
    result = imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, moved)
    assert (result.created, result.updated, result.unchanged) == (0, 2, 1)
    after = orders.show_order(ctx, placed.id).lines[0].ship_window
    assert before is not None
    assert after is not None
    assert after.earliest == before.earliest + timedelta(days=7)
    assert len(purchasing.list_pos(ctx)) == 3
    assert {p.status for p in purchasing.list_pos(ctx)} == {"confirmed", "sent"}


# ---------------------------------------------------------------- a re-import changes nothing more


@pytest.mark.parametrize(
    ("kind", "csv"),
    [
        (ImportKind.SKUS, SKUS),
        (ImportKind.STOCK, "sku,warehouse,counted\nMUG,W1,5\nMUG,W2,0\n"),
        (ImportKind.PURCHASE_ORDERS, POS),
    ],
)
def test_a_re_import_is_a_no_op(ctx: Context, kind: ImportKind, csv: str) -> None:
    standard_catalog(ctx)
    if kind is ImportKind.PURCHASE_ORDERS:
        imports.import_csv(ctx, ImportKind.SKUS, SKUS)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    order(ctx, "MUG", 3)  # waiting: the first count fills it
    first = imports.import_csv(ctx, kind, csv)
    assert first.created + first.updated > 0
    before, movements = snapshot(ctx), movement_count(ctx)
    again = imports.import_csv(ctx, kind, csv)
    assert (again.created, again.updated, again.movements) == (0, 0, 0)
    assert again.unchanged == (first.created + first.updated + first.unchanged)
    assert movement_count(ctx) == movements
    assert snapshot(ctx) == before


# ---------------------------------------------------------------- export, then import: the same


def _shop(ctx: Context) -> None:
    with_cups(ctx)
    imports.import_csv(ctx, ImportKind.STOCK, "sku,warehouse,counted\nMUG,W1,5\nCUP,W2,7\nPLATE,W1,1\n")
    imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, POS)


@pytest.mark.parametrize("kind", [ExportKind.SKUS, ExportKind.STOCK, ExportKind.PURCHASE_ORDERS])
def test_export_then_import_round_trips(ctx: Context, kind: ExportKind) -> None:
    """An export imported into a shop with the same warehouses and suppliers exports the same file; imported back
    into the shop it came from, it changes nothing."""
    _shop(ctx)
    order(ctx, "MUG", 2)
    exported = exports.export_csv(ctx, kind)
    before = snapshot(ctx)
    again = imports.import_csv(ctx, ImportKind(kind.value), exported)
    assert (again.created, again.updated) == (0, 0)
    assert snapshot(ctx) == before
    _empty(ctx)
    standard_catalog(ctx)
    if kind is not ExportKind.SKUS:
        imports.import_csv(ctx, ImportKind.SKUS, SKUS)
    imports.import_csv(ctx, ImportKind(kind.value), exported)
    assert exports.export_csv(ctx, kind) == exported


def _empty(ctx: Context) -> None:
    """A new shop in the same database: every table emptied."""
    with unit_of_work(ctx.engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            session.execute(text(f"DELETE FROM {table.name}"))


def test_the_orders_export_has_one_row_per_line_with_its_units(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 5)
    lines = exports.export_csv(ctx, ExportKind.ORDERS).splitlines()
    assert lines[0] == (
        "id,channel,external_ref,email,placed_at,status,sku,quantity,allocated,backordered,shipped,cancelled"
    )
    assert (
        lines[1] == f"{placed.id},web,,shopper@example.com,2026-11-27T{lines[1].split('T')[1][:8]}Z,open,MUG,5,2,3,0,0"
    )
    assert len(lines) == 2


# ---------------------------------------------------------------- every PO round-trips, whatever made it


def _po_of_every_status(ctx: Context, reference: str | None = None) -> dict[str, int]:
    """A PO in each status, made through the purchasing use cases (not an import); `reference` prefixes the
    seller's references (None: the POs have none, as ones made by `restock po create` without --reference)."""
    eta = ctx.clock.today() + timedelta(days=9)

    def new(status: str, quantity: int) -> int:
        ref = None if reference is None else f"{reference}-{status}"
        return purchasing.create_po(ctx, "ACME", "W1", [("MUG", quantity)], reference=ref).id

    made = {status: new(status, quantity) for status, quantity in [("draft", 2), ("sent", 3), ("confirmed", 4)]}
    made |= {status: new(status, 5) for status in ("partially_received", "received", "cancelled")}
    purchasing.send_po(ctx, made["sent"])
    for status in ("confirmed", "partially_received", "received", "cancelled"):
        purchasing.confirm_po(ctx, made[status], eta)
    purchasing.receive_po(ctx, made["partially_received"], [("MUG", 2)])
    purchasing.receive_po(ctx, made["received"], [("MUG", 5)])
    purchasing.cancel_po(ctx, made["cancelled"])
    return made


def test_every_po_made_without_a_reference_round_trips_into_its_own_shop(ctx: Context) -> None:
    """`restock po create` gives no reference: the export names each such PO restock:<id>, and importing the file
    back finds every one of them, draft to received and cancelled, and changes nothing."""
    standard_catalog(ctx)
    made = _po_of_every_status(ctx)
    order(ctx, "MUG", 3)  # waits on the confirmed POs: a re-import must not move its promise
    exported = exports.export_csv(ctx, ExportKind.PURCHASE_ORDERS)
    assert {line.split(",")[0] for line in exported.splitlines()[1:]} == {f"restock:{i}" for i in made.values()}
    before = snapshot(ctx)
    again = imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, exported)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)
    assert snapshot(ctx) == before
    assert exports.export_csv(ctx, ExportKind.PURCHASE_ORDERS) == exported


def test_a_restock_po_number_moves_its_po_forward_as_a_reference_does(ctx: Context) -> None:
    standard_catalog(ctx)
    made = _po_of_every_status(ctx)
    exported = exports.export_csv(ctx, ExportKind.PURCHASE_ORDERS)
    eta = (ctx.clock.today() + timedelta(days=12)).isoformat()
    sent = f"restock:{made['draft']},ACME,W1,draft,"
    moved = exported.replace(sent, sent.replace("draft,", "confirmed,") + eta).replace(
        f"restock:{made['draft']},ACME,W1,confirmed,{eta},false", f"restock:{made['draft']},ACME,W1,confirmed,{eta},"
    )
    result = imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, moved)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 5)
    assert purchasing.show_po(ctx, made["draft"]).status == "confirmed"


def test_a_po_number_of_another_shop_is_refused_with_how_to_load_it(ctx: Context) -> None:
    """A shop's restock:<id> means nothing in another shop: refused, PO by PO, and nothing is created."""
    standard_catalog(ctx)
    _po_of_every_status(ctx)
    exported = exports.export_csv(ctx, ExportKind.PURCHASE_ORDERS)
    _empty(ctx)
    standard_catalog(ctx)
    purchasing.create_po(ctx, "FAST", "W2", [("MUG", 1)])  # this shop's own PO, maybe with one of those numbers
    before = snapshot(ctx)
    with pytest.raises(ImportRefused) as caught:
        imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, exported)
    assert snapshot(ctx) == before
    assert [(e.line, e.column) for e in caught.value.errors] == [(line, "reference") for line in range(2, 8)]
    assert all("give it a reference of your own to load it elsewhere" in e.why for e in caught.value.errors)


def test_an_export_loads_into_an_empty_shop_but_for_the_pos_that_are_received_or_cancelled(ctx: Context) -> None:
    """POs with the seller's references load into a new shop; a received, partially received or cancelled one is
    refused (its units are in the stock count, or it carries nothing) with its reason, and nothing changes; the
    file without them loads, and exports back the same."""
    standard_catalog(ctx)
    _po_of_every_status(ctx, reference="PO")
    exported = exports.export_csv(ctx, ExportKind.PURCHASE_ORDERS)
    _empty(ctx)
    standard_catalog(ctx)
    with pytest.raises(ImportRefused) as caught:
        imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, exported)
    statuses = {e.line: e.why for e in caught.value.errors if e.column == "status"}
    assert sorted(statuses) == [5, 6, 7]  # partially received, received, cancelled
    assert "import what is still open as a confirmed PO" in statuses[5]
    assert "its units are stock, which the stock count brings" in statuses[6]
    assert "it carries nothing" in statuses[7]
    assert purchasing.list_pos(ctx) == []
    open_pos = "\n".join(exported.splitlines()[:4]) + "\n"
    loaded = imports.import_csv(ctx, ImportKind.PURCHASE_ORDERS, open_pos)
    assert loaded.created == 3
    assert exports.export_csv(ctx, ExportKind.PURCHASE_ORDERS) == open_pos
    assert [(p.reference, p.status) for p in purchasing.list_pos(ctx)] == [
        ("PO-draft", "draft"),
        ("PO-sent", "sent"),
        ("PO-confirmed", "confirmed"),
    ]
