"""Placing, showing, cancelling and shipping orders: stock first, then honest backorders, or a clear refusal."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from restock.config import utc_iso
from restock.domain import validation as valid
from restock.domain.allocation import Take, sellable
from restock.domain.availability import decide, promisable_supply
from restock.domain.errors import Conflict, InvalidInput, OrderRefused, ShortLine
from restock.domain.lines import line_window, order_status
from restock.domain.model import BackorderPolicy, LineStatus, OrderStatus, ShipWindow, part_window
from restock.services.availability import never_stocked, window_json
from restock.services.availability_watch import watching_availability
from restock.services.context import Context, use_case
from restock.services.promising import Backorder, Peg, backorder_part_row, peg_to_supply
from restock.services.supply import supply_for
from restock.store import orders as store
from restock.store import repo
from restock.store.fill import fill_waiting_backorders
from restock.store.ledger import Change, change_params, free_stock, move, must_move
from restock.store.outbox import emit, message_row
from restock.store.schema import Channel, LinePart, Order, OrderLine, Sku
from restock.store.supply import release_promise
from restock.store.together import writes_in_one_statement

MAX_LINES = 500
MAX_PRIORITY = 100


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: int


@dataclass(frozen=True)
class OrderRequest:
    channel: str
    email: str
    lines: tuple[LineRequest, ...]
    priority: int = 0
    idempotency_key: str | None = None

    def validate(self) -> None:
        valid.code(self.channel, "channel code")
        valid.email(self.email)
        if not self.lines:
            raise InvalidInput("an order needs at least one line")
        if len(self.lines) > MAX_LINES:
            raise InvalidInput(f"an order may have at most {MAX_LINES} lines")
        for line in self.lines:
            valid.code(line.sku, "SKU code")
            valid.quantity(line.quantity, f"quantity of {line.sku}")
        skus = [line.sku for line in self.lines]
        if len(set(skus)) != len(skus):
            raise InvalidInput("a SKU appears on two lines: put its whole quantity on one line")
        if not 0 <= self.priority <= MAX_PRIORITY:
            raise InvalidInput(f"priority must be between 0 and {MAX_PRIORITY}")
        if self.idempotency_key is not None and not 1 <= len(self.idempotency_key) <= 200:
            raise InvalidInput("an idempotency key must be 1-200 characters")

    def fingerprint(self) -> str:
        """What makes two requests 'the same request' for idempotency: everything but the key."""
        body = {
            "channel": self.channel,
            "email": self.email,
            "lines": [[line.sku, line.quantity] for line in self.lines],
            "priority": self.priority,
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class LineView:
    id: int
    sku: str
    quantity: int
    allocated: int
    backordered: int
    shipped: int
    status: str
    ship_window: ShipWindow | None
    delayed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "quantity": self.quantity,
            "allocated": self.allocated,
            "backordered": self.backordered,
            "status": self.status,
            "ship_window": window_json(self.ship_window),
            "delayed": self.delayed,
        }


@dataclass(frozen=True)
class OrderView:
    id: str
    status: str
    channel: str
    email: str
    placed_at: datetime
    lines: list[LineView] = field(default_factory=list)
    replayed: bool = False
    """True when an idempotent retry returned the first result instead of placing again."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "channel": self.channel,
            "placed_at": utc_iso(self.placed_at),
            "lines": [line.to_json() for line in self.lines],
        }


def new_order_id() -> str:
    """Unguessable: 96 random bits, so an order cannot be found by counting."""
    return "ord_" + secrets.token_hex(12)


# ---------------------------------------------------------------- reading


def _line_view(session: Session, line: OrderLine, sku_code: str) -> LineView:
    parts = list(session.scalars(select(LinePart).where(LinePart.order_line_id == line.id)))
    waiting = [p for p in parts if p.kind == "backordered"]
    return LineView(
        id=line.id,
        sku=sku_code,
        quantity=line.quantity,
        allocated=sum(p.quantity for p in parts if p.kind in ("allocated", "shipped")),
        backordered=sum(p.quantity for p in waiting),
        shipped=sum(p.quantity for p in parts if p.kind == "shipped"),
        status=line.status,
        ship_window=line_window([part_window(p.window_earliest, p.window_latest) for p in waiting]),
        delayed=any(p.delayed for p in waiting),
    )


def order_view(session: Session, order: Order, replayed: bool = False) -> OrderView:
    rows = session.execute(
        select(OrderLine, Sku.code)
        .join(Sku, Sku.id == OrderLine.sku_id)
        .where(OrderLine.order_id == order.id)
        .order_by(OrderLine.id)
    )
    channel = session.get_one(Channel, order.channel_id)
    return OrderView(
        id=order.id,
        status=order.status,
        channel=channel.code,
        email=order.email,
        placed_at=order.placed_at,
        lines=[_line_view(session, line, code) for line, code in rows],
        replayed=replayed,
    )


@use_case(readonly=True)
def show_order(session: Session, ctx: Context, order_id: str) -> OrderView:
    return order_view(session, repo.order(session, order_id))


# ---------------------------------------------------------------- placing


def place_order(ctx: Context, request: OrderRequest) -> OrderView:
    """Allocate what stock covers, backorder the rest where the policy allows, or refuse the whole order.

    With an idempotency key, a retry (even one racing the first attempt) returns the first result.
    """
    request.validate()
    try:
        if len(request.lines) == 1 and writes_in_one_statement(ctx.engine):
            placed = _place_in_one_statement(ctx, request)
            if placed is not None:
                return placed
        return _place_order(ctx, request)
    except IntegrityError:
        if request.idempotency_key is None:
            raise
        return _replay(ctx, request)


@use_case(readonly=True)
def _replay(session: Session, ctx: Context, request: OrderRequest) -> OrderView:
    existing = session.scalar(select(Order).where(Order.idempotency_key == request.idempotency_key))
    if existing is None:
        raise Conflict("the order with this idempotency key could not be read back; retry")
    return _replayed_view(session, existing, request)


def _placed_before(session: Session, request: OrderRequest) -> OrderView | None:
    """The order an earlier attempt with this idempotency key placed, if any."""
    if not request.idempotency_key:
        return None
    existing = session.scalar(select(Order).where(Order.idempotency_key == request.idempotency_key))
    return None if existing is None else _replayed_view(session, existing, request)


def _replayed_view(session: Session, existing: Order, request: OrderRequest) -> OrderView:
    if existing.request_hash != request.fingerprint():
        raise Conflict("this idempotency key was already used for a different order")
    return order_view(session, existing, replayed=True)


@dataclass(frozen=True)
class _Placement:
    """The facts every line of one order shares."""

    order_id: str
    channel: store.ChannelInfo
    priority: int
    placed_at: datetime
    today: date


@dataclass(frozen=True)
class _Cover:
    """How one line is covered, before anything about it is written: stock taken, supply pegged."""

    sku: store.SkuInfo
    quantity: int
    takes: list[Take[int]]
    pegs: list[Peg]

    @property
    def status(self) -> LineStatus:
        return LineStatus.BACKORDERED if self.pegs else LineStatus.ALLOCATED

    def view(self, line_id: int) -> LineView:
        pegged = sum(p.quantity for p in self.pegs)
        window = line_window([p.window for p in self.pegs])
        return LineView(
            line_id, self.sku.code, self.quantity, self.quantity - pegged, pegged, 0, self.status.value, window, False
        )


@use_case()
def _place_order(session: Session, ctx: Context, request: OrderRequest) -> OrderView:
    if earlier := _placed_before(session, request):
        return earlier
    channel, skus = store.order_context(session, request.channel, [line.sku for line in request.lines])
    placement = _placement_of(ctx, request, channel)
    covers: list[_Cover] = []
    shorts: list[ShortLine] = []
    # Lock rows in SKU order so that two multi-line orders cannot deadlock each other.
    for line_request in sorted(request.lines, key=lambda r: skus[r.sku].id):
        covered = _cover_line(session, ctx, placement, skus[line_request.sku], line_request.quantity)
        (shorts if isinstance(covered, ShortLine) else covers).append(covered)  # type: ignore[arg-type]
    if shorts:
        raise OrderRefused(shorts)
    line_ids = store.insert_order(session, _order_row(placement, request), [_line_row(placement, c) for c in covers])
    view = _placed_view(placement, request, covers, line_ids)
    parts = [row for cover in covers for row in _part_rows(placement, cover, line_ids[cover.sku.id])]
    store.insert_parts(session, parts, _confirmation(view))
    return view


@use_case(autocommit=True)
def _place_in_one_statement(session: Session, ctx: Context, request: OrderRequest) -> OrderView | None:
    """The commonest order, one line taken whole from the channel's first warehouse: on PostgreSQL the SKU's
    lock, the claim and every row of the order go as one statement, so a popular SKU's lock is held for
    that one statement only.

    That statement is atomic by itself and the reads before it are of settings (ids, the first warehouse,
    the safety buffer), so no transaction surrounds them: no BEGIN and COMMIT round trips. None when the
    first warehouse cannot cover the line: then nothing was written, and the general path decides.
    """
    if earlier := _placed_before(session, request):
        return earlier
    [asked] = request.lines
    channel, skus = store.order_context(session, request.channel, [asked.sku], lock=False)
    if not channel.warehouse_ids:
        return None
    placement = _placement_of(ctx, request, channel)
    sku, warehouse = skus[asked.sku], channel.warehouse_ids[0]
    cover = _Cover(sku, asked.quantity, [Take(warehouse, asked.quantity)], [])
    unsaved = _placed_view(placement, request, [cover], {sku.id: 0})  # the confirmation does not show line ids
    line_id = store.claim_and_place(
        session,
        change_params(**_claim_of(placement, sku.id, warehouse, asked.quantity)),
        _order_row(placement, request),
        _line_row(placement, cover),
        _part_rows(placement, cover, 0)[0],
        _confirmation(unsaved),
    )
    return None if line_id is None else _placed_view(placement, request, [cover], {sku.id: line_id})


def _placement_of(ctx: Context, request: OrderRequest, channel: store.ChannelInfo) -> _Placement:
    return _Placement(new_order_id(), channel, request.priority, ctx.clock.now(), ctx.clock.today())


def _placed_view(
    placement: _Placement, request: OrderRequest, covers: list[_Cover], line_ids: dict[int, int]
) -> OrderView:
    lines = sorted((cover.view(line_ids[cover.sku.id]) for cover in covers), key=lambda line: line.id)
    return OrderView(
        placement.order_id, OrderStatus.OPEN.value, placement.channel.code, request.email, placement.placed_at, lines
    )


def _confirmation(view: OrderView) -> dict[str, Any]:
    """The order_placed message: what the confirmation e-mail and the webhook are made from."""
    payload = {"email": view.email, **view.to_json()}
    return message_row("order_placed", f"order_placed:{view.id}", payload, view.placed_at)


def _cover_line(
    session: Session, ctx: Context, placement: _Placement, sku: store.SkuInfo, quantity: int
) -> _Cover | ShortLine:
    """Stock first, then pegs to confirmed supply, then (policy `always`) an undated backorder."""
    takes = _allocate_from_stock(session, placement, sku.id, quantity)
    need = quantity - sum(t.quantity for t in takes)
    pegs: list[Peg] = []
    policy = sku.policy
    if need and policy.backorder is not BackorderPolicy.NEVER:
        options = supply_for(session, ctx.settings, sku.id, placement.channel.id, policy)
        usable = promisable_supply(options, policy, placement.today)
        pegs = peg_to_supply(session, usable, need, policy.backorder_limit_pct)
        need -= sum(p.quantity for p in pegs)
        if need and policy.backorder is BackorderPolicy.ALWAYS:
            pegs.append(Peg(None, need, None))
            need = 0
    if need:
        return _short_line(session, ctx, sku, placement, quantity, takes, pegs)
    return _Cover(sku, quantity, takes, pegs)


def _order_row(placement: _Placement, request: OrderRequest) -> dict[str, Any]:
    return {
        "id": placement.order_id,
        "channel_id": placement.channel.id,
        "email": request.email,
        "priority": request.priority,
        "status": OrderStatus.OPEN.value,
        "placed_at": placement.placed_at,
        "idempotency_key": request.idempotency_key,
        "request_hash": request.fingerprint(),
    }


def _line_row(placement: _Placement, cover: _Cover) -> dict[str, Any]:
    return {
        "order_id": placement.order_id,
        "sku_id": cover.sku.id,
        "quantity": cover.quantity,
        "status": cover.status.value,
    }


def _part_rows(placement: _Placement, cover: _Cover, line_id: int) -> list[dict[str, Any]]:
    """The line's allocated parts, then its waiting ones."""
    allocated = [
        {
            "order_line_id": line_id,
            "sku_id": cover.sku.id,
            "channel_id": placement.channel.id,
            "kind": "allocated",
            "quantity": take.quantity,
            "warehouse_id": take.source,
            "po_line_id": None,
            "priority": placement.priority,
            "placed_at": placement.placed_at,
            "window_earliest": None,
            "window_latest": None,
            "promised_latest": None,
            "delayed": False,
        }
        for take in cover.takes
    ]
    who = Backorder(line_id, cover.sku.id, placement.channel.id, placement.priority, placement.placed_at)
    return allocated + [backorder_part_row(who, peg) for peg in cover.pegs]


def _allocate_from_stock(session: Session, placement: _Placement, sku_id: int, need: int) -> list[Take[int]]:
    """Take stock warehouse by warehouse in the channel's order.

    Optimistic: the whole quantity is first claimed from the first warehouse with one guarded UPDATE,
    which is all a typical order needs. Only when that is refused (short there, or a concurrent order
    won the race) are the balances read and the quantity spread over the warehouses.
    """
    channel = placement.channel
    if not channel.warehouse_ids:
        return []
    if _claim(session, placement, sku_id, channel.warehouse_ids[0], need):
        return [Take(channel.warehouse_ids[0], need)]
    takes: list[Take[int]] = []
    free = free_stock(session, sku_id, channel.warehouse_ids)
    for warehouse_id in channel.warehouse_ids:
        while need > 0:
            take = min(need, sellable(free.get(warehouse_id, 0), channel.safety_buffer))
            if take <= 0:
                break
            if _claim(session, placement, sku_id, warehouse_id, take):
                takes.append(Take(warehouse_id, take))
                need -= take
            else:  # another order got there first: look again at what is left
                free = free_stock(session, sku_id, channel.warehouse_ids)
    return takes


def _claim(session: Session, placement: _Placement, sku_id: int, warehouse_id: int, quantity: int) -> bool:
    return move(session, **_claim_of(placement, sku_id, warehouse_id, quantity))


def _claim_of(placement: _Placement, sku_id: int, warehouse_id: int, quantity: int) -> Change:
    """An order's allocation of stock, which leaves the channel's safety buffer free."""
    return {
        "sku_id": sku_id,
        "warehouse_id": warehouse_id,
        "kind": "allocation",
        "now": placement.placed_at,
        "allocated_delta": quantity,
        "ref": f"order:{placement.order_id}",
        "min_free_after": placement.channel.safety_buffer,
    }


def _short_line(
    session: Session,
    ctx: Context,
    sku: store.SkuInfo,
    placement: _Placement,
    quantity: int,
    takes: list[Take[int]],
    pegs: list[Peg],
) -> ShortLine:
    """What this line could get (before the refusal rolls it back), and why not more."""
    covered_now, pegged = sum(t.quantity for t in takes), sum(p.quantity for p in pegs)
    if covered_now + pegged > 0:
        return ShortLine(sku.code, quantity, covered_now, pegged, "insufficient_quantity")
    supply = supply_for(session, ctx.settings, sku.id, placement.channel.id, sku.policy)
    decision = decide(sku.policy, 0, supply, placement.today, never_stocked(session, sku.id))
    return ShortLine(sku.code, quantity, 0, 0, decision.reason.value)


# ---------------------------------------------------------------- cancelling and shipping


def locked_order(session: Session, order_id: str) -> Order:
    """The order, locked, after its SKUs' locks: the same lock order as every use case (see `repo.lock_skus`)."""
    repo.lock_skus(session, session.scalars(select(OrderLine.sku_id).where(OrderLine.order_id == order_id)))
    return repo.order(session, order_id, for_update=True)


def _open_lines(session: Session, order: Order) -> list[OrderLine]:
    return list(
        session.scalars(
            select(OrderLine)
            .where(
                OrderLine.order_id == order.id,
                OrderLine.status.in_([LineStatus.ALLOCATED.value, LineStatus.BACKORDERED.value]),
            )
            .order_by(OrderLine.id)
        )
    )


def _release_line(session: Session, line: OrderLine, now: datetime, ref: str) -> set[tuple[int, int]]:
    """Give back everything a line holds; return the (SKU, warehouse) pairs whose stock was freed."""
    freed: set[tuple[int, int]] = set()
    parts = session.scalars(
        select(LinePart).where(LinePart.order_line_id == line.id, LinePart.kind.in_(["allocated", "backordered"]))
    )
    for part in parts:
        if part.kind == "allocated" and part.warehouse_id is not None:
            must_move(
                session,
                sku_id=part.sku_id,
                warehouse_id=part.warehouse_id,
                kind="release",
                now=now,
                allocated_delta=-part.quantity,
                ref=ref,
            )
            freed.add((part.sku_id, part.warehouse_id))
        elif part.po_line_id is not None:
            release_promise(session, part.po_line_id, part.quantity)
        part.kind = "released"
    line.status = LineStatus.CANCELLED.value
    return freed


def _settle(session: Session, order: Order, topic: str, lines: list[OrderLine], now: datetime) -> OrderView:
    """After lines ended (shipped or cancelled): the order's new status, and the message the customer gets.

    Lines end once, so the ids of the lines that ended make the message's key unique.
    """
    _refresh_order_status(session, order)
    session.flush()
    view = order_view(session, order)
    line_ids = [line.id for line in lines]
    emit(
        session,
        topic,
        f"{topic}:{order.id}:{','.join(map(str, line_ids))}",
        {"email": order.email, "lines_ended": line_ids, **view.to_json()},
        now,
    )
    return view


def _refresh_order_status(session: Session, order: Order) -> None:
    order.status = order_status(session.scalars(select(OrderLine.status).where(OrderLine.order_id == order.id))).value


def cancel_lines(session: Session, ctx: Context, order: Order, lines: list[OrderLine]) -> OrderView:
    """Cancel these open lines of a locked order (see `locked_order`), inside the caller's transaction."""
    with watching_availability(session, ctx, [line.sku_id for line in lines]):
        return _cancel_lines(session, ctx, order, lines)


def _cancel_lines(session: Session, ctx: Context, order: Order, lines: list[OrderLine]) -> OrderView:
    now = ctx.clock.now()
    freed: set[tuple[int, int]] = set()
    for line in lines:
        freed |= _release_line(session, line, now, ref=f"cancel:{order.id}")
    session.flush()
    for sku_id, warehouse_id in sorted(freed):
        fill_waiting_backorders(session, sku_id=sku_id, warehouse_id=warehouse_id, now=now, ref=f"cancel:{order.id}")
    return _settle(session, order, "order_cancelled", lines, now)


@use_case()
def cancel_order(session: Session, ctx: Context, order_id: str) -> OrderView:
    """Cancel every line still open; what they held goes to the next waiting backorder at once."""
    order = locked_order(session, order_id)
    lines = _open_lines(session, order)
    if not lines:
        raise Conflict(f"order {order_id} has nothing left to cancel (it is {order.status})")
    return cancel_lines(session, ctx, order, lines)


@use_case()
def cancel_line(session: Session, ctx: Context, order_id: str, sku_code: str) -> OrderView:
    order = locked_order(session, order_id)
    sku = repo.sku_by_code(session, sku_code)
    lines = [line for line in _open_lines(session, order) if line.sku_id == sku.id]
    if not lines:
        raise Conflict(f"order {order_id} has no open line for {sku_code}")
    return cancel_lines(session, ctx, order, lines)


@use_case()
def ship_order(session: Session, ctx: Context, order_id: str) -> OrderView:
    """Ship every fully allocated line; lines still waiting for stock stay open."""
    order = locked_order(session, order_id)
    ready = [line for line in _open_lines(session, order) if line.status == LineStatus.ALLOCATED.value]
    if not ready:
        raise Conflict(f"order {order_id} has no line ready to ship (status {order.status})")
    now = ctx.clock.now()
    for line in ready:
        for part in session.scalars(
            select(LinePart).where(LinePart.order_line_id == line.id, LinePart.kind == "allocated")
        ):
            assert part.warehouse_id is not None
            must_move(
                session,
                sku_id=part.sku_id,
                warehouse_id=part.warehouse_id,
                kind="shipment",
                now=now,
                on_hand_delta=-part.quantity,
                allocated_delta=-part.quantity,
                ref=f"order:{order.id}",
            )
            part.kind = "shipped"
        line.status = LineStatus.SHIPPED.value
    return _settle(session, order, "order_shipped", ready, now)
