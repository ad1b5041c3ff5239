"""Rules of an editable catalog: what a change may be, what it leaves alone, and what an archived SKU may do.

A catalog change applies to new promises only. A SKU's backorder policy, wait and limit, a channel's
warehouses and buffer, a supplier's lead time are read when an order is placed or availability is decided;
the backorders already taken keep their pegs and their ship windows: an edit writes the catalog's own rows
and nothing else, so it never re-dates what a customer was told. Open orders of an archived SKU still ship.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from restock.domain.errors import Conflict, InvalidInput
from restock.domain.model import BackorderPolicy, ShippingPolicy, SkuPolicy

MAX_CHANNEL_WAREHOUSES = 50
MAX_SAFETY_BUFFER = 1_000_000
MAX_LEAD_TIME_DAYS = 730
MAX_WEB_ADDRESS_LENGTH = 2000
"""An address a shopper opens, never a data blob (what the URL columns hold)."""
MAX_PRODUCT_URL_LENGTH = MAX_WEB_ADDRESS_LENGTH
"""The column's width: a product page's address."""
EARLIEST_RELEASE = date(2000, 1, 1)
LATEST_RELEASE = date(2100, 12, 31)
MAX_PRICE = Decimal("9999999999.99")


class Keep(enum.Enum):
    """A field a partial update leaves as it is (distinct from None, which clears a nullable field)."""

    KEEP = "keep"


KEEP = Keep.KEEP


def channel_warehouse_list(codes: Sequence[str]) -> tuple[str, ...]:
    """A channel sells from at least one warehouse, each listed once, in the order given: the first is used first."""
    if not codes:
        raise InvalidInput("a channel needs at least one warehouse")
    if len(codes) > MAX_CHANNEL_WAREHOUSES:
        raise InvalidInput(f"a channel may have at most {MAX_CHANNEL_WAREHOUSES} warehouses")
    if len(set(codes)) != len(codes):
        raise InvalidInput("a warehouse is listed twice for the channel")
    return tuple(codes)


def shipping_policy(value: str) -> ShippingPolicy:
    """A channel (or an order) ships `as_available` or `complete`; nothing else is a policy."""
    try:
        return ShippingPolicy(value)
    except ValueError:
        raise InvalidInput(f"shipping policy must be as_available or complete, got {value[:40]!r}") from None


def safety_buffer(value: int) -> int:
    """The units a channel holds back from what it shows as available: a whole number, 0 up to `MAX_SAFETY_BUFFER`."""
    if isinstance(value, bool) or not 0 <= value <= MAX_SAFETY_BUFFER:
        raise InvalidInput(f"the safety buffer must be between 0 and {MAX_SAFETY_BUFFER}, got {value!r}")
    return value


def lead_time_days(value: int) -> int:
    """A supplier's usual lead time: whole days, 0 up to `MAX_LEAD_TIME_DAYS` (two years)."""
    if isinstance(value, bool) or not 0 <= value <= MAX_LEAD_TIME_DAYS:
        raise InvalidInput(f"the lead time must be between 0 and {MAX_LEAD_TIME_DAYS} days, got {value!r}")
    return value


def parse_price(raw: str | Decimal | int | float) -> Decimal:
    """A SKU's price: a finite amount from 0 to `MAX_PRICE` in whole cents (what the column holds exactly)."""
    try:
        price = Decimal(str(raw))
    except InvalidOperation:
        raise InvalidInput(f"invalid price {str(raw)[:40]!r}") from None
    if not price.is_finite() or price < 0 or price > MAX_PRICE or price != price.quantize(Decimal("0.01")):
        raise InvalidInput(f"a price must be between 0 and {MAX_PRICE} with at most 2 decimals, got {raw}")
    return price


def parse_policy(backorder: str, max_wait_days: int, backorder_limit_pct: int) -> SkuPolicy:
    """A SKU's backorder policy by name, with its wait and limit within `SkuPolicy`'s bounds."""
    try:
        policy = BackorderPolicy(backorder)
    except ValueError:
        raise InvalidInput(f"backorder policy must be never, confirmed or always, got {backorder!r}") from None
    try:
        return SkuPolicy(policy, max_wait_days, backorder_limit_pct)
    except ValueError as error:
        raise InvalidInput(str(error)) from None


def web_address(value: str, what: str, longest: int = MAX_WEB_ADDRESS_LENGTH) -> str:
    """An address a shopper can open (a product page, a parcel's tracking page): an absolute http(s) address with a
    host, printable ASCII without spaces, at most `longest` characters. `what` names it in the refusal."""
    shown = value[:80]
    if not value or len(value) > longest or not value.isascii() or not value.isprintable():
        raise InvalidInput(f"a {what} is 1-{longest} printable ASCII characters, got {shown!r}")
    if any(c.isspace() for c in value):
        raise InvalidInput(f"a {what} has no spaces, got {shown!r}")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise InvalidInput(f"invalid {what} {shown!r}") from None
    if parts.scheme not in ("http", "https") or not host:
        raise InvalidInput(f"a {what} is an absolute http:// or https:// address, got {shown!r}")
    return value


def product_url(value: str) -> str:
    """A product page a shopper can open (`web_address`), as long as the column holds."""
    return web_address(value, "product URL", MAX_PRODUCT_URL_LENGTH)


def release_date(value: date) -> date:
    """A release date within reason: an off-by-a-century typo would make a product a pre-order forever."""
    if not EARLIEST_RELEASE <= value <= LATEST_RELEASE:
        raise InvalidInput(f"a release date must be between {EARLIEST_RELEASE} and {LATEST_RELEASE}, got {value}")
    return value


def an_archived_sku_takes_no_orders(archived_codes: Sequence[str]) -> None:
    """An order naming an archived SKU is refused whole, naming the SKUs: the product is no longer sold."""
    codes = sorted(set(archived_codes))
    if len(codes) == 1:
        raise Conflict(f"SKU {codes[0]} is archived and takes no new orders")
    if codes:
        raise Conflict(f"SKUs {', '.join(codes)} are archived and take no new orders"[:500])
