"""The rows of the simulated year: purchase orders as the database sees them today, and shipped orders."""

from __future__ import annotations

from restock.demo.baskets import HistoricOrder
from restock.demo.bulk import Row
from restock.demo.catalog_writer import Ids
from restock.demo.fates import PoFate, PoState
from restock.demo.simulation import Sale


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


def units(sale: Sale) -> int:
    return sum(quantity for _, quantity in sale.parts)


def order_row(order: HistoricOrder, ids: Ids) -> Row:
    return {
        "id": order.id,
        "channel_id": ids.channels[order.channel],
        "email": order.email,
        "priority": 0,
        "status": "shipped",
        "placed_at": order.placed_at,
        "idempotency_key": None,
        "request_hash": None,
    }


def part_row(line_id: int, order: HistoricOrder, sale: Sale, warehouse: int, quantity: int, ids: Ids) -> Row:
    return {
        "order_line_id": line_id,
        "sku_id": ids.skus[sale.sku],
        "channel_id": ids.channels[order.channel],
        "kind": "shipped",
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
