"""The API refuses what the e-mail rule refuses (restock.domain.validation.email), for orders and sign-ups alike."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from restock.services import subscriptions
from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.api.test_api import assert_problem
from tests.builders import balance, on_hand

SMUGGLING = ["a,b@evil.example.com", "Ann <ann@example.com>", '"a,b"@example.com', "ann@example.com, eve@evil.example"]


@pytest.mark.parametrize("address", SMUGGLING)
def test_an_order_for_an_address_that_is_not_one_mailbox_is_refused_and_changes_nothing(
    client: TestClient, ctx: Context, keys: Keys, address: str
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    body = {"channel": "web", "customer": {"email": address}, "lines": [{"sku": "MUG", "quantity": 1}]}
    assert_problem(client.post("/v1/orders", json=body, headers=bearer(keys.web)), 422)
    assert balance(ctx, "MUG", "W1") == (5, 0)


@pytest.mark.parametrize("address", SMUGGLING)
def test_a_sign_up_for_an_address_that_is_not_one_mailbox_is_refused(
    client: TestClient, ctx: Context, keys: Keys, address: str
) -> None:
    body = {"sku": "MUG", "channel": "web", "email": address}
    assert_problem(client.post("/v1/subscriptions", json=body, headers=bearer(keys.web)), 422)
    assert subscriptions.list_subscriptions(ctx) == []
