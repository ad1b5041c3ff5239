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
from restock.domain.model import AvailabilityState, ShipWindow
from restock.services.catalog import sku_policy
from restock.services.context import Context, use_case
from restock.services.supply import inbound_supply
from restock.store import availability_reads as reads
from restock.store import orders as store
from restock.store import repo
from restock.store.ledger import free_stock_of_skus
from restock.store.orders import ChannelInfo, SkuInfo
from restock.store.schema import Channel, Sku
from restock.store.supply import open_supply_for_skus


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
            "message": d.message,
            "reason": d.reason.value,
        }


def never_stocked(session: Session, sku_id: int) -> bool:
    """A SKU that has never had stock arrive is a first release: its backorders are pre-orders."""
    return sku_id not in ever_stocked(session, [sku_id])


def ever_stocked(session: Session, sku_ids: Sequence[int]) -> set[int]:
    """Which of these SKUs have ever had stock arrive (one query for a whole page)."""
    return reads.ever_stocked(session, sku_ids)


def decide_many(
    session: Session,
    ctx: Context,
    skus: Sequence[SkuInfo],
    channel: ChannelInfo,
    today: date,
    free: dict[tuple[int, int], int] | None = None,
) -> list[AvailabilityView]:
    """The decision for many SKUs on one channel: a fixed number of queries, whatever the number of SKUs.

    `free` (units per SKU and warehouse) may come with the caller's own query; it is read here otherwise.
    """
    ids = [sku.id for sku in skus]
    warehouse_ids = channel.warehouse_ids
    if free is None:
        free = free_stock_of_skus(session, ids, warehouse_ids)
    supply = open_supply_for_skus(session, ids, channel.id)

    def decide_one(sku: SkuInfo, first_release: bool) -> rules.Availability:
        if sku.archived:
            return rules.an_archived_sku_is_out_of_stock()
        now = sum(sellable(free.get((sku.id, w), 0), channel.safety_buffer) for w in warehouse_ids)
        options = [inbound_supply(line, sku.policy, ctx.settings) for line in supply.get(sku.id, [])]
        return rules.decide(sku.policy, now, options, today, never_stocked=first_release)

    decisions = {sku.id: decide_one(sku, False) for sku in skus}
    # Only a backorder can be a pre-order: ask the ledger about those SKUs alone (most reads are in stock).
    backordered = [sku.id for sku in skus if decisions[sku.id].state is AvailabilityState.BACKORDER]
    if backordered:
        stocked = ever_stocked(session, backordered)
        for sku in skus:
            if sku.id in backordered and sku.id not in stocked:
                decisions[sku.id] = decide_one(sku, True)
    return [AvailabilityView(sku.code, channel.code, decisions[sku.id]) for sku in skus]


def sku_info_of(sku: Sku) -> SkuInfo:
    return SkuInfo(sku.id, sku.code, sku_policy(sku), sku.archived_at is not None)


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
    channels = reads.channels_by_id(session)
    return [decide_many(session, ctx, [sku_info], channel_info_of(session, c), today)[0] for c in channels]


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
