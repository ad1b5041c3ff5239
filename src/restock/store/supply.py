"""Inbound supply and promise capacity on PO lines, changed only by guarded UPDATEs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from restock.domain.model import PROMISABLE_PO_STATUSES, promise_cap
from restock.store.schema import ChannelWarehouse, POLine, PurchaseOrder, Supplier


@dataclass(frozen=True)
class OpenPOLine:
    po_line_id: int
    po_id: int
    warehouse_id: int
    eta: date | None
    eta_confirmed: bool
    ordered: int
    received: int
    promised: int
    lateness_p90_days: int | None


def open_supply_for_channel(session: Session, sku_id: int, channel_id: int) -> list[OpenPOLine]:
    """Confirmed-status PO lines of a SKU arriving at a warehouse that serves the channel."""
    return open_supply_for_skus(session, [sku_id], channel_id).get(sku_id, [])


def open_supply_for_skus(session: Session, sku_ids: Sequence[int], channel_id: int) -> dict[int, list[OpenPOLine]]:
    """The same for many SKUs in one query (a product listing page), per SKU, earliest ETA first."""
    rows = session.execute(
        select(
            POLine.sku_id,
            POLine.id,
            PurchaseOrder.id,
            PurchaseOrder.warehouse_id,
            PurchaseOrder.eta,
            PurchaseOrder.eta_confirmed,
            POLine.ordered,
            POLine.received,
            POLine.promised,
            Supplier.lateness_p90_days,
        )
        .join(PurchaseOrder, POLine.po_id == PurchaseOrder.id)
        .join(Supplier, PurchaseOrder.supplier_id == Supplier.id)
        .join(ChannelWarehouse, ChannelWarehouse.warehouse_id == PurchaseOrder.warehouse_id)
        .where(
            POLine.sku_id.in_(sku_ids),
            ChannelWarehouse.channel_id == channel_id,
            PurchaseOrder.status.in_([s.value for s in PROMISABLE_PO_STATUSES]),
            POLine.promisable.is_(True),
        )
        .order_by(PurchaseOrder.eta, POLine.id)
    )
    found: dict[int, list[OpenPOLine]] = {}
    for sku_id, *line in rows:
        found.setdefault(sku_id, []).append(OpenPOLine(*line))
    return found


def reserve_promise(session: Session, po_line_id: int, quantity: int, backorder_limit_pct: int) -> bool:
    """Promise `quantity` more units of a PO line, only if the capped open quantity still has room.

    The cap, (ordered - received) x limit rounded down, is evaluated inside the UPDATE, so concurrent
    orders cannot promise the same inbound unit twice (invariant 1).
    """
    cap = (POLine.ordered - POLine.received) * backorder_limit_pct // 100
    result = session.execute(
        update(POLine)
        .where(POLine.id == po_line_id, POLine.promisable.is_(True), POLine.promised + quantity <= cap)
        .values(promised=POLine.promised + quantity)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def open_for_promises(session: Session, po_id: int, promisable: bool) -> None:
    """Open (confirmed) or close (cancelled) a PO's lines for new promises; also takes their row locks."""
    session.execute(update(POLine).where(POLine.po_id == po_id).values(promisable=promisable))


def release_promise(session: Session, po_line_id: int, quantity: int) -> None:
    session.execute(update(POLine).where(POLine.id == po_line_id).values(promised=POLine.promised - quantity))


def room_on(session: Session, po_line_id: int, backorder_limit_pct: int) -> int:
    """Promise capacity left on a PO line as of now (after a guarded UPDATE lost a race)."""
    ordered, received, promised, promisable = session.execute(
        select(POLine.ordered, POLine.received, POLine.promised, POLine.promisable).where(POLine.id == po_line_id)
    ).one()
    return promise_cap(ordered, received, backorder_limit_pct) - int(promised) if promisable else 0


def set_supplier_lateness(session: Session, supplier_id: int, lateness_p90_days: int | None) -> None:
    """Keep a supplier's measured P90 lateness on its row, so availability answers read it, not recompute it."""
    session.execute(update(Supplier).where(Supplier.id == supplier_id).values(lateness_p90_days=lateness_p90_days))
