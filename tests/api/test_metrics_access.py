"""/metrics is not public: order rates and the backlog are shown only to a warehouse or admin key."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Keys, bearer
from tests.api.test_api import assert_problem


def test_metrics_without_a_key_are_refused_with_401(client: TestClient) -> None:
    response = client.get("/metrics")
    assert_problem(response, 401)
    assert "restock_" not in response.text


def test_metrics_with_an_unknown_key_are_refused_with_401(client: TestClient) -> None:
    assert_problem(client.get("/metrics", headers=bearer("rk_not-a-key")), 401)


@pytest.mark.parametrize("storefront", ["web", "market"])
def test_a_storefront_key_may_not_read_the_metrics(client: TestClient, keys: Keys, storefront: str) -> None:
    assert_problem(client.get("/metrics", headers=bearer(getattr(keys, storefront))), 403)


@pytest.mark.parametrize("role", ["warehouse", "admin"])
def test_a_warehouse_or_admin_key_reads_the_metrics(client: TestClient, keys: Keys, role: str) -> None:
    response = client.get("/metrics", headers=bearer(getattr(keys, role)))
    assert response.status_code == 200
    assert "restock_backorders_waiting" in response.text


def test_health_and_readiness_stay_open_for_probes(client: TestClient) -> None:
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
