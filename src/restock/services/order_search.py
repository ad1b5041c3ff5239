"""Finding orders: by status, channel, SKU, customer e-mail, the shop's number, when placed, delayed or waiting;
newest first, a page at a time.

Pages are keyset-paged: the cursor names where the last page ended (its last order's placed_at and id), so a
page costs the same however deep it is, and an order placed while a client pages does not shift the pages
after it. The cursor is opaque to clients (they pass back what they were given).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from restock.domain import validation as valid
from restock.domain.errors import InvalidInput
from restock.domain.model import OrderStatus
from restock.domain.references import check_external_ref
from restock.services.context import Context, use_case
from restock.services.order_views import view_of
from restock.services.views import OrderPage
from restock.store import order_search as store
from restock.store.order_search import After, OrderFilter

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_CURSOR = 200


@dataclass(frozen=True)
class OrderQuery:
    """The filters (each None: not filtered), how many orders a page holds, and where the last page ended."""

    status: str | None = None
    channel: str | None = None
    sku: str | None = None
    email: str | None = None
    external_ref: str | None = None
    placed_from: datetime | None = None
    """Inclusive; a time without a zone is UTC."""
    placed_to: datetime | None = None
    """Exclusive; a time without a zone is UTC."""
    delayed: bool | None = None
    has_backorder: bool | None = None
    limit: int = DEFAULT_LIMIT
    after: str | None = None
    """The `next` cursor of the page before."""

    def validate(self) -> None:
        """Every filter is checked by the rule for what it names, so a typo is refused rather than matching nothing."""
        if self.status is not None and self.status not in {s.value for s in OrderStatus}:
            raise InvalidInput(f"unknown order status {self.status[:40]!r}: use open, shipped or cancelled")
        if self.channel is not None:
            valid.code(self.channel, "channel code")
        if self.sku is not None:
            valid.code(self.sku, "SKU code")
        if self.email is not None:
            valid.email(self.email)
        if self.external_ref is not None:
            check_external_ref(self.external_ref)
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(f"a page holds 1 to {MAX_LIMIT} orders, not {self.limit}")
        start, end = self.placed_from, self.placed_to
        if start is not None and end is not None and stored_time(start) >= stored_time(end):
            raise InvalidInput("placed_from must be before placed_to")

    def filter(self) -> OrderFilter:
        return OrderFilter(
            status=self.status,
            channel=self.channel,
            sku=self.sku,
            email=self.email,
            external_ref=self.external_ref,
            placed_from=None if self.placed_from is None else stored_time(self.placed_from),
            placed_to=None if self.placed_to is None else stored_time(self.placed_to),
            delayed=self.delayed,
            has_backorder=self.has_backorder,
        )


def stored_time(moment: datetime) -> datetime:
    """A moment as orders store it: naive UTC (one without a zone is taken as UTC)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def cursor_of(after: After) -> str:
    """Opaque to clients: the last order's placed_at and id, base64url-encoded."""
    raw = f"{after.placed_at.isoformat()}|{after.order_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def after_of(cursor: str) -> After:
    """The keyset a cursor names; anything this service did not write is refused."""
    bad = InvalidInput("invalid cursor: pass back the `next` value of the page before")
    if not 1 <= len(cursor) <= MAX_CURSOR or not cursor.isascii():
        raise bad
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        placed_at, separator, order_id = raw.partition("|")
        moment = datetime.fromisoformat(placed_at)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise bad from None
    if not separator or not order_id or moment.tzinfo is not None or not order_id.isascii():
        raise bad
    return After(moment, order_id)


@use_case(readonly=True)
def search_orders(session: Session, ctx: Context, query: OrderQuery) -> OrderPage:
    """A page of the orders `query` asks for, newest first, with the cursor of the next page (None on the last).

    Two queries whatever the page's size: the orders (one more than a page, to know whether another follows),
    then all their lines with their parts.
    """
    query.validate()
    after = None if query.after is None else after_of(query.after)
    found = store.order_page(session, query.filter(), query.limit + 1, after)
    more, page = len(found) > query.limit, found[: query.limit]
    lines = store.lines_of_orders(session, [f.order.id for f in page])
    items = [
        view_of(f.order, f.channel_code, f.channel_shipping_policy, lines.by_order.get(f.order.id, []), lines.parts)
        for f in page
    ]
    last = page[-1].order if page else None
    following = cursor_of(After(last.placed_at, last.id)) if more and last is not None else None
    return OrderPage(items=items, next=following)
