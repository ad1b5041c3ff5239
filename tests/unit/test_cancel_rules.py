"""Which units a partial cancel releases, who may release them, and what a delay notice's link still cancels."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest

from restock.domain.cancelling import (
    CancelledBy,
    CancelledByName,
    NamedPart,
    OpenPart,
    Release,
    late_units_a_cancel_link_cancels,
    may_release,
    units_a_partial_cancel_releases,
)
from restock.domain.errors import Conflict
from restock.domain.lines import CancelLinkState, PartKind
from restock.domain.model import LineStatus

WAIT, HELD = PartKind.BACKORDERED, PartKind.ALLOCATED
SOON, LATE = date(2026, 12, 10), date(2026, 12, 30)


def test_a_partial_cancel_releases_backordered_units_before_allocated_ones() -> None:
    parts = [OpenPart(1, HELD, 11), OpenPart(2, WAIT, 2, SOON)]
    assert units_a_partial_cancel_releases(parts, 3) == [Release(2, WAIT, 2), Release(1, HELD, 1)]


def test_among_waiting_parts_undated_then_latest_promised_go_first_so_the_customer_keeps_the_soonest() -> None:
    parts = [OpenPart(1, WAIT, 2, SOON), OpenPart(2, WAIT, 2, LATE), OpenPart(3, WAIT, 1, None)]
    assert units_a_partial_cancel_releases(parts, 4) == [Release(3, WAIT, 1), Release(2, WAIT, 2), Release(1, WAIT, 1)]


def test_among_allocated_parts_the_newest_goes_first() -> None:
    parts = [OpenPart(1, HELD, 2), OpenPart(5, HELD, 2)]
    assert units_a_partial_cancel_releases(parts, 3) == [Release(5, HELD, 2), Release(1, HELD, 1)]


def test_no_quantity_releases_every_open_unit_and_never_a_closed_part() -> None:
    parts = [OpenPart(1, HELD, 2), OpenPart(2, PartKind.SHIPPED, 4), OpenPart(3, PartKind.RELEASED, 1)]
    assert units_a_partial_cancel_releases(parts, None) == [Release(1, HELD, 2)]


def test_a_quantity_above_what_is_open_is_refused() -> None:
    with pytest.raises(Conflict, match="only 3 unit"):
        units_a_partial_cancel_releases([OpenPart(1, HELD, 3)], 4)
    with pytest.raises(Conflict):
        units_a_partial_cancel_releases([OpenPart(1, PartKind.SHIPPED, 3)], None)


def test_only_the_merchant_may_release_allocated_units() -> None:
    waiting, held = [Release(1, WAIT, 2)], [Release(1, WAIT, 2), Release(2, HELD, 1)]
    assert may_release(CancelledBy.MERCHANT, held)
    assert may_release(CancelledBy.SHOP, waiting)
    assert may_release(CancelledBy.CUSTOMER, waiting)
    assert not may_release(CancelledBy.SHOP, held)
    assert not may_release(CancelledBy.CUSTOMER, held)


def test_the_link_cancels_the_named_part_while_it_waits_and_fewer_once_some_arrived() -> None:
    units = late_units_a_cancel_link_cancels(NamedPart(WAIT, 1, False), 2, LineStatus.BACKORDERED, 1, 0)
    assert (units.state, units.cancellable, units.arrived) == (CancelLinkState.CAN_CANCEL, 1, 1)


def test_the_link_of_a_filled_shipped_or_cancelled_part_cancels_nothing() -> None:
    line = LineStatus.ALLOCATED
    assert late_units_a_cancel_link_cancels(NamedPart(HELD, 2, False), 2, line, 0, 0).state == "ready_to_ship"
    assert late_units_a_cancel_link_cancels(NamedPart(PartKind.SHIPPED, 2, False), 2, line, 0, 0).state == "shipped"
    done = late_units_a_cancel_link_cancels(NamedPart(PartKind.RELEASED, 2, True), 2, line, 5, 2)
    assert (done.state, done.cancellable, done.cancelled) == (CancelLinkState.CANCELLED, 0, 2)


def test_the_link_of_a_repegged_part_cancels_as_many_waiting_units_as_it_named_once() -> None:
    moved = NamedPart(PartKind.RELEASED, 2, cancelled=False)
    first = late_units_a_cancel_link_cancels(moved, 2, LineStatus.BACKORDERED, 5, 0)
    assert (first.state, first.cancellable) == (CancelLinkState.CAN_CANCEL, 2)
    second = late_units_a_cancel_link_cancels(moved, 2, LineStatus.BACKORDERED, 3, 2)
    assert (second.state, second.cancellable, second.cancelled) == (CancelLinkState.CANCELLED, 0, 2)


def test_cancelled_by_has_one_spelling() -> None:
    assert {member.value for member in CancelledBy} == set(get_args(CancelledByName))
