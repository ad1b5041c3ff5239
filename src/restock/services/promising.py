"""Pegging backorders to confirmed inbound supply and re-promising them when that supply moves."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from restock.domain.allocation import WaitingPart, queue_key
from restock.domain.availability import a_preorder_ships_from_its_release, preorder_release, promisable_supply
from restock.domain.cover import Peg, cover_plan
from restock.domain.events import delay_notice_type
from restock.domain.lines import PartKind, line_window
from restock.domain.model import BackorderPolicy, InboundSupply, ShipWindow, part_window
from restock.domain.placed import Backorder, waiting_part
from restock.domain.promise import is_delay, is_delayed
from restock.services.catalog import sku_policy
from restock.services.context import Context
from restock.services.supply import supply_for
from restock.store import line_news
from restock.store.outbox import emit
from restock.store.parts import insert_parts_returning_ids, waiting_parts_pegged_to
from restock.store.placed import part_row
from restock.store.schema import Channel, LinePart, Order, OrderLine, Sku
from restock.store.supply import reserve_promise, room_on


def peg_to_supply(session: Session, supply: Sequence[InboundSupply], need: int, limit_pct: int) -> list[Peg]:
    """Promise up to `need` units against supply as `domain.cover.cover_plan` plans it: earliest first, each PO
    line within its cap. What could not be pegged is left out of the result.

    A guarded UPDATE reserves each peg; when a concurrent order took the room first, that line's room is
    re-read and the plan made anew for what is still needed.
    """
    rooms = {option.po_line_id: option.capacity for option in supply}
    pegs: list[Peg] = []
    lost_a_race = True
    while need > 0 and lost_a_race:
        options = [replace(option, capacity=rooms[option.po_line_id]) for option in supply]
        plan = cover_plan(need, BackorderPolicy.CONFIRMED, supply=options)
        lost_a_race = False
        for peg in plan.pegs:
            assert peg.po_line_id is not None
            if not reserve_promise(session, peg.po_line_id, peg.quantity, limit_pct):
                rooms[peg.po_line_id] = room_on(session, peg.po_line_id, limit_pct)
                lost_a_race = True
                break
            pegs.append(peg)
            rooms[peg.po_line_id] -= peg.quantity
            need -= peg.quantity
    return pegs


def add_backorder_parts(session: Session, who: Backorder, pegs: list[Peg]) -> list[int]:
    """Insert the waiting parts of a line (delayed against `who`'s first promise); their ids in the order of `pegs`."""
    return insert_parts_returning_ids(session, [part_row(who, waiting_part(peg, who.promised_latest)) for peg in pegs])


def repeg_parts(session: Session, ctx: Context, parts: list[LinePart]) -> None:
    """Move backorders off supply that went away onto other confirmed supply; else leave them unpromised.

    Earlier customers are re-pegged first. Every customer whose date moves later, or who loses it,
    gets a `backorder_delayed` message in this transaction.
    """
    today, now = ctx.clock.today(), ctx.clock.now()
    for part in sorted(parts, key=lambda p: queue_key(WaitingPart(p.id, p.po_line_id, p.priority, p.placed_at))):
        sku = session.get_one(Sku, part.sku_id)
        policy = sku_policy(sku)
        release = preorder_release(sku.release_date, sku.first_sold_at, today)
        options = supply_for(session, ctx.settings, sku.id, part.channel_id, policy, release)
        supply = promisable_supply(options, policy, today)
        who = Backorder(
            part.order_line_id,
            part.sku_id,
            part.channel_id,
            part.priority,
            part.placed_at,
            part.promised_latest,
        )
        old = _window_of(part)
        part.kind = PartKind.RELEASED.value
        pegs = peg_to_supply(session, supply, part.quantity, policy.backorder_limit_pct)
        # A backorder already accepted is never refused: what no supply covers waits undated, whatever the policy.
        pegs += cover_plan(part.quantity - sum(p.quantity for p in pegs), BackorderPolicy.ALWAYS).pegs
        session.flush()
        for new_id in add_backorder_parts(session, who, pegs):
            announce_if_delayed(session, session.get_one(LinePart, new_id), old, now)


def _window_of(part: LinePart) -> ShipWindow | None:
    if part.window_earliest is None or part.window_latest is None:
        return None
    return ShipWindow(part.window_earliest, part.window_latest)


def apply_new_window(session: Session, part: LinePart, window: ShipWindow | None, now: datetime) -> None:
    """Give a waiting part its recomputed window, flag it delayed against its first promise, and tell the customer.

    The window is its PO's; a pre-order's starts no earlier than its release, as the availability answer's does."""
    if window is not None:
        sku = session.get_one(Sku, part.sku_id)
        release = preorder_release(sku.release_date, sku.first_sold_at, now.date())
        window = a_preorder_ships_from_its_release(window, release)
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
    notice = delay_notice_type(new)(
        order=order.id,
        line=line.id,
        email=order.email,
        channel=channel.code,
        sku=sku.code,
        quantity=part.quantity,
        old_window=old,
        new_window=new,
        first_promised_latest=part.promised_latest,
        external_ref=order.external_ref,
        told_on=line_news.last_told_on(session, line.id),
        line_undated=_line_undated(session, line.id, part.id),
        part=part.id,
        notice=uuid.uuid4().hex,  # a date can slip to the same day twice: one key per notice
    )
    emit(session, notice, now)


def _line_undated(session: Session, line_id: int, part_id: int) -> bool:
    """Another waiting part of the line is undated, so the line has no window (`domain.lines.line_window`) and
    the customer was told none for it (at placement, or by that part's own notice)."""
    others = [p for p in line_news.waiting_parts(session, [line_id]).get(line_id, []) if p.id != part_id]
    return bool(others) and line_window([part_window(p.earliest, p.latest) for p in others]) is None


def waiting_parts_on(session: Session, po_line_ids: list[int]) -> list[LinePart]:
    """Backorders pegged to these PO lines, earliest customers first."""
    return waiting_parts_pegged_to(session, po_line_ids)
