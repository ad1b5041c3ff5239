"""Planning commands a script relies on: supplier terms, SKU settings and the scorecard, JSON and refusals."""

from __future__ import annotations

import os
from datetime import date, timedelta
from typing import Any

from restock.config import Settings
from restock.services import stock
from restock.services.context import Context
from tests.builders import on_day, order
from tests.cli.test_cli import as_json, setup_shop


def test_supplier_terms_are_recorded_replaced_and_listed(restock: Any) -> None:
    setup_shop(restock)
    restock("supplier", "terms", "ACME", "MUG", "--unit-cost", "4.00", "--moq", "10")
    set_again = restock("supplier", "terms", "ACME", "MUG", "--unit-cost", "4.20", "--pack", "12", "--json")
    assert as_json(set_again) == {
        "supplier": "ACME",
        "sku": "MUG",
        "lead_time_days": 14,
        "lead_time_quoted": False,
        "moq": 1,
        "pack_size": 12,
        "unit_cost": "4.20",
    }
    assert [t["unit_cost"] for t in as_json(restock("supplier", "terms-list", "--json"))] == ["4.20"]


def test_bad_terms_are_refused_in_one_line_and_change_nothing(restock: Any) -> None:
    setup_shop(restock)
    refused = restock("supplier", "terms", "ACME", "MUG", "--unit-cost", "4", "--pack", "0", ok=False)
    assert refused.exit_code == 1
    assert "pack size" in refused.stderr
    unknown = restock("supplier", "terms", "NOPE", "MUG", "--unit-cost", "4", ok=False)
    assert "unknown supplier 'NOPE'" in unknown.stderr
    assert as_json(restock("supplier", "terms-list", "--json")) == []


def test_sku_planning_settings_show_defaults_and_change_only_what_is_given(restock: Any) -> None:
    setup_shop(restock)
    assert as_json(restock("sku", "planning", "MUG", "--json"))["default"] is True
    restock("sku", "planning", "MUG", "--policy", "eoq", "--service-level", "97.5")
    shown = as_json(restock("sku", "planning", "MUG", "--review-days", "14", "--json"))
    assert shown == {
        "sku": "MUG",
        "review_days": 14,
        "policy": "eoq",
        "order_cost": "25.00",
        "holding_rate_pct": "25.00",
        "service_level_pct": "97.50",
        "default": False,
    }
    refused = restock("sku", "planning", "MUG", "--service-level", "100", ok=False)
    assert "service level" in refused.stderr
    cleared = as_json(restock("sku", "planning", "MUG", "--class-service-level", "--json"))
    assert cleared["service_level_pct"] is None
    assert cleared["review_days"] == 14


def test_scorecard_of_a_supplier_without_history_is_empty_not_an_error(restock: Any) -> None:
    setup_shop(restock)
    [acme] = as_json(restock("supplier", "scorecard", "ACME", "--json"))
    assert acme["pos"] == 0
    assert acme["lead_time_mean"] is None
    assert "ACME" in restock("supplier", "scorecard").stdout


def history(restock: Any, db_url: str) -> None:
    """MUG: 31 in stock on Nov 1, one sold every day from Nov 1 to Nov 26: 5 left today, Nov 27."""
    setup_shop(restock)  # counts 3 today
    restock("supplier", "terms", "ACME", "MUG", "--unit-cost", "4.00", "--moq", "10", "--pack", "6")
    first = date(2026, 11, 1)
    ctx = Context.from_settings(Settings(database_url=db_url, today=first))
    stock.adjust_stock(ctx, "MUG", "W1", 28, "count")
    for day in range(26):
        order(on_day(ctx, first + timedelta(days=day)), "MUG", 1)


def test_plan_and_radar_from_the_real_demand_history(restock: Any) -> None:
    history(restock, os.environ["RESTOCK_DATABASE_URL"])
    plan = as_json(restock("plan", "--json"))
    assert plan["horizon_days"] == 21  # ACME's 14 days + the default 7-day review
    [mug] = plan["suggestions"]
    assert (mug["sku"], mug["warehouse"], mug["supplier"]) == ("MUG", "W1", "ACME")
    assert mug["quantity"] >= 10  # the MOQ
    assert mug["quantity"] % 6 == 0  # whole packs
    assert mug["late_supplier"] is True  # 5 left at about one a day: nothing arrives in 14 days before that
    [risk] = as_json(restock("radar", "--json"))
    assert risk["sku"] == "MUG"
    assert "stockout_before_receipt" in risk["flags"]
    assert len(risk["projected"]) == 21
    created = as_json(restock("plan", "--create-pos", "--json"))["purchase_orders"]
    assert [(po["supplier"], po["status"], po["lines"][0]["ordered"]) for po in created] == [
        ("ACME", "draft", mug["quantity"])
    ]
    assert "stockout_before_receipt" in restock("radar").stdout  # the draft comes in 14 days: too late


def test_plan_create_pos_run_twice_drafts_nothing_the_second_time(restock: Any) -> None:
    """The first run drafts MUG; the second counts that draft in the position: no suggestion, no new PO. Once
    the draft is sent it is still counted."""
    history(restock, os.environ["RESTOCK_DATABASE_URL"])
    [po] = as_json(restock("plan", "--create-pos", "--json"))["purchase_orders"]
    again = restock("plan", "--create-pos")
    assert "draft purchase order" not in again.stdout
    assert "MUG" not in again.stdout
    assert [p["id"] for p in as_json(restock("po", "list", "--json"))] == [po["id"]]
    restock("po", "send", str(po["id"]))
    assert as_json(restock("plan", "--create-pos", "--json"))["purchase_orders"] == []
    assert [p["status"] for p in as_json(restock("po", "list", "--json"))] == ["sent"]
