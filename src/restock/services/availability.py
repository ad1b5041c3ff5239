"""What a shopper sees for a SKU on a channel, with the reason a merchant can act on."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from restock.domain import availability as rules
from restock.domain.allocation import sellable
from restock.domain.errors import NotFound
from restock.domain.model import ShipWindow
from restock.services.catalog import sku_policy
from restock.services.context import Context, use_case
from restock.services.supply import inbound_supply
from restock.store import availability_reads as reads
from restock.store import orders as store
from restock.store import repo
from restock.store.ledger import free_stock_of_skus
from restock.store.orders import ChannelInfo, SkuInfo
from restock.store.schema import Channel, Sku
from restock.store.supply import OpenPOLine, open_supply_for_skus


def window_json(window: ShipWindow | None) -> dict[str, str] | None:
    if window is None:
        return None
    return {"earliest": window.earliest.isoformat(), "latest": window.latest.isoformat()}


@dataclass(frozen=True)
class AvailabilityView:
    sku: str
    channel: str
    decision: rules.Availability

    def to_json(self) -> dict[str, Any]:
        d = self.decision
        return {
            "sku": self.sku,
            "channel": self.channel,
            "state": d.state.value,
            "available_now": d.available_now,
            "backorderable": d.backorderable,
            "ship_window": window_json(d.ship_window),
            "backorder_window": window_json(d.backorder_window),
            "message": d.message,
            "reason": d.reason.value,
        }


Free = dict[tuple[int, int], int]
"""Free units (on hand - allocated) per (SKU id, warehouse id)."""
Supply = dict[int, list[OpenPOLine]]
"""Open PO lines per SKU id, arriving where one channel sells from."""


def decide_many(
    session: Session,
    ctx: Context,
    skus: Sequence[SkuInfo],
    channel: ChannelInfo,
    today: date,
    free: Free | None = None,
    supply: Supply | None = None,
) -> list[AvailabilityView]:
    """The decision for many SKUs on one channel: a fixed number of queries, whatever the number of SKUs.

    `free` and `supply` may come with the caller's own reads; they are read here otherwise.
    """
    ids = [sku.id for sku in skus]
    if free is None:
        free = free_stock_of_skus(session, ids, channel.warehouse_ids)
    if supply is None:
        supply = open_supply_for_skus(session, ids, channel.id)
    return [
        AvailabilityView(sku.code, channel.code, decide_one(ctx, sku, channel, today, free, supply)) for sku in skus
    ]


def decide_one(
    ctx: Context, sku: SkuInfo, channel: ChannelInfo, today: date, free: Free, supply: Supply
) -> rules.Availability:
    """The one decision every answer uses (`domain.availability.decide`), from stock and supply already read."""
    if sku.archived:
        return rules.an_archived_sku_is_out_of_stock()
    now = sum(sellable(free.get((sku.id, w), 0), channel.safety_buffer) for w in channel.warehouse_ids)
    release = rules.preorder_release(sku.release_date, sku.first_sold_at, today)
    options = [inbound_supply(line, sku.policy, ctx.settings, release) for line in supply.get(sku.id, [])]
    return rules.decide(sku.policy, now, options, today, preorder=release is not None)


def sku_info_of(sku: Sku) -> SkuInfo:
    return SkuInfo(
        sku.id, sku.code, sku_policy(sku), sku.release_date, sku.first_sold_at, archived=sku.archived_at is not None
    )


def channel_info_of(session: Session, channel: Channel) -> ChannelInfo:
    return ChannelInfo(
        channel.id, channel.code, channel.safety_buffer, tuple(repo.channel_warehouse_ids(session, channel.id))
    )


@use_case(readonly=True)
def availability(
    session: Session, ctx: Context, sku_code: str, channel_code: str | None = None
) -> list[AvailabilityView]:
    """The decision for one channel, or for every channel when none is named.

    For one channel (what a storefront asks on every product page) the SKU, the channel's warehouses and
    their free stock come in one query, the inbound supply in a second.
    """
    today = ctx.clock.today()
    if channel_code:
        sku, channel, free = store.read_context(session, sku_code, channel_code)
        return decide_many(session, ctx, [sku], channel, today, free)
    sku_info = sku_info_of(repo.sku_by_code(session, sku_code))
    return [decide_many(session, ctx, [sku_info], channel, today)[0] for channel in reads.every_channel(session)]


@use_case(readonly=True)
def availability_many(
    session: Session, ctx: Context, sku_codes: list[str], channel_code: str
) -> list[AvailabilityView]:
    """Many SKUs on one channel in one transaction, in the order asked (a product listing page)."""
    channel = channel_info_of(session, repo.channel_by_code(session, channel_code))
    found = reads.skus_by_code(session, sku_codes)
    missing = [code for code in sku_codes if code not in found]
    if missing:
        raise NotFound(f"unknown SKU(s): {', '.join(sorted(set(missing)))[:500]}")
    return decide_many(session, ctx, [sku_info_of(found[code]) for code in sku_codes], channel, ctx.clock.today())


@use_case(readonly=True)
def catalog_availability(session: Session, ctx: Context, channel_code: str | None = None) -> list[AvailabilityView]:
    """Every SKU on one channel: the overview a merchant looks at first."""
    found = repo.channel_by_code(session, channel_code) if channel_code else repo.default_channel(session)
    skus = [sku_info_of(sku) for sku in reads.every_sku_by_code(session)]
    return decide_many(session, ctx, skus, channel_info_of(session, found), ctx.clock.today())
