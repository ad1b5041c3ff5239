"""The cover plan of an order line (`domain.cover.cover_plan`): stock in the channel's warehouse order within
the buffer, then confirmed supply earliest first within each cap, then (policy `always`) undated, else short."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from restock.domain.allocation import Take
from restock.domain.cover import Peg, cover_plan
from restock.domain.model import BackorderPolicy, InboundSupply, ShipWindow

TODAY = date(2026, 11, 27)
ALWAYS, CONFIRMED, NEVER = BackorderPolicy.ALWAYS, BackorderPolicy.CONFIRMED, BackorderPolicy.NEVER


def supply(po_line_id: int, capacity: int, eta_in_days: int) -> InboundSupply:
    eta = TODAY + timedelta(days=eta_in_days)
    return InboundSupply(po_line_id, eta, True, capacity, ShipWindow(eta, eta + timedelta(days=3)))


def test_prefers_stock_over_supply() -> None:
    plan = cover_plan(3, ALWAYS, [(1, 5)], 0, [supply(7, 10, 5)])
    assert plan.takes == (Take(1, 3),)
    assert plan.pegs == ()
    assert plan.short == 0


def test_takes_warehouses_in_the_channels_order() -> None:
    plan = cover_plan(7, NEVER, [(2, 5), (1, 5)])
    assert plan.takes == (Take(2, 5), Take(1, 2))


def test_never_sells_the_channels_safety_buffer() -> None:
    plan = cover_plan(10, NEVER, [(1, 5), (2, 4)], safety_buffer=3)
    assert plan.takes == (Take(1, 2), Take(2, 1))
    assert plan.short == 7


def test_promises_the_earliest_supply_first() -> None:
    late, early = supply(7, 10, 20), supply(8, 10, 5)
    plan = cover_plan(4, CONFIRMED, supply=[late, early])
    assert plan.pegs == (Peg(8, 4, early.window),)


def test_respects_each_po_lines_cap() -> None:
    early, late = supply(8, 2, 5), supply(7, 10, 20)
    plan = cover_plan(5, CONFIRMED, supply=[late, early])
    assert plan.pegs == (Peg(8, 2, early.window), Peg(7, 3, late.window))
    assert plan.short == 0


def test_backorders_undated_only_under_always() -> None:
    dated = supply(8, 2, 5)
    assert cover_plan(5, ALWAYS, supply=[dated]).pegs == (Peg(8, 2, dated.window), Peg(None, 3, None))
    assert cover_plan(5, CONFIRMED, supply=[dated]).pegs == (Peg(8, 2, dated.window),)


def test_refuses_what_nothing_covers() -> None:
    assert cover_plan(5, CONFIRMED, [(1, 1)], 0, [supply(8, 2, 5)]).short == 2
    assert cover_plan(5, NEVER, [(1, 1)], 0, [supply(8, 2, 5)]).short == 4


def test_a_policy_of_never_promises_no_supply() -> None:
    assert cover_plan(5, NEVER, supply=[supply(8, 10, 5)]).pegs == ()


rooms = st.lists(st.integers(0, 20), max_size=4)


@given(
    need=st.integers(1, 100),
    stock=rooms,
    buffer=st.integers(0, 5),
    caps=st.lists(st.tuples(st.integers(0, 20), st.integers(0, 40)), max_size=4),
    policy=st.sampled_from(list(BackorderPolicy)),
)
def test_a_plan_covers_exactly_the_need_from_sellable_stock_then_capped_supply(
    need: int, stock: list[int], buffer: int, caps: list[tuple[int, int]], policy: BackorderPolicy
) -> None:
    warehouses = list(enumerate(stock))
    options = [supply(100 + i, cap, eta) for i, (cap, eta) in enumerate(caps)]
    plan = cover_plan(need, policy, warehouses, buffer, options)
    taken, pegged = sum(t.quantity for t in plan.takes), sum(p.quantity for p in plan.pegs)
    assert taken + pegged + plan.short == need
    sellable_stock = sum(max(0, free - buffer) for free in stock)
    assert taken == min(need, sellable_stock)  # stock first, all it may sell
    assert all(0 < t.quantity <= stock[t.source] - buffer for t in plan.takes)
    capacity = {o.po_line_id: o.capacity for o in options}
    dated = [p for p in plan.pegs if p.po_line_id is not None]
    assert all(0 < p.quantity <= capacity[p.po_line_id] for p in dated)
    etas = [next(o.eta for o in options if o.po_line_id == p.po_line_id) for p in dated]
    assert etas == sorted(etas)  # earliest supply first
    if policy is NEVER:
        assert plan.pegs == ()
    if policy is ALWAYS:
        assert plan.short == 0
    elif plan.short:  # short only when every source gave all it may
        assert taken == sellable_stock
        assert policy is NEVER or pegged == sum(o.capacity for o in options)
