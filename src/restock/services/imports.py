"""Importing a CSV file of SKUs, a stock count or purchase orders: all of it, in one transaction, or none of it.

The file is checked whole first (`restock.domain.imports` for each row, then here what only the database can
tell: unknown codes, counts below what is allocated, POs that the file contradicts); a file with any error raises
`ImportRefused` listing every error and changes nothing. Then it is applied through the same use cases the API
and the CLI call, joined to this transaction (`services.context.joining`): new SKUs through `catalog.add_sku`,
changed ones through `catalog_edits.edit_sku` (as PATCH does: the availability feed and events included), counts
through `stock.adjust_stock` (reason `count`: a positive one fills waiting backorders as any arrival does), POs
through `purchasing.create_po`, `send_po`, `confirm_po` and `change_eta`, so their guards, locks, promises and
availability events are the ones every other path has. Importing the same file again changes nothing more: a SKU
with the file's values is left alone, a count equal to the books moves nothing, a PO is found by its reference
(`restock:N`, as an export names a PO without one, is this shop's PO N).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from restock.domain import validation as valid
from restock.domain.catalog import KEEP
from restock.domain.errors import InvalidInput
from restock.domain.imports import (
    COUNT_REASON,
    Checked,
    CountRow,
    CsvRow,
    ImportKind,
    ImportRefused,
    PoImport,
    PoStep,
    RowError,
    SkuFields,
    SkuRow,
    StoredPo,
    adjustment_for_count,
    count_row,
    group_purchase_orders,
    imported_sku,
    new_sku_fields,
    once_each,
    own_po_number,
    po_row,
    read_table,
    sku_row,
    steps_to_file_state,
)
from restock.domain.model import BackorderPolicy
from restock.domain.purchasing import eta_within_reach
from restock.services import catalog, catalog_edits, purchasing, stock
from restock.services.catalog_edits import SkuEdit
from restock.services.context import Context, joining, use_case
from restock.services.views import ReadModel
from restock.store import imports as store
from restock.store import repo
from restock.store.schema import Sku, Supplier, Warehouse

Progress = Callable[[int, int], None]
"""Told (rows applied, rows to apply) as the import goes: the CLI's progress bar."""


class ImportOut(ReadModel):
    """What an import did: rows read, things created, updated and left as they were, ledger movements written."""

    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    movements: int


def _quiet(done: int, total: int) -> None:
    """No one watches the progress."""


@use_case()
def import_csv(
    session: Session, ctx: Context, kind: ImportKind, text: str, progress: Progress | None = None
) -> ImportOut:
    """Check the whole file, then apply it; a file with any error raises `ImportRefused` and changes nothing."""
    checked = read_table(text, kind)
    if kind is ImportKind.SKUS:
        return _import_skus(session, ctx, checked, progress or _quiet)
    if kind is ImportKind.STOCK:
        return _import_counts(session, ctx, checked, progress or _quiet)
    return _import_purchase_orders(session, ctx, checked, progress or _quiet)


def _refuse_if_any(errors: Sequence[RowError]) -> None:
    if errors:
        raise ImportRefused(errors)


def _known_codes(
    session: Session,
    rows: Sequence[CsvRow],
    column: str,
    model: type[Sku | Warehouse | Supplier],
    errors: list[RowError],
) -> dict[str, int]:
    """The ids of the codes in `column`; each well-formed code that names nothing is an error on its row, also on a
    row with other errors (every error of the file is named at once)."""
    codes = {row.cell(column) for row in rows if valid.CODE_PATTERN.fullmatch(row.cell(column))}
    known = store.ids_by_code(session, model, codes)
    what = {Sku: "SKU", Warehouse: "warehouse", Supplier: "supplier"}[model]
    for row in rows:
        code = row.cell(column)
        if code in codes and code not in known:
            errors.append(RowError(row.line, column, f"unknown {what} {code!r}"))
    return known


# ---------------------------------------------------------------- SKUs


@dataclass(frozen=True)
class _SkuPlan:
    created: list[SkuRow]
    updated: list[SkuRow]
    unchanged: int


def _import_skus(session: Session, ctx: Context, checked: Checked, progress: Progress) -> ImportOut:
    errors = checked.errors
    parsed = [row for row in (sku_row(r, errors) for r in checked.rows) if row is not None]
    rows = once_each(parsed, lambda row: row.code, "code", "SKU", errors)
    _refuse_if_any(errors)
    repo.lock_skus(session, store.ids_by_code(session, Sku, [row.code for row in rows]).values())
    plan = _plan_skus(rows, store.sku_fields_by_code(session, [row.code for row in rows]))
    total = len(plan.created) + len(plan.updated)
    with joining(session):
        for done, row in enumerate(plan.created, 1):
            _create_sku(ctx, row)
            progress(done, total)
        for done, row in enumerate(plan.updated, len(plan.created) + 1):
            catalog_edits.edit_sku(ctx, row.code, _edit_of(row))
            progress(done, total)
    return ImportOut(
        kind=ImportKind.SKUS.value,
        rows=len(rows),
        created=len(plan.created),
        updated=len(plan.updated),
        unchanged=plan.unchanged,
        movements=0,
    )


def _plan_skus(rows: Sequence[SkuRow], existing: dict[str, tuple[int, SkuFields]]) -> _SkuPlan:
    """New SKUs, SKUs the file changes, and how many it leaves as they are (so a re-import changes nothing)."""
    created, updated, unchanged = [], [], 0
    for row in rows:
        found = existing.get(row.code)
        if found is None:
            created.append(row)
        elif imported_sku(found[1], row) == found[1]:
            unchanged += 1
        else:
            updated.append(row)
    return _SkuPlan(created, updated, unchanged)


def _edit_of(row: SkuRow) -> SkuEdit:
    """A SKU row as the catalog edit PATCH makes: the fields the file gives change, the others are kept (so the
    import writes the availability feed and its events exactly as an edit does)."""

    def sent(name: str) -> Any:
        if name not in row.given:
            return KEEP
        value = getattr(row.values, name)
        return value.value if isinstance(value, BackorderPolicy) else value

    return SkuEdit(
        name=sent("name"),
        price=sent("price"),
        backorder=sent("backorder"),
        max_wait_days=sent("max_wait_days"),
        backorder_limit_pct=sent("backorder_limit_pct"),
        release_date=sent("release_date"),
        product_url=sent("product_url"),
    )


def _create_sku(ctx: Context, row: SkuRow) -> None:
    """A new SKU through the catalog's own use case, with every field the file gives."""
    fields = imported_sku(new_sku_fields(row.code), row)
    catalog.add_sku(
        ctx,
        row.code,
        fields.name,
        fields.price,
        fields.backorder.value,
        fields.max_wait_days,
        fields.backorder_limit_pct,
        fields.release_date,
        fields.product_url,
    )


# ---------------------------------------------------------------- stock counts


def _import_counts(session: Session, ctx: Context, checked: Checked, progress: Progress) -> ImportOut:
    errors = checked.errors
    parsed = [row for row in (count_row(r, errors) for r in checked.rows) if row is not None]
    rows = once_each(parsed, lambda row: (row.sku, row.warehouse), "sku", "SKU and warehouse", errors)
    skus = _known_codes(session, checked.rows, "sku", Sku, errors)
    warehouses = _known_codes(session, checked.rows, "warehouse", Warehouse, errors)
    known = [row for row in rows if row.sku in skus and row.warehouse in warehouses]
    repo.lock_skus(session, skus.values())  # before the balances are read: nothing moves them until commit
    changes = _count_changes(session, known, skus, warehouses, errors)
    _refuse_if_any(errors)
    first = store.newest_movement_id(session)
    with joining(session):
        for done, (row, delta) in enumerate(changes, 1):
            stock.adjust_stock(ctx, row.sku, row.warehouse, delta, COUNT_REASON)
            progress(done, len(changes))
    return ImportOut(
        kind=ImportKind.STOCK.value,
        rows=len(rows),
        created=0,
        updated=len(changes),
        unchanged=len(rows) - len(changes),
        movements=store.movements_after(session, first, skus.values()),
    )


def _count_changes(
    session: Session,
    rows: Sequence[CountRow],
    skus: dict[str, int],
    warehouses: dict[str, int],
    errors: list[RowError],
) -> list[tuple[CountRow, int]]:
    """Each count that differs from the books, with its adjustment; a count the rules refuse is an error."""
    balances = store.balances_of(session, [(skus[row.sku], warehouses[row.warehouse]) for row in rows])
    changes = []
    for row in rows:
        on_hand, allocated = balances.get((skus[row.sku], warehouses[row.warehouse]), (0, 0))
        try:
            delta = adjustment_for_count(on_hand, allocated, row.counted)
            if delta:
                changes.append((row, valid.delta(delta)))
        except (ValueError, InvalidInput) as error:
            errors.append(RowError(row.line, "counted", str(error)))
    return changes


# ---------------------------------------------------------------- purchase orders


@dataclass(frozen=True)
class _PoPlan:
    po: PoImport
    po_id: int | None
    """None: a new PO."""
    steps: tuple[PoStep, ...]


def _import_purchase_orders(session: Session, ctx: Context, checked: Checked, progress: Progress) -> ImportOut:
    errors = checked.errors
    pos = group_purchase_orders([row for row in (po_row(r, errors) for r in checked.rows) if row is not None], errors)
    firsts = list({row.cell("reference"): row for row in reversed(checked.rows)}.values())  # each PO's first row
    _known_codes(session, firsts, "supplier", Supplier, errors)
    _known_codes(session, firsts, "warehouse", Warehouse, errors)
    _known_codes(session, checked.rows, "sku", Sku, errors)
    stored = _stored_pos(session, pos)
    plans = []
    for po in pos:
        found = stored.get(po.reference)
        steps = steps_to_file_state(po, found[1] if found else None, errors)
        if po.eta is not None and {PoStep.CONFIRM, PoStep.MOVE_ETA} & set(steps):
            _check_eta(po, ctx, errors)
        plans.append(_PoPlan(po, found[0] if found else None, steps))
    _refuse_if_any(errors)
    with joining(session):
        for done, plan in enumerate(plans, 1):
            _apply_po(ctx, plan)
            progress(done, len(plans))
    created = sum(plan.po_id is None for plan in plans)
    updated = sum(plan.po_id is not None and bool(plan.steps) for plan in plans)
    return ImportOut(
        kind=ImportKind.PURCHASE_ORDERS.value,
        rows=sum(len(po.lines) for po in pos),
        created=created,
        updated=updated,
        unchanged=len(plans) - created - updated,
        movements=0,
    )


def _stored_pos(session: Session, pos: Sequence[PoImport]) -> dict[str, tuple[int, StoredPo]]:
    """The stored PO each reference of the file names: the seller's reference, or `restock:N` (this shop's PO N, as an
    export names a PO without a reference; `steps_to_file_state` checks that it is the same PO)."""
    numbers = {po.reference: own_po_number(po.reference) for po in pos}
    found = store.pos_by_reference(session, [ref for ref, number in numbers.items() if number is None])
    own = store.pos_without_reference(session, [number for number in numbers.values() if number is not None])
    found.update((ref, (number, own[number])) for ref, number in numbers.items() if number in own)
    return found


def _check_eta(po: PoImport, ctx: Context, errors: list[RowError]) -> None:
    """The purchasing rule for an ETA (not past, not beyond two years), checked before anything is written."""
    assert po.eta is not None
    try:
        eta_within_reach(po.eta, ctx.clock.today())
    except InvalidInput as error:
        errors.append(RowError(po.line, "eta", str(error)))


def _apply_po(ctx: Context, plan: _PoPlan) -> None:
    po, po_id = plan.po, plan.po_id
    if po_id is None:
        lines = [(item.sku, item.ordered) for item in po.lines]
        po_id = purchasing.create_po(ctx, po.supplier, po.warehouse, lines, reference=po.reference).id
    for step in plan.steps:
        if step is PoStep.SEND:
            purchasing.send_po(ctx, po_id)
        elif step is PoStep.CONFIRM:
            assert po.eta is not None
            purchasing.confirm_po(ctx, po_id, po.eta)
        else:
            assert po.eta is not None
            purchasing.change_eta(ctx, po_id, po.eta)
