"""What each outbox event becomes: the e-mails and webhook deliveries an event turns into.

The worker expands an event (an order placed, a backorder delayed, ...) inside one transaction that
also marks the event delivered, so it is expanded exactly once; each e-mail and each webhook delivery is
then an outbox message of its own (topic `email` or `webhook`), retried and parked as dead on its own.
A derived message's key is made from the event's id, so a repeated expansion cannot double it.
Handlers receive the typed event (`domain.events`), read back from the message once by the worker.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any, assert_never

from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain.alerts import became_buyable
from restock.domain.cancelling import RestOfTheOrder, what_cancelling_the_late_units_does_to_the_rest
from restock.domain.events import (
    AvailabilityChanged,
    BackorderDelayed,
    BackorderFilled,
    BackorderStillWaiting,
    Event,
    LineSnapshot,
    OrderCancelled,
    OrderPlaced,
    OrderShipped,
    OrderSnapshot,
    PlanRunRecorded,
    POCancelled,
    RestockAlertDue,
    ShipmentSnapshot,
    Topic,
)
from restock.domain.model import AvailabilityState, ShippingPolicy, ShipWindow
from restock.domain.shipping import a_complete_order_ships_when_its_last_line_arrives as ships_in
from restock.domain.wording import order_words, window_has_passed, window_words
from restock.notify.mail import EmailKind, Outgoing, Templates
from restock.services import email_links as links
from restock.services.context import Context
from restock.services.order_views import OrderView, order_view
from restock.services.plan_runs import run_detail
from restock.services.selfservice import cancel_link_token, stop_updates_token
from restock.services.subscriptions import take_alert_batch
from restock.services.updates import record_news
from restock.services.webhooks import Event as WebhookEvent
from restock.services.webhooks import endpoints_for
from restock.store import line_news, notices, repo
from restock.store.delivery import Claimed, NewMessage
from restock.store.outbox import payload_of


@dataclass
class Expansion:
    """What a handler works with: the worker's transaction, settings and templates."""

    session: Session
    ctx: Context
    templates: Templates

    @cached_property
    def secret(self) -> str:
        return links.link_secret(self.session, self.ctx.settings)

    def url(self, path: str) -> str:
        return f"{self.ctx.settings.notify.public_url}{path}"

    def name_of(self, sku: str) -> str:
        return notices.sku_names(self.session, [sku]).get(sku, sku)

    def email(self, source: Claimed, kind: EmailKind, to: str, context: dict[str, Any], **kw: Any) -> NewMessage:
        return self.email_keyed(f"email:{source.id}", kind, to, context, **kw)

    def email_keyed(
        self, key: str, kind: EmailKind, to: str, context: dict[str, Any], unsubscribe_url: str | None = None
    ) -> NewMessage:
        shop = {"shop_name": self.ctx.settings.notify.shop_name, "public_url": self.ctx.settings.notify.public_url}
        rendered = self.templates.render(kind, to, {**shop, **context}, unsubscribe_url)
        return NewMessage(Topic.EMAIL, key, Outgoing.compose(rendered, key, self.ctx.settings.notify).to_payload())

    def webhooks(self, source: Claimed, event: WebhookEvent, data: dict[str, Any]) -> list[NewMessage]:
        """One signed delivery per endpoint that wants the event; the body is fixed now, so retries match."""
        body = json.dumps(
            {"id": source.dedup_key, "event": event, "created_at": utc_iso(source.created_at), "data": data},
            sort_keys=True,
            default=str,
        )
        return [
            NewMessage(
                Topic.WEBHOOK, f"webhook:{e.id}:{event}:{source.id}", {"endpoint": e.id, "event": event, "body": body}
            )
            for e in endpoints_for(self.session, event)
        ]


def _waiting_line(e: OrderSnapshot, line: LineSnapshot, names: dict[str, str], today: date) -> dict[str, Any]:
    """A backordered line as the e-mails show it: what, how many, and when it ships in words (undated: no date);
    under `complete` it ships with the whole order, so in the order's window."""
    window = ships_in(e.shipping_policy, line.ship_window, [other.ship_window for other in e.waiting_lines])
    return {
        "sku": line.sku,
        "name": names.get(line.sku, line.sku),
        "quantity": line.backordered,
        "window": window_words(window, today),
        "dated": window is not None,
    }


def _order(order_id: str, external_ref: str | None) -> dict[str, str]:
    """How every order e-mail names the order: `order_ref` is the shop's number where it sent one."""
    return {"order_id": order_id, "order_ref": order_words(order_id, external_ref)}


# ---------------------------------------------------------------- one handler per event


def expand(x: Expansion, m: Claimed, event: Event) -> list[NewMessage]:
    """The messages an event becomes: each event class has its handler."""
    match event:
        case OrderPlaced():
            return order_placed(x, m, event)
        case BackorderFilled():
            return backorder_filled(x, m, event)
        case BackorderDelayed():  # and BackorderUnpromised, the same notice without a new window
            return backorder_delayed(x, m, event)
        case OrderShipped():
            return order_shipped(x, m, event)
        case OrderCancelled():
            return order_cancelled(x, m, event)
        case BackorderStillWaiting():
            return still_waiting(x, m, event)
        case AvailabilityChanged():
            return availability_changed(x, m, event)
        case RestockAlertDue():
            return _back_in_stock(x, event.sku, event.channel)
        case POCancelled():  # no customer or integrator hears about it by itself: its effects bring their own
            return []
        case PlanRunRecorded():
            return plan_summary(x, m, event)
        case _:
            assert_never(event)


def order_placed(x: Expansion, m: Claimed, e: OrderPlaced) -> list[NewMessage]:
    """The confirmation says plainly which lines ship now and which wait, each with its window."""
    names = notices.sku_names(x.session, [line.sku for line in e.lines])
    today = m.created_at.date()
    ships_now = [
        {"sku": line.sku, "name": names.get(line.sku, line.sku), "quantity": line.allocated}
        for line in e.lines
        if line.allocated
    ]
    backordered = [_preorder_or_backorder(_waiting_line(e, line, names, today), line) for line in e.waiting_lines]
    preorders = [line for line in e.waiting_lines if line.preorder]
    context = {
        **_order(e.id, e.external_ref),
        "ships_now": ships_now,
        "backordered": backordered,
        # not "part on backorder"; nor "on backorder" where a line is a pre-order
        "wholly_backordered": not any(line.allocated for line in e.lines) and not preorders,
        "all_preorders": bool(preorders) and len(preorders) == len(e.waiting_lines),
    }
    context["shipping_policy"] = e.shipping_policy.value  # under `complete`, nothing ships before the whole order
    out = [x.email(m, EmailKind.ORDER_CONFIRMATION, e.email, context), *x.webhooks(m, "order.placed", payload_of(e))]
    if backordered:
        waiting = [payload_of(line) for line in e.waiting_lines]
        out += x.webhooks(m, "backorder.created", {"order": e.id, "email": e.email, "lines": waiting})
    return out


def _preorder_or_backorder(shown: dict[str, Any], line: LineSnapshot) -> dict[str, Any]:
    """A waiting line of the confirmation, marked when it is a pre-order (`LineSnapshot.preorder`): the e-mail
    says it ships from its release, never that it is on backorder."""
    return {**shown, "preorder": line.preorder}


def backorder_filled(x: Expansion, m: Claimed, e: BackorderFilled) -> list[NewMessage]:
    email = notices.order_email(x.session, e.order)
    context = {**_order(e.order, e.external_ref), "sku": e.sku, "name": x.name_of(e.sku), "quantity": e.quantity}
    return [
        x.email(m, EmailKind.BACKORDER_FILLED, email, context),
        *x.webhooks(m, "backorder.filled", {**payload_of(e), "email": email}),
    ]


def backorder_delayed(x: Expansion, m: Claimed, e: BackorderDelayed) -> list[NewMessage]:
    """A delay notice: the promise as it was given then, the new one, an apology, and a link that cancels the
    late units only.

    The old window is worded as of the day the customer was told it, so it reads as they read it then; a line
    with another undated part had no date to tell, and gets none now either (`BackorderDelayed.line_undated`).
    """
    told_on = e.told_on or line_news.last_told_on(x.session, e.line)  # a notice written before it was kept
    record_news(x.session, [e.line], m.created_at, delay_notice=True)  # what the next notice repeats as told
    days = x.ctx.settings.notify.cancel_link_days
    today = m.created_at.date()
    issued = x.ctx.clock.now()  # the link's life starts when the e-mail is written, even for a late backlog
    part = e.part if e.part is not None else BackorderDelayed.part_in_key(m.dedup_key)  # the link cancels it only
    order = order_view(x.session, repo.order(x.session, e.order))
    policy, others = ShippingPolicy(order.shipping_policy), _waiting_windows_beside(order, e.line)
    undated = e.line_undated or (policy is ShippingPolicy.COMPLETE and None in others)  # it ships with an undated line
    rest, rest_waiting = _rest_of_the_order(x.session, order, e.line, e.quantity)
    context = {
        **_order(e.order, e.external_ref),
        "sku": e.sku,
        "name": x.name_of(e.sku),
        "quantity": e.quantity,
        "told_on": told_on.isoformat(),
        "old_window": None if undated else window_words(ships_in(policy, e.old_window, others), told_on),
        "new_window": window_words(None if undated else ships_in(policy, e.new_window, others), today),
        "date_moved": e.new_window is not None,
        "notice_number": notices.delay_notices_sent(x.session, e.line),
        "late_quantity": e.quantity,
        "cancel_url": x.url("/links/cancel/" + cancel_link_token(e.line, issued, x.secret, days, part, e.quantity)),
        "cancel_until": (issued.date() + timedelta(days=days)).isoformat(),
        "shipping_policy": policy.value,
        "rest": rest.value,
        "rest_waiting": rest_waiting,
    }
    return [x.email(m, EmailKind.DELAY_NOTICE, e.email, context), *x.webhooks(m, "backorder.delayed", payload_of(e))]


def _other_waiting_windows(
    session: Session, order_id: str, line_id: int
) -> tuple[ShippingPolicy, list[ShipWindow | None]]:
    """The order's shipping policy and the windows of its other waiting lines, now: under `complete` a delayed line
    ships with them. (The old window is combined with them as they are now: they may have moved since.)"""
    order = order_view(session, repo.order(session, order_id))
    return ShippingPolicy(order.shipping_policy), _waiting_windows_beside(order, line_id)


def _waiting_windows_beside(order: OrderView, line_id: int) -> list[ShipWindow | None]:
    others = [line.ship_window for line in order.lines if line.backordered and line.id != line_id]
    return [None if w is None else ShipWindow(w.earliest, w.latest) for w in others]


def _rest_of_the_order(
    session: Session, order: OrderView, line_id: int, late: int
) -> tuple[RestOfTheOrder, list[notices.EndedLine]]:
    """What cancelling the notice's late units would do to the rest of the order now, and (under `complete`) what of
    it would still wait: the other lines' waiting units, and the line's own waiting units beyond the late ones."""
    line = next(line for line in order.lines if line.id == line_id)
    late_now = min(late, line.backordered)  # units filled since the notice was decided are no longer late
    names = notices.sku_names(session, [other.sku for other in order.lines])
    still_waiting = [
        notices.EndedLine(other.sku, names.get(other.sku, other.sku), waiting)
        for other in order.lines
        if (waiting := other.backordered - (late_now if other.id == line_id else 0)) > 0
    ]
    rest = what_cancelling_the_late_units_does_to_the_rest(
        ShippingPolicy(order.shipping_policy),
        rest_held=sum(other.allocated for other in order.lines),
        rest_waiting=sum(units.quantity for units in still_waiting),
    )
    return rest, still_waiting if rest is RestOfTheOrder.STILL_WAITS else []


def order_shipped(x: Expansion, m: Claimed, e: OrderShipped) -> list[NewMessage]:
    """What shipped in each parcel (carrier, tracking), what is held and follows in another parcel, and what still
    waits for stock with its window (the line's window over its waiting parts, `domain.lines.line_window`: a line
    with an undated part has no date)."""
    names = notices.sku_names(x.session, [line.sku for line in e.lines])
    today = m.created_at.date()
    shipments = [_shipment(shipment, names) for shipment in e.shipments] or [
        {"lines": notices.ended_lines(x.session, e.lines_ended), **_NO_TRACKING}  # a message from before shipments
    ]
    context = {
        **_order(e.id, e.external_ref),
        "shipments": shipments,
        "shipped": [line for shipment in shipments for line in shipment["lines"]],
        "to_follow": [_held_line(line, names) for line in e.lines if line.allocated],
        "waiting": [_waiting_line(e, line, names, today) for line in e.waiting_lines],
    }
    return [x.email(m, EmailKind.ORDER_SHIPPED, e.email, context), *x.webhooks(m, "order.shipped", payload_of(e))]


_NO_TRACKING = {"carrier": None, "tracking_number": None, "tracking_url": None}


def _shipment(shipment: ShipmentSnapshot, names: dict[str, str]) -> dict[str, Any]:
    return {
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "tracking_url": shipment.tracking_url,
        "lines": [notices.EndedLine(line.sku, names.get(line.sku, line.sku), line.quantity) for line in shipment.lines],
    }


def _held_line(line: LineSnapshot, names: dict[str, str]) -> notices.EndedLine:
    """Units held for the customer that this shipment did not take: they follow in another parcel."""
    return notices.EndedLine(line.sku, names.get(line.sku, line.sku), line.allocated)


def order_cancelled(x: Expansion, m: Claimed, e: OrderCancelled) -> list[NewMessage]:
    """How many units of what were cancelled, by whom (the customer asked, or the shop had to), and what of the
    order still ships or waits, each with its window. Nothing about payment: restock cannot know it."""
    names = notices.sku_names(x.session, [u.sku for u in e.cancelled] + [u.sku for u in e.to_come])
    today = m.created_at.date()
    cancelled: list[Any] = [
        {"sku": units.sku, "name": names.get(units.sku, units.sku), "quantity": units.quantity} for units in e.cancelled
    ] or notices.ended_lines(x.session, e.lines_ended)  # an event from before partial cancels: whole lines
    held = [
        {"sku": units.sku, "name": names.get(units.sku, units.sku), "quantity": units.held}
        for units in e.to_come
        if units.held
    ]
    windows = [units.ship_window for units in e.to_come if units.waiting]  # `complete`: the order ships as one
    waiting = [
        {
            "sku": units.sku,
            "name": names.get(units.sku, units.sku),
            "quantity": units.waiting,
            "window": window_words(ships_in(e.shipping_policy, units.ship_window, windows), today),
        }
        for units in e.to_come
        if units.waiting
    ]
    context = {
        **_order(e.id, e.external_ref),
        "cancelled_by": e.cancelled_by.value,
        "cancelled": cancelled,
        "held": held,
        "waiting": waiting,
    }
    return [x.email(m, EmailKind.ORDER_CANCELLED, e.email, context), *x.webhooks(m, "order.cancelled", payload_of(e))]


def still_waiting(x: Expansion, m: Claimed, e: BackorderStillWaiting) -> list[NewMessage]:
    """The periodic update; it is not about news, so the customer may stop it with one click. Under `complete` the
    line ships with the whole order, so its window is the order's (`_other_waiting_windows`)."""
    policy, others = _other_waiting_windows(x.session, e.order, e.line)
    window = ships_in(policy, e.ship_window, others)
    context = {
        **_order(e.order, e.external_ref),
        "sku": e.sku,
        "name": x.name_of(e.sku),
        "quantity": e.quantity,
        "placed_on": e.placed_at.date().isoformat(),
        "window": window_words(window, m.created_at.date()),
        "dated": window is not None,
        "late": window_has_passed(window, m.created_at.date()),  # the date did not hold: say so, not "it holds"
        "due_by": None if window is None else window.latest.isoformat(),
    }
    stop = x.url("/links/stop-updates/" + stop_updates_token(e.order, x.secret))
    return [x.email(m, EmailKind.STILL_WAITING, e.email, context, unsubscribe_url=stop)]


STATE_TEXT: dict[str, str] = {
    AvailabilityState.IN_STOCK: "it is in stock now",
    AvailabilityState.BACKORDER: "it can be ordered now for delivery from our next confirmed shipment",
    AvailabilityState.PREORDER: "it can be pre-ordered now",
}


def availability_changed(x: Expansion, m: Claimed, e: AvailabilityChanged) -> list[NewMessage]:
    """Webhooks always; back-in-stock e-mails when the SKU became buyable, to the next batch of subscribers."""
    out = x.webhooks(m, "availability.changed", payload_of(e))
    if became_buyable(e.old_state, e.new_state):
        out += _back_in_stock(x, e.sku, e.channel)
    return out


def _back_in_stock(x: Expansion, sku: str, channel: str) -> list[NewMessage]:
    """Still buyable (now, not when the change happened): the next subscribers in line hear."""
    out = []
    product_url = notices.product_url(x.session, sku) or x.ctx.settings.notify.shop_url  # the shop's, never the API
    for alert in take_alert_batch(x.session, x.ctx, sku, channel):
        unsubscribe = links.sign(links.Claims(links.UNSUBSCRIBE, str(alert.subscription_id)), x.secret)
        context = {
            "sku": alert.sku,
            "name": alert.sku_name,
            "state_text": STATE_TEXT.get(alert.state, "it can be ordered now"),
            "product_url": product_url,
        }
        out.append(
            x.email_keyed(
                f"email:back_in_stock:{alert.subscription_id}",
                EmailKind.BACK_IN_STOCK,
                alert.email,
                context,
                unsubscribe_url=x.url("/links/unsubscribe/" + unsubscribe),
            )
        )
    return out


URGENT_LINES = 10
"""The plan summary lists this many of its most urgent suggestions; the rest are counted."""


def _amount(value: float) -> str:
    return f"{value:.2f}"


def plan_summary(x: Expansion, m: Claimed, e: PlanRunRecorded) -> list[NewMessage]:
    """The stored run's summary for the purchasing contact: its totals per supplier, its most urgent suggestions
    with their stock-out dates, the drafts it made; every figure is the stored run's."""
    run = run_detail(x.session, e.run, lines=URGENT_LINES)
    context = {
        "run_id": run.id,
        "today": run.today.isoformat(),
        "source": run.source,
        "inputs_at": run.inputs_at.strftime("%Y-%m-%d %H:%M UTC"),
        "demand_until": None if run.demand_until is None else run.demand_until.isoformat(),
        "lines": run.lines,
        "units": run.units,
        "value": _amount(run.value),
        "at_risk": run.at_risk,
        "revenue_at_risk": _amount(run.revenue_at_risk),
        "totals": [
            {"supplier": t.supplier, "lines": t.lines, "units": t.units, "value": _amount(t.value)} for t in run.totals
        ],
        "urgent": [
            {
                "sku": s.sku,
                "warehouse": s.warehouse,
                "supplier": s.supplier,
                "quantity": s.quantity,
                "value": _amount(s.value),
                "stockout": f"out of stock from {s.stockout_date}" if s.stockout_date else "no stock-out projected",
                "days_late": s.days_late,
                "prevent": None if s.stockout_to_prevent is None else s.stockout_to_prevent.isoformat(),
            }
            for s in run.suggestions
        ],
        "more": run.lines - len(run.suggestions),
        "drafts": [po.model_dump() for po in run.purchase_orders],
    }
    return [x.email(m, EmailKind.PLAN_SUMMARY, e.to, context)]
