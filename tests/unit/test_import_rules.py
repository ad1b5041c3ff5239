"""The pure rules of a CSV import: reading, each cell's rule, what a row changes, which steps a PO takes."""

from __future__ import annotations

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
    imported_sku,
    new_sku_fields,
    read_table,
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
