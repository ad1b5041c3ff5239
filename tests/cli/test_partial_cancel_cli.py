"""`restock order cancel ORDER --line SKU --quantity N`: part of a line, backordered units first, once per key."""

from __future__ import annotations

import json
from typing import Any

from tests.cli.test_cli import setup_shop


def _split_order(restock: Any) -> str:
    """5 mugs ordered, 3 from stock, 2 waiting for the PO."""
    setup_shop(restock)
    po = json.loads(restock("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10", "--json").stdout)["id"]
    restock("po", "confirm", str(po), "--eta", "2026-12-05")
    placed = restock("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:5", "--json")
    return str(json.loads(placed.stdout)["id"])


def test_the_cli_cancels_part_of_a_line_backordered_units_first(restock: Any) -> None:
    order = _split_order(restock)
    args = ("order", "cancel", order, "--line", "MUG", "--quantity", "3", "--idempotency-key", "c-1", "--json")
    [line] = json.loads(restock(*args).stdout)["lines"]
    assert (line["allocated"], line["backordered"], line["status"]) == (2, 0, "allocated")
    [again] = json.loads(restock(*args).stdout)["lines"]  # the same key: one effect
    assert again == line


def test_the_cli_refuses_a_quantity_above_what_is_open_or_without_a_line(restock: Any) -> None:
    order = _split_order(restock)
    refused = restock("order", "cancel", order, "--line", "MUG", "--quantity", "6", ok=False)
    assert refused.exit_code == 1
    assert "only 5 unit(s) of this line are still open" in refused.output
    alone = restock("order", "cancel", order, "--quantity", "1", ok=False)
    assert alone.exit_code == 1
    assert "--line SKU" in alone.output
    [line] = json.loads(restock("order", "show", order, "--json").stdout)["lines"]
    assert (line["allocated"], line["backordered"]) == (3, 2)
