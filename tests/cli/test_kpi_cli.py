"""`restock kpi` and `restock policy advise` on the hand-built histories of tests/service (test_kpis.py,
test_policy_advice.py), in words and JSON; bad input is one line and a non-zero exit."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from restock.config import Settings
from restock.services.context import Context
from tests.builders import standard_catalog
from tests.cli.test_cli import as_json
from tests.service.test_kpis import a_month_of_history
from tests.service.test_policy_advice import lamp_history


def a_month(restock: Any) -> None:
    ctx = Context.from_settings(Settings(database_url=os.environ["RESTOCK_DATABASE_URL"], today=date(2026, 11, 27)))
    standard_catalog(ctx)
    a_month_of_history(ctx)


def test_kpi_prints_each_figure_beside_what_it_counts(restock: Any) -> None:
    a_month(restock)
    said = restock("kpi", "--days", "30").stdout
    assert "KPIs · 2026-10-28..2026-11-26 (30 days)" in said
    assert "5 of 12 units ordered were filled from stock when ordered" in said
    assert "1 of 2 backorder lines due shipped by the promised date" in said
    assert "2.0 days" in said  # C shipped 2 days after its promise
    assert "2 of 7 backordered units were cancelled" in said
    assert "0.8 units, 10.00" in said
    assert "6 units on hand now x unit cost" in said
    assert "inventory at the lowest unit cost among the SKU's suppliers" in said
    daily = restock("kpi", "--days", "30", "--daily").stdout
    assert "2026-11-12" not in said  # day -15 appears in the daily table only
    assert "2026-11-12" in daily


def test_kpi_json_for_one_sku(restock: Any) -> None:
    a_month(restock)
    report = as_json(restock("kpi", "--sku", "MUG", "--days", "30", "--json"))
    assert (report["sku"], report["totals"]["units"], report["totals"]["fill_rate"]) == ("MUG", 10, 0.5)
    assert [g["code"] for g in report["by_sku"]] == ["MUG"]


def test_kpi_refuses_bad_input_in_one_line(restock: Any) -> None:
    a_month(restock)
    unknown = restock("kpi", "--channel", "nope", ok=False)
    assert unknown.exit_code == 1
    assert unknown.stderr.strip() == "error: unknown channel 'nope'"
    out_of_range = restock("kpi", "--days", "0", ok=False)
    assert out_of_range.exit_code == 1
    assert out_of_range.stderr.strip() == "error: days must be from 1 to 365, got 0"
    assert out_of_range.stdout == ""


def test_policy_advise_prints_why_what_it_expects_and_the_command(restock: Any) -> None:
    ctx = Context.from_settings(Settings(database_url=os.environ["RESTOCK_DATABASE_URL"], today=date(2026, 11, 27)))
    lamp_history(ctx)
    said = restock("policy", "advise").stdout
    [row] = [line for line in said.splitlines() if "│ LAMP" in line]
    assert [cell.strip() for cell in row.split("│")[2:4]] == ["confirmed, 30 d", "confirmed, 7 d"]  # now, advice
    assert "-1 kept sales," in said
    assert said.splitlines()[-1] == "restock sku set LAMP --backorder confirmed --max-wait 7"
    [lamp] = as_json(restock("policy", "advise", "--sku", "LAMP", "--json"))
    assert (lamp["policy"], lamp["max_wait_days"]) == ("confirmed", 7)
    unknown = restock("policy", "advise", "--sku", "NOPE", ok=False)
    assert (unknown.exit_code, unknown.stderr.strip()) == (1, "error: unknown SKU 'NOPE'")
