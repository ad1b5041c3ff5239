"""The rows of a placed order (`domain.placed`): the one place that knows which column holds what.

Both order paths (the general one, `store.orders.insert_order` and `insert_parts`, and PostgreSQL's
one statement, `store.orders.claim_and_place`) write these rows, and re-pegged backorders too.
"""

from __future__ import annotations

from typing import Any

from restock.domain.placed import Backorder, PlacedLine, PlacedOrder, PlacedPart


def order_row(order: PlacedOrder) -> dict[str, Any]:
    return {
        "id": order.id,
        "channel_id": order.channel_id,
        "email": order.email,
        "priority": order.priority,
        "status": order.status.value,
        "placed_at": order.placed_at,
        "idempotency_key": order.idempotency_key,
        "request_hash": order.request_hash,
        **order_details_row(order),
    }


def order_details_row(order: PlacedOrder) -> dict[str, Any]:
    """What the shop says about the order besides its lines: its number, the customer's name, where it goes and
    how it ships. Always every column (both order paths build their statements from one set of columns)."""
    address = order.delivery_address
    policy = order.shipping_policy
    return {
        "external_ref": order.external_ref,
        "customer_name": order.customer_name,
        "delivery_address": None if address is None else address.present(),
        "shipping_policy": None if policy is None else policy.value,
    }


def line_row(order: PlacedOrder, line: PlacedLine) -> dict[str, Any]:
    return {"order_id": order.id, "sku_id": line.sku_id, "quantity": line.quantity, "status": line.status.value}


def part_row(who: Backorder, part: PlacedPart) -> dict[str, Any]:
    """The row of one part of the line `who` describes."""
    window = part.window
    return {
        "order_line_id": who.order_line_id,
        "sku_id": who.sku_id,
        "channel_id": who.channel_id,
        "kind": part.kind.value,
        "quantity": part.quantity,
        "warehouse_id": part.warehouse_id,
        "po_line_id": part.po_line_id,
        "priority": who.priority,
        "placed_at": who.placed_at,
        "window_earliest": window.earliest if window else None,
        "window_latest": window.latest if window else None,
        "promised_latest": part.promised_latest,
        "delayed": part.delayed,
    }


def owner_of(order: PlacedOrder, line: PlacedLine, line_id: int) -> Backorder:
    """The facts every part of a new line copies from it and its order."""
    return Backorder(line_id, line.sku_id, order.channel_id, order.priority, order.placed_at)


def part_rows(order: PlacedOrder, line_ids: dict[int, int]) -> list[dict[str, Any]]:
    """Every part of the order, line by line; `line_ids`: each line's id by its SKU's id."""
    return [part_row(owner_of(order, line, line_ids[line.sku_id]), part) for line in order.lines for part in line.parts]
