"""GET /v1/kpis: the figures of the hand-built month (tests/service/test_kpis.py), for the roles that read the plan;
bad input is a 4xx problem and nothing else."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.service.test_kpis import a_month_of_history


def test_kpis_answer_the_month_worked_out_by_hand(client: TestClient, ctx: Context, keys: Keys) -> None:
    a_month_of_history(ctx)
    response = client.get("/v1/kpis?days=30", headers=bearer(keys.warehouse))
    assert response.status_code == 200, response.text
    body = response.json()
    totals = body["totals"]
    assert (totals["units"], totals["units_from_stock"], totals["promises_kept"], totals["signups"]) == (12, 5, 1, 3)
    assert (totals["lost_value"], totals["inventory_value"]) == (10.0, 27.0)
    assert len(body["daily"]) == 30
    market = client.get("/v1/kpis?days=30&channel=market", headers=bearer(keys.admin)).json()
    assert (market["totals"]["lines"], market["totals"]["on_hand"], market["channel"]) == (1, None, "market")


@pytest.mark.parametrize(
    ("query", "status", "detail"),
    [
        ("channel=nope", 404, "unknown channel 'nope'"),
        ("sku=NOPE", 404, "unknown SKU 'NOPE'"),
        ("days=0", 422, "days"),
        ("days=366", 422, "days"),
        ("days=ninety", 422, "days"),
        ("channel=web&colour=red", 422, "unknown query parameter(s): colour"),
    ],
)
def test_bad_kpi_queries_are_problems(client: TestClient, keys: Keys, query: str, status: int, detail: str) -> None:
    response = client.get(f"/v1/kpis?{query}", headers=bearer(keys.admin))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert detail in response.text  # the detail, or the schema error naming the parameter


def test_storefront_keys_may_not_read_the_kpis(client: TestClient, keys: Keys) -> None:
    response = client.get("/v1/kpis", headers=bearer(keys.web))
    assert response.status_code == 403
    assert client.get("/v1/kpis").status_code == 401


def test_policy_advice_answers_per_sku_and_changes_nothing(client: TestClient, keys: Keys) -> None:
    response = client.get("/v1/policy/advice?sku=MUG", headers=bearer(keys.warehouse))
    assert response.status_code == 200, response.text
    [mug] = response.json()
    assert (mug["sku"], mug["policy"], mug["changes"], mug["command"]) == ("MUG", "confirmed", False, None)
    assert client.get("/v1/policy/advice?sku=NOPE", headers=bearer(keys.admin)).status_code == 404
    assert client.get("/v1/policy/advice", headers=bearer(keys.web)).status_code == 403
