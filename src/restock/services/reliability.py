"""The supplier scorecard: how each supplier has really performed, measured from its purchase orders."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from restock.planning.reliability import scorecards
from restock.services.context import Context, use_case
from restock.store import repo
from restock.store.reliability import eta_moves, po_line_facts, supplier_codes, supplier_lateness


@dataclass(frozen=True)
class SupplierScore:
    """A supplier's figures (sku None), or one of its SKUs' with enough history. None: nothing to measure yet."""

    supplier: str
    sku: str | None
    pos: int
    received_pos: int
    lead_time_mean: float | None
    lead_time_std: float | None
    lead_time_p50: float | None
    lead_time_p90: float | None
    eta_moves_later: int
    slipped_share: float | None
    mean_slip_days: float | None
    on_time_rate: float | None
    fill_rate: float | None
    lateness_p90_days: int | None

    def to_json(self) -> dict[str, Any]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}


def load_scorecards(session: Session, ctx: Context, supplier_code: str | None = None) -> list[SupplierScore]:
    """Every supplier's scorecard (or one supplier's), from three set-based reads of the PO history."""
    known = None if supplier_code is None else repo.supplier_by_code(session, supplier_code).code
    codes = supplier_codes(session, known)
    lateness = supplier_lateness(session, ctx.clock.today())
    frame = scorecards(
        po_line_facts(session, supplier_code),
        eta_moves(session, supplier_code),
        {code: lateness.get(sid, []) for sid, code in codes.items()},
        list(codes.values()),
    )
    return [SupplierScore(**{str(k): v for k, v in row.items()}) for row in frame.to_dict("records")]


@use_case(readonly=True)
def supplier_scorecard(session: Session, ctx: Context, supplier_code: str | None = None) -> list[SupplierScore]:
    return load_scorecards(session, ctx, supplier_code)
