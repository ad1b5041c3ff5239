"""Twelve identical creates at the same moment (a double-click, a retrying client): one effect, never a 500."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from fastapi.testclient import TestClient

from restock.services import catalog, purchasing, subscriptions, webhooks
from restock.services.context import Context
from tests.api.conftest import Keys, bearer

pytestmark = pytest.mark.xdist_group("load")  # twelve connections at once: not beside the 60-client load test


AT_ONCE = 12


def all_at_once(client: TestClient, path: str, body: dict[str, Any], headers: dict[str, str]) -> list[Any]:
    """The same POST from twelve threads released together."""
    start = Barrier(AT_ONCE)

    def post(_: int) -> Any:
        start.wait()
        return client.post(path, json=body, headers=headers)

    with ThreadPoolExecutor(AT_ONCE) as pool:
        return list(pool.map(post, range(AT_ONCE)))


CATALOG_CREATES = [
    ("/v1/warehouses", {"code": "W9", "name": "Overflow"}, lambda ctx: [w.code for w in catalog.list_warehouses(ctx)]),
    ("/v1/channels", {"code": "app", "warehouses": ["W1"]}, lambda ctx: [c.code for c in catalog.list_channels(ctx)]),
    (
        "/v1/suppliers",
        {"code": "NEWCO", "lead_time_days": 5},
        lambda ctx: [s.code for s in catalog.list_suppliers(ctx)],
    ),
    ("/v1/skus", {"code": "CUP", "price": "3.50"}, lambda ctx: [s.code for s in catalog.list_skus(ctx)]),
]


@pytest.mark.parametrize(("path", "body", "codes"), CATALOG_CREATES, ids=[c[0] for c in CATALOG_CREATES])
def test_identical_catalog_creates_at_once_give_one_201_and_409s_never_a_500(
    client: TestClient, keys: Keys, ctx: Context, path: str, body: dict[str, Any], codes: Any
) -> None:
    answers = all_at_once(client, path, body, bearer(keys.admin))
    assert Counter(a.status_code for a in answers) == {201: 1, 409: AT_ONCE - 1}, [a.text for a in answers]
    assert all("already exists" in a.json()["detail"] for a in answers if a.status_code == 409)
    assert codes(ctx).count(body["code"]) == 1


def test_identical_notify_me_sign_ups_at_once_are_the_same_subscription(
    client: TestClient, keys: Keys, ctx: Context
) -> None:
    body = {"sku": "MUG", "channel": "web", "email": "double@example.com"}
    answers = all_at_once(client, "/v1/subscriptions", body, bearer(keys.web))
    assert {a.status_code for a in answers} == {201}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1  # the same again is the same subscription
    assert [s.email for s in subscriptions.list_subscriptions(ctx)] == ["double@example.com"]


KEYED_CREATES = [
    ("/v1/webhooks", {"url": "https://erp.example.com/hooks"}, lambda ctx: len(webhooks.list_webhooks(ctx))),
    (
        "/v1/purchase-orders",
        {"supplier": "ACME", "warehouse": "W1", "lines": [{"sku": "MUG", "quantity": 10}]},
        lambda ctx: len(purchasing.list_pos(ctx)),
    ),
]


@pytest.mark.parametrize(("path", "body", "count"), KEYED_CREATES, ids=[c[0] for c in KEYED_CREATES])
def test_identical_creates_with_one_idempotency_key_at_once_have_one_effect_and_no_500(
    client: TestClient, keys: Keys, ctx: Context, path: str, body: dict[str, Any], count: Any
) -> None:
    """The first runs; the others get its answer (201, replayed) or are told it is still running (409)."""
    answers = all_at_once(client, path, body, {**bearer(keys.admin), "Idempotency-Key": "double-click-1"})
    statuses = Counter(a.status_code for a in answers)
    assert set(statuses) <= {201, 409}, [a.text for a in answers]
    assert statuses[201] >= 1
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
    assert all(a.json()["type"].endswith("request_in_flight") for a in answers if a.status_code == 409)
    assert count(ctx) == 1


def test_identical_webhook_registrations_without_a_key_at_once_never_500(client: TestClient, keys: Keys) -> None:
    """Two endpoints with one URL are allowed (each gets its own secret): none of them may fail."""
    answers = all_at_once(client, "/v1/webhooks", {"url": "https://erp.example.com/hooks"}, bearer(keys.admin))
    assert {a.status_code for a in answers} == {201}
