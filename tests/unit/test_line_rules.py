"""A line over its parts: its window, its status, and its order's status."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from restock.domain.lines import CancelLinkState, PartKind, cancel_link_state, line_status, line_window, order_status
from restock.domain.model import LineStatus, OrderStatus, ShipWindow

D = date(2026, 12, 1)


def window(start: int, width: int) -> ShipWindow:
    return ShipWindow(D + timedelta(days=start), D + timedelta(days=start + width))


def test_a_line_spans_the_windows_of_its_waiting_parts() -> None:
    assert line_window([window(5, 4), window(10, 2)]) == ShipWindow(D + timedelta(days=5), D + timedelta(days=12))


def test_one_undated_part_leaves_the_whole_line_undated() -> None:
    assert line_window([window(5, 4), None]) is None


def test_a_line_with_nothing_waiting_has_no_window() -> None:
    assert line_window([]) is None


windows = st.builds(window, st.integers(0, 60), st.integers(0, 30))


@given(st.lists(st.one_of(st.none(), windows), min_size=1, max_size=6))
def test_a_line_window_covers_every_part_or_is_none(parts: list[ShipWindow | None]) -> None:
    result = line_window(parts)
    if None in parts:
        assert result is None
    else:
        assert result is not None
        assert all(result.earliest <= w.earliest and w.latest <= result.latest for w in parts if w)


def test_a_line_waits_while_any_part_waits() -> None:
    assert line_status([PartKind.ALLOCATED, PartKind.BACKORDERED]) is LineStatus.BACKORDERED


def test_a_line_is_allocated_when_every_open_part_is_held() -> None:
    assert line_status([PartKind.ALLOCATED, PartKind.ALLOCATED]) is LineStatus.ALLOCATED


def test_a_line_is_shipped_when_its_units_left_and_cancelled_when_all_released() -> None:
    assert line_status([PartKind.SHIPPED]) is LineStatus.SHIPPED
    assert line_status([PartKind.RELEASED, PartKind.RELEASED]) is LineStatus.CANCELLED


def test_an_order_is_open_while_any_line_is() -> None:
    assert order_status(["shipped", "backordered"]) is OrderStatus.OPEN
    assert order_status([LineStatus.CANCELLED, LineStatus.ALLOCATED]) is OrderStatus.OPEN


def test_an_order_is_shipped_if_anything_shipped_else_cancelled() -> None:
    assert order_status(["shipped", "cancelled"]) is OrderStatus.SHIPPED
    assert order_status(["cancelled", "cancelled"]) is OrderStatus.CANCELLED


def test_only_a_waiting_line_can_be_cancelled_from_its_link() -> None:
    states = {status: cancel_link_state(status) for status in LineStatus}
    assert states == {
        LineStatus.BACKORDERED: CancelLinkState.CAN_CANCEL,
        LineStatus.CANCELLED: CancelLinkState.CANCELLED,
        LineStatus.ALLOCATED: CancelLinkState.READY_TO_SHIP,
        LineStatus.SHIPPED: CancelLinkState.SHIPPED,
    }
