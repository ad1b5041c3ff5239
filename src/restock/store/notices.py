"""What customer e-mails rest on: the names, addresses and lines the worker's handlers read beside the event,
and the customer's choice to hear less."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.store.delivery import insert_ignoring_duplicates
from restock.store.schema import LineNews, Order, OrderLine, Sku, UpdateOptOut


@dataclass(frozen=True)
class EndedLine:
    """A line that shipped or was cancelled, as the e-mail lists it."""

    sku: str
    name: str
    quantity: int


def sku_names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    """The product names of these SKU codes (an e-mail names products, events carry codes)."""
    rows = session.execute(select(Sku.code, Sku.name).where(Sku.code.in_(set(codes))))
    return {row.code: row.name for row in rows}


def product_url(session: Session, code: str) -> str | None:
    """The SKU's page on the shop, where the merchant set one."""
    return session.scalar(select(Sku.product_url).where(Sku.code == code))


def order_email(session: Session, order_id: str) -> str:
    return session.get_one(Order, order_id).email


def ended_lines(session: Session, line_ids: Sequence[int]) -> list[EndedLine]:
    """The lines an order event is about (shipped or cancelled now), in line order."""
    rows = session.execute(
        select(Sku.code, Sku.name, OrderLine.quantity)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .where(OrderLine.id.in_(line_ids))
        .order_by(OrderLine.id)
    )
    return [EndedLine(code, name, quantity) for code, name, quantity in rows]


def delay_notices_sent(session: Session, line_id: int) -> int:
    """How many delay notices the line's customer has had, this one included (at least 1)."""
    return session.scalar(select(LineNews.delay_notices).where(LineNews.order_line_id == line_id)) or 1


def opt_out_of_updates(session: Session, order_id: str, now: datetime) -> None:
    """No more periodic "still on its way" e-mails for the order; a second click changes nothing."""
    insert_ignoring_duplicates(session, UpdateOptOut, [{"order_id": order_id, "created_at": now}])
