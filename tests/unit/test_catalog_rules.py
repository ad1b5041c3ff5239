"""The rules of an editable catalog, without a database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from restock.domain.availability import an_archived_sku_is_out_of_stock
from restock.domain.catalog import (
    an_archived_sku_takes_no_orders,
    channel_warehouse_list,
    lead_time_days,
    parse_price,
    product_url,
    release_date,
    safety_buffer,
    web_address,
)
from restock.domain.errors import Conflict, InvalidInput
from restock.domain.model import AvailabilityState, Reason


def test_a_channel_sells_from_at_least_one_warehouse_each_listed_once_in_order() -> None:
    assert channel_warehouse_list(["W2", "W1"]) == ("W2", "W1")
    for bad in ([], ["W1", "W1"], [f"W{i}" for i in range(51)]):
        with pytest.raises(InvalidInput):
            channel_warehouse_list(bad)


@pytest.mark.parametrize("url", ["https://shop.example.com/p/mug?colour=blue", "http://localhost:8000/mug"])
def test_a_product_url_is_an_absolute_http_address(url: str) -> None:
    assert product_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "/mug",
        "ftp://shop.example.com/mug",
        "javascript:alert(1)",
        "https:///mug",
        "https://[::1/mug",
        "https://shop.example.com/a b",
        "https://shop.example.com/ü",
        "https://x.example.com/" + "a" * 2000,
    ],
)
def test_anything_else_is_no_product_url(url: str) -> None:
    with pytest.raises(InvalidInput):
        product_url(url)


def test_a_web_address_is_one_rule_that_names_what_it_checks() -> None:
    assert web_address("https://track.example/JD1", "tracking URL") == "https://track.example/JD1"
    with pytest.raises(InvalidInput, match="a tracking URL is an absolute http"):
        web_address("ftp://track.example/JD1", "tracking URL")
    with pytest.raises(InvalidInput, match="a product URL has no spaces"):
        product_url("https://shop.example.com/a b")
    with pytest.raises(InvalidInput, match="1-10 printable"):
        web_address("https://x.example.com/abc", "link", longest=10)


def test_a_release_date_is_within_reason() -> None:
    assert release_date(date(2027, 1, 1)) == date(2027, 1, 1)
    with pytest.raises(InvalidInput):
        release_date(date(2207, 1, 1))


def test_an_archived_sku_takes_no_orders_and_the_refusal_names_it() -> None:
    an_archived_sku_takes_no_orders([])
    with pytest.raises(Conflict, match=r"^SKU CUP is archived and takes no new orders$"):
        an_archived_sku_takes_no_orders(["CUP"])
    with pytest.raises(Conflict, match=r"^SKUs CUP, MUG are archived and take no new orders$"):
        an_archived_sku_takes_no_orders(["MUG", "CUP"])


def test_an_archived_sku_is_out_of_stock_and_does_not_invite_waiting() -> None:
    answer = an_archived_sku_is_out_of_stock()
    assert (answer.state, answer.reason, answer.purchasable) == (AvailabilityState.OUT_OF_STOCK, Reason.ARCHIVED, 0)
    assert "notify" not in answer.message.lower()


@pytest.mark.parametrize(("rule", "top"), [(safety_buffer, 1_000_000), (lead_time_days, 730)])
def test_a_safety_buffer_and_a_lead_time_are_whole_numbers_from_0_to_their_bound(rule: Any, top: int) -> None:
    assert (rule(0), rule(top)) == (0, top)
    for bad in (-1, top + 1, True):
        with pytest.raises(InvalidInput, match=f"between 0 and {top}"):
            rule(bad)


def test_a_price_is_a_finite_amount_in_whole_cents() -> None:
    assert parse_price("12.50") == Decimal("12.50")
    for bad in ("abc", "-1", "1.234", "NaN", "10000000000"):
        with pytest.raises(InvalidInput):
            parse_price(bad)
