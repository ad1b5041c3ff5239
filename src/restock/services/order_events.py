"""The order events (`domain.events`) made from what an order reads as: its view at the moment of the event."""

from __future__ import annotations

from restock.domain.availability import is_preorder_line
from restock.domain.events import LineSnapshot, OrderCancelled, OrderPlaced, OrderShipped
from restock.domain.model import LineStatus, OrderStatus, ShippingPolicy, ShipWindow
from restock.services.order_views import LineView, OrderView


def _domain_window(line: LineView) -> ShipWindow | None:
    shown = line.ship_window
    return None if shown is None else ShipWindow(shown.earliest, shown.latest)


def _line_snapshot(line: LineView, preorders: frozenset[str] = frozenset()) -> LineSnapshot:
    return LineSnapshot(
        sku=line.sku,
        quantity=line.quantity,
        allocated=line.allocated,
        backordered=line.backordered,
        status=LineStatus(line.status),
        ship_window=None
        if line.ship_window is None
        else ShipWindow(line.ship_window.earliest, line.ship_window.latest),
        delayed=line.delayed,
        shipped=line.shipped,
        preorder=is_preorder_line(line.sku in preorders, line.backordered),
    )


def order_placed(view: OrderView, preorders: frozenset[str] = frozenset()) -> OrderPlaced:
    """The confirmation: what the confirmation e-mail and the order and backorder webhooks are made from.

    `preorders`: the codes of the order's SKUs that were pre-orders as it was placed."""
    return OrderPlaced(
        id=view.id,
        email=view.email,
        status=OrderStatus(view.status),
        channel=view.channel,
        placed_at=view.placed_at,
        lines=tuple(_line_snapshot(line, preorders) for line in view.lines),
        external_ref=view.external_ref,
        customer_name=view.customer.name,
        shipping_policy=ShippingPolicy(view.shipping_policy),
    )


def lines_ended(
    event: type[OrderCancelled] | type[OrderShipped], view: OrderView, line_ids: list[int]
) -> OrderCancelled | OrderShipped:
    """Lines of the order ended (cancelled or shipped): the order as it now reads, and which lines ended."""
    return event(
        id=view.id,
        email=view.email,
        status=OrderStatus(view.status),
        channel=view.channel,
        placed_at=view.placed_at,
        lines=tuple(map(_line_snapshot, view.lines)),
        external_ref=view.external_ref,
        customer_name=view.customer.name,
        shipping_policy=ShippingPolicy(view.shipping_policy),
        lines_ended=tuple(line_ids),
    )
