"""Covering a quantity from ordered sources, and the shape rules for input."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restock.domain import validation
from restock.domain.allocation import Take, WaitingPart, fill_key, queue_key, sellable, take_in_order
from restock.domain.errors import InvalidInput


def test_prefers_the_first_source_in_order() -> None:
    takes, left = take_in_order(3, [("W1", 5), ("W2", 5)])
    assert takes == [Take("W1", 3)]
    assert left == 0


def test_spills_over_to_the_next_source() -> None:
    takes, left = take_in_order(7, [("W1", 5), ("W2", 5)])
    assert takes == [Take("W1", 5), Take("W2", 2)]
    assert left == 0


def test_reports_what_no_source_can_cover() -> None:
    takes, left = take_in_order(12, [("W1", 5), ("W2", 0), ("W3", 4)])
    assert takes == [Take("W1", 5), Take("W3", 4)]
    assert left == 3


@given(st.integers(0, 1000), st.lists(st.integers(0, 100), max_size=10))
def test_takes_never_exceed_need_or_room(need: int, rooms: list[int]) -> None:
    sources = list(enumerate(rooms))
    takes, left = take_in_order(need, sources)
    assert sum(t.quantity for t in takes) + left == need
    assert all(0 < t.quantity <= rooms[t.source] for t in takes)
    assert left == max(0, need - sum(rooms))


T0 = datetime(2026, 11, 27, 9, 0)


def test_fill_order_is_pegged_then_priority_then_fifo_then_id() -> None:
    pegged_late = WaitingPart(9, po_line_id=7, priority=0, placed_at=T0 + timedelta(hours=5))
    urgent = WaitingPart(8, po_line_id=None, priority=5, placed_at=T0 + timedelta(hours=3))
    early = WaitingPart(3, po_line_id=2, priority=0, placed_at=T0)
    tie_low_id = WaitingPart(4, po_line_id=None, priority=0, placed_at=T0 + timedelta(hours=1))
    tie_high_id = WaitingPart(5, po_line_id=None, priority=0, placed_at=T0 + timedelta(hours=1))
    parts = [tie_high_id, early, pegged_late, tie_low_id, urgent]
    ordered = sorted(parts, key=lambda p: fill_key(p, receiving_po_line_id=7))
    assert ordered == [pegged_late, urgent, early, tie_low_id, tie_high_id]


def test_without_a_receipt_the_queue_is_priority_then_fifo_then_id() -> None:
    a = WaitingPart(2, po_line_id=7, priority=0, placed_at=T0)
    b = WaitingPart(1, po_line_id=None, priority=1, placed_at=T0 + timedelta(days=1))
    assert sorted([a, b], key=queue_key) == [b, a]
    assert sorted([a, b], key=lambda p: fill_key(p, None)) == [b, a]


def test_a_channel_never_sells_its_safety_buffer() -> None:
    assert sellable(10, 3) == 7
    assert sellable(2, 3) == 0
    assert sellable(5, 0) == 5


@pytest.mark.parametrize("bad", ["", "-x", "a b", "é", "x" * 65, "a/b", "a;drop"])
def test_codes_are_ascii_words_of_bounded_length(bad: str) -> None:
    with pytest.raises(InvalidInput):
        validation.code(bad)


@pytest.mark.parametrize("bad", [0, -1, 1_000_001, True])
def test_quantities_are_positive_and_bounded(bad: int) -> None:
    with pytest.raises(InvalidInput):
        validation.quantity(bad)


def test_email_must_look_like_an_address() -> None:
    assert validation.email("a@b.co") == "a@b.co"
    with pytest.raises(InvalidInput):
        validation.email("not-an-email")
