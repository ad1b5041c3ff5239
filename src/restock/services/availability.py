"""What a shopper sees for a SKU on a channel, with the reason a merchant can act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from restock.domain import availability as rules
from restock.domain.model import ShipWindow
from restock.services.catalog import sku_policy
from restock.services.context import Context, use_case
from restock.services.supply import supply_for
from restock.store import repo
from restock.store.ledger import free_stock
from restock.store.schema import Channel, Movement, Sku


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


def sellable_now(session: Session, sku_id: int, channel: Channel) -> list[tuple[int, int]]:
    """(warehouse, units a new order on this channel may take), in the channel's warehouse order."""
    warehouse_ids = repo.channel_warehouse_ids(session, channel.id)
    free = free_stock(session, sku_id, warehouse_ids)
    return [(w, max(0, free.get(w, 0) - channel.safety_buffer)) for w in warehouse_ids]


def never_stocked(session: Session, sku_id: int) -> bool:
    """A SKU that has never had stock arrive is a first release: its backorders are pre-orders."""
    return not session.scalar(select(exists().where(Movement.sku_id == sku_id, Movement.on_hand_delta > 0)))


def decide_for(session: Session, ctx: Context, sku: Sku, channel: Channel, today: date) -> AvailabilityView:
    policy = sku_policy(sku)
    now = sum(units for _, units in sellable_now(session, sku.id, channel))
    supply = supply_for(session, ctx.settings, sku.id, channel.id, policy)
    decision = rules.decide(policy, now, supply, today, never_stocked=never_stocked(session, sku.id))
    return AvailabilityView(sku.code, channel.code, decision)


@use_case(readonly=True)
def availability(
    session: Session, ctx: Context, sku_code: str, channel_code: str | None = None
) -> list[AvailabilityView]:
    """The decision for one channel, or for every channel when none is named."""
    sku = repo.sku_by_code(session, sku_code)
    channels = (
        [repo.channel_by_code(session, channel_code)]
        if channel_code
        else list(session.scalars(select(Channel).order_by(Channel.id)))
    )
    today = ctx.clock.today()
    return [decide_for(session, ctx, sku, channel, today) for channel in channels]


@use_case(readonly=True)
def availability_many(
    session: Session, ctx: Context, sku_codes: list[str], channel_code: str
) -> list[AvailabilityView]:
    """Many SKUs on one channel in one transaction, in the order asked (a product listing page)."""
    channel = repo.channel_by_code(session, channel_code)
    today = ctx.clock.today()
    return [decide_for(session, ctx, repo.sku_by_code(session, code), channel, today) for code in sku_codes]


@use_case(readonly=True)
def catalog_availability(session: Session, ctx: Context, channel_code: str | None = None) -> list[AvailabilityView]:
    """Every SKU on one channel: the overview a merchant looks at first."""
    channel = repo.channel_by_code(session, channel_code) if channel_code else repo.default_channel(session)
    today = ctx.clock.today()
    skus = session.scalars(select(Sku).order_by(Sku.code))
    return [decide_for(session, ctx, sku, channel, today) for sku in skus]
