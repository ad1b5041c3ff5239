"""Changing the catalog after it was set up: a SKU's settings, a channel's warehouses and buffer, a supplier's terms;
archiving a SKU and bringing it back.

Each edit is partial (a field left `KEEP` keeps its value), checked whole before anything is written, and applies
to new promises only (`restock.domain.catalog`): backorders already taken keep their pegs and windows. An edit that
can move what shoppers see writes to the feed of availability changes, so every API worker drops its remembered
answers at once, and runs inside `watching_availability`, so integrators hear of each state that changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from sqlalchemy.orm import Session

from restock.domain import catalog as rules
from restock.domain import validation as valid
from restock.domain.catalog import KEEP, Keep, parse_policy, parse_price
from restock.domain.errors import InvalidInput
from restock.domain.model import ShippingPolicy
from restock.services.availability_watch import watching_availability
from restock.services.catalog import (
    ChannelView,
    SkuView,
    SupplierView,
    channel_view,
    sku_view,
    supplier_view,
)
from restock.services.context import Context, use_case
from restock.store import catalog as store
from restock.store import repo
from restock.store.schema import Channel, Sku

T = TypeVar("T")


def kept(value: T | Keep, current: T) -> T:
    """The new value of a field of a partial update: the one sent, or the current one when none was."""
    return current if isinstance(value, Keep) else value


@dataclass(frozen=True)
class SkuEdit:
    """The SKU fields to change; `KEEP` leaves one as it is, None clears the release date or the product URL."""

    name: str | Keep = KEEP
    price: str | Decimal | Keep = KEEP
    backorder: str | Keep = KEEP
    max_wait_days: int | Keep = KEEP
    backorder_limit_pct: int | Keep = KEEP
    release_date: date | Keep | None = KEEP
    product_url: str | Keep | None = KEEP


@dataclass(frozen=True)
class ChannelEdit:
    warehouses: tuple[str, ...] | Keep = KEEP
    """The whole list, in allocation order: it replaces the current one."""
    safety_buffer: int | Keep = KEEP
    shipping_policy: str | Keep = KEEP


@dataclass(frozen=True)
class SupplierEdit:
    name: str | Keep = KEEP
    lead_time_days: int | Keep = KEEP


@use_case()
def edit_sku(session: Session, ctx: Context, code: str, edit: SkuEdit) -> SkuView:
    """Change a SKU's settings for the orders and availability answers to come; given promises stay."""
    sku = repo.sku_by_code(session, code, lock=True)
    policy = parse_policy(
        kept(edit.backorder, sku.backorder_policy),
        kept(edit.max_wait_days, sku.max_wait_days),
        kept(edit.backorder_limit_pct, sku.backorder_limit_pct),
    )
    name = valid.name(kept(edit.name, sku.name))
    price = sku.price if isinstance(edit.price, Keep) else parse_price(edit.price)
    release = kept(edit.release_date, sku.release_date)
    url = kept(edit.product_url, sku.product_url)
    release = None if release is None else rules.release_date(release)
    url = None if url is None else rules.product_url(url)
    with watching_availability(session, ctx, [sku.id]):
        store.update_sku(session, sku.id, name=name, price=price, policy=policy, release_date=release, product_url=url)
        store.record_availability_change(session, sku.id)
    return _sku_now(session, sku)


@use_case()
def archive_sku(session: Session, ctx: Context, code: str) -> SkuView:
    """Stop selling a SKU: no new orders, out of stock for shoppers, hidden from lists. Its history stays, and its
    open orders still ship. Archiving an archived SKU changes nothing (it keeps the first archiving's time)."""
    sku = repo.sku_by_code(session, code, lock=True)
    if sku.archived_at is None:
        _set_archived(session, ctx, sku, archived=True)
    return _sku_now(session, sku)


@use_case()
def unarchive_sku(session: Session, ctx: Context, code: str) -> SkuView:
    """Sell a SKU again, with the settings it had."""
    sku = repo.sku_by_code(session, code, lock=True)
    if sku.archived_at is not None:
        _set_archived(session, ctx, sku, archived=False)
    return _sku_now(session, sku)


def _set_archived(session: Session, ctx: Context, sku: Sku, archived: bool) -> None:
    with watching_availability(session, ctx, [sku.id]):
        store.set_archived(session, sku.id, ctx.clock.now() if archived else None)
        store.record_availability_change(session, sku.id)


def _sku_now(session: Session, sku: Sku) -> SkuView:
    session.flush()
    session.refresh(sku)
    return sku_view(sku)


@use_case()
def edit_channel(session: Session, ctx: Context, code: str, edit: ChannelEdit) -> ChannelView:
    """Change which warehouses serve a channel (in order), its safety buffer or its shipping policy, for the orders
    to come: what is allocated or pegged stays where it is."""
    channel = store.lock_channel(session, code)
    warehouse_ids = None if isinstance(edit.warehouses, Keep) else _warehouse_ids(session, edit.warehouses)
    buffer = rules.safety_buffer(kept(edit.safety_buffer, channel.safety_buffer))
    shipping = _shipping_policy(kept(edit.shipping_policy, channel.shipping_policy))
    with watching_availability(session, ctx, store.every_sku_id(session)):
        store.update_channel(session, channel.id, buffer, shipping.value)
        if warehouse_ids is not None:
            store.replace_channel_warehouses(session, channel.id, warehouse_ids)
        store.record_availability_change(session, None)
    return _channel_now(session, channel)


def _warehouse_ids(session: Session, codes: tuple[str, ...]) -> list[int]:
    """The ids of a channel's new warehouse list, in its order; every one must exist."""
    listed = rules.channel_warehouse_list([valid.code(c, "warehouse code") for c in codes])
    found = store.warehouse_ids_by_code(session, listed)
    unknown = [c for c in listed if c not in found]
    if unknown:
        raise InvalidInput(f"unknown warehouse(s): {', '.join(unknown)}"[:500])
    return [found[c] for c in listed]


def _shipping_policy(value: str) -> ShippingPolicy:
    return rules.shipping_policy(value)  # the one rule, which creating a channel checks too


def _channel_now(session: Session, channel: Channel) -> ChannelView:
    session.flush()
    session.refresh(channel)
    return channel_view(session, channel, store.warehouse_codes(session))


@use_case()
def edit_supplier(session: Session, ctx: Context, code: str, edit: SupplierEdit) -> SupplierView:
    """Change a supplier's name or usual lead time: purchase planning uses the new lead time from now on; POs
    already confirmed keep their ETAs, and backorders their windows."""
    supplier = store.lock_supplier(session, code)
    name = valid.name(kept(edit.name, supplier.name))
    lead_time = rules.lead_time_days(kept(edit.lead_time_days, supplier.lead_time_days))
    store.update_supplier(session, supplier.id, name, lead_time)
    session.flush()
    session.refresh(supplier)
    return supplier_view(supplier)
