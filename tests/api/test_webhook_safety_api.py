"""Over HTTP, a webhook URL that points at a non-public address is a 422 problem and nothing is stored."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import Keys, bearer


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:5432/", "a loopback address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://10.0.0.8/hooks", "a private address"),
        ("http://[fc00::1]/hooks", "a private address"),
        ("http://0.0.0.0/hooks", "an unspecified address"),
        ("http://224.0.0.1/hooks", "a multicast address"),
        ("http://240.0.0.1/hooks", "a reserved address"),
    ],
)
def test_a_webhook_to_a_non_public_address_is_a_422_problem_and_stores_nothing(
    client: TestClient, keys: Keys, url: str, kind: str
) -> None:
    answer = client.post("/v1/webhooks", json={"url": url}, headers=bearer(keys.admin))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert kind in answer.json()["detail"]
    assert "RESTOCK_WEBHOOK_ALLOW_PRIVATE" in answer.json()["detail"]
    assert client.get("/v1/webhooks", headers=bearer(keys.admin)).json() == []
