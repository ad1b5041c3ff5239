"""Checking a CSV import before anything is stored: every row becomes a typed value or the errors it has.

A seller moves a catalog, a stock count or open purchase orders in from another system as CSV. The whole file
is read and checked first and every error in it is named at once (line, column, why), so the file can be fixed
in one go; a file with any error changes nothing. The shapes (column names) are the ones `restock export`
writes, so an export imports back. This module is pure: reading the text, the cell rules and the decisions
(what a SKU row changes, what a count moves, which steps bring a purchase order where the file says) are here;
`restock.services.imports` looks codes up, adds the errors only the database can tell, and applies the rest.

A cell is checked by the very rule the API and the CLI use (`restock.domain.catalog`, `restock.domain.validation`),
never by a second copy of it.
"""

from __future__ import annotations

import csv
import enum
import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from restock.domain import catalog
from restock.domain import validation as valid
from restock.domain.errors import InvalidInput
from restock.domain.model import MAX_QUANTITY, BackorderPolicy, POStatus, SkuPolicy

T = TypeVar("T")


class ImportKind(enum.StrEnum):
    SKUS = "skus"
    STOCK = "stock"
    PURCHASE_ORDERS = "purchase-orders"


class ExportKind(enum.StrEnum):
    SKUS = "skus"
    STOCK = "stock"
    ORDERS = "orders"
    PURCHASE_ORDERS = "purchase-orders"


SKU_COLUMNS = (
    "code",
    "name",
    "price",
    "backorder_policy",
    "max_wait_days",
    "backorder_limit_pct",
    "release_date",
    "product_url",
)
STOCK_COLUMNS = ("sku", "warehouse", "counted")
PO_COLUMNS = ("reference", "supplier", "warehouse", "status", "eta", "eta_confirmed", "sku", "ordered", "received")
ORDER_COLUMNS = (
    "id",
    "channel",
    "external_ref",
    "email",
    "placed_at",
    "status",
    "sku",
    "quantity",
    "allocated",
    "backordered",
    "shipped",
    "cancelled",
)
"""Orders are exported only: they come in through the order API, which holds every rule of placing one."""

COLUMNS: Mapping[str, tuple[str, ...]] = {
    ExportKind.SKUS: SKU_COLUMNS,
    ExportKind.STOCK: STOCK_COLUMNS,
    ExportKind.ORDERS: ORDER_COLUMNS,
    ExportKind.PURCHASE_ORDERS: PO_COLUMNS,
}
REQUIRED: Mapping[ImportKind, tuple[str, ...]] = {
    ImportKind.SKUS: ("code",),
    ImportKind.STOCK: STOCK_COLUMNS,
    ImportKind.PURCHASE_ORDERS: ("reference", "supplier", "warehouse", "sku", "ordered"),
}
"""The columns a file must have; another listed column may be left out (see each row type for what that means)."""

MAX_REFERENCE_LENGTH = 100
COUNT_REASON = "count"
"""The reason on every adjustment a stock import writes: the warehouse counted, the books follow."""


@dataclass(frozen=True, order=True)
class RowError:
    """One thing wrong in the file: its line (the header is line 1), its column (None: the whole row), why."""

    line: int
    column: str | None
    why: str

    def text(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.why}"

    def to_json(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "why": self.why}


ERRORS_LISTED = 1000
"""The most errors one refusal lists (a file of a million bad rows must not make a million-entry answer)."""


class ImportRefused(InvalidInput):
    """A file with errors: none of it was imported. Carries every error found (up to `ERRORS_LISTED`)."""

    code = "import_refused"

    def __init__(self, errors: Sequence[RowError]) -> None:
        ordered = sorted(errors)
        self.errors = ordered[:ERRORS_LISTED]
        self.total = len(ordered)
        listed = "" if self.total <= ERRORS_LISTED else f" (the first {ERRORS_LISTED} are listed)"
        s = "" if self.total == 1 else "s"
        super().__init__(f"the file has {self.total} error{s}{listed}; nothing was imported")


# ---------------------------------------------------------------- reading the text


@dataclass(frozen=True)
class CsvRow:
    line: int
    cells: Mapping[str, str]

    def has(self, column: str) -> bool:
        return column in self.cells

    def cell(self, column: str) -> str:
        """The cell, trimmed; "" for an empty cell or a column the file leaves out."""
        return self.cells.get(column, "").strip()


@dataclass
class Checked:
    """What reading and checking a file found: the rows read, and every error so far."""

    rows: list[CsvRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_table(text: str, kind: ImportKind) -> Checked:
    """The rows of a CSV file with a header row; the header's errors and the rows' shape errors, all of them."""
    checked = Checked()
    expected = COLUMNS[kind]
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(name.strip() for name in header):
            checked.errors.append(RowError(1, None, f"the file is empty: it needs a header row ({','.join(expected)})"))
            return checked
        names = [name.strip() for name in header]
        if not set(names) & set(expected):
            why = f"the first line must be the header row ({','.join(expected)}), not {','.join(names)[:80]!r}"
            checked.errors.append(RowError(1, None, why))
            return checked
        checked.errors.extend(_header_errors(names, kind))
        if any(name not in names for name in REQUIRED[kind]):
            return checked  # every row would miss the same cells: the header's errors say it once
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # a blank line
            if len(cells) != len(names):
                why = f"{len(cells)} values, but the header has {len(names)} columns"
                checked.errors.append(RowError(reader.line_num, None, why))
                continue
            checked.rows.append(CsvRow(reader.line_num, dict(zip(names, cells, strict=True))))
    except csv.Error as error:
        checked.errors.append(RowError(reader.line_num or 1, None, f"not readable as CSV: {error}"))
    return checked


def _header_errors(names: list[str], kind: ImportKind) -> Iterator[RowError]:
    expected = COLUMNS[kind]
    seen: set[str] = set()
    for name in names:
        if name not in expected:
            yield RowError(1, name or None, f"unknown column {name!r} (the columns are {','.join(expected)})")
        elif name in seen:
            yield RowError(1, name, "this column appears twice")
        seen.add(name)
    for name in REQUIRED[kind]:
        if name not in seen:
            yield RowError(1, name, "this column is missing from the header")


class _Cells:
    """Reads the cells of one row, each through its rule; a cell that breaks its rule adds an error."""

    def __init__(self, row: CsvRow, errors: list[RowError]) -> None:
        self.row, self.errors, self.bad = row, errors, False

    def take(self, column: str, rule: Callable[[str], T]) -> T | None:
        try:
            return rule(self.row.cell(column))
        except (InvalidInput, ValueError) as error:
            self.errors.append(RowError(self.row.line, column, str(error)))
            self.bad = True
            return None

    def given(self, column: str) -> bool:
        """The file says something here: the column is in the header and the cell is not empty."""
        return self.row.cell(column) != ""


class _Lined(Protocol):
    @property
    def line(self) -> int: ...


L = TypeVar("L", bound=_Lined)


def once_each(rows: Sequence[L], key: Callable[[L], object], column: str, what: str, errors: list[RowError]) -> list[L]:
    """A file names each thing once: a second row about it is an error (which of the two would be meant?)."""
    first_line: dict[object, int] = {}
    kept = []
    for row in rows:
        first = first_line.setdefault(key(row), row.line)
        if first == row.line:
            kept.append(row)
        else:
            errors.append(RowError(row.line, column, f"line {first} is about the same {what} already"))
    return kept


# ---------------------------------------------------------------- cell rules


def whole_number(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{raw[:40]!r} is not a whole number") from None


def iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(f"{raw[:40]!r} is not a date (YYYY-MM-DD)") from None


def optional_date(raw: str) -> date | None:
    return iso_date(raw) if raw else None


def flag(raw: str) -> bool | None:
    """true/false (also yes/no, 1/0); empty: not said."""
    spelled = raw.lower()
    if spelled in ("", "true", "false", "yes", "no", "1", "0"):
        return None if not spelled else spelled in ("true", "yes", "1")
    raise ValueError(f"{raw[:40]!r} is not true or false")


OWN_NUMBER_PREFIX = "restock:"
"""How an export names a PO that has no reference of the seller's: `restock:42` is this shop's PO number 42. The
reference rule refuses this prefix for the seller's own references, so the two never collide."""
_OWN_NUMBER = re.compile(r"restock:([1-9][0-9]{0,17})")


def reference(raw: str) -> str:
    """A purchase order's number in the seller's own system: 1-100 printable characters, not starting with
    `restock:` (restock writes its own PO numbers so, see `own_reference`). The API, the CLI and an import check
    a reference by this one rule."""
    if not raw or len(raw) > MAX_REFERENCE_LENGTH or not raw.isprintable():
        raise InvalidInput(f"a reference is 1-{MAX_REFERENCE_LENGTH} printable characters")
    if raw.lower().startswith(OWN_NUMBER_PREFIX):
        raise InvalidInput(f"a reference may not start with {OWN_NUMBER_PREFIX!r}: restock names its own POs so")
    return raw


def own_reference(po_id: int) -> str:
    """The reference an export writes for a PO without one of the seller's: this shop's PO number."""
    return f"{OWN_NUMBER_PREFIX}{po_id}"


def exported_reference(reference: str | None, po_id: int) -> str:
    """A PO's reference cell in an export: the seller's reference, else this shop's PO number (`own_reference`),
    so every exported PO is found again when its file is imported back."""
    return reference if reference is not None else own_reference(po_id)


def own_po_number(raw: str) -> int | None:
    """The PO number of a `restock:N` cell (this shop's PO N, written by an export); None for a seller's reference."""
    if not raw.lower().startswith(OWN_NUMBER_PREFIX):
        return None
    found = _OWN_NUMBER.fullmatch(raw.lower())
    if found is None:
        raise InvalidInput(f"{raw[:40]!r} is not a PO number of restock's (restock:N, N a whole number from 1)")
    return int(found.group(1))


def file_reference(raw: str) -> str:
    """A reference cell of an import: the seller's reference (`reference`) or this shop's PO number, `restock:N`."""
    if own_po_number(raw) is None:
        reference(raw)
    return raw


def product_url(raw: str) -> str | None:
    """Where a shopper finds the product on the shop, by the catalog's rule (`domain.catalog.product_url`); empty:
    none."""
    return catalog.product_url(raw) if raw else None


def release_date(raw: str) -> date | None:
    """When the product is released, by the catalog's rule (`domain.catalog.release_date`); empty: none."""
    return catalog.release_date(iso_date(raw)) if raw else None


def count(raw: str) -> int:
    """A counted quantity: what is on the shelf, 0 included."""
    counted = whole_number(raw)
    if not 0 <= counted <= MAX_QUANTITY:
        raise ValueError(f"a count must be a whole number from 0 to {MAX_QUANTITY}, got {counted}")
    return counted


# ---------------------------------------------------------------- SKUs


@dataclass(frozen=True)
class SkuFields:
    """Everything an import may set on a SKU."""

    name: str
    price: Decimal
    backorder: BackorderPolicy
    max_wait_days: int
    backorder_limit_pct: int
    release_date: date | None
    product_url: str | None


def new_sku_fields(code: str) -> SkuFields:
    """What a SKU the file creates has where the file says nothing: the catalog's defaults."""
    policy = SkuPolicy()
    return SkuFields(code, Decimal("0"), policy.backorder, policy.max_wait_days, policy.backorder_limit_pct, None, None)


@dataclass(frozen=True)
class SkuRow:
    """One SKU as the file gives it; `given` names the fields the file sets."""

    line: int
    code: str
    values: SkuFields
    given: frozenset[str]


CLEARABLE = frozenset({"release_date", "product_url"})
"""Fields whose empty cell means 'none' (a SKU may have no release date or page); elsewhere empty keeps the value."""


def sku_row(row: CsvRow, errors: list[RowError]) -> SkuRow | None:
    """A SKU row, or None with its errors added: every cell is checked, not only up to the first bad one."""
    cells = _Cells(row, errors)
    code = cells.take("code", lambda v: valid.code(v, "SKU code"))
    default = SkuPolicy()
    changes: dict[str, Any] = {}

    def setting(column: str, attribute: str, rule: Callable[[str], Any]) -> None:
        if cells.given(column) or (attribute in CLEARABLE and row.has(column)):
            changes[attribute] = cells.take(column, rule)

    def policy(backorder: str = default.backorder.value, wait: str = "", limit: str = "") -> SkuPolicy:
        """One policy field checked by the catalog's rule, the other two at their defaults."""
        max_wait = whole_number(wait) if wait else default.max_wait_days
        return catalog.parse_policy(backorder, max_wait, whole_number(limit) if limit else default.backorder_limit_pct)

    setting("name", "name", valid.name)
    setting("price", "price", catalog.parse_price)
    setting("backorder_policy", "backorder", lambda v: policy(backorder=v).backorder)
    setting("max_wait_days", "max_wait_days", lambda v: policy(wait=v).max_wait_days)
    setting("backorder_limit_pct", "backorder_limit_pct", lambda v: policy(limit=v).backorder_limit_pct)
    setting("release_date", "release_date", release_date)
    setting("product_url", "product_url", product_url)
    if cells.bad or code is None:
        return None
    return SkuRow(row.line, code, replace(new_sku_fields(code), **changes), frozenset(changes))


def imported_sku(current: SkuFields, row: SkuRow) -> SkuFields:
    """A SKU after its row: the fields the file sets, the others as they were."""
    return replace(current, **{name: getattr(row.values, name) for name in row.given})


# ---------------------------------------------------------------- stock counts


@dataclass(frozen=True)
class CountRow:
    line: int
    sku: str
    warehouse: str
    counted: int


def count_row(row: CsvRow, errors: list[RowError]) -> CountRow | None:
    cells = _Cells(row, errors)
    sku = cells.take("sku", lambda v: valid.code(v, "SKU code"))
    warehouse = cells.take("warehouse", lambda v: valid.code(v, "warehouse code"))
    counted = cells.take("counted", count)
    if sku is None or warehouse is None or counted is None:
        return None
    return CountRow(row.line, sku, warehouse, counted)


def adjustment_for_count(on_hand: int, allocated: int, counted: int) -> int:
    """A count sets on-hand to what was counted: the adjustment is the difference. A count below what is
    allocated is refused: those units are promised to customers, and the books would say the shelf holds less
    than they were given (cancel or ship those orders first, then count)."""
    if counted < allocated:
        raise ValueError(
            f"counted {counted}, but {allocated} are allocated to customers' orders; "
            "cancel or ship those first (a count may not take units promised to customers)"
        )
    return counted - on_hand


# ---------------------------------------------------------------- purchase orders


@dataclass(frozen=True)
class PoLineRow:
    line: int
    sku: str
    ordered: int
    received: int


@dataclass(frozen=True)
class PoRow:
    line: int
    reference: str
    supplier: str
    warehouse: str
    status: POStatus
    eta: date | None
    eta_confirmed: bool | None
    item: PoLineRow


def po_row(row: CsvRow, errors: list[RowError]) -> PoRow | None:
    cells = _Cells(row, errors)
    ref = cells.take("reference", file_reference)
    supplier = cells.take("supplier", lambda v: valid.code(v, "supplier code"))
    warehouse = cells.take("warehouse", lambda v: valid.code(v, "warehouse code"))
    status = cells.take("status", _po_status)
    eta = cells.take("eta", optional_date)
    confirmed = cells.take("eta_confirmed", flag)
    sku = cells.take("sku", lambda v: valid.code(v, "SKU code"))
    ordered = cells.take("ordered", lambda v: valid.quantity(whole_number(v), "the ordered quantity"))
    received = cells.take("received", lambda v: whole_number(v) if v else 0)
    if received is not None and ordered is not None and not 0 <= received <= ordered:
        errors.append(RowError(row.line, "received", f"received {received} is not between 0 and ordered {ordered}"))
        return None
    if ref is None or supplier is None or warehouse is None or status is None or sku is None:
        return None
    if cells.bad or ordered is None or received is None:
        return None
    item = PoLineRow(row.line, sku, ordered, received)
    return PoRow(row.line, ref, supplier, warehouse, status, eta, confirmed, item)


def _po_status(raw: str) -> POStatus:
    try:
        return POStatus(raw or POStatus.DRAFT.value)
    except ValueError:
        raise ValueError(f"{raw[:40]!r} is not a status ({', '.join(s.value for s in POStatus)})") from None


@dataclass(frozen=True)
class PoImport:
    """One purchase order of the file: its header (from its first row) and its lines."""

    line: int
    reference: str
    supplier: str
    warehouse: str
    status: POStatus
    eta: date | None
    eta_confirmed: bool | None
    lines: tuple[PoLineRow, ...]


_HEADER_FIELDS = ("supplier", "warehouse", "status", "eta", "eta_confirmed")


def group_purchase_orders(rows: Sequence[PoRow], errors: list[RowError]) -> list[PoImport]:
    """Rows with the same reference are one PO's lines (in file order); every line must agree on the PO's
    supplier, warehouse, status and ETA, and a SKU appears once per PO."""
    firsts: dict[str, PoRow] = {}
    lines: dict[str, list[PoLineRow]] = {}
    for row in rows:
        first = firsts.setdefault(row.reference, row)
        clashes = [name for name in _HEADER_FIELDS if getattr(row, name) != getattr(first, name)]
        for name in clashes:
            said = getattr(first, name)
            why = f"line {first.line} gives PO {row.reference!r} {name} {_shown(said)}: every line of a PO must agree"
            errors.append(RowError(row.line, name, why))
        twice = next((item for item in lines.get(row.reference, []) if item.sku == row.item.sku), None)
        if twice is not None:
            why = f"SKU {row.item.sku} is on PO {row.reference!r} already (line {twice.line}): one line per SKU"
            errors.append(RowError(row.line, "sku", why))
        if not clashes and twice is None:
            lines.setdefault(row.reference, []).append(row.item)
    return [
        PoImport(f.line, ref, f.supplier, f.warehouse, f.status, f.eta, f.eta_confirmed, tuple(lines.get(ref, ())))
        for ref, f in firsts.items()
    ]


def _shown(value: object) -> str:
    return "(empty)" if value is None else str(value)


class PoStep(enum.StrEnum):
    """What the import does to bring a PO to the file's state, through the purchasing use cases."""

    SEND = "send"
    CONFIRM = "confirm"
    MOVE_ETA = "move_eta"


@dataclass(frozen=True)
class StoredPo:
    """A PO already in restock under the file's reference, as the comparison needs it."""

    supplier: str
    warehouse: str
    status: POStatus
    eta: date | None
    eta_confirmed: bool
    lines: Mapping[str, tuple[int, int]]
    """(ordered, received) per SKU code."""


CREATABLE = (POStatus.DRAFT, POStatus.SENT, POStatus.CONFIRMED)
_FORWARD = {
    (POStatus.DRAFT, POStatus.SENT): (PoStep.SEND,),
    (POStatus.DRAFT, POStatus.CONFIRMED): (PoStep.CONFIRM,),
    (POStatus.SENT, POStatus.CONFIRMED): (PoStep.CONFIRM,),
}
_DATED = frozenset({POStatus.SENT, POStatus.CONFIRMED, POStatus.PARTIALLY_RECEIVED})
"""Statuses whose ETA may move (`services.purchasing.change_eta`)."""


def steps_to_file_state(po: PoImport, stored: StoredPo | None, errors: list[RowError]) -> tuple[PoStep, ...]:
    """How a PO gets to what the file says: created ones start as drafts; a status only moves forward (draft,
    sent, confirmed); an ETA moves where a PO has one. Receipts and cancellations are not imported (they move
    stock and promises: `restock po receive`, `restock po cancel`): a received, partially received or cancelled
    PO is accepted when it matches the stored one, and refused when new (`_NOT_CREATED`); lines of an existing PO
    are not changed. A `restock:N` reference finds this shop's PO N, and only if it is that PO (`same_po`)."""
    found = len(errors)
    own_number = own_po_number(po.reference)
    if own_number is not None and (stored is None or not same_po(po, stored)):
        errors.append(RowError(po.line, "reference", _not_this_shops(po.reference, own_number)))
        return ()
    current = stored or StoredPo(po.supplier, po.warehouse, POStatus.DRAFT, None, False, {})
    if stored is None:
        _check_new(po, errors)
        if po.status not in CREATABLE:
            return ()
    else:
        _check_same_po(po, stored, errors)
    steps: tuple[PoStep, ...] = ()
    if po.status != current.status:
        steps = _FORWARD.get((current.status, po.status), ())
        if not steps:
            why = f"PO {po.reference!r} is {current.status}; an import only moves a PO forward to sent or confirmed"
            errors.append(RowError(po.line, "status", why))
    confirmed_after = po.status == POStatus.CONFIRMED if steps else current.eta_confirmed
    if po.eta_confirmed is not None and po.eta_confirmed != confirmed_after:
        why = (
            "an ETA is confirmed by confirming the PO (status confirmed)"
            if po.eta_confirmed
            else "this PO's ETA is confirmed: write true, or leave the cell empty"
        )
        errors.append(RowError(po.line, "eta_confirmed", why))
    eta_after = current.eta if PoStep.CONFIRM not in steps else po.eta
    if po.status == POStatus.CONFIRMED and po.eta is None:
        errors.append(RowError(po.line, "eta", "a confirmed purchase order needs an ETA"))
    elif po.eta != eta_after:
        if po.eta is None:
            errors.append(RowError(po.line, "eta", f"PO {po.reference!r} has ETA {eta_after}: an ETA is not removed"))
        elif po.status in _DATED:
            steps += (PoStep.MOVE_ETA,)
        else:
            errors.append(RowError(po.line, "eta", f"a {po.status} purchase order's ETA cannot be set by import"))
    return steps if len(errors) == found else ()


def same_po(po: PoImport, stored: StoredPo) -> bool:
    """A `restock:N` row names this shop's PO N only if it is that PO: the same supplier, warehouse and lines (SKUs
    and ordered quantities, which never change). Another shop's PO N is, almost surely, another PO."""
    ordered = {item.sku: item.ordered for item in po.lines}
    return (po.supplier, po.warehouse) == (stored.supplier, stored.warehouse) and ordered == {
        sku: quantities[0] for sku, quantities in stored.lines.items()
    }


def _not_this_shops(reference: str, number: int) -> str:
    return (
        f"{reference!r} is restock's number of a PO in the shop that exported it, and this shop's PO {number} "
        "is not that PO (none, or another supplier, warehouse or lines): give it a reference of your own to load "
        "it elsewhere"
    )


_NOT_CREATED = {
    POStatus.PARTIALLY_RECEIVED: (
        "an import does not create a partially received PO: its received units are stock, which the stock count "
        "brings (`restock import stock`); import what is still open as a confirmed PO (ordered = what is still "
        "to come, received 0)"
    ),
    POStatus.RECEIVED: (
        "an import does not create a received PO: its units are stock, which the stock count brings "
        "(`restock import stock`); leave its rows out"
    ),
    POStatus.CANCELLED: "an import does not create a cancelled PO: it carries nothing; leave its rows out",
}
"""Why a PO the shop does not have yet is refused in these statuses: creating it would book its receipts again as
arrivals (the stock file counts them already) or make an empty record. One that matches a stored PO is accepted."""


def _check_new(po: PoImport, errors: list[RowError]) -> None:
    if po.status not in CREATABLE:
        errors.append(RowError(po.line, "status", _NOT_CREATED[po.status]))
    for item in po.lines:
        if item.received:
            why = "a new PO has received nothing: book arrivals with `restock po receive`"
            errors.append(RowError(item.line, "received", why))


def _check_same_po(po: PoImport, stored: StoredPo, errors: list[RowError]) -> None:
    """A PO found by its reference keeps its supplier, warehouse and lines: the file must say the same."""
    for name in ("supplier", "warehouse"):
        if getattr(po, name) != getattr(stored, name):
            why = f"PO {po.reference!r} exists with {name} {getattr(stored, name)}; an import does not change it"
            errors.append(RowError(po.line, name, why))
    for item in po.lines:
        if item.sku not in stored.lines:
            why = f"PO {po.reference!r} has no line for {item.sku}; an import does not change an existing PO's lines"
            errors.append(RowError(item.line, "sku", why))
            continue
        ordered, received = stored.lines[item.sku]
        if item.ordered != ordered:
            why = f"PO {po.reference!r} ordered {ordered} of {item.sku}; an import does not change it"
            errors.append(RowError(item.line, "ordered", why))
        if item.received != received:
            why = (
                f"PO {po.reference!r} received {received} of {item.sku}; receipts are booked with `restock po receive`"
            )
            errors.append(RowError(item.line, "received", why))
    left_out = sorted(set(stored.lines) - {item.sku for item in po.lines})
    if left_out:
        why = f"PO {po.reference!r} also has lines for {', '.join(left_out)}, which the file leaves out"
        errors.append(RowError(po.line, "sku", why))


# ---------------------------------------------------------------- writing


def cell_of(value: object) -> str:
    """A value as an exported cell, in the form its import reads: empty for none, ISO dates, true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, datetime):  # stored naive, in UTC
        return value.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def write_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A CSV file with a header row (RFC 4180 quoting; lines end with \\n)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([cell_of(value) for value in row] for row in rows)
    return buffer.getvalue()
