"""Editing and archiving the catalog over HTTP: PATCH changes the fields sent, refuses bad ones whole, honours
Idempotency-Key, and the availability answers a worker remembers change at its next look at the feed."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from restock.api.answers import ChangeWatcher
from restock.api.app import create_app
from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.builders import confirmed_po, on_hand, order

MUG_ON_WEB = "/v1/availability/MUG?channel=web"


def skus(client: TestClient, keys: Keys, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/v1/skus{query}", headers=bearer(keys.admin))
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def mug(client: TestClient, keys: Keys) -> dict[str, Any]:
    return next(s for s in skus(client, keys, "?archived=true") if s["code"] == "MUG")


def patch(client: TestClient, keys: Keys, path: str, body: Any, key: str | None = None) -> Any:
    headers = bearer(keys.admin) | ({"Idempotency-Key": key} if key else {})
    return client.patch(path, json=body, headers=headers)


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


# ---------------------------------------------------------------- SKUs


def test_patching_a_sku_changes_the_fields_sent_and_answers_with_the_sku(client: TestClient, keys: Keys) -> None:
    response = patch(client, keys, "/v1/skus/MUG", {"price": "14.90", "max_wait_days": 21})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "code": "MUG",
        "name": "Mug",
        "price": "14.90",
        "backorder": "confirmed",
        "max_wait_days": 21,
        "backorder_limit": 100,
        "release_date": None,
        "product_url": None,
        "archived": False,
    }
    assert mug(client, keys) == response.json()


def test_a_new_sku_is_created_with_its_release_date_and_product_url(client: TestClient, keys: Keys) -> None:
    body = {"code": "CUP", "price": "4.00", "release_date": "2027-02-01", "product_url": "https://shop.example.com/cup"}
    response = client.post("/v1/skus", json=body, headers=bearer(keys.admin))
    assert response.status_code == 201, response.text
    created = response.json()
    assert (created["release_date"], created["product_url"]) == ("2027-02-01", "https://shop.example.com/cup")
    assert next(s for s in skus(client, keys) if s["code"] == "CUP") == created


@pytest.mark.parametrize(
    "bad",
    [
        {"product_url": "javascript:alert(1)"},
        {"product_url": "https://shop.example.com/blue cup"},
        {"release_date": "2207-01-01"},
    ],
)
def test_a_new_sku_with_a_bad_release_date_or_product_url_is_a_422_and_not_created(
    client: TestClient, keys: Keys, bad: dict[str, str]
) -> None:
    response = client.post("/v1/skus", json={"code": "CUP", **bad}, headers=bearer(keys.admin))
    assert_problem(response, 422)
    assert "CUP" not in [s["code"] for s in skus(client, keys)]


def test_null_clears_the_release_date_and_the_product_url(client: TestClient, keys: Keys) -> None:
    url = "https://shop.example.com/mug"
    set_ = patch(client, keys, "/v1/skus/MUG", {"release_date": "2027-02-01", "product_url": url}).json()
    assert (set_["release_date"], set_["product_url"]) == ("2027-02-01", url)
    cleared = patch(client, keys, "/v1/skus/MUG", {"release_date": None, "product_url": None}).json()
    assert (cleared["release_date"], cleared["product_url"]) == (None, None)


@pytest.mark.parametrize(
    "body",
    [
        {"price": "15.00", "colour": "blue"},
        {"price": "15.00", "name": None},
        {"price": "15.00", "backorder": None},
        {"price": "15.00", "backorder": "sometimes"},
        {"price": "15.00", "max_wait_days": "10"},
        {"price": "15.00", "backorder_limit": 150},
        {"price": "15.001"},
        {"price": "15.00", "product_url": "javascript:alert(1)"},
        {"price": "15.00", "product_url": "https://shop.example.com/" + "x" * 2000},
        {"price": "15.00", "release_date": "someday"},
    ],
)
def test_a_bad_sku_patch_is_a_422_problem_and_changes_nothing(client: TestClient, keys: Keys, body: Any) -> None:
    before = mug(client, keys)
    assert_problem(patch(client, keys, "/v1/skus/MUG", body), 422)
    assert mug(client, keys) == before


def test_patching_an_unknown_sku_is_a_404(client: TestClient, keys: Keys) -> None:
    assert_problem(patch(client, keys, "/v1/skus/NOPE", {"name": "x"}), 404)


def test_a_patch_retried_with_its_idempotency_key_has_one_effect(client: TestClient, keys: Keys) -> None:
    first = patch(client, keys, "/v1/skus/MUG", {"name": "Blue mug"}, key="rename-1")
    patch(client, keys, "/v1/skus/MUG", {"name": "Red mug"})
    again = patch(client, keys, "/v1/skus/MUG", {"name": "Blue mug"}, key="rename-1")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert mug(client, keys)["name"] == "Red mug"
    other = patch(client, keys, "/v1/skus/MUG", {"name": "Green mug"}, key="rename-1")
    assert_problem(other, 422)
    assert mug(client, keys)["name"] == "Red mug"


# ---------------------------------------------------------------- archiving


def test_an_archived_sku_is_refused_hidden_and_out_of_stock(client: TestClient, ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    archived = client.post("/v1/skus/MUG/archive", headers=bearer(keys.admin))
    assert archived.status_code == 200, archived.text
    assert archived.json()["archived"] is True
    assert [s["code"] for s in skus(client, keys)] == []
    assert [(s["code"], s["archived"]) for s in skus(client, keys, "?archived=true")] == [("MUG", True)]
    body = {"channel": "web", "customer": {"email": "a@example.com"}, "lines": [{"sku": "MUG", "quantity": 1}]}
    refused = assert_problem(client.post("/v1/orders", json=body, headers=bearer(keys.web)), 409)
    assert refused["detail"] == "SKU MUG is archived and takes no new orders"
    answer = client.get(MUG_ON_WEB, headers=bearer(keys.web)).json()
    shown = (answer["state"], answer["reason"], answer["message"])
    assert shown == ("out_of_stock", "archived", "No longer available.")
    assert client.get("/v1/stock/movements?sku=MUG", headers=bearer(keys.admin)).json()["items"]
    back = client.post("/v1/skus/MUG/unarchive", headers=bearer(keys.admin))
    assert back.json()["archived"] is False
    assert client.post("/v1/orders", json=body, headers=bearer(keys.web)).status_code == 201


def test_an_archived_skus_open_order_still_ships(client: TestClient, ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    placed = order(ctx, "MUG", 2)
    client.post("/v1/skus/MUG/archive", headers=bearer(keys.admin))
    shipped = client.post(f"/v1/orders/{placed.id}/ship", headers=bearer(keys.warehouse))
    assert shipped.status_code == 200, shipped.text
    assert client.get(f"/v1/orders/{placed.id}", headers=bearer(keys.admin)).json()["status"] == "shipped"


# ---------------------------------------------------------------- channels and suppliers


def test_patching_a_channel_replaces_its_warehouses_in_order(client: TestClient, keys: Keys) -> None:
    response = patch(client, keys, "/v1/channels/web", {"warehouses": ["W2", "W1"], "shipping_policy": "complete"})
    assert response.status_code == 200, response.text
    assert response.json() == {
        "code": "web",
        "name": "web",
        "warehouses": ["W2", "W1"],
        "safety_buffer": 0,
        "shipping_policy": "complete",
    }


@pytest.mark.parametrize(
    "body",
    [
        {"warehouses": []},
        {"warehouses": None},
        {"warehouses": ["W1", "W9"]},
        {"warehouses": ["W1", "W1"]},
        {"safety_buffer": -1},
        {"shipping_policy": "whenever"},
        {"name": "Web shop"},
    ],
)
def test_a_bad_channel_patch_is_a_422_problem_and_changes_nothing(client: TestClient, keys: Keys, body: Any) -> None:
    before = client.get("/v1/channels", headers=bearer(keys.admin)).json()
    assert_problem(patch(client, keys, "/v1/channels/web", {"safety_buffer": 3, **body}), 422)
    assert client.get("/v1/channels", headers=bearer(keys.admin)).json() == before


def test_patching_a_supplier_changes_its_lead_time(client: TestClient, keys: Keys) -> None:
    response = patch(client, keys, "/v1/suppliers/ACME", {"lead_time_days": 21})
    assert response.json() == {"code": "ACME", "name": "ACME", "lead_time_days": 21, "lateness_p90_days": None}
    assert_problem(patch(client, keys, "/v1/suppliers/ACME", {"lead_time_days": 999}), 422)
    assert_problem(patch(client, keys, "/v1/suppliers/NOPE", {"lead_time_days": 2}), 404)


# ---------------------------------------------------------------- the remembered answers


@pytest.fixture
def cached_app(ctx: Context, keys: Keys) -> FastAPI:
    return create_app(ctx)


@pytest.fixture
def watcher(cached_app: FastAPI) -> ChangeWatcher:
    """Driven by hand: the test client does not run the lifespan that starts the app's own watcher."""
    found = ChangeWatcher(cached_app.state.ctx, cached_app.state.answers)
    found.begin()
    return found


@pytest.fixture
def shop(cached_app: FastAPI) -> TestClient:
    return TestClient(cached_app, raise_server_exceptions=False)


def answer(shop: TestClient, keys: Keys) -> tuple[str, str]:
    body = shop.get(MUG_ON_WEB, headers=bearer(keys.web)).json()
    return body["state"], body["reason"]


def test_a_sku_patch_changes_the_remembered_answer_at_the_next_look_at_the_feed(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher
) -> None:
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    watcher.poll()
    before = answer(shop, keys)
    assert before[1] == "confirmed_inbound"
    assert cached_app_remembers(shop, keys)
    response = patch(shop, keys, "/v1/skus/MUG", {"backorder": "never"})
    assert response.status_code == 200, response.text
    watcher.poll()  # in a server: within 0.05 s of the write, woken by it
    assert answer(shop, keys) == ("out_of_stock", "backorders_disabled")


def test_an_import_that_changes_a_skus_policy_changes_the_remembered_answer_at_the_next_look_at_the_feed(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher
) -> None:
    """An import applies a SKU change the way PATCH does: through the same use case, feed included."""
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    watcher.poll()
    assert answer(shop, keys)[1] == "confirmed_inbound"
    assert cached_app_remembers(shop, keys)
    headers = {**bearer(keys.admin), "Content-Type": "text/csv"}
    response = shop.post("/v1/imports/skus", content="code,backorder_policy\nMUG,never\n", headers=headers)
    assert response.json()["updated"] == 1, response.text
    watcher.poll()
    assert answer(shop, keys) == ("out_of_stock", "backorders_disabled")


def test_archiving_changes_the_remembered_answer_at_the_next_look_at_the_feed(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    assert answer(shop, keys) == ("in_stock", "on_hand")
    shop.post("/v1/skus/MUG/archive", headers=bearer(keys.admin))
    watcher.poll()
    assert answer(shop, keys) == ("out_of_stock", "archived")


def test_a_channel_patch_changes_the_remembered_answer_at_the_next_look_at_the_feed(
    shop: TestClient, ctx: Context, keys: Keys, watcher: ChangeWatcher
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    watcher.poll()
    assert answer(shop, keys) == ("in_stock", "on_hand")
    patch(shop, keys, "/v1/channels/web", {"safety_buffer": 5})
    watcher.poll()
    assert answer(shop, keys)[0] == "out_of_stock"


def cached_app_remembers(shop: TestClient, keys: Keys) -> bool:
    """The answer is served from memory now (so the change below is seen through the cache, not around it)."""
    answers = shop.app.state.answers  # type: ignore[attr-defined]
    return answers.get(("MUG", "web", answers_day(shop))) is not None


def answers_day(shop: TestClient) -> Any:
    return shop.app.state.ctx.clock.today()  # type: ignore[attr-defined]
