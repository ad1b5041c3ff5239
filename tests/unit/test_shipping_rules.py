"""The shipping rules without a database: what a shipment may take, and when an order's policy lets it ship."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from restock.domain.errors import InvalidInput
from restock.domain.model import ShippingPolicy
from restock.domain.shipping import (
    MAX_CARRIER,
    MAX_TRACKING_NUMBER,
    HeldPart,
    carrier,
    effective_shipping_policy,
    nothing_to_ship,
    order_may_ship,
    pick_list_order,
    shipments_by_warehouse,
    tracking_number,
    tracking_url,
    units_a_shipment_takes,
)

W1, W2 = 1, 2


def held(*parts: tuple[str, int, int]) -> list[HeldPart]:
    return [HeldPart(i, i, sku, warehouse, quantity) for i, (sku, warehouse, quantity) in enumerate(parts, start=1)]


def test_ships_every_held_unit_when_no_line_is_named() -> None:
    parts = held(("MUG", W1, 2), ("MUG", W2, 3))
    assert [(t.part.part_id, t.quantity, t.whole) for t in units_a_shipment_takes(parts)] == [
        (1, 2, True),
        (2, 3, True),
    ]


def test_a_named_quantity_takes_from_the_held_parts_in_order_and_splits_the_last() -> None:
    takes = units_a_shipment_takes(held(("MUG", W1, 2), ("MUG", W2, 3)), {"MUG": 4})
    assert [(t.part.warehouse_id, t.quantity, t.whole) for t in takes] == [(W1, 2, True), (W2, 2, False)]


def test_refuses_more_than_is_allocated() -> None:
    with pytest.raises(InvalidInput, match="only 2 allocated"):
        units_a_shipment_takes(held(("MUG", W1, 2)), {"MUG": 3})
    with pytest.raises(InvalidInput, match="only 0 allocated"):
        units_a_shipment_takes(held(("MUG", W1, 2)), {"CUP": 1})


def test_one_shipment_per_warehouse() -> None:
    takes = units_a_shipment_takes(held(("MUG", W2, 1), ("CUP", W1, 1), ("TEA", W2, 1)))
    assert {w: [t.part.sku for t in group] for w, group in shipments_by_warehouse(takes).items()} == {
        W2: ["MUG", "TEA"],
        W1: ["CUP"],
    }


def test_holds_a_complete_order_until_it_is_whole() -> None:
    assert not order_may_ship(ShippingPolicy.COMPLETE, units_waiting=1)
    assert order_may_ship(ShippingPolicy.COMPLETE, units_waiting=0)
    assert order_may_ship(ShippingPolicy.AS_AVAILABLE, units_waiting=5)
    refusal = nothing_to_ship("o1", ShippingPolicy.COMPLETE, units_held=3, units_waiting=2)
    assert "ships complete" in str(refusal)
    assert nothing_to_ship("o1", ShippingPolicy.AS_AVAILABLE, units_held=3, units_waiting=2) is None
    assert "nothing allocated" in str(nothing_to_ship("o1", ShippingPolicy.AS_AVAILABLE, 0, 0))


def test_an_order_follows_its_own_policy_else_its_channels() -> None:
    assert effective_shipping_policy(None, "complete") is ShippingPolicy.COMPLETE
    assert effective_shipping_policy("as_available", "complete") is ShippingPolicy.AS_AVAILABLE
    assert effective_shipping_policy("complete", "as_available") is ShippingPolicy.COMPLETE


SKUS = st.sampled_from(["MUG", "CUP", "TEA"])
PARTS = st.lists(st.tuples(SKUS, st.sampled_from([W1, W2]), st.integers(1, 20)), max_size=8)


@given(PARTS, st.dictionaries(SKUS, st.integers(1, 60), max_size=3))
def test_a_shipment_never_takes_more_than_is_allocated(
    parts: list[tuple[str, int, int]], asked: dict[str, int]
) -> None:
    holding = held(*parts)
    try:
        takes = units_a_shipment_takes(holding, asked)
    except InvalidInput:
        assert any(quantity > sum(p.quantity for p in holding if p.sku == sku) for sku, quantity in asked.items())
        return
    for take in takes:
        assert 0 < take.quantity <= take.part.quantity
    assert len({take.part.part_id for take in takes}) == len(takes)
    for sku, quantity in asked.items():
        assert sum(t.quantity for t in takes if t.part.sku == sku) == quantity
    assert {t.part.sku for t in takes} <= set(asked)


# ---------------------------------------------------------------- tracking


@pytest.mark.parametrize("url", ["https://www.dhl.com/track?id=JD014600006281", "http://track.example/JD1"])
def test_a_tracking_url_is_an_absolute_http_address(url: str) -> None:
    assert tracking_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "javascript:alert(1)",
        "https:///JD1",
        "https://track.example/JD 1",  # a space: the old prefix test let it through
        "https://track.example/ü",  # non-ASCII: likewise
        "https://track.example/JD1\n",
        "https://track.example/" + "a" * 2000,
    ],
)
def test_a_tracking_url_is_held_to_the_same_rule_as_a_product_url(url: str) -> None:
    with pytest.raises(InvalidInput, match="tracking URL"):
        tracking_url(url)


def test_a_carrier_and_a_tracking_number_are_printable_not_blank_and_bounded() -> None:
    assert carrier("DHL Express") == "DHL Express"
    assert tracking_number("1Z 999 AA1 01 2345 6784") == "1Z 999 AA1 01 2345 6784"  # carriers print spaces
    for bad in ("", "   ", "DHL\n", "x" * (MAX_CARRIER + 1)):
        with pytest.raises(InvalidInput, match="a carrier"):
            carrier(bad)
    for bad in ("", " ", "JD\t1", "x" * (MAX_TRACKING_NUMBER + 1)):
        with pytest.raises(InvalidInput, match="a tracking number"):
            tracking_number(bad)


# ---------------------------------------------------------------- the pick list's order

T = datetime(2026, 11, 27, 9, 0)


def test_the_pick_list_puts_cross_docked_units_first_then_the_oldest_order() -> None:
    entries = [
        (False, T, "ord_a", "W1"),
        (True, T.replace(hour=12), "ord_c", "W1"),
        (False, T.replace(hour=8), "ord_b", "W2"),
        (False, T, "ord_a", "W0"),
    ]
    ordered = sorted(entries, key=lambda e: pick_list_order(*e))
    assert ordered == [
        (True, T.replace(hour=12), "ord_c", "W1"),  # at the dock, though the newest
        (False, T.replace(hour=8), "ord_b", "W2"),
        (False, T, "ord_a", "W0"),  # one order from two warehouses: by warehouse code
        (False, T, "ord_a", "W1"),
    ]
