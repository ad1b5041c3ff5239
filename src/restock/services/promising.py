"""Pegging backorders to confirmed inbound supply and re-promising them when that supply moves."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from restock.domain.allocation import WaitingPart, queue_key
from restock.domain.availability import promisable_supply
from restock.domain.model import InboundSupply, ShipWindow
from restock.domain.promise import is_delay, is_delayed
from restock.services.availability import window_json
from restock.services.catalog import sku_policy
from restock.services.context import Context
from restock.services.supply import supply_for
from restock.store.outbox import emit
from restock.store.queue import queue_order_by
from restock.store.schema import Channel, LinePart, Order, OrderLine, Sku, table
from restock.store.supply import reserve_promise, room_on


@dataclass(frozen=True)
class Backorder:
    """Who is waiting: the facts a new backorder part copies from its line and order."""

    order_line_id: int
    sku_id: int
    channel_id: int
    priority: int
    placed_at: datetime
    promised_latest: date | None = None
    """The latest date the customer was first given; None for a new promise."""


@dataclass(frozen=True)
class Peg:
    """Units of a backorder promised against one PO line (or against nothing: `po_line_id` None)."""

    po_line_id: int | None
    quantity: int
    window: ShipWindow | None


def backorder_part_row(who: Backorder, peg: Peg) -> dict[str, Any]:
    """The row of a waiting part; delayed when its window (or the lack of one) is worse than the first promise."""
    window = peg.window
    promised_latest = who.promised_latest or (window.latest if window else None)
    return {
        "order_line_id": who.order_line_id,
        "sku_id": who.sku_id,
        "channel_id": who.channel_id,
        "kind": "backordered",
        "quantity": peg.quantity,
        "warehouse_id": None,
        "po_line_id": peg.po_line_id,
        "priority": who.priority,
        "placed_at": who.placed_at,
        "window_earliest": window.earliest if window else None,
        "window_latest": window.latest if window else None,
        "promised_latest": promised_latest,
        "delayed": is_delayed(promised_latest, window),
    }


def peg_to_supply(session: Session, supply: Iterable[InboundSupply], need: int, limit_pct: int) -> list[Peg]:
    """Promise up to `need` units against supply, earliest ETA first, each PO line within its cap.

    A guarded UPDATE reserves the promise; when a concurrent order took the room first, the line's
    room is re-read and the smaller remainder tried. What could not be pegged is left out of the result.
    """
    pegs: list[Peg] = []
    for option in supply:
        room = option.capacity
        while need > 0 and room > 0:
            take = min(need, room)
            if reserve_promise(session, option.po_line_id, take, limit_pct):
                pegs.append(Peg(option.po_line_id, take, option.window))
                need -= take
                break
            room = room_on(session, option.po_line_id, limit_pct)
        if need == 0:
            break
    return pegs


def add_backorder_parts(session: Session, who: Backorder, pegs: list[Peg]) -> list[int]:
    """Insert the waiting parts of a line; returns their ids in the order of `pegs`."""
    if not pegs:
        return []
    rows = [backorder_part_row(who, peg) for peg in pegs]
    result = session.execute(insert(table(LinePart)).returning(table(LinePart).c.id), rows)
    return list(result.scalars())


def repeg_parts(session: Session, ctx: Context, parts: list[LinePart]) -> None:
    """Move backorders off supply that went away onto other confirmed supply; else leave them unpromised.

    Earlier customers are re-pegged first. Every customer whose date moves later, or who loses it,
    gets a `backorder_delayed` message in this transaction.
    """
    today, now = ctx.clock.today(), ctx.clock.now()
    for part in sorted(parts, key=lambda p: queue_key(WaitingPart(p.id, p.po_line_id, p.priority, p.placed_at))):
        sku = session.get_one(Sku, part.sku_id)
        policy = sku_policy(sku)
        supply = promisable_supply(supply_for(session, ctx.settings, sku.id, part.channel_id, policy), policy, today)
        who = Backorder(
            part.order_line_id,
            part.sku_id,
            part.channel_id,
            part.priority,
            part.placed_at,
            part.promised_latest,
        )
        old = _window_of(part)
        part.kind = "released"
        pegs = peg_to_supply(session, supply, part.quantity, policy.backorder_limit_pct)
        left = part.quantity - sum(p.quantity for p in pegs)
        if left:
            pegs.append(Peg(None, left, None))
        session.flush()
        for new_id in add_backorder_parts(session, who, pegs):
            announce_if_delayed(session, session.get_one(LinePart, new_id), old, now)


def _window_of(part: LinePart) -> ShipWindow | None:
    if part.window_earliest is None or part.window_latest is None:
        return None
    return ShipWindow(part.window_earliest, part.window_latest)


def apply_new_window(session: Session, part: LinePart, window: ShipWindow | None, now: datetime) -> None:
    """Give a waiting part its recomputed window, flag it delayed against its first promise, and tell the customer."""
    old = _window_of(part)
    part.window_earliest = window.earliest if window else None
    part.window_latest = window.latest if window else None
    part.delayed = is_delayed(part.promised_latest, window)
    announce_if_delayed(session, part, old, now)


def announce_if_delayed(session: Session, part: LinePart, old: ShipWindow | None, now: datetime) -> None:
    """Tell the customer when a part's window now ends later than the one they were last given, or is gone."""
    new = _window_of(part)
    if not is_delay(old, new):
        return
    line = session.get_one(OrderLine, part.order_line_id)
    order = session.get_one(Order, line.order_id)
    sku = session.get_one(Sku, part.sku_id)
    channel = session.get_one(Channel, part.channel_id)
    topic = "backorder_delayed" if new is not None else "backorder_unpromised"
    emit(
        session,
        topic,
        f"{topic}:{part.id}:{uuid.uuid4().hex}",  # a date can slip to the same day twice: one key per notice
        {
            "order": order.id,
            "line": line.id,
            "email": order.email,
            "channel": channel.code,
            "sku": sku.code,
            "quantity": part.quantity,
            "old_window": window_json(old),
            "new_window": window_json(new),
            "first_promised_latest": part.promised_latest.isoformat() if part.promised_latest else None,
        },
        now,
    )


def waiting_parts_on(session: Session, po_line_ids: list[int]) -> list[LinePart]:
    """Backorders pegged to these PO lines, earliest customers first."""
    return list(
        session.scalars(
            select(LinePart)
            .where(LinePart.po_line_id.in_(po_line_ids), LinePart.kind == "backordered")
            .order_by(*queue_order_by())
        )
    )
