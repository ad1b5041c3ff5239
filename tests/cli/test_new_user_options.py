"""What the API takes, the CLI takes too: the backorder window, an order's shipping policy and address, a SKU's
release date and page, a channel's shipping policy; and help text that reads as written."""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator
from typing import Any

import click
import pytest
import typer

from restock.cli import app
from restock.services import catalog, orders
from restock.services.context import Context
from tests.cli.test_cli import setup_shop


def as_json(result: Any) -> Any:
    return json.loads(result.stdout)


def test_availability_prints_the_backorder_window_of_an_in_stock_sku(restock: Any) -> None:
    setup_shop(restock)
    po = as_json(restock("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10", "--json"))["id"]
    restock("po", "confirm", str(po), "--eta", "2026-12-05")
    printed = restock("availability", "MUG").stdout
    assert "backorder window" in printed
    [row] = [line for line in printed.splitlines() if line.startswith("│ MUG ")]
    cells = [cell.strip() for cell in row.strip("│").split("│")]
    assert cells[2:7] == ["in_stock", "3", "10", "", "2026-12-07 – 2026-12-11"]


def _placed(restock: Any, *extra: str) -> Any:
    setup_shop(restock)
    args = ("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:1", *extra, "--json")
    return as_json(restock(*args))


def _stored(order_id: str) -> orders.OrderView:
    return orders.show_order(_ctx(), order_id)


def _ctx() -> Context:
    from restock.config import Settings

    return Context.from_settings(Settings.from_env())


def test_order_place_takes_a_shipping_policy_and_a_delivery_address(restock: Any) -> None:
    address = ("--address-line1", "Main St 1", "--city", "Berlin", "--postal-code", "10115", "--country", "DE")
    placed = _placed(restock, "--shipping-policy", "complete", *address)
    assert placed["shipping_policy"] == "complete"
    stored = _stored(placed["id"])
    assert stored.delivery_address is not None
    assert stored.delivery_address.model_dump(exclude_none=True) == {
        "line1": "Main St 1",
        "city": "Berlin",
        "postal_code": "10115",
        "country": "DE",
    }
    assert "to Main St 1, 10115, Berlin, DE" in " ".join(restock("order", "show", placed["id"]).stdout.split())


@pytest.mark.parametrize(
    ("args", "said", "code"),
    [
        (("--shipping-policy", "whenever"), "shipping policy must be as_available or complete", 1),
        (("--address-line1", "Main St 1", "--country", "DE"), "needs --address-line1, --city and --country", 2),
        (("--city", "Berlin"), "needs --address-line1, --city and --country", 2),
        (("--address-line1", "Main St 1", "--city", "Berlin", "--country", "XX"), "ISO 3166-1 alpha-2", 1),
    ],
)
def test_a_bad_policy_or_part_of_an_address_is_one_line_and_places_nothing(
    restock: Any, args: tuple[str, ...], said: str, code: int
) -> None:
    setup_shop(restock)
    place = ("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:1")
    result = restock(*place, *args, ok=False)
    assert result.exit_code == code
    assert said in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert as_json(restock("order", "list", "--json"))["items"] == []


def test_sku_add_takes_a_release_date_and_a_product_page(restock: Any) -> None:
    restock("sku", "add", "LAMP", "--release-date", "2027-03-01", "--product-url", "https://shop.example/lamp")
    [lamp] = as_json(restock("sku", "list", "--json"))
    assert (lamp["release_date"], lamp["product_url"]) == ("2027-03-01", "https://shop.example/lamp")
    bad = restock("sku", "add", "DESK", "--product-url", "ftp://shop.example/desk", ok=False)
    assert bad.exit_code == 1
    assert "http:// or https://" in bad.stderr
    assert restock("sku", "add", "DESK", "--release-date", "soon", ok=False).exit_code == 2
    assert [s["code"] for s in as_json(restock("sku", "list", "--json"))] == ["LAMP"]


def test_channel_add_takes_a_shipping_policy_checked_as_an_edit_checks_it(restock: Any) -> None:
    restock("warehouse", "add", "W1")
    said = restock("channel", "add", "b2b", "--warehouses", "W1", "--shipping-policy", "complete").stdout
    assert "channel b2b added, served by W1, ships complete" in said
    restock("channel", "add", "web", "--warehouses", "W1")
    bad = restock("channel", "add", "pos", "--warehouses", "W1", "--shipping-policy", "later", ok=False)
    assert bad.exit_code == 1
    assert "shipping policy must be as_available or complete, got 'later'" in bad.stderr
    policies = {c.code: c.shipping_policy for c in catalog.list_channels(_ctx())}
    assert policies == {"b2b": "complete", "web": "as_available"}


def _commands(command: click.Command, path: str = "restock") -> Iterator[tuple[str, click.Command]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, f"{path} {name}")


def test_every_commands_summary_is_one_paragraph_without_a_hard_line_break() -> None:
    """The command lists (`restock sku --help`) print a docstring's first paragraph with its line breaks kept."""
    broken = [
        path
        for path, command in _commands(typer.main.get_command(app))
        if "\n" in inspect.cleandoc(command.help or "").split("\n\n")[0]
    ]
    assert broken == []


def test_export_help_does_not_promise_that_orders_import_back(restock: Any) -> None:
    said = " ".join(restock("export", "--help").stdout.split())
    assert "all but orders in the shapes `restock import` reads" in said
    assert restock("import", "orders", "x.csv", ok=False).exit_code == 2  # there is no such import
