"""`restock order ship`, `restock pick-list` and what `restock po receive` says it did."""

from __future__ import annotations

from typing import Any

from tests.cli.test_cli import as_json, setup_shop


def _backorder(restock: Any) -> tuple[str, int]:
    """3 mugs on hand, 10 on a confirmed PO; an order of 5: 3 allocated, 2 waiting."""
    setup_shop(restock)
    po = as_json(restock("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10", "--json"))["id"]
    restock("po", "confirm", str(po), "--eta", "2026-12-05")
    placed = as_json(
        restock("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:5", "--json")
    )
    return placed["id"], po


def test_order_ship_ships_named_quantities_with_tracking_and_prints_the_shipment(restock: Any) -> None:
    order, _ = _backorder(restock)
    args = ("order", "ship", order, "--line", "MUG:2", "--carrier", "DHL", "--tracking", "JD1")
    shipped = as_json(restock(*args, "--tracking-url", "https://track.example/JD1", "--json"))
    [shipment] = shipped["shipments"]
    assert (shipment["carrier"], shipment["tracking_number"], shipment["lines"]) == (
        "DHL",
        "JD1",
        [{"sku": "MUG", "quantity": 2}],
    )
    [line] = shipped["lines"]
    assert (line["shipped"], line["allocated"], line["backordered"]) == (2, 1, 2)
    text = restock("order", "ship", order).stdout
    assert "from W1: 1 x MUG" in text
    refused = restock("order", "ship", order, ok=False)
    assert refused.exit_code != 0
    assert "nothing allocated" in refused.output


def test_order_ship_refuses_more_than_allocated_and_changes_nothing(restock: Any) -> None:
    order, _ = _backorder(restock)
    refused = restock("order", "ship", order, "--line", "MUG:4", ok=False)
    assert refused.exit_code != 0
    assert "only 3 allocated" in refused.output
    assert as_json(restock("stock", "show", "MUG", "--json"))[0]["allocated"] == 3
    bad = restock("order", "ship", order, "--line", "MUG", ok=False)
    assert bad.exit_code != 0


def test_po_receive_says_which_orders_it_filled_and_the_pick_list_puts_them_first(restock: Any) -> None:
    order, po = _backorder(restock)
    said = restock("po", "receive", str(po), "--line", "MUG:4").stdout
    assert f"filled {order}: 2 x MUG (ready to ship from the dock)" in said
    assert "to free stock: 2 x MUG" in said
    page = as_json(restock("pick-list", "--warehouse", "W1", "--json"))
    assert page["next"] is None
    picks = page["items"]
    assert [(p["order"], p["cross_dock"], p["lines"]) for p in picks] == [
        (order, True, [{"sku": "MUG", "quantity": 5, "at_dock": 2}])
    ]
    assert order in restock("pick-list").stdout
    assert restock("pick-list", "--warehouse", "W9", ok=False).exit_code != 0


def test_a_retried_ship_with_the_same_key_ships_once(restock: Any) -> None:
    order, _ = _backorder(restock)
    first = as_json(restock("order", "ship", order, "--idempotency-key", "k1", "--json"))
    again = as_json(restock("order", "ship", order, "--idempotency-key", "k1", "--json"))
    assert first == again
    assert as_json(restock("stock", "show", "MUG", "--json"))[0]["on_hand"] == 0


def test_pick_list_pages_with_limit_and_after_and_shows_the_shops_order_number(restock: Any) -> None:
    setup_shop(restock)
    for ref in ("SHOP-1", "SHOP-2", "SHOP-3"):
        restock("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:1", "--ref", ref)
    first = restock("pick-list", "--limit", "2").stdout
    assert "shop no." in first
    cursor = first.rsplit("next page: --after ", 1)[1].split()[0]
    rest = restock("pick-list", "--limit", "2", "--after", cursor).stdout
    assert "last page" in rest
    shown = [ref for ref in ("SHOP-1", "SHOP-2", "SHOP-3") if ref in first]
    assert len(shown) == 2
    assert [ref for ref in ("SHOP-1", "SHOP-2", "SHOP-3") if ref in rest] == sorted(
        {"SHOP-1", "SHOP-2", "SHOP-3"} - set(shown)
    )
    assert restock("pick-list", "--after", "nonsense", ok=False).exit_code != 0
    assert restock("pick-list", "--limit", "0", ok=False).exit_code != 0
