"""Covering a quantity from ordered sources, and the shape rules for input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restock.domain import validation
from restock.domain.allocation import FILL_ORDER, Take, take_in_order
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


def test_fill_order_is_pegged_then_priority_then_fifo_then_id() -> None:
    assert FILL_ORDER == ("pegged_to_receipt", "priority", "placed_at", "id")


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
