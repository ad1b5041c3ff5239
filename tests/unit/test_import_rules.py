"""The pure rules of a CSV import: reading, each cell's rule, what a row changes, which steps a PO takes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from restock.domain import catalog
from restock.domain.errors import InvalidInput
from restock.domain.imports import (
    ImportKind,
    PoImport,
    PoLineRow,
    PoStep,
    RowError,
    StoredPo,
    adjustment_for_count,
    cell_of,
    exported_reference,
    file_reference,
    imported_sku,
    new_sku_fields,
    own_po_number,
    read_table,
    reference,
    sku_row,
    steps_to_file_state,
)
from restock.domain.model import BackorderPolicy, POStatus

ETA = date(2026, 12, 10)


def po(status: POStatus, eta: date | None = None, confirmed: bool | None = None) -> PoImport:
    return PoImport(2, "PO-1", "ACME", "W1", status, eta, confirmed, (PoLineRow(2, "MUG", 10, 0),))


def stored(status: POStatus, eta: date | None = None, confirmed: bool = False) -> StoredPo:
    return StoredPo("ACME", "W1", status, eta, confirmed, {"MUG": (10, 0)})


def test_a_count_sets_on_hand_to_what_was_counted() -> None:
    assert adjustment_for_count(on_hand=10, allocated=2, counted=6) == -4
    assert adjustment_for_count(on_hand=0, allocated=0, counted=5) == 5
    assert adjustment_for_count(on_hand=5, allocated=5, counted=5) == 0


def test_a_count_below_what_is_allocated_is_refused() -> None:
    with pytest.raises(ValueError, match="3 are allocated"):
        adjustment_for_count(on_hand=5, allocated=3, counted=2)


def test_a_sku_row_sets_only_the_fields_the_file_gives() -> None:
    checked = read_table("code,price,name\nMUG,13.00,\n", ImportKind.SKUS)
    row = sku_row(checked.rows[0], checked.errors)
    assert row is not None
    current = new_sku_fields("MUG")
    after = imported_sku(current, row)
    assert (after.name, after.price, after.backorder) == ("MUG", Decimal("13.00"), BackorderPolicy.CONFIRMED)
    assert row.given == {"price"}


def test_every_bad_cell_of_a_row_is_an_error_not_only_the_first() -> None:
    checked = read_table("code,price,max_wait_days\nMUG,x,-1\n", ImportKind.SKUS)
    assert sku_row(checked.rows[0], checked.errors) is None
    assert [(e.line, e.column) for e in checked.errors] == [(2, "price"), (2, "max_wait_days")]


def test_a_new_po_starts_as_a_draft_and_is_sent_or_confirmed_through_the_purchasing_steps() -> None:
    errors: list[RowError] = []
    assert steps_to_file_state(po(POStatus.DRAFT), None, errors) == ()
    assert steps_to_file_state(po(POStatus.SENT, ETA), None, errors) == (PoStep.SEND, PoStep.MOVE_ETA)
    assert steps_to_file_state(po(POStatus.CONFIRMED, ETA, True), None, errors) == (PoStep.CONFIRM,)
    assert errors == []


def test_a_po_found_by_its_reference_only_moves_forward() -> None:
    errors: list[RowError] = []
    assert steps_to_file_state(po(POStatus.CONFIRMED, ETA), stored(POStatus.CONFIRMED, ETA, True), errors) == ()
    later = date(2026, 12, 20)
    moved = steps_to_file_state(po(POStatus.CONFIRMED, later), stored(POStatus.CONFIRMED, ETA, True), errors)
    assert moved == (PoStep.MOVE_ETA,)
    assert errors == []
    assert steps_to_file_state(po(POStatus.DRAFT), stored(POStatus.SENT), errors) == ()
    assert [(e.column, "forward" in e.why) for e in errors] == [("status", True)]


def test_a_received_or_cancelled_po_is_not_created_by_import() -> None:
    errors: list[RowError] = []
    assert steps_to_file_state(po(POStatus.RECEIVED, ETA), None, errors) == ()
    assert [e.column for e in errors] == ["status"]


def test_a_received_partially_received_or_cancelled_po_matching_the_stored_one_is_accepted_unchanged() -> None:
    errors: list[RowError] = []
    for status in (POStatus.PARTIALLY_RECEIVED, POStatus.RECEIVED, POStatus.CANCELLED):
        assert steps_to_file_state(po(status, ETA, True), stored(status, ETA, True), errors) == ()
    assert errors == []


def test_a_new_received_partially_received_or_cancelled_po_is_refused_with_its_reason() -> None:
    errors: list[RowError] = []
    for status in (POStatus.PARTIALLY_RECEIVED, POStatus.RECEIVED, POStatus.CANCELLED):
        steps_to_file_state(po(status, ETA, True), None, errors)
    assert [e.column for e in errors] == ["status"] * 3
    assert "still to come" in errors[0].why
    assert "the stock count brings" in errors[1].why
    assert "carries nothing" in errors[2].why


def test_a_sellers_reference_may_not_take_the_form_of_restocks_own_po_numbers() -> None:
    assert reference("PO-2026-17") == "PO-2026-17"
    for taken in ("restock:42", "RESTOCK:42", "restock:"):
        with pytest.raises(InvalidInput, match="may not start with 'restock:'"):
            reference(taken)
    with pytest.raises(InvalidInput, match="1-100 printable"):
        reference("x" * 101)


def test_an_export_names_a_po_without_a_reference_by_this_shops_po_number() -> None:
    assert exported_reference(None, 42) == "restock:42"
    assert exported_reference("PO-7", 42) == "PO-7"
    assert own_po_number("restock:42") == 42
    assert own_po_number("PO-7") is None
    assert file_reference("restock:42") == "restock:42"
    for bad in ("restock:x", "restock:0", "restock:-1"):
        with pytest.raises(InvalidInput, match="not a PO number of restock's"):
            file_reference(bad)


def test_a_restock_po_number_finds_only_the_same_po_of_this_shop() -> None:
    own = PoImport(2, "restock:7", "ACME", "W1", POStatus.RECEIVED, ETA, True, (PoLineRow(2, "MUG", 10, 10),))
    errors: list[RowError] = []
    assert (
        steps_to_file_state(own, StoredPo("ACME", "W1", POStatus.RECEIVED, ETA, True, {"MUG": (10, 10)}), errors) == ()
    )
    assert errors == []
    other_lines = StoredPo("ACME", "W1", POStatus.RECEIVED, ETA, True, {"MUG": (12, 12)})
    for found in (None, other_lines, replace(other_lines, supplier="FAST", lines={"MUG": (10, 10)})):
        steps_to_file_state(own, found, errors)
    assert [e.column for e in errors] == ["reference"] * 3
    assert all("give it a reference of your own to load it elsewhere" in e.why for e in errors)


def test_a_confirmed_po_needs_an_eta() -> None:
    errors: list[RowError] = []
    steps_to_file_state(po(POStatus.CONFIRMED), None, errors)
    assert [(e.column, e.why) for e in errors] == [("eta", "a confirmed purchase order needs an ETA")]


def test_exported_cells_are_what_the_import_reads() -> None:
    assert [cell_of(v) for v in (None, True, False, Decimal("3.5"), date(2027, 1, 2), 7)] == [
        "",
        "true",
        "false",
        "3.50",
        "2027-01-02",
        "7",
    ]


def test_a_sku_row_checks_its_product_url_and_release_date_by_the_catalogs_rules() -> None:
    """The cells the PATCH route refuses (a URL with a space, a release date a century off) are refused alike."""
    checked = read_table(
        "code,release_date,product_url\nMUG,2999-01-01,https://shop.example.com/blue mug\n", ImportKind.SKUS
    )
    assert sku_row(checked.rows[0], checked.errors) is None
    whys = {e.column: e.why for e in checked.errors}
    with pytest.raises(InvalidInput) as url_error:
        catalog.product_url("https://shop.example.com/blue mug")
    with pytest.raises(InvalidInput) as date_error:
        catalog.release_date(date(2999, 1, 1))
    assert whys == {"product_url": str(url_error.value), "release_date": str(date_error.value)}


def test_an_empty_product_url_or_release_date_cell_clears_it() -> None:
    checked = read_table("code,release_date,product_url\nMUG,,\n", ImportKind.SKUS)
    row = sku_row(checked.rows[0], checked.errors)
    assert row is not None
    assert checked.errors == []
    assert (row.values.release_date, row.values.product_url) == (None, None)
    assert row.given == {"release_date", "product_url"}
