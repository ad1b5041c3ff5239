"""The demand CSV a seller brings from another system: `sku,date,quantity[,warehouse,channel]`.

Parsing is pure and checks every row before anything is stored: a file with one bad row is refused
whole, and the message names the lines at fault, so the seller can fix the file and import it again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from restock.domain.errors import InvalidInput

REQUIRED = ("sku", "date", "quantity")
OPTIONAL = ("warehouse", "channel")
MAX_QUANTITY = 1_000_000
ERRORS_SHOWN = 5


@dataclass(frozen=True)
class DemandRecord:
    line: int
    sku: str
    day: date
    quantity: int
    warehouse: str | None
    channel: str | None


def parse_demand_csv(text: str, *, today: date) -> list[DemandRecord]:
    """Every row of the file, checked; raises InvalidInput listing the first few problems."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    _check_header(reader.fieldnames)
    records: list[DemandRecord] = []
    problems: list[str] = []
    seen: dict[tuple[str, date, str | None, str | None], int] = {}
    for row in reader:
        line = reader.line_num
        try:
            record = _record(row, line, today)
        except ValueError as error:
            problems.append(f"line {line}: {error}")
            continue
        key = (record.sku, record.day, record.warehouse, record.channel)
        if key in seen:
            problems.append(f"line {line}: the same SKU, date, warehouse and channel as line {seen[key]}")
            continue
        seen[key] = line
        records.append(record)
    if problems:
        more = f" (and {len(problems) - ERRORS_SHOWN} more)" if len(problems) > ERRORS_SHOWN else ""
        raise InvalidInput("demand file refused, nothing imported: " + "; ".join(problems[:ERRORS_SHOWN]) + more)
    if not records:
        raise InvalidInput("demand file refused: it has a header but no rows")
    return records


def _check_header(fields: Sequence[str] | None) -> None:
    if not fields:
        raise InvalidInput("demand file refused: it is empty (expected a header sku,date,quantity[,warehouse,channel])")
    names = [f.strip() for f in fields]
    missing = [c for c in REQUIRED if c not in names]
    unknown = [c for c in names if c not in REQUIRED + OPTIONAL]
    if missing or unknown:
        detail = ", ".join(
            part
            for part in (
                f"missing columns {missing}" if missing else "",
                f"unknown columns {unknown}" if unknown else "",
            )
            if part
        )
        raise InvalidInput(f"demand file refused: {detail} (expected sku,date,quantity[,warehouse,channel])")


def _record(row: dict[str | None, str | None], line: int, today: date) -> DemandRecord:
    if None in row:
        raise ValueError("more values than columns")
    values = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
    sku = values.get("sku", "")
    if not sku:
        raise ValueError("the sku is empty")
    try:
        day = date.fromisoformat(values.get("date", ""))
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD): {values.get('date')!r}") from None
    if day > today:
        raise ValueError(f"the date {day} is in the future: demand history ends today ({today})")
    raw = values.get("quantity", "")
    try:
        quantity = int(raw)
    except ValueError:
        raise ValueError(f"the quantity {raw!r} is not a whole number") from None
    if not 0 <= quantity <= MAX_QUANTITY:
        raise ValueError(f"the quantity {quantity} is outside 0..{MAX_QUANTITY}")
    return DemandRecord(line, sku, day, quantity, values.get("warehouse") or None, values.get("channel") or None)
