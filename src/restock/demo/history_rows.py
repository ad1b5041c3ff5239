"""The rows of the simulated year: purchase orders as the database sees them today, shipped orders, the ledger.

One builder per table, so that the writer reads as what it writes and in which order.
"""

from __future__ import annotations

from restock.demo.baskets import HistoricOrder
from restock.demo.bulk import Row
from restock.demo.catalog_writer import Ids
from restock.demo.fates import PoFate, PoState
from restock.demo.simulation import LedgerEntry, PoLineDraft, Sale
from restock.domain.lines import PartKind
from restock.domain.model import LineStatus, OrderStatus, POStatus


def po_row(fate: PoFate, state: PoState, ids: Ids) -> Row:
    return {
        "supplier_id": ids.suppliers[fate.supplier],
        "warehouse_id": ids.warehouses[fate.warehouse],
        "status": state.status.value,
        "eta": state.eta,
        "eta_confirmed": state.confirmed_at is not None,
        "first_confirmed_eta": state.first_eta,
        "created_at": fate.created_at,
        "sent_at": fate.sent_at,
        "confirmed_at": state.confirmed_at,
        "received_at": state.received_at,
        "cancelled_at": None,
    }


def eta_change_rows(po_id: int, state: PoState) -> list[Row]:
    return [
        {"po_id": po_id, "old_eta": old, "new_eta": new_eta, "changed_at": at} for old, new_eta, at in state.eta_history
    ]


def po_line_row(po_id: int, line: PoLineDraft, state: PoState, ids: Ids) -> Row:
    return {
        "po_id": po_id,
        "sku_id": ids.skus[line.sku],
        "ordered": line.quantity,
        "received": line.quantity if state.status is POStatus.RECEIVED else 0,
        "promised": 0,
        # as confirm_po leaves them: a confirmed PO's lines are open for promises
        "promisable": state.status is POStatus.CONFIRMED,
    }


def _units(sale: Sale) -> int:
    return sum(quantity for _, quantity in sale.parts)


def order_row(order: HistoricOrder, ids: Ids) -> Row:
    return {
        "id": order.id,
        "channel_id": ids.channels[order.channel],
        "email": order.email,
        "priority": 0,
        "status": OrderStatus.SHIPPED.value,
        "placed_at": order.placed_at,
        "idempotency_key": None,
        "request_hash": None,
    }


def part_row(line_id: int, order: HistoricOrder, sale: Sale, warehouse: int, quantity: int, ids: Ids) -> Row:
    return {
        "order_line_id": line_id,
        "sku_id": ids.skus[sale.sku],
        "channel_id": ids.channels[order.channel],
        "kind": PartKind.SHIPPED.value,
        "quantity": quantity,
        "warehouse_id": ids.warehouses[warehouse],
        "po_line_id": None,
        "priority": 0,
        "placed_at": order.placed_at,
        "window_earliest": None,
        "window_latest": None,
        "promised_latest": None,
        "delayed": False,
        "filled_by": None,
    }


def order_line_row(order: HistoricOrder, sale: Sale, ids: Ids) -> Row:
    return {
        "order_id": order.id,
        "sku_id": ids.skus[sale.sku],
        "quantity": _units(sale),
        "status": LineStatus.SHIPPED.value,
    }


def movement_row(entry: LedgerEntry, po_ids: dict[int, int], ids: Ids) -> Row:
    """One movement; a receipt's ref names its PO, whose id is known only once the PO is written (`po_ids`)."""
    return {
        "sku_id": ids.skus[entry.sku],
        "warehouse_id": ids.warehouses[entry.warehouse],
        "kind": entry.kind,
        "on_hand_delta": entry.on_hand_delta,
        "allocated_delta": entry.allocated_delta,
        "reason": entry.reason,
        "ref": f"po:{po_ids[entry.fate]}" if entry.fate >= 0 else entry.ref,
        "created_at": entry.at,
    }


def stock_rows(entries: list[LedgerEntry], ids: Ids) -> list[Row]:
    """The balances as the sums of the movements: the two agree because one is computed from the other."""
    balances: dict[tuple[int, int], list[int]] = {}
    for e in entries:
        balance = balances.setdefault((e.sku, e.warehouse), [0, 0])
        balance[0] += e.on_hand_delta
        balance[1] += e.allocated_delta
    return [
        {"sku_id": ids.skus[s], "warehouse_id": ids.warehouses[w], "on_hand": on_hand, "allocated": held}
        for (s, w), (on_hand, held) in sorted(balances.items())
    ]
