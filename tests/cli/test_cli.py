"""The command line a script relies on: names, JSON shapes, and clear refusals that change nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from restock.cli import app


def as_json(result: Any) -> Any:
    return json.loads(result.stdout)


def setup_shop(restock: Any) -> None:
    restock("warehouse", "add", "W1")
    restock("channel", "add", "web", "--warehouses", "W1")
    restock("supplier", "add", "ACME", "--lead-time-days", "14")
    restock("sku", "add", "MUG", "--price", "12.50")
    restock("stock", "adjust", "MUG", "W1", "3", "--reason", "count")


def test_the_seed_story_through_the_cli(restock: Any) -> None:
    setup_shop(restock)
    po = as_json(restock("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10", "--json"))["id"]
    restock("po", "confirm", str(po), "--eta", "2026-12-05")
    shown = as_json(restock("availability", "MUG", "--channel", "web", "--json"))
    assert shown == {
        "sku": "MUG",
        "channel": "web",
        "state": "in_stock",
        "available_now": 3,
        "backorderable": 10,
        "ship_window": None,
        "backorder_window": {"earliest": "2026-12-07", "latest": "2026-12-11"},
        "message": "In stock (3). More ship in 10-14 days.",
        "reason": "on_hand",
    }
    placed = as_json(
        restock("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:5", "--json")
    )
    line = placed["lines"][0]
    assert (line["allocated"], line["backordered"], line["status"]) == (3, 2, "backordered")
    assert line["ship_window"] == {"earliest": "2026-12-07", "latest": "2026-12-11"}
    waiting = as_json(restock("backorders", "--json"))
    assert [(b["order"], b["quantity"], b["po"]) for b in waiting] == [(placed["id"], 2, po)]
    restock("po", "receive", str(po), "--line", "MUG:2")
    assert [p["status"] for p in as_json(restock("po", "list", "--json"))] == ["partially_received"]
    shipped = as_json(restock("order", "ship", placed["id"], "--json"))
    assert shipped["status"] == "shipped"


def test_a_retried_order_with_the_same_key_prints_the_first_result(restock: Any) -> None:
    setup_shop(restock)
    args = ("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:1")
    first = as_json(restock(*args, "--idempotency-key", "k-1", "--json"))
    again = as_json(restock(*args, "--idempotency-key", "k-1", "--json"))
    assert first == again
    assert as_json(restock("stock", "show", "MUG", "--json"))[0]["allocated"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:0"), "from 1 to"),
        (("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:-2"), "from 1 to"),
        (("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:99999999"), "from 1 to"),
        (("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:x"), "not a whole number"),
        (("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "NOPE:1"), "unknown SKU"),
        (("order", "place", "--channel", "nowhere", "--email", "a@example.com", "--line", "MUG:1"), "unknown channel"),
        (("order", "place", "--channel", "web", "--email", "nobody", "--line", "MUG:1"), "e-mail"),
        (("order", "place", "--channel", "web", "--email", "a@example.com", "--line", "MUG:9"), "order refused"),
        (("stock", "adjust", "MUG", "W1", "-5", "--reason", "broken"), "only 3 are free"),
        (("stock", "adjust", "MUG", "W9", "1", "--reason", "found"), "unknown warehouse"),
        (("po", "confirm", "1", "--eta", "2026-13-01"), "not a date"),
        (("po", "confirm", "1", "--eta", "2026-11-01"), "past"),
        (("po", "receive", "1", "--line", "MUG:11"), "cannot receive"),
        (("sku", "add", "bad sku"), "invalid SKU code"),
        (("sku", "add", "CUP", "--backorder-limit", "150"), "backorder_limit_pct"),
        (("order", "show", "ord_missing"), "unknown order"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_changes_nothing(
    restock: Any, args: tuple[str, ...], message: str
) -> None:
    setup_shop(restock)
    restock("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10")
    restock("po", "send", "1")
    before = as_json(restock("stock", "show", "--json")), as_json(restock("po", "show", "1", "--json"))
    result = restock(*args, ok=False)
    assert result.exit_code != 0
    assert message in result.stderr
    assert "Traceback" not in result.output
    after = as_json(restock("stock", "show", "--json")), as_json(restock("po", "show", "1", "--json"))
    assert after == before
    assert as_json(restock("backorders", "--json")) == []


def test_a_po_created_with_a_reference_shows_it_and_a_second_one_is_refused(restock: Any) -> None:
    setup_shop(restock)
    said = restock("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:10", "--reference", "AC-17")
    assert "purchase order 1 'AC-17' created (draft)" in said.stdout
    assert as_json(restock("po", "show", "1", "--json"))["reference"] == "AC-17"
    assert "PO 1 (AC-17)" in restock("po", "show", "1").stdout
    again = restock("po", "create", "ACME", "--warehouse", "W1", "--line", "MUG:1", "--reference", "AC-17", ok=False)
    assert again.exit_code != 0
    assert "'AC-17' exists already" in again.stderr
    assert [po["id"] for po in as_json(restock("po", "list", "--json"))] == [1]


def test_commands_fail_clearly_before_the_database_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESTOCK_DATABASE_URL", f"sqlite:///{tmp_path / 'none.db'}")
    result = CliRunner().invoke(app, ["availability", "MUG"])
    assert result.exit_code != 0
    assert "restock init" in result.stderr
