"""Placing an order: stock first, then honest backorders, or a clear refusal of the whole order.

Each line is covered by the one rule, `domain.cover.cover_plan`; this module applies its steps with guarded
UPDATEs and asks it again when a concurrent order won a race. The placed order (`domain.placed`) is what the
store writes, on the general path or, for the commonest order, in one statement.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from restock.domain import validation as valid
from restock.domain.address import DeliveryAddress, check_delivery_address
from restock.domain.allocation import Take
from restock.domain.availability import decide, is_preorder, preorder_release, promisable_supply
from restock.domain.catalog import an_archived_sku_takes_no_orders
from restock.domain.cover import CoverPlan, Peg, cover_plan
from restock.domain.errors import (
    Conflict,
    InvalidInput,
    NotFound,
    OrderRefused,
    OutcomeUnknown,
    ReferenceTaken,
    ShortLine,
)
from restock.domain.lines import PartKind, line_window
from restock.domain.model import BackorderPolicy, MovementKind, ShippingPolicy
from restock.domain.placed import PlacedLine, PlacedOrder, placed_line
from restock.domain.references import check_external_ref, is_the_same_order
from restock.domain.shipping import effective_shipping_policy
from restock.services.availability_watch import after_an_order
from restock.services.context import Context, joined, use_case
from restock.services.order_events import order_placed
from restock.services.order_views import LineView, OrderView, address_view, order_view
from restock.services.promising import peg_to_supply
from restock.services.supply import supply_for
from restock.services.views import Customer, window_of
from restock.store import orders as store
from restock.store import repo
from restock.store.ledger import Change, change_params, free_stock, move
from restock.store.order_reads import order_by_external_ref, order_by_idempotency_key
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
    external_ref: str | None = None
    """The shop's own order number: a second order with it on the same channel answers with the first."""
    customer_name: str | None = None
    delivery_address: DeliveryAddress | None = None
    shipping_policy: ShippingPolicy | None = None
    """Overrides the channel's shipping policy for this order; None follows the channel."""

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
        self._validate_details()

    def _validate_details(self) -> None:
        """The shop's number, the customer's name and the address: each checked by its own rule."""
        if self.external_ref is not None:
            check_external_ref(self.external_ref)
        if self.customer_name is not None:
            valid.name(self.customer_name, "a customer's name")
        if self.delivery_address is not None:
            check_delivery_address(self.delivery_address)

    def fingerprint(self) -> str:
        """What makes two requests 'the same request' for idempotency: everything but the key."""
        body = {
            "channel": self.channel,
            "email": self.email,
            "lines": [[line.sku, line.quantity] for line in self.lines],
            "priority": self.priority,
            **self._details(),
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()

    def _details(self) -> dict[str, object]:
        """The fields of the shop's details that are set: left out when unset, so that a request without them
        keeps the fingerprint it had before they existed."""
        details: dict[str, object] = {
            "external_ref": self.external_ref,
            "customer_name": self.customer_name,
            "delivery_address": None if self.delivery_address is None else self.delivery_address.present(),
            "shipping_policy": None if self.shipping_policy is None else self.shipping_policy.value,
        }
        return {name: value for name, value in details.items() if value is not None}


def new_order_id() -> str:
    """Unguessable: 96 random bits, so an order cannot be found by counting."""
    return "ord_" + secrets.token_hex(12)


def place_order(ctx: Context, request: OrderRequest) -> OrderView:
    """Allocate what stock covers, backorder the rest where the policy allows, or refuse the whole order.

    With an idempotency key, a retry (even one racing the first attempt) returns the first result.
    """
    request.validate()
    order_id = new_order_id()  # one id for every attempt: a lost answer is settled by looking it up
    if request.external_ref is not None and joined():
        return _place_under_savepoint(ctx, request, order_id)
    try:
        return _place(ctx, request, order_id)
    except IntegrityError:
        if request.idempotency_key is None and request.external_ref is None:
            raise
        return _replay(ctx, request)


def _place(ctx: Context, request: OrderRequest, order_id: str) -> OrderView:
    if len(request.lines) == 1 and writes_in_one_statement(ctx.engine):
        placed = _place_in_one_statement_once(ctx, request, order_id)
        if placed is not None:
            return placed
    return _place_order(ctx, request, order_id)


@use_case()
def _place_under_savepoint(session: Session, ctx: Context, request: OrderRequest, order_id: str) -> OrderView:
    """Inside a caller's transaction (an Idempotency-Key's), a twin order with the same shop's number that
    commits first makes this one's insert fail on `uq_orders_channel_external_ref`: a savepoint takes back only
    this attempt (its stock claims too), and the caller's transaction goes on with the first order as the answer.

    Only there: on its own, a failed attempt's transaction is rolled back whole and the replay reads afresh.
    """
    try:
        with session.begin_nested():
            return _place(ctx, request, order_id)  # the use cases below join this session, inside the savepoint
    except IntegrityError:
        if (earlier := _placed_before(session, request)) is None:
            raise
        return earlier


def _place_in_one_statement_once(ctx: Context, request: OrderRequest, order_id: str) -> OrderView | None:
    """The one-statement order commits by itself, so a connection lost while it runs leaves it unknown whether
    it did: the order's id tells. Placed: its view. Absent: None, and the general path places it (same id)."""
    try:
        return _place_in_one_statement(ctx, request, order_id)
    except OutcomeUnknown:
        return _order_if_placed(ctx, order_id)


@use_case(readonly=True)
def _order_if_placed(session: Session, ctx: Context, order_id: str) -> OrderView | None:
    try:
        return order_view(session, repo.order(session, order_id))
    except NotFound:
        return None


@use_case(readonly=True)
def _replay(session: Session, ctx: Context, request: OrderRequest) -> OrderView:
    if (earlier := _placed_before(session, request)) is None:
        raise Conflict("the order with this idempotency key or external reference could not be read back; retry")
    return earlier


def _placed_before(session: Session, request: OrderRequest) -> OrderView | None:
    """The order an earlier attempt with this idempotency key placed, else the order the channel already has
    under this shop's number, if any."""
    if request.idempotency_key:
        existing = order_by_idempotency_key(session, request.idempotency_key)
        if existing is not None:
            if existing.request_hash != request.fingerprint():
                raise Conflict("this idempotency key was already used for a different order")
            return order_view(session, existing, replayed=True)
    return _placed_under_reference(session, request)


def _placed_under_reference(session: Session, request: OrderRequest) -> OrderView | None:
    """The channel's order with this shop's number: the answer when the lines are the same (a re-sent order),
    a refusal when they differ (the number is taken by another order). See `domain.references`."""
    if request.external_ref is None:
        return None
    existing = order_by_external_ref(session, request.channel, request.external_ref)
    if existing is None:
        return None
    first = order_view(session, existing, replayed=True)
    asked = [(line.sku, line.quantity) for line in request.lines]
    if not is_the_same_order([(line.sku, line.quantity) for line in first.lines], asked):
        raise ReferenceTaken(
            f"the external reference {request.external_ref!r} on channel {request.channel!r} is already the "
            f"order {first.id} with other lines"
        )
    return first


@dataclass(frozen=True)
class _Placement:
    """The facts every line of one order shares."""

    order_id: str
    channel: store.ChannelInfo
    priority: int
    placed_at: datetime
    today: date


def _placement_of(ctx: Context, request: OrderRequest, channel: store.ChannelInfo, order_id: str) -> _Placement:
    return _Placement(order_id, channel, request.priority, ctx.clock.now(), ctx.clock.today())


def _placed_order(placement: _Placement, request: OrderRequest, lines: list[PlacedLine]) -> PlacedOrder:
    return PlacedOrder(
        placement.order_id,
        placement.channel.id,
        request.email,
        request.priority,
        placement.placed_at,
        request.idempotency_key,
        request.fingerprint(),
        tuple(lines),
        request.external_ref,
        request.customer_name,
        request.delivery_address,
        request.shipping_policy,
    )


def _placed_line_view(line: PlacedLine, code: str, line_id: int) -> LineView:
    waiting = [part for part in line.parts if part.kind is PartKind.BACKORDERED]
    backordered = sum(part.quantity for part in waiting)
    window = line_window([part.window for part in waiting])
    delayed = any(part.delayed for part in waiting)
    return LineView(
        id=line_id,
        sku=code,
        quantity=line.quantity,
        allocated=line.quantity - backordered,
        backordered=backordered,
        shipped=0,
        status=line.status.value,
        ship_window=window_of(window),
        delayed=delayed,
    )


def placed_view(
    order: PlacedOrder,
    channel_code: str,
    codes: dict[int, str],
    line_ids: dict[int, int],
    shipping_policy: str = "as_available",
) -> OrderView:
    """What placing the order answers, made from what was written (no read back)."""
    lines = [_placed_line_view(line, codes[line.sku_id], line_ids[line.sku_id]) for line in order.lines]
    lines.sort(key=lambda line: line.id)
    customer = Customer(email=order.email, name=order.customer_name)
    return OrderView(
        id=order.id,
        status=order.status.value,
        channel=channel_code,
        customer=customer,
        placed_at=order.placed_at,
        lines=lines,
        external_ref=order.external_ref,
        delivery_address=address_view(order.delivery_address),
        shipping_policy=effective_shipping_policy(
            None if order.shipping_policy is None else order.shipping_policy.value, shipping_policy
        ).value,
    )


@use_case()
def _place_order(session: Session, ctx: Context, request: OrderRequest, order_id: str) -> OrderView:
    if earlier := _placed_before(session, request):
        return earlier
    channel, skus = store.order_context(session, request.channel, [line.sku for line in request.lines])
    _refuse_archived(skus)
    placement = _placement_of(ctx, request, channel, order_id)
    lines: list[PlacedLine] = []
    shorts: list[ShortLine] = []
    # Lock rows in SKU order so that two multi-line orders cannot deadlock each other.
    for line_request in sorted(request.lines, key=lambda r: skus[r.sku].id):
        covered = _cover_line(session, ctx, placement, skus[line_request.sku], line_request.quantity)
        (shorts if isinstance(covered, ShortLine) else lines).append(covered)  # type: ignore[arg-type]
    if shorts:
        raise OrderRefused(shorts)
    placed = _placed_order(placement, request, lines)
    codes = {sku.id: sku.code for sku in skus.values()}
    line_ids = store.insert_order(session, placed)
    view = placed_view(placed, channel.code, codes, line_ids, channel.shipping_policy)
    preorders = frozenset(code for code, sku in skus.items() if _is_preorder(sku, placement.today))
    store.insert_parts(session, placed, line_ids, order_placed(view, preorders))
    after_an_order(session, ctx, placed, skus.values(), placement.today)
    return view


@use_case(autocommit=True)
def _place_in_one_statement(session: Session, ctx: Context, request: OrderRequest, order_id: str) -> OrderView | None:
    """The commonest order, one line taken whole from the channel's first warehouse: on PostgreSQL the SKU's
    lock, the claim and every row of the order go as one statement, so a popular SKU's lock is held for
    that one statement only.

    That statement is atomic by itself and the reads before it are of settings (ids, the first warehouse,
    the safety buffer), so no transaction surrounds them: no BEGIN and COMMIT round trips. None when the
    first warehouse cannot cover the line, when the order would leave no sellable unit there for a channel it
    serves (it may change an availability answer: the general path writes that change with the order): then
    nothing was written, and the general path decides. A SKU's first sale is marked by the statement itself.
    """
    if earlier := _placed_before(session, request):
        return earlier
    [asked] = request.lines
    channel, skus = store.order_context(session, request.channel, [asked.sku], lock=False)
    _refuse_archived(skus)
    sku = skus[asked.sku]
    if not channel.warehouse_ids:
        return None
    placement = _placement_of(ctx, request, channel, order_id)
    warehouse = channel.warehouse_ids[0]
    placed = _placed_order(
        placement, request, [placed_line(sku.id, asked.quantity, (Take(warehouse, asked.quantity),), ())]
    )
    codes = {sku.id: sku.code}
    unsaved = placed_view(
        placed, channel.code, codes, {sku.id: 0}, channel.shipping_policy
    )  # the confirmation does not show line ids
    claim = change_params(**_claim_of(placement, sku.id, warehouse, asked.quantity))
    # Read never sold: the statement marks the first sale too, by `is_first_sale` in SQL (`store.orders`).
    line_id = store.claim_and_place(session, claim, placed, order_placed(unsaved), sku.first_sold_at is None)
    return (
        None
        if line_id is None
        else placed_view(placed, channel.code, codes, {sku.id: line_id}, channel.shipping_policy)
    )


def _is_preorder(sku: store.SkuInfo, today: date) -> bool:
    """As the order reads it, under the SKU's lock: its waiting lines are pre-orders (`LineSnapshot.preorder`)."""
    return is_preorder(sku.release_date, sku.first_sold_at, today)


def _refuse_archived(skus: dict[str, store.SkuInfo]) -> None:
    """Archived SKUs take no new orders; the SKUs' locks (or the one statement's guard) settle a race with archiving."""
    an_archived_sku_takes_no_orders([code for code, sku in skus.items() if sku.archived])


def _cover_line(
    session: Session, ctx: Context, placement: _Placement, sku: store.SkuInfo, quantity: int
) -> PlacedLine | ShortLine:
    """The line's cover plan (`domain.cover.cover_plan`), applied: stock first, then confirmed supply, then
    (policy `always`) an undated backorder. Supply is read only when stock does not cover the line."""
    takes = _allocate_from_stock(session, placement, sku.id, quantity)
    need = quantity - sum(t.quantity for t in takes)
    policy = sku.policy
    pegs: tuple[Peg, ...] = ()
    if need and policy.backorder is not BackorderPolicy.NEVER:
        release = preorder_release(sku.release_date, sku.first_sold_at, placement.today)
        options = supply_for(session, ctx.settings, sku.id, placement.channel.id, policy, release)
        usable = promisable_supply(options, policy, placement.today)
        pegs = tuple(peg_to_supply(session, usable, need, policy.backorder_limit_pct))
        need -= sum(p.quantity for p in pegs)
    rest = cover_plan(need, policy.backorder)  # no source is left: undated under `always`, else short
    if rest.short:
        return _short_line(session, ctx, sku, placement, quantity, takes, pegs)
    return placed_line(sku.id, quantity, takes, pegs + rest.pegs)


def _allocate_from_stock(session: Session, placement: _Placement, sku_id: int, need: int) -> tuple[Take[int], ...]:
    """Take stock warehouse by warehouse in the channel's order, as `cover_plan` plans it.

    Optimistic: the whole quantity is first claimed from the first warehouse with one guarded UPDATE, which
    is all a typical order needs (the plan's first step when that warehouse has enough). Only when that is
    refused (short there, or a concurrent order won the race) are the balances read and the plan made; when
    one of its claims loses a race, the balances are read again and the plan made anew for what is left.
    """
    channel = placement.channel
    if not channel.warehouse_ids:
        return ()
    if _claim(session, placement, sku_id, Take(channel.warehouse_ids[0], need)):
        return (Take(channel.warehouse_ids[0], need),)
    taken: list[Take[int]] = []
    lost_a_race = True
    while need > 0 and lost_a_race:
        plan = _stock_plan(session, placement, sku_id, need)
        lost_a_race = False
        for take in plan.takes:
            if not _claim(session, placement, sku_id, take):
                lost_a_race = True  # another order got there first: look again at what is left
                break
            taken.append(take)
            need -= take.quantity
    return tuple(taken)


def _stock_plan(session: Session, placement: _Placement, sku_id: int, need: int) -> CoverPlan:
    channel = placement.channel
    free = free_stock(session, sku_id, channel.warehouse_ids)
    stock = [(warehouse, free.get(warehouse, 0)) for warehouse in channel.warehouse_ids]
    return cover_plan(need, BackorderPolicy.NEVER, stock, channel.safety_buffer)


def _claim(session: Session, placement: _Placement, sku_id: int, take: Take[int]) -> bool:
    return move(session, **_claim_of(placement, sku_id, take.source, take.quantity))


def _claim_of(placement: _Placement, sku_id: int, warehouse_id: int, quantity: int) -> Change:
    """An order's allocation of stock, which leaves the channel's safety buffer free."""
    return {
        "sku_id": sku_id,
        "warehouse_id": warehouse_id,
        "kind": MovementKind.ALLOCATION,
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
    takes: tuple[Take[int], ...],
    pegs: tuple[Peg, ...],
) -> ShortLine:
    """What this line could get (before the refusal rolls it back), and why not more."""
    covered_now, pegged = sum(t.quantity for t in takes), sum(p.quantity for p in pegs)
    if covered_now + pegged > 0:
        return ShortLine(sku.code, quantity, covered_now, pegged, "insufficient_quantity")
    release = preorder_release(sku.release_date, sku.first_sold_at, placement.today)
    supply = supply_for(session, ctx.settings, sku.id, placement.channel.id, sku.policy, release)
    decision = decide(sku.policy, 0, supply, placement.today)  # why nothing is promisable: a pre-order's reason too
    return ShortLine(sku.code, quantity, 0, 0, decision.reason.value)
