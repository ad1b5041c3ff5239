"""Notify me: a shopper leaves an e-mail for an out-of-stock SKU and hears, once, when it can be bought.

Subscribers are told in sign-up order, a batch sized to what can actually be bought at a time (see
`domain.alerts.alert_batch_size`). A subscription reserves nothing. Sign-ups are kept with their date:
they are demand the planning counts on days the SKU was out of stock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from restock.domain import validation as valid
from restock.domain.alerts import alert_batch_size, is_buyable, sellable_quantity
from restock.domain.errors import Conflict
from restock.domain.events import RestockAlertDue
from restock.domain.model import SubscriptionStatus, SubscriptionStatusName
from restock.services import email_links as links
from restock.services.availability import decide_many
from restock.services.context import Context, use_case
from restock.services.notify_views import SubscriptionOut
from restock.store import orders as store
from restock.store import repo
from restock.store import subscriptions as subs
from restock.store.outbox import emit
from restock.store.schema import RestockSubscription, Sku

SubscriptionView = SubscriptionOut


def _status(sub: RestockSubscription) -> SubscriptionStatusName:
    if sub.unsubscribed_at is not None:
        return SubscriptionStatus.UNSUBSCRIBED.value
    if sub.notified_at is not None:
        return SubscriptionStatus.NOTIFIED.value
    return SubscriptionStatus.WAITING.value


def _subscription_view(sub: RestockSubscription, sku_code: str, channel_code: str) -> SubscriptionView:
    status = _status(sub)
    return SubscriptionView(
        id=sub.id, sku=sku_code, channel=channel_code, email=sub.email, created_at=sub.created_at, status=status
    )


@use_case()
def subscribe(session: Session, ctx: Context, sku_code: str, channel_code: str, email: str) -> SubscriptionView:
    """Sign up for one alert. Subscribing again while waiting is the same subscription; a SKU that can be
    bought now is refused (there is nothing to wait for)."""
    valid.code(sku_code, "SKU code")
    valid.code(channel_code, "channel code")
    valid.email(email)
    sku, channel, free = store.read_context(session, sku_code, channel_code)
    decision = decide_many(session, ctx, [sku], channel, ctx.clock.today(), free)[0].decision
    if is_buyable(decision.state):
        raise Conflict(f"{sku_code} can be bought on {channel_code} now ({decision.state.value}): nothing to wait for")
    existing = subs.waiting_of(session, sku.id, channel.id, email)
    if existing is None:
        existing = subs.add(session, sku.id, channel.id, email, ctx.clock.now())
    return _subscription_view(existing, sku_code, channel_code)


@use_case(readonly=True)
def list_subscriptions(session: Session, ctx: Context, sku_code: str | None = None) -> list[SubscriptionView]:
    sku_id = repo.sku_by_code(session, sku_code).id if sku_code else None
    return [_subscription_view(sub, sku, channel) for sub, sku, channel in subs.listed(session, sku_id)]


@use_case(readonly=True)
def signups_per_day(session: Session, ctx: Context, sku_code: str) -> dict[date, int]:
    """Demand the planning counts: how many shoppers asked for the SKU on each day (all channels)."""
    return subs.signups_per_day(session, repo.sku_by_code(session, sku_code).id)


@use_case()
def unsubscribe_by_link(session: Session, ctx: Context, token: str) -> int:
    """One click: every waiting subscription of the link's address stops (every SKU, every channel; the link's own
    alert was normally sent already). Returns how many stopped."""
    claims = links.verify(token, links.link_secret(session, ctx.settings), links.UNSUBSCRIBE, ctx.clock.now())
    sub = session.get(RestockSubscription, int(claims.subject))
    if sub is None:
        return 0
    return subs.unsubscribe_address(session, sub.email, ctx.clock.now())


NEXT_BATCH_AFTER = timedelta(hours=1)
"""A batch told and the SKU still buyable this long after: those who bought did, tell the next ones."""


@use_case()
def queue_next_alert_batches(session: Session, ctx: Context) -> int:
    """The periodic job behind "the next batch": for every SKU and channel whose last batch of subscribers
    was told over an hour ago, that still has subscribers waiting and can still be bought, queue a
    `restock_alert_due` message (the worker tells the next batch). Returns how many were queued."""
    now = ctx.clock.now()
    queued = 0
    for sku_code, channel_code in subs.told_before_with_others_waiting(session, now - NEXT_BATCH_AFTER):
        sku, channel, free = store.read_context(session, sku_code, channel_code)
        if is_buyable(decide_many(session, ctx, [sku], channel, ctx.clock.today(), free)[0].decision.state):
            emit(session, RestockAlertDue(sku=sku_code, channel=channel_code, at=now), now)
            queued += 1
    return queued


@dataclass(frozen=True)
class Alert:
    """One subscriber to tell, and what to tell them."""

    subscription_id: int
    email: str
    sku: str
    sku_name: str
    channel: str
    state: str
    ship_window: dict[str, str] | None


def take_alert_batch(session: Session, ctx: Context, sku_code: str, channel_code: str) -> list[Alert]:
    """Inside the worker's transaction: the next subscribers to tell that the SKU can be bought, marked as told.

    Decided on what can be bought now (not when the change happened): if it sold out again, nobody is told
    and they keep their place for the next time.
    """
    sku, channel, free = store.read_context(session, sku_code, channel_code)
    view = decide_many(session, ctx, [sku], channel, ctx.clock.today(), free)[0]
    d = view.decision
    size = alert_batch_size(
        sellable_quantity(d.state, d.available_now, d.backorderable), ctx.settings.notify.notify_batch_multiple
    )
    if size == 0:
        return []
    batch = subs.take_next(session, sku.id, channel.id, size, ctx.clock.now())
    name = session.get_one(Sku, sku.id).name
    window = view.to_json()["ship_window"]
    return [Alert(s.id, s.email, sku_code, name, channel_code, d.state.value, window) for s in batch]
