"""Open purchase orders in the plan: when each open line is expected, what a plan row counts of them, and the
words that name the POs counted (restock.planning.open_supplier: the supplier a row keeps while its PO is open).

Every open PO line counts (draft, sent, confirmed, partly received; ordered - received > 0): a draft is about
to be ordered and a sent PO is ordered, so leaving either out of the position orders again what is already on
its way, and a plan made twice drafts twice.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from restock.domain.model import POStatus
from restock.planning.columns import KEY
from restock.planning.suppliers import measured_lead_times

STATUS_WORDS = {
    POStatus.DRAFT.value: "draft",
    POStatus.SENT.value: "sent",
    POStatus.CONFIRMED.value: "confirmed",
    POStatus.PARTIALLY_RECEIVED.value: "partly received",
}
"""How the explanation names an open line's PO status (`12 sent`: 12 units to come on a sent PO)."""


@dataclass(frozen=True)
class OpenLine:
    """One open PO line a plan row counts: the PO as the product names it, units still to come, the PO's status
    and the day they are expected."""

    po: str
    quantity: int
    status: str
    expected: date


def po_label(po_id: int) -> str:
    """A PO as the CLI names it (`PO 3`): the number every `restock po` command takes."""
    return f"PO {po_id}"


def expected_arrival(lines: pd.DataFrame) -> pd.Series:
    """The day each open PO line is expected: its confirmed ETA; else the day its PO was sent (created, for a draft)
    plus its supplier's P50 lead time for the SKU (`lead_time_p50`: measured, else the quote), whole days rounded up.

    Why the P50: it is the date to expect. The lead time's spread is already in the safety stock; dating a line at
    its P90 would protect against the same lateness twice. An ETA the supplier gave without confirming it is not a
    promise, and is not used. Columns: status, confirmed, eta, created_at, sent_at (NaT: not sent; a PO that is
    not a draft but lacks it counts from its creation), lead_time_p50; the answer is a datetime column (midnight),
    aligned with `lines`.
    """
    drafted = lines["status"] == POStatus.DRAFT.value
    sent_at = pd.to_datetime(lines["sent_at"])
    created_at = pd.to_datetime(lines["created_at"])
    start = created_at.where(drafted | sent_at.isna(), sent_at).dt.normalize()
    lead = np.ceil(pd.to_numeric(lines["lead_time_p50"]).astype("float64") - 1e-9)
    counted = start + pd.to_timedelta(lead, unit="D")
    eta = pd.to_datetime(lines["eta"])
    return eta.where(lines["confirmed"].astype(bool) & eta.notna(), counted).rename("expected")


def with_expected_arrivals(lines: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """The open lines of store.planning.open_inbound with each one's P50 lead time (the supplier x SKU's measured
    one, else the supplier's, else the quote: suppliers.measured_lead_times) and its `expected` arrival."""
    pairs = lines[["sku", "supplier", "quoted_lead_time"]].drop_duplicates(["sku", "supplier"])
    lead = measured_lead_times(pairs, scores)[["sku", "supplier", "lead_time_p50"]]
    dated = lines.merge(lead, on=["sku", "supplier"], how="left")
    dated["expected"] = expected_arrival(dated)
    return dated


def with_open_lines(rows: pd.DataFrame, inbound: pd.DataFrame) -> pd.DataFrame:
    """Each row's open PO lines as OpenLine tuples, soonest first (open_lines), and the POs they are on
    (open_pos, as po_label names them); empty for a row without any."""
    ordered = inbound.sort_values(["expected", "po_id"], kind="stable")
    found = [
        (sku, warehouse, OpenLine(po_label(int(po)), int(qty), str(status), pd.Timestamp(when).date()))
        for sku, warehouse, po, qty, status, when in ordered[
            [*KEY, "po_id", "open_qty", "status", "expected"]
        ].itertuples(index=False)
    ]
    per_pair: dict[tuple[str, str], list[OpenLine]] = {}
    for sku, warehouse, line in found:
        per_pair.setdefault((sku, warehouse), []).append(line)
    keys = list(zip(rows["sku"], rows["warehouse"], strict=True))
    rows["open_lines"] = pd.Series([tuple(per_pair.get(k, ())) for k in keys], index=rows.index, dtype="object")
    labels = [list(dict.fromkeys(line.po for line in lines)) for lines in rows["open_lines"]]
    rows["open_pos"] = pd.Series(labels, index=rows.index, dtype="object")
    return rows


KEPT_WORDS = "it has the latest open PO, delivers in time and needs no new order; the cheapest in time would reorder"
"""Why a row was judged against the supplier of its latest open PO (restock.planning.open_supplier)."""


def open_po_words(row: pd.Series | dict[Hashable, Any]) -> str:
    """The open POs a row counted, for its explanation: `counted open POs: PO 3 (12 sent, expected 2026-12-09),
    ...`, and why its supplier was kept when that changed the choice; empty for a row that counts none."""
    lines: tuple[OpenLine, ...] = row.get("open_lines") or ()
    if not lines:
        return ""
    listed = ", ".join(
        f"{line.po} ({line.quantity} {STATUS_WORDS.get(line.status, line.status)}, expected {line.expected})"
        for line in lines
    )
    kept = row.get("kept_supplier") == 1
    why = f"; {row['supplier']} kept: {KEPT_WORDS}" if kept else ""
    return f"counted open POs: {listed}{why}"
