"""The plan as CSV and the stored plan runs through the API: the same figures as the JSON, refusals as problems."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from fastapi.testclient import TestClient

from restock.api.routes.planning import wants_csv
from restock.services import stock, terms
from restock.services.context import Context
from restock.services.planning import daily_plan, run_plan
from restock.services.planning_views import PLAN_CSV_COLUMNS
from tests.api.conftest import Keys, bearer
from tests.builders import on_day, on_hand, order
from tests.service.test_plan import flat_forecasts


def mug_history(ctx: Context) -> None:
    """MUG: 31 counted on Nov 1, one sold a day until Nov 26: 5 left, ACME needs 14 days."""
    first = date(2026, 11, 1)
    terms.set_supplier_terms(ctx, "ACME", "MUG", unit_cost="4.00", moq=10, pack_size=6)
    on_hand(on_day(ctx, first), "MUG", "W1", 31)
    for day in range(26):
        order(on_day(ctx, first + timedelta(days=day)), "MUG", 1)


def test_the_plan_as_csv_has_the_json_plans_rows_and_figures(client: TestClient, ctx: Context, keys: Keys) -> None:
    mug_history(ctx)
    who = bearer(keys.warehouse)
    plan = client.get("/v1/plan", headers=who).json()
    by_query = client.get("/v1/plan?format=csv", headers=who)
    assert by_query.status_code == 200
    assert by_query.headers["content-type"] == "text/csv; charset=utf-8"
    assert by_query.headers["content-disposition"] == 'attachment; filename="plan-2026-11-27.csv"'
    rows = list(csv.DictReader(io.StringIO(by_query.text)))
    assert list(rows[0]) == list(PLAN_CSV_COLUMNS)
    [mug] = plan["suggestions"]
    [row] = rows
    assert (row["sku"], int(row["quantity"]), row["unit_cost"], row["value"]) == (
        "MUG",
        mug["quantity"],
        "4.00",
        f"{mug['value']:.2f}",
    )
    assert (row["stockout_date"], float(row["reorder_point"]), row["late_supplier"]) == (
        mug["stockout_date"],
        mug["reorder_point"],
        "true",
    )
    assert row["explanation"] == mug["explanation"]
    by_header = client.get("/v1/plan", headers={**who, "Accept": "text/csv"})
    assert by_header.text == by_query.text
    as_json = client.get("/v1/plan?format=json", headers={**who, "Accept": "text/csv"}).json()
    assert as_json["suggestions"] == plan["suggestions"]
    assert client.get("/v1/plan?format=xml", headers=who).status_code == 422


def test_csv_is_chosen_only_when_asked_for_first() -> None:
    assert wants_csv("text/csv", None)
    assert wants_csv("text/csv;q=0.9, application/json;q=0.5", None)
    assert not wants_csv("application/json, text/csv", None)
    assert not wants_csv("*/*", None)
    assert not wants_csv(None, None)
    assert wants_csv("application/json", "csv")
    assert not wants_csv("text/csv", "json")


def test_stored_plan_runs_are_listed_shown_and_compared(client: TestClient, ctx: Context, keys: Keys) -> None:
    """Two daily runs of the hand-made plan: MUG 20 on hand, 2/day, from FAST (10); the second day MUG has 100 more
    and drops out."""
    terms.set_supplier_terms(ctx, "ACME", "MUG", unit_cost="4.00", moq=24, pack_size=12)
    terms.set_supplier_terms(ctx, "FAST", "MUG", unit_cost="5.00", moq=10, pack_size=5)
    on_hand(ctx, "MUG", "W1", 20)
    first = daily_plan(ctx, lambda c: run_plan(c, flat_forecasts)).run
    next_day = on_day(ctx, date(2026, 11, 28))
    stock.adjust_stock(next_day, "MUG", "W1", 100, "count")
    second = daily_plan(next_day, lambda c: run_plan(c, flat_forecasts)).run
    who = bearer(keys.warehouse)
    listed = client.get("/v1/plan/runs", headers=who).json()
    assert [(r["id"], r["today"], r["lines"]) for r in listed] == [
        (second.id, "2026-11-28", 0),
        (first.id, "2026-11-27", 1),
    ]
    assert client.get("/v1/plan/runs?limit=1", headers=who).json() == listed[:1]
    shown = client.get(f"/v1/plan/runs/{first.id}", headers=who).json()
    assert [(s["sku"], s["supplier"], s["quantity"], s["value"]) for s in shown["suggestions"]] == [
        ("MUG", "FAST", 10, 50.0)
    ]
    assert shown["totals"] == [{"supplier": "FAST", "lines": 1, "units": 10, "value": 50.0}]
    compared = client.get(f"/v1/plan/runs/{second.id}/compare", headers=who).json()
    assert (compared["run"]["id"], compared["before"]["id"]) == (second.id, first.id)
    assert [s["sku"] for s in compared["dropped"]] == ["MUG"]
    assert (compared["new"], compared["changed"], compared["unchanged"]) == ([], [], 0)
    backwards = client.get(f"/v1/plan/runs/{first.id}/compare?with={second.id}", headers=who).json()
    assert [s["sku"] for s in backwards["new"]] == ["MUG"]


def test_plan_run_refusals_are_problems(client: TestClient, ctx: Context, keys: Keys) -> None:
    who = bearer(keys.warehouse)
    assert client.get("/v1/plan/runs/7", headers=who).status_code == 404
    on_hand(ctx, "MUG", "W1", 20)
    run = daily_plan(ctx, lambda c: run_plan(c, flat_forecasts)).run
    first = client.get(f"/v1/plan/runs/{run.id}/compare", headers=who)
    assert first.status_code == 404
    assert "the first one stored" in first.json()["detail"]
    assert client.get(f"/v1/plan/runs/{run.id}/compare?with=0", headers=who).status_code == 422
    assert client.get(f"/v1/plan/runs/{run.id}/compare?with={run.id}", headers=who).status_code == 422
    assert client.get("/v1/plan/runs?limit=0", headers=who).status_code == 422
    assert client.get("/v1/plan/runs?since=2026-11-01", headers=who).status_code == 422
    assert client.get("/v1/plan/runs", headers=bearer(keys.web)).status_code == 403
