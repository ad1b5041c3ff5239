"""The shop's order number and the delivery address: pure rules, no database."""

from __future__ import annotations

import pytest

from restock.domain.address import DeliveryAddress, address_from_stored, check_delivery_address
from restock.domain.errors import InvalidInput
from restock.domain.references import check_external_ref, is_the_same_order


def test_an_order_sent_again_is_the_same_order_whatever_the_order_of_its_lines() -> None:
    assert is_the_same_order([("MUG", 2), ("CUP", 1)], [("CUP", 1), ("MUG", 2)])


@pytest.mark.parametrize("asked", [[("MUG", 3), ("CUP", 1)], [("MUG", 2)], [("MUG", 2), ("CUP", 1), ("TEA", 1)]])
def test_other_quantities_or_other_skus_are_another_order(asked: list[tuple[str, int]]) -> None:
    assert not is_the_same_order([("MUG", 2), ("CUP", 1)], asked)


@pytest.mark.parametrize("ref", ["1001", "#SO-2026/11/27 A", "x" * 100])
def test_a_shops_number_of_up_to_100_printable_characters_is_taken(ref: str) -> None:
    assert check_external_ref(ref) == ref


def test_an_address_with_a_known_country_and_bounded_fields_is_valid() -> None:
    address = DeliveryAddress("1 Rue de Rivoli", "Paris", "FR", postal_code="75001", phone="+33 1 23 45 67 89")
    assert check_delivery_address(address) is address


@pytest.mark.parametrize("country", ["UK", "EU", "fr", "FRA", ""])
def test_an_address_needs_an_assigned_iso_country_code(country: str) -> None:
    with pytest.raises(InvalidInput, match="ISO 3166-1"):
        check_delivery_address(DeliveryAddress("1 Main St", "Springfield", country))


def test_an_address_is_stored_as_its_set_fields_and_read_back_whole() -> None:
    address = DeliveryAddress("1 Main St", "Springfield", "US", region="IL")
    assert address.present() == {"line1": "1 Main St", "city": "Springfield", "country": "US", "region": "IL"}
    assert address_from_stored(address.present()) == address
    assert address_from_stored(None) is None
