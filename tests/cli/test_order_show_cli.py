"""`restock order show`: every unit of a line accounted for (cancelled ones too), and the order's shipments."""

from __future__ import annotations

import json
from typing import Any

import pytest

from restock.cli.shared import out
from tests.cli.test_cli import setup_shop


def _shipped_and_cut(restock: Any) -> str:
    """10 mugs ordered (3 from stock, 7 waiting for the PO), 2 shipped by DHL, then 4 cancelled (waiting units go
    first): 1 allocated, 3 waiting, 2 shipped, 4 cancelled."""
    setup_shop(restock)
    po = json.loads(restock("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10", "--json").stdout)["id"]
    restock("po", "confirm", str(po), "--eta", "2026-12-05")
    placed = restock("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:10", "--json")
    order = str(json.loads(placed.stdout)["id"])
    restock("order", "ship", order, "--line", "MUG:2", "--carrier", "DHL", "--tracking", "JD0001")
    restock("order", "cancel", order, "--line", "MUG", "--quantity", "4")
    return order


def _cells(printed: str, first: str) -> list[str]:
    """The cells of the table row that starts with `first`."""
    [row] = [line for line in printed.splitlines() if line.startswith(f"│ {first} ")]
    return [cell.strip() for cell in row.strip("│").split("│")]


def test_order_show_has_a_cancelled_column_so_a_lines_units_add_up(restock: Any) -> None:
    order = _shipped_and_cut(restock)
    printed = restock("order", "show", order).stdout
    assert _cells(printed, "MUG")[:6] == ["MUG", "10", "1", "3", "2", "4"]  # qty, allocated, waiting, shipped, cut
    headers = " ".join(printed.split())
    assert "allocated ┃ backordered ┃ shipped ┃ cancelled" in headers
    [line] = json.loads(restock("order", "show", order, "--json").stdout)["lines"]
    assert (line["allocated"], line["backordered"], line["shipped"], line["cancelled"]) == (1, 3, 2, 4)


@pytest.mark.parametrize("columns", [80, 160])
def test_order_show_lists_the_shipments_with_carrier_and_tracking(
    restock: Any, monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setattr(out, "width", columns)
    order = _shipped_and_cut(restock)
    shown = json.loads(restock("order", "show", order, "--json").stdout)
    [shipment] = shown["shipments"]
    assert (shipment["carrier"], shipment["tracking_number"], shipment["lines"]) == (
        "DHL",
        "JD0001",
        [{"sku": "MUG", "quantity": 2}],
    )
    printed = restock("order", "show", order).stdout
    assert _cells(printed, shipment["id"])[0] == shipment["id"]  # whole on one line, to copy, at any width
    if columns >= 160:
        shipped_at = shipment["shipped_at"][:10] + " " + shipment["shipped_at"][11:16]
        assert _cells(printed, shipment["id"])[1:] == ["W1", shipped_at, "2 x MUG", "DHL", "JD0001"]
    assert "DHL" in printed
    assert "JD0001" in printed


def test_order_show_says_when_nothing_has_shipped_yet(restock: Any) -> None:
    setup_shop(restock)
    placed = restock("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:1", "--json")
    order = json.loads(placed.stdout)["id"]
    assert "no shipments yet" in restock("order", "show", order).stdout
    assert json.loads(restock("order", "show", order, "--json").stdout)["shipments"] == []
