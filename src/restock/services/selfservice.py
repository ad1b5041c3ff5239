"""What a customer does from a link in an e-mail, without an account or an API key.

A delay notice carries a signed, expiring link that cancels the late units it names, once: the waiting part the
notice was about, never what is allocated on the same line (`domain.cancelling.late_units_a_cancel_link_cancels`).
A periodic update carries a link that stops those updates for the order; a restock alert one that stops restock
alerts. The pages built on these show only what the link is about: a product and quantities, never the rest of the
order or the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from restock.domain.cancelling import (
    CancelledBy,
    LateUnits,
    NamedPart,
    Release,
    late_units_a_cancel_link_cancels,
    units_a_partial_cancel_releases,
)
from restock.domain.errors import InvalidInput
from restock.domain.lines import CancelLinkState, PartKind
from restock.domain.model import LineStatus, SubscriptionStatus
from restock.services import email_links as links
from restock.services import fulfilling
from restock.services.context import Context, use_case
from restock.store import notices
from restock.store import order_reads as reads
from restock.store import subscriptions as subs
from restock.store.schema import LinePart, Order, OrderLine, RestockSubscription, Sku

NOT_VALID = "this link is not valid or has expired"


@dataclass(frozen=True)
class LinkSubject:
    """What a cancel link names: the line, the waiting part its notice was about, and how many units were late.

    A link from before partial cancels names only the line (`part` and `late` None): it cancels the line's waiting
    units, never its allocated ones.
    """

    line: int
    part: int | None = None
    late: int | None = None

    def encoded(self) -> str:
        return str(self.line) if self.part is None else f"{self.line}/{self.part}/{self.late}"

    @classmethod
    def decoded(cls, subject: str) -> LinkSubject:
        pieces = subject.split("/")
        if not all(piece.isdigit() for piece in pieces) or len(pieces) not in (1, 3):
            raise InvalidInput(NOT_VALID)
        if len(pieces) == 1:
            return cls(int(pieces[0]))
        return cls(int(pieces[0]), int(pieces[1]), int(pieces[2]))


@dataclass(frozen=True)
class CancelLinkView:
    """The late units a cancel link is about, and what the customer can still do with them."""

    sku_name: str
    units: LateUnits
    staying: int
    """Units of the line that stay on the order (allocated, shipped, or waiting and not named by the link)."""

    @property
    def state(self) -> CancelLinkState:
        return self.units.state

    @property
    def quantity(self) -> int:
        """The number the page names: what can be cancelled, else what was cancelled, else what was late."""
        return self.units.cancellable or self.units.cancelled or self.units.named


def cancel_link_token(
    line_id: int, created_at: datetime, secret: str, days: int, part_id: int | None = None, late: int | None = None
) -> str:
    """A delay notice's link: it names the late part and how many units were late (see `LinkSubject`)."""
    expires = links.epoch(created_at) + days * 86_400
    subject = LinkSubject(line_id, part_id, late if part_id is not None else None).encoded()
    return links.sign(links.Claims(links.CANCEL_LINE, subject, expires), secret)


def _subject_and_line(session: Session, ctx: Context, token: str) -> tuple[LinkSubject, OrderLine]:
    claims = links.verify(token, links.link_secret(session, ctx.settings), links.CANCEL_LINE, ctx.clock.now())
    subject = LinkSubject.decoded(claims.subject)
    line = session.get(OrderLine, subject.line)
    if line is None:  # a genuine link to a line that no longer exists (a restored database): say no more
        raise InvalidInput(NOT_VALID)
    return subject, line


def _named_part(parts: list[LinePart], subject: LinkSubject) -> NamedPart:
    """The part the notice was about as it stands now; a link naming no part reads as if it had moved."""
    part = next((p for p in parts if p.id == subject.part), None)
    if part is None:
        return NamedPart(PartKind.RELEASED, 0, cancelled=False)
    return NamedPart(PartKind(part.kind), part.quantity, cancelled=part.cancelled_by is not None)


def _late_units(line: OrderLine, parts: list[LinePart], subject: LinkSubject) -> LateUnits:
    waiting = sum(p.quantity for p in parts if p.kind == PartKind.BACKORDERED)
    since = subject.part or 0
    cancelled_since = sum(
        p.quantity
        for p in parts
        if p.kind == PartKind.RELEASED and p.cancelled_by == CancelledBy.CUSTOMER and p.id > since
    )
    late = subject.late if subject.late is not None else waiting + cancelled_since
    return late_units_a_cancel_link_cancels(
        _named_part(parts, subject), late, LineStatus(line.status), waiting, cancelled_since
    )


def _view(session: Session, line: OrderLine, subject: LinkSubject) -> CancelLinkView:
    parts = reads.parts_of_lines(session, [line.id])[line.id]
    units = _late_units(line, parts, subject)
    kept = sum(p.quantity for p in parts if p.kind != PartKind.RELEASED)
    return CancelLinkView(session.get_one(Sku, line.sku_id).name, units, kept - units.cancellable)


def _link_plan(parts: list[LinePart], subject: LinkSubject, units: LateUnits) -> list[Release]:
    """The named part while it waits; else (re-pegged) the line's waiting units, by the partial-cancel order."""
    named = next((p for p in parts if p.id == subject.part and p.kind == PartKind.BACKORDERED), None)
    if named is not None:
        return [Release(named.id, PartKind.BACKORDERED, units.cancellable)]
    waiting = [fulfilling.open_part(p) for p in parts if p.kind == PartKind.BACKORDERED]
    return units_a_partial_cancel_releases(waiting, units.cancellable)


@use_case(readonly=True)
def cancel_link(session: Session, ctx: Context, token: str) -> CancelLinkView:
    """What the link's page shows before the customer confirms (a GET never cancels: mail scanners open links)."""
    subject, line = _subject_and_line(session, ctx, token)
    return _view(session, line, subject)


@use_case()
def cancel_by_link(session: Session, ctx: Context, token: str) -> CancelLinkView:
    """Cancel the late units the link names if they still wait for stock; a second click changes nothing.

    The cancellation is the one every cancel uses (`fulfilling.release_units`): what the units held goes back,
    freed promises go to the next in line, and the customer gets the cancellation e-mail ("As you asked, ...").
    """
    subject, line = _subject_and_line(session, ctx, token)
    order = fulfilling.locked_order(session, line.order_id)
    session.refresh(line)  # its status after the lock: a concurrent fill may have just allocated it
    parts = reads.parts_of_lines(session, [line.id])[line.id]
    units = _late_units(line, parts, subject)
    if units.state is CancelLinkState.CAN_CANCEL:
        plan = _link_plan(parts, subject, units)
        fulfilling.release_units(session, ctx, order, [line], plan, CancelledBy.CUSTOMER)
    return _view(session, line, subject)


# ---------------------------------------------------------------- restock alerts and periodic updates


@dataclass(frozen=True)
class UnsubscribeLinkView:
    """What an unsubscribe link stops: every restock alert still waiting for the address, on every SKU.

    The link comes in a back-in-stock alert, written after its subscription was marked as told, so by the time
    anyone clicks, the link's own alert is normally sent (`own` NOTIFIED) and what the link stops is the address's
    other waiting alerts (`others`).
    """

    sku_name: str
    own: SubscriptionStatus
    """The link's own subscription: sent (the usual case), still waiting, or already stopped."""
    others: tuple[str, ...]
    """The SKU names of the address's other alerts still waiting, in sign-up order (one per alert)."""

    @property
    def stops(self) -> int:
        """How many alerts the link would stop now (0: nothing more would be sent anyway)."""
        return len(self.others) + (self.own is SubscriptionStatus.WAITING)


def _subscription(session: Session, ctx: Context, token: str) -> RestockSubscription:
    claims = links.verify(token, links.link_secret(session, ctx.settings), links.UNSUBSCRIBE, ctx.clock.now())
    sub = session.get(RestockSubscription, int(claims.subject)) if claims.subject.isdigit() else None
    if sub is None:
        raise InvalidInput(NOT_VALID)
    return sub


@use_case(readonly=True)
def unsubscribe_link(session: Session, ctx: Context, token: str) -> UnsubscribeLinkView:
    """What the unsubscribe page asks before the customer confirms (the one-click POST needs no page)."""
    sub = _subscription(session, ctx, token)
    others = subs.waiting_names_of_address(session, sub.email, other_than=sub.id)
    return UnsubscribeLinkView(session.get_one(Sku, sub.sku_id).name, _own_alert(sub), tuple(others))


def _own_alert(sub: RestockSubscription) -> SubscriptionStatus:
    """Sent first: a subscription stopped after its alert went out (before stopping skipped told ones) was sent."""
    if sub.notified_at is not None:
        return SubscriptionStatus.NOTIFIED
    if sub.unsubscribed_at is not None:
        return SubscriptionStatus.UNSUBSCRIBED
    return SubscriptionStatus.WAITING


def stop_updates_token(order_id: str, secret: str) -> str:
    return links.sign(links.Claims(links.STOP_UPDATES, order_id), secret)


@use_case()
def stop_updates_by_link(session: Session, ctx: Context, token: str) -> None:
    """One click: no more "still on its way" e-mails for this order (news about it still comes)."""
    claims = links.verify(token, links.link_secret(session, ctx.settings), links.STOP_UPDATES, ctx.clock.now())
    if session.get(Order, claims.subject) is None:
        raise InvalidInput(NOT_VALID)
    notices.opt_out_of_updates(session, claims.subject, ctx.clock.now())
