"""`restock order list` and the shop's number on `restock order place`."""

from __future__ import annotations

import json
from typing import Any

import pytest

from restock.cli.shared import out

PLACE = ("order", "place", "--channel", "web", "--line", "MUG:1")


def as_json(result: Any) -> Any:
    return json.loads(result.stdout)


@pytest.fixture
def shop(restock: Any) -> dict[str, str]:
    restock("warehouse", "add", "W1")
    restock("channel", "add", "web", "--warehouses", "W1")
    restock("channel", "add", "market", "--warehouses", "W1")
    restock("sku", "add", "MUG", "--price", "12.50")
    restock("sku", "add", "CUP", "--price", "4.00")
    restock("stock", "adjust", "MUG", "W1", "10", "--reason", "count")
    restock("stock", "adjust", "CUP", "W1", "10", "--reason", "count")
    ann = as_json(restock(*PLACE, "--email", "ann@example.com", "--ref", "1001", "--name", "Ann Lee", "--json"))
    bob = as_json(
        restock("order", "place", "--channel", "market", "--email", "bob@example.com", "--line", "CUP:2", "--json")
    )
    return {"ann": ann["id"], "bob": bob["id"]}


def test_order_place_keeps_the_shops_number_and_sent_again_shows_the_first(restock: Any, shop: dict[str, str]) -> None:
    again = as_json(restock(*PLACE, "--email", "ann@example.com", "--ref", "1001", "--json"))
    assert again["id"] == shop["ann"]
    assert again["external_ref"] == "1001"
    shown = restock("order", "show", shop["ann"]).stdout
    assert "shop order 1001" in shown
    assert "Ann Lee" in shown


def test_order_list_prints_a_table_newest_first_and_says_it_is_the_last_page(
    restock: Any, shop: dict[str, str]
) -> None:
    printed = restock("order", "list").stdout
    assert printed.index(shop["bob"]) < printed.index(shop["ann"])
    assert "Ann Lee <ann@example.com>" in printed
    assert "1001" in printed
    assert "last page" in printed


def test_order_list_filters(restock: Any, shop: dict[str, str]) -> None:
    def ids(*args: str) -> list[str]:
        return [item["id"] for item in as_json(restock("order", "list", *args, "--json"))["items"]]

    assert ids("--channel", "market") == [shop["bob"]]
    assert ids("--sku", "MUG") == [shop["ann"]]
    assert ids("--email", "ANN@example.com") == [shop["ann"]]
    assert ids("--ref", "1001") == [shop["ann"]]
    assert ids("--status", "cancelled") == []
    assert ids("--has-backorder") == []
    assert ids("--no-backorder", "--not-delayed") == [shop["bob"], shop["ann"]]
    assert ids("--from", "2026-11-28") == []
    assert ids("--to", "2026-11-28") == [shop["bob"], shop["ann"]]


def test_order_list_pages_with_the_cursor_it_prints(restock: Any, shop: dict[str, str]) -> None:
    first = restock("order", "list", "--limit", "1").stdout
    [cursor] = [line.split("--after ")[1].strip() for line in first.splitlines() if "next page: --after" in line]
    second = as_json(restock("order", "list", "--limit", "1", "--after", cursor, "--json"))
    assert [item["id"] for item in second["items"]] == [shop["ann"]]
    assert second["next"] is None
    assert second["items"][0]["customer"] == {"email": "ann@example.com", "name": "Ann Lee"}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--status", "late"), "unknown order status"),
        (("--email", "nobody"), "invalid e-mail"),
        (("--limit", "0"), "a page holds"),
        (("--after", "garbage"), "invalid cursor"),
        (("--from", "yesterday"), "--from is not a date"),
        (("--from", "2026-11-28", "--to", "2026-11-27"), "before"),
    ],
)
def test_a_bad_filter_is_one_line_and_a_non_zero_exit(
    restock: Any, shop: dict[str, str], args: tuple[str, ...], said: str
) -> None:
    result = restock("order", "list", *args, ok=False)
    assert result.exit_code != 0
    assert result.stdout == ""
    message = result.stderr.strip()
    assert said in message
    assert len(message.splitlines()) == 1


@pytest.mark.parametrize("columns", [80, 100, 160, 200])
def test_order_list_prints_every_order_id_whole_on_one_line_to_copy(
    restock: Any, shop: dict[str, str], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setattr(out, "width", columns)
    printed = restock("order", "list").stdout
    for order_id in shop.values():
        assert order_id in printed
    assert max(len(line) for line in printed.splitlines()) <= columns
