"""Reading an order: what the customer and the merchant see of it, derived from its lines' parts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy.orm import Session

from restock.domain.address import DeliveryAddress as Address
from restock.domain.address import address_from_stored
from restock.domain.lines import PartKind, line_window
from restock.domain.model import LineStatusName, OrderStatusName, part_window
from restock.domain.shipping import effective_shipping_policy
from restock.services.context import Context, use_case
from restock.services.views import Customer, DeliveryAddress, OrderLineOut, OrderOut, window_of
from restock.store import order_reads as reads
from restock.store import repo
from restock.store.schema import Channel, LinePart, Order, OrderLine

LineView = OrderLineOut
"""A line as the customer and the merchant see it; its id stays inside the service.

shipped + cancelled + backordered + allocated == quantity: `allocated` is what is held now (ready to ship), so a
partly shipped line counts its shipped units once, under `shipped`."""
OrderView = OrderOut


def _line_view(line: OrderLine, sku_code: str, parts: Sequence[LinePart]) -> LineView:
    waiting = [p for p in parts if p.kind == PartKind.BACKORDERED]
    return LineView(
        id=line.id,
        sku=sku_code,
        quantity=line.quantity,
        allocated=sum(p.quantity for p in parts if p.kind == PartKind.ALLOCATED),
        backordered=sum(p.quantity for p in waiting),
        shipped=sum(p.quantity for p in parts if p.kind == PartKind.SHIPPED),
        status=cast(LineStatusName, line.status),
        ship_window=window_of(line_window([part_window(p.window_earliest, p.window_latest) for p in waiting])),
        delayed=any(p.delayed for p in waiting),
        cancelled=line.quantity - sum(p.quantity for p in parts if p.kind != PartKind.RELEASED),
    )


def address_view(address: Address | None) -> DeliveryAddress | None:
    """The domain's address as the order shows it."""
    return None if address is None else DeliveryAddress.model_validate(address.present())


def view_of(
    order: Order,
    channel_code: str,
    channel_shipping_policy: str,
    lines: Sequence[tuple[OrderLine, str]],
    parts: dict[int, list[LinePart]],
    replayed: bool = False,
) -> OrderView:
    """An order as read from its rows: its lines (each with its SKU's code, in the order written) and their parts,
    and the policy it ships under (its own, else its channel's)."""
    return OrderView(
        id=order.id,
        status=cast(OrderStatusName, order.status),
        channel=channel_code,
        customer=Customer(email=order.email, name=order.customer_name),
        external_ref=order.external_ref,
        delivery_address=address_view(address_from_stored(order.delivery_address)),
        shipping_policy=effective_shipping_policy(order.shipping_policy, channel_shipping_policy).value,
        placed_at=order.placed_at,
        lines=[_line_view(line, code, parts.get(line.id, [])) for line, code in lines],
        replayed=replayed,
    )


def order_view(session: Session, order: Order, replayed: bool = False) -> OrderView:
    rows = reads.lines_with_sku_codes(session, order.id)
    parts = reads.parts_of_lines(session, [line.id for line, _ in rows])
    channel = session.get_one(Channel, order.channel_id)
    return view_of(order, channel.code, channel.shipping_policy, rows, parts, replayed)


@use_case(readonly=True)
def show_order(session: Session, ctx: Context, order_id: str) -> OrderView:
    return order_view(session, repo.order(session, order_id))
