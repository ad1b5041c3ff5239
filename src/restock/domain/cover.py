"""The cover plan of an order line: where its units come from, or how many nothing covers.

One rule, for every use case that covers units (placing an order, re-pegging a backorder whose supply went
away): stock from the channel's warehouses in the channel's order, each within what the channel may sell of
it (`sellable`: never its safety buffer); then confirmed supply, earliest first, each PO line within the room
its cap leaves; then, only under policy `always`, the rest as an undated backorder. What is left after that
is short: the line cannot be covered.

The plan is made from a snapshot. The services apply it step by step with guarded UPDATEs; when a step loses a
race to a concurrent order they read the sources again and ask for a new plan for what is still needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from restock.domain.allocation import Take, sellable, take_in_order
from restock.domain.model import BackorderPolicy, InboundSupply, ShipWindow


@dataclass(frozen=True)
class Peg:
    """Units of a backorder promised against one PO line (or against nothing: `po_line_id` None)."""

    po_line_id: int | None
    quantity: int
    window: ShipWindow | None


@dataclass(frozen=True)
class CoverPlan:
    takes: tuple[Take[int], ...]
    """Stock to claim, per warehouse id, in the channel's order."""
    pegs: tuple[Peg, ...]
    """Supply to promise against, earliest first; an undated peg (policy `always`) last."""
    short: int
    """Units nothing covers: more than zero refuses the line."""


NO_STOCK: tuple[tuple[int, int], ...] = ()
NO_SUPPLY: tuple[InboundSupply, ...] = ()


def cover_plan(
    need: int,
    backorder: BackorderPolicy,
    stock: Sequence[tuple[int, int]] = NO_STOCK,
    safety_buffer: int = 0,
    supply: Sequence[InboundSupply] = NO_SUPPLY,
) -> CoverPlan:
    """Cover `need` units: stock first, then supply, then (policy `always`) undated; or say what is short.

    `stock`: (warehouse id, free units) in the channel's order. `supply`: promisable supply (see
    `domain.availability.promisable_supply`), whose `capacity` is the room its cap leaves.
    """
    takes, left = take_in_order(need, [(warehouse, sellable(free, safety_buffer)) for warehouse, free in stock])
    pegs: list[Peg] = []
    if left and backorder is not BackorderPolicy.NEVER:
        promised, left = take_in_order(left, [(option, option.capacity) for option in earliest_first(supply)])
        pegs = [Peg(take.source.po_line_id, take.quantity, take.source.window) for take in promised]
        if left and backorder is BackorderPolicy.ALWAYS:
            pegs.append(Peg(None, left, None))
            left = 0
    return CoverPlan(tuple(takes), tuple(pegs), left)


def earliest_first(supply: Sequence[InboundSupply]) -> list[InboundSupply]:
    """Supply by ETA (undated last), then PO line id: the earliest promise a customer can be given."""
    return sorted(supply, key=lambda s: (s.eta or date.max, s.po_line_id))
