"""What each outbox topic becomes: the e-mails and webhook deliveries an event turns into.

The worker expands an event (an order placed, a backorder delayed, ...) inside one transaction that
also marks the event delivered, so it is expanded exactly once; each e-mail and each webhook delivery is
then an outbox message of its own (topic `email` or `webhook`), retried and parked as dead on its own.
A derived message's key is made from the event's id, so a repeated expansion cannot double it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain.alerts import became_buyable
from restock.domain.model import AvailabilityState
from restock.notify import links
from restock.notify.mail import Outgoing, Templates
from restock.services.context import Context
from restock.services.selfservice import cancel_link_token, stop_updates_token
from restock.services.subscriptions import take_alert_batch
from restock.services.updates import record_news
from restock.services.webhooks import endpoints_for
from restock.store.delivery import Claimed, NewMessage
from restock.store.schema import LineNews, Order, OrderLine, Sku

EMAIL = "email"
WEBHOOK = "webhook"


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

    def email(self, source: Claimed, kind: str, to: str, context: dict[str, Any], **kw: Any) -> NewMessage:
        return self.email_keyed(f"email:{source.id}", kind, to, context, **kw)

    def email_keyed(
        self, key: str, kind: str, to: str, context: dict[str, Any], unsubscribe_url: str | None = None
    ) -> NewMessage:
        shop = {"shop_name": self.ctx.settings.notify.shop_name, "public_url": self.ctx.settings.notify.public_url}
        rendered = self.templates.render(kind, to, {**shop, **context}, unsubscribe_url)
        return NewMessage(EMAIL, key, Outgoing.compose(rendered, key, self.ctx.settings.notify).to_payload())

    def webhooks(self, source: Claimed, event: str, data: dict[str, Any]) -> list[NewMessage]:
        """One signed delivery per endpoint that wants the event; the body is fixed now, so retries match."""
        body = json.dumps(
            {"id": source.dedup_key, "event": event, "created_at": utc_iso(source.created_at), "data": data},
            sort_keys=True,
            default=str,
        )
        return [
            NewMessage(WEBHOOK, f"webhook:{e.id}:{event}:{source.id}", {"endpoint": e.id, "event": event, "body": body})
            for e in endpoints_for(self.session, event)
        ]


def window_phrase(window: dict[str, str] | None, today: date) -> str:
    """A ship window the way the seed says it: "shipping in 7-10 days (2026-12-04 to 2026-12-07)"."""
    if window is None:
        return "no confirmed date yet: we write as soon as we have one"
    earliest, latest = date.fromisoformat(window["earliest"]), date.fromisoformat(window["latest"])
    first, last = max(0, (earliest - today).days), max(0, (latest - today).days)
    days = f"{first} days" if first == last else f"{first}-{last} days"
    return f"shipping in {days} ({earliest.isoformat()} to {latest.isoformat()})"


def _names(session: Session, codes: Sequence[str]) -> dict[str, str]:
    rows = session.execute(select(Sku.code, Sku.name).where(Sku.code.in_(set(codes))))
    return {row.code: row.name for row in rows}


def _order_email(session: Session, order_id: str) -> str:
    return session.get_one(Order, order_id).email


# ---------------------------------------------------------------- one handler per event topic


def order_placed(x: Expansion, m: Claimed) -> list[NewMessage]:
    """The confirmation says plainly which lines ship now and which wait, each with its window."""
    p = m.payload
    names = _names(x.session, [line["sku"] for line in p["lines"]])
    today = m.created_at.date()
    ships_now = [
        {"sku": line["sku"], "name": names.get(line["sku"], line["sku"]), "quantity": line["allocated"]}
        for line in p["lines"]
        if line["allocated"]
    ]
    backordered = [_waiting_line(line, names, today) for line in p["lines"] if line["backordered"]]
    context = {"order_id": p["id"], "ships_now": ships_now, "backordered": backordered}
    out = [x.email(m, "order_confirmation", p["email"], context), *x.webhooks(m, "order.placed", p)]
    if backordered:
        waiting = [line for line in p["lines"] if line["backordered"]]
        out += x.webhooks(m, "backorder.created", {"order": p["id"], "email": p["email"], "lines": waiting})
    return out


def backorder_filled(x: Expansion, m: Claimed) -> list[NewMessage]:
    p = m.payload
    email = _order_email(x.session, p["order"])
    context = {
        "order_id": p["order"],
        "sku": p["sku"],
        "name": _names(x.session, [p["sku"]]).get(p["sku"], p["sku"]),
        "quantity": p["quantity"],
    }
    return [
        x.email(m, "backorder_filled", email, context),
        *x.webhooks(m, "backorder.filled", {**p, "email": email}),
    ]


def backorder_delayed(x: Expansion, m: Claimed) -> list[NewMessage]:
    """A delay notice: old and new window, an apology, and a link that cancels this line only."""
    p = m.payload
    record_news(x.session, [p["line"]], x.ctx.clock.now(), delay_notice=True)
    notices = x.session.scalar(select(LineNews.delay_notices).where(LineNews.order_line_id == p["line"])) or 1
    days = x.ctx.settings.notify.cancel_link_days
    today = m.created_at.date()
    issued = x.ctx.clock.now()  # the link's life starts when the e-mail is written, even for a late backlog
    context = {
        "order_id": p["order"],
        "sku": p["sku"],
        "name": _names(x.session, [p["sku"]]).get(p["sku"], p["sku"]),
        "quantity": p["quantity"],
        "old_window": window_phrase(p["old_window"], today),
        "new_window": window_phrase(p["new_window"], today) if p["new_window"] else None,
        "notice_number": notices,
        "cancel_url": x.url("/links/cancel/" + cancel_link_token(p["line"], issued, x.secret, days)),
        "cancel_until": (issued.date() + timedelta(days=days)).isoformat(),
    }
    return [x.email(m, "delay_notice", p["email"], context), *x.webhooks(m, "backorder.delayed", p)]


def _ended_lines(x: Expansion, m: Claimed) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The lines this message is about (shipped or cancelled now), and the ones still waiting for stock."""
    p = m.payload
    ended = x.session.execute(
        select(OrderLine.quantity, Sku.code, Sku.name)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .where(OrderLine.id.in_(p["lines_ended"]))
        .order_by(OrderLine.id)
    ).all()
    names = _names(x.session, [line["sku"] for line in p["lines"]])
    today = m.created_at.date()
    waiting = [_waiting_line(line, names, today) for line in p["lines"] if line["status"] == "backordered"]
    return [{"sku": code, "name": name, "quantity": qty} for qty, code, name in ended], waiting


def order_shipped(x: Expansion, m: Claimed) -> list[NewMessage]:
    shipped, waiting = _ended_lines(x, m)
    context = {"order_id": m.payload["id"], "shipped": shipped, "waiting": waiting}
    return [x.email(m, "order_shipped", m.payload["email"], context), *x.webhooks(m, "order.shipped", m.payload)]


def order_cancelled(x: Expansion, m: Claimed) -> list[NewMessage]:
    cancelled, _ = _ended_lines(x, m)
    context = {"order_id": m.payload["id"], "cancelled": cancelled}
    return [
        x.email(m, "order_cancelled", m.payload["email"], context),
        *x.webhooks(m, "order.cancelled", m.payload),
    ]


def still_waiting(x: Expansion, m: Claimed) -> list[NewMessage]:
    """The periodic update; it is not about news, so the customer may stop it with one click."""
    p = m.payload
    context = {
        "order_id": p["order"],
        "sku": p["sku"],
        "name": _names(x.session, [p["sku"]]).get(p["sku"], p["sku"]),
        "quantity": p["quantity"],
        "placed_on": p["placed_at"][:10],
        "window": window_phrase(p["ship_window"], m.created_at.date()) if p["ship_window"] else None,
    }
    stop = x.url("/links/stop-updates/" + stop_updates_token(p["order"], x.secret))
    return [x.email(m, "still_waiting", p["email"], context, unsubscribe_url=stop)]


STATE_TEXT = {
    "in_stock": "it is in stock now",
    "backorder": "it can be ordered now for delivery from our next confirmed shipment",
    "preorder": "it can be pre-ordered now",
}


def availability_changed(x: Expansion, m: Claimed) -> list[NewMessage]:
    """Webhooks always; back-in-stock e-mails when the SKU became buyable, to the next batch of subscribers."""
    p = m.payload
    out = x.webhooks(m, "availability.changed", p)
    if became_buyable(AvailabilityState(p["old_state"]), AvailabilityState(p["new_state"])):
        out += _back_in_stock(x, p["sku"], p["channel"])
    return out


def next_alert_batch(x: Expansion, m: Claimed) -> list[NewMessage]:
    """Still buyable an hour after the last batch was told: the next subscribers in line hear."""
    return _back_in_stock(x, m.payload["sku"], m.payload["channel"])


def _back_in_stock(x: Expansion, sku: str, channel: str) -> list[NewMessage]:
    out = []
    for alert in take_alert_batch(x.session, x.ctx, sku, channel):
        unsubscribe = links.sign(links.Claims(links.UNSUBSCRIBE, str(alert.subscription_id)), x.secret)
        context = {
            "sku": alert.sku,
            "name": alert.sku_name,
            "state_text": STATE_TEXT.get(alert.state, "it can be ordered now"),
            "product_url": x.ctx.settings.notify.public_url,
        }
        out.append(
            x.email_keyed(
                f"email:back_in_stock:{alert.subscription_id}",
                "back_in_stock",
                alert.email,
                context,
                unsubscribe_url=x.url("/links/unsubscribe/" + unsubscribe),
            )
        )
    return out


def nothing_to_tell(x: Expansion, m: Claimed) -> list[NewMessage]:
    """An event no customer or integrator hears about by itself (its effects bring their own messages)."""
    return []


Handler = Callable[[Expansion, Claimed], list[NewMessage]]

EVENT_HANDLERS: dict[str, Handler] = {
    "order_placed": order_placed,
    "backorder_filled": backorder_filled,
    "backorder_delayed": backorder_delayed,
    "backorder_unpromised": backorder_delayed,
    "order_shipped": order_shipped,
    "order_cancelled": order_cancelled,
    "backorder_still_waiting": still_waiting,
    "availability_changed": availability_changed,
    "restock_alert_due": next_alert_batch,
    "po_cancelled": nothing_to_tell,
}


def _waiting_line(line: dict[str, Any], names: dict[str, str], today: date) -> dict[str, Any]:
    """A backordered line as the e-mails show it: what, how many, and its ship window in words."""
    return {
        "sku": line["sku"],
        "name": names.get(line["sku"], line["sku"]),
        "quantity": line["backordered"],
        "window": window_phrase(line["ship_window"], today),
    }
