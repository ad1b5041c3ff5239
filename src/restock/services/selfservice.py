"""What a customer does from a link in an e-mail, without an account or an API key.

A delay notice carries a signed, expiring link that cancels that one backordered line, once; a periodic
update carries a link that stops those updates for the order. The pages built on these show only the
line the link is about: its product and quantity, never the rest of the order or the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from restock.domain.errors import InvalidInput
from restock.domain.lines import CancelLinkState, cancel_link_state
from restock.domain.model import LineStatus
from restock.services import email_links as links
from restock.services import orders
from restock.services.context import Context, use_case
from restock.store import notices
from restock.store.schema import Order, OrderLine, Sku


@dataclass(frozen=True)
class CancelLinkView:
    """The one line a cancel link is about, and what the customer can still do with it."""

    sku_name: str
    quantity: int
    state: CancelLinkState


def cancel_link_token(line_id: int, created_at: datetime, secret: str, days: int) -> str:
    expires = links.epoch(created_at) + days * 86_400
    return links.sign(links.Claims(links.CANCEL_LINE, str(line_id), expires), secret)


def _line_of(session: Session, ctx: Context, token: str) -> OrderLine:
    claims = links.verify(token, links.link_secret(session, ctx.settings), links.CANCEL_LINE, ctx.clock.now())
    line = session.get(OrderLine, int(claims.subject))
    if line is None:  # a genuine link to a line that no longer exists (a restored database): say no more
        raise InvalidInput("this link is not valid or has expired")
    return line


def _view(session: Session, line: OrderLine) -> CancelLinkView:
    return CancelLinkView(session.get_one(Sku, line.sku_id).name, line.quantity, cancel_link_state(line.status))


@use_case(readonly=True)
def cancel_link(session: Session, ctx: Context, token: str) -> CancelLinkView:
    """What the link's page shows before the customer confirms (a GET never cancels: mail scanners open links)."""
    return _view(session, _line_of(session, ctx, token))


@use_case()
def cancel_by_link(session: Session, ctx: Context, token: str) -> CancelLinkView:
    """Cancel the link's line if it is still waiting for stock; a second click changes nothing.

    The cancellation is the one every cancel uses (`orders.cancel_lines`): what the line held goes back,
    freed stock goes to the next in line, and the customer gets the cancellation e-mail.
    """
    line = _line_of(session, ctx, token)
    order = orders.locked_order(session, line.order_id)
    session.refresh(line)  # its status after the lock: a concurrent fill may have just allocated it
    if line.status == LineStatus.BACKORDERED.value:
        orders.cancel_lines(session, ctx, order, [line])
    return _view(session, line)


def stop_updates_token(order_id: str, secret: str) -> str:
    return links.sign(links.Claims(links.STOP_UPDATES, order_id), secret)


@use_case()
def stop_updates_by_link(session: Session, ctx: Context, token: str) -> None:
    """One click: no more "still on its way" e-mails for this order (news about it still comes)."""
    claims = links.verify(token, links.link_secret(session, ctx.settings), links.STOP_UPDATES, ctx.clock.now())
    if session.get(Order, claims.subject) is None:
        raise InvalidInput("this link is not valid or has expired")
    notices.opt_out_of_updates(session, claims.subject, ctx.clock.now())
