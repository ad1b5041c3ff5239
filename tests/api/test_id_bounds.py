"""Every id the API declares valid fits its column (a 32-bit INTEGER on PostgreSQL): one past it is a 422."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from restock.domain.validation import MAX_ID
from tests.api.conftest import Keys, bearer
from tests.api.test_api import assert_problem


def _integer_parameters(document: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter.get("schema", {})
                for variant in [schema, *schema.get("anyOf", [])]:
                    if variant.get("type") == "integer":
                        yield method, path, parameter["name"], variant


def test_no_integer_parameter_of_the_api_is_declared_valid_beyond_a_32_bit_column(client: TestClient) -> None:
    parameters = list(_integer_parameters(client.get("/openapi.json").json()))
    assert parameters, "the document has integer parameters"
    too_wide = [(m, p, n, s.get("maximum")) for m, p, n, s in parameters if s.get("maximum", MAX_ID + 1) > MAX_ID]
    assert too_wide == []


@pytest.mark.parametrize(
    ("method", "path", "who"),
    [
        ("get", "/v1/purchase-orders/2147483648", "warehouse"),
        ("post", "/v1/purchase-orders/2147483648/cancel", "admin"),
        ("get", "/v1/webhooks/2147483648", "admin"),
        ("post", "/v1/outbox/2147483648/retry", "admin"),
        ("get", "/v1/stock/movements?after=2147483648", "warehouse"),
    ],
)
def test_an_id_one_past_the_column_is_a_422_problem_not_a_server_error(
    client: TestClient, keys: Keys, method: str, path: str, who: str
) -> None:
    response = client.request(method, path, headers=bearer(getattr(keys, who)))
    assert_problem(response, 422)


@pytest.mark.parametrize(
    ("path", "who"),
    [("/v1/purchase-orders/2147483647", "warehouse"), ("/v1/webhooks/2147483647", "admin")],
)
def test_the_largest_id_a_column_holds_is_a_plain_404(client: TestClient, keys: Keys, path: str, who: str) -> None:
    assert_problem(client.get(path, headers=bearer(getattr(keys, who))), 404)


def test_the_ledger_pages_from_the_largest_id_a_column_holds(client: TestClient, keys: Keys) -> None:
    page = client.get(f"/v1/stock/movements?after={MAX_ID}", headers=bearer(keys.warehouse))
    assert page.status_code == 200, page.text
    assert page.json() == {"items": [], "next_after": None}
