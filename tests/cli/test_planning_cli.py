"""Planning commands a script relies on: supplier terms, SKU settings and the scorecard, JSON and refusals."""

from __future__ import annotations

from typing import Any

from tests.cli.test_cli import as_json, restock, setup_shop

__all__ = ["restock"]  # the fixture


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
