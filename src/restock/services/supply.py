"""Turning open PO lines into promisable supply with ship windows, and measuring supplier lateness."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from restock.config import Settings
from restock.domain.availability import a_preorder_ships_from_its_release
from restock.domain.model import InboundSupply, ShipWindow, SkuPolicy, promise_cap
from restock.domain.promise import measured_p90_lateness, ship_window
from restock.store.reliability import supplier_lateness
from restock.store.supply import OpenPOLine, open_supply_for_channel, set_supplier_lateness


def window_for(settings: Settings, eta: date | None, lateness_p90_days: int | None) -> ShipWindow | None:
    if eta is None:
        return None
    lateness = settings.default_lateness_days if lateness_p90_days is None else lateness_p90_days
    return ship_window(eta, settings.handling_days, lateness)


def inbound_supply(
    line: OpenPOLine, policy: SkuPolicy, settings: Settings, release: date | None = None
) -> InboundSupply:
    """A PO line as supply a backorder may be pegged to. `release`: the SKU is a pre-order
    (`domain.availability.preorder_release`), so its window starts no earlier than that day."""
    capacity = promise_cap(line.ordered, line.received, policy.backorder_limit_pct) - line.promised
    return InboundSupply(
        po_line_id=line.po_line_id,
        eta=line.eta,
        eta_confirmed=line.eta_confirmed,
        capacity=max(0, capacity),
        window=_window(settings, line, release) if line.eta_confirmed else None,
    )


def _window(settings: Settings, line: OpenPOLine, release: date | None) -> ShipWindow | None:
    window = window_for(settings, line.eta, line.lateness_p90_days)
    return None if window is None else a_preorder_ships_from_its_release(window, release)


def supply_for(
    session: Session,
    settings: Settings,
    sku_id: int,
    channel_id: int,
    policy: SkuPolicy,
    release: date | None = None,
) -> list[InboundSupply]:
    """The SKU's open supply arriving where the channel sells from; `release` as in `inbound_supply`."""
    lines = open_supply_for_channel(session, sku_id, channel_id)
    return [inbound_supply(line, policy, settings, release) for line in lines]


def refresh_supplier_lateness(session: Session, supplier_id: int, today: date) -> None:
    """Re-measure a supplier's P90 lateness (domain.promise.lateness_days over its POs) and store it on the
    supplier, so that every availability answer does not recompute it. The supplier scorecard reports the
    same figure from the same rows and the same rule."""
    measured = measured_p90_lateness(supplier_lateness(session, today, supplier_id).get(supplier_id, []))
    set_supplier_lateness(session, supplier_id, measured)
