"""`restock sku|channel|supplier set`, `restock sku archive|unarchive|list`: only the options given change; a bad one
is one line on stderr, a non-zero exit, and nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.cli.test_cli import as_json, setup_shop


def sku_rows(restock: Any, *flags: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = as_json(restock("sku", "list", "--json", *flags))
    return rows


def mug(restock: Any) -> dict[str, Any]:
    return next(s for s in sku_rows(restock, "--archived") if s["code"] == "MUG")


def test_sku_set_changes_only_the_options_given(restock: Any) -> None:
    setup_shop(restock)
    result = restock("sku", "set", "MUG", "--price", "14.90", "--max-wait", "21", "--limit", "80")
    assert result.stdout.strip() == "SKU MUG updated: price, max_wait_days, backorder_limit_pct"
    assert mug(restock) == {
        "code": "MUG",
        "name": "MUG",
        "price": "14.90",
        "backorder": "confirmed",
        "max_wait_days": 21,
        "backorder_limit": 80,
        "release_date": None,
        "product_url": None,
        "archived": False,
    }


def test_sku_set_sets_and_clears_the_release_date_and_product_url(restock: Any) -> None:
    setup_shop(restock)
    url = "https://shop.example.com/mug"
    shown = as_json(restock("sku", "set", "MUG", "--release-date", "2027-03-01", "--product-url", url, "--json"))
    assert (shown["release_date"], shown["product_url"]) == ("2027-03-01", url)
    restock("sku", "set", "MUG", "--release-date", "none", "--product-url", "none")
    assert (mug(restock)["release_date"], mug(restock)["product_url"]) == (None, None)


@pytest.mark.parametrize(
    "args",
    [
        ("--name", "Blue", "--backorder", "sometimes"),
        ("--name", "Blue", "--max-wait", "9999"),
        ("--name", "Blue", "--limit", "101"),
        ("--name", "Blue", "--price", "abc"),
        ("--name", "Blue", "--product-url", "ftp://x.example.com/mug"),
        ("--name", "Blue", "--release-date", "soon"),
        (),
    ],
)
def test_a_bad_sku_set_is_one_line_and_changes_nothing(restock: Any, args: tuple[str, ...]) -> None:
    setup_shop(restock)
    before = mug(restock)
    result = restock("sku", "set", "MUG", *args, ok=False)
    assert result.exit_code != 0
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert mug(restock) == before


def test_sku_set_of_an_unknown_sku_fails(restock: Any) -> None:
    setup_shop(restock)
    result = restock("sku", "set", "NOPE", "--name", "x", ok=False)
    assert result.exit_code == 1
    assert "unknown SKU 'NOPE'" in result.stderr


def test_an_archived_sku_leaves_the_list_and_takes_no_orders(restock: Any) -> None:
    setup_shop(restock)
    restock("sku", "add", "CUP")
    assert restock("sku", "archive", "MUG").stdout.strip() == "SKU MUG archived: it takes no new orders"
    assert [s["code"] for s in sku_rows(restock)] == ["CUP"]
    assert [(s["code"], s["archived"]) for s in sku_rows(restock, "--archived")] == [("CUP", False), ("MUG", True)]
    refused = restock("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:1", ok=False)
    assert refused.exit_code == 1
    assert "SKU MUG is archived and takes no new orders" in refused.stderr
    shown = as_json(restock("availability", "MUG", "--channel", "web", "--json"))
    assert (shown["state"], shown["reason"]) == ("out_of_stock", "archived")
    assert restock("sku", "unarchive", "MUG").stdout.strip() == "SKU MUG is on sale again"
    restock("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:1")


def test_sku_list_prints_a_table(restock: Any) -> None:
    setup_shop(restock)
    table = restock("sku", "list").stdout
    assert "MUG" in table
    assert "12.50" in table


def test_channel_set_replaces_the_warehouses_in_order(restock: Any) -> None:
    setup_shop(restock)
    restock("warehouse", "add", "W2")
    result = restock("channel", "set", "web", "--warehouses", "W2,W1", "--buffer", "2", "--shipping-policy", "complete")
    assert result.stdout.strip() == "channel web updated: warehouses, safety_buffer, shipping_policy"
    shown = as_json(restock("channel", "set", "web", "--buffer", "1", "--json"))
    assert shown == {
        "code": "web",
        "name": "web",
        "warehouses": ["W2", "W1"],
        "safety_buffer": 1,
        "shipping_policy": "complete",
    }


@pytest.mark.parametrize(
    "args",
    [
        ("--buffer", "1", "--warehouses", "W1,W9"),
        ("--buffer", "1", "--warehouses", ","),
        ("--buffer", "-1"),
        ("--buffer", "1", "--shipping-policy", "whenever"),
        (),
    ],
)
def test_a_bad_channel_set_is_one_line_and_changes_nothing(restock: Any, args: tuple[str, ...]) -> None:
    setup_shop(restock)
    result = restock("channel", "set", "web", *args, ok=False)
    assert result.exit_code != 0
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    shown = as_json(restock("channel", "set", "web", "--buffer", "0", "--json"))
    assert (shown["warehouses"], shown["shipping_policy"]) == (["W1"], "as_available")


def test_supplier_set_changes_the_lead_time(restock: Any) -> None:
    setup_shop(restock)
    shown = as_json(restock("supplier", "set", "ACME", "--lead-time", "21", "--json"))
    assert (shown["name"], shown["lead_time_days"]) == ("ACME", 21)
    bad = restock("supplier", "set", "ACME", "--name", "Acme", "--lead-time", "999", ok=False)
    assert bad.exit_code == 1
    assert as_json(restock("supplier", "set", "ACME", "--name", "Acme Ltd", "--json"))["lead_time_days"] == 21


def test_a_set_retried_with_its_key_prints_the_first_result_and_changes_nothing_more(restock: Any) -> None:
    setup_shop(restock)
    first = restock("sku", "set", "MUG", "--name", "Blue", "--idempotency-key", "k-1", "--json").stdout
    restock("sku", "set", "MUG", "--name", "Red")
    again = restock("sku", "set", "MUG", "--name", "Blue", "--idempotency-key", "k-1", "--json").stdout
    assert again == first
    assert mug(restock)["name"] == "Red"
    other = restock("sku", "set", "MUG", "--name", "Green", "--idempotency-key", "k-1", ok=False)
    assert other.exit_code == 1
    assert mug(restock)["name"] == "Red"


KEYED = {
    "sku set": (("sku", "set", "MUG", "--price", "9.90"), lambda r: mug(r)["price"], "9.90"),
    "sku archive": (("sku", "archive", "MUG"), lambda r: mug(r)["archived"], True),
    "sku unarchive": (("sku", "unarchive", "MUG"), lambda r: mug(r)["archived"], False),
    "channel set": (
        ("channel", "set", "web", "--buffer", "3"),
        lambda r: as_json(r("channel", "set", "web", "--shipping-policy", "as_available", "--json"))["safety_buffer"],
        3,
    ),
    "supplier set": (
        ("supplier", "set", "ACME", "--lead-time", "30"),
        lambda r: as_json(r("supplier", "set", "ACME", "--name", "ACME", "--json"))["lead_time_days"],
        30,
    ),
}


@pytest.mark.parametrize("name", KEYED)
def test_each_catalog_change_run_twice_with_one_key_prints_the_first_result(restock: Any, name: str) -> None:
    command, effect, expected = KEYED[name]
    setup_shop(restock)
    first = as_json(restock(*command, "--idempotency-key", f"k-{name}", "--json"))
    again = as_json(restock(*command, "--idempotency-key", f"k-{name}", "--json"))
    assert again == first
    assert effect(restock) == expected
