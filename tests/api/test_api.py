"""The REST API: roles, shapes integrations rely on, idempotency, and problem+json refusals that change nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from restock.services import terms
from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.builders import balance, confirmed_po, on_day, on_hand, order, released_on

PROBLEM = "application/problem+json"


def order_body(sku: str = "MUG", quantity: int = 1, channel: str = "web", **extra: Any) -> dict[str, Any]:
    return {
        "channel": channel,
        "customer": {"email": "ann@example.com"},
        "lines": [{"sku": sku, "quantity": quantity}],
        **extra,
    }


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["detail"]
    return body


# ---------------------------------------------------------------- authentication and roles


def test_requests_without_a_valid_key_are_unauthenticated(client: TestClient, keys: Keys) -> None:
    assert_problem(client.get("/v1/availability/MUG?channel=web"), 401)
    assert_problem(client.get("/v1/availability/MUG?channel=web", headers=bearer("rk_not-a-key")), 401)


def test_a_revoked_key_stops_working_within_the_key_cache_time(client: TestClient, ctx: Context, keys: Keys) -> None:
    from restock.api.security import KeyCache
    from restock.services import apikeys

    now = [0.0]
    client.app.state.key_cache = KeyCache(5, clock=lambda: now[0])  # type: ignore[attr-defined]
    issued = apikeys.create_key(ctx, "storefront", "web")
    assert client.get("/v1/availability/MUG", headers=bearer(issued.key)).status_code == 200
    apikeys.revoke_key(ctx, issued.id)
    now[0] = 4.9  # this worker checked the key under five seconds ago: it still trusts it
    assert client.get("/v1/availability/MUG", headers=bearer(issued.key)).status_code == 200
    now[0] = 5.1
    assert_problem(client.get("/v1/availability/MUG", headers=bearer(issued.key)), 401)


def test_with_the_key_cache_off_a_revoked_key_stops_at_once(client: TestClient, ctx: Context, keys: Keys) -> None:
    from restock.api.security import KeyCache
    from restock.services import apikeys

    client.app.state.key_cache = KeyCache(0)  # type: ignore[attr-defined]
    issued = apikeys.create_key(ctx, "storefront", "web")
    assert client.get("/v1/availability/MUG", headers=bearer(issued.key)).status_code == 200
    apikeys.revoke_key(ctx, issued.id)
    assert_problem(client.get("/v1/availability/MUG", headers=bearer(issued.key)), 401)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/v1/availability/MUG?channel=web", {"admin", "web"}),
        ("GET", "/v1/stock", {"admin", "warehouse"}),
        ("GET", "/v1/stock/movements", {"admin", "warehouse"}),
        ("GET", "/v1/purchase-orders", {"admin", "warehouse"}),
        ("GET", "/v1/backorders", {"admin", "warehouse"}),
        ("GET", "/v1/skus", {"admin", "warehouse"}),
        ("POST", "/v1/skus", {"admin"}),
        ("POST", "/v1/warehouses", {"admin"}),
        ("POST", "/v1/purchase-orders", {"admin"}),
        ("POST", "/v1/stock/adjustments", {"admin", "warehouse"}),
        ("POST", "/v1/orders", {"admin", "web"}),
    ],
)
def test_each_role_may_do_only_its_own_work(
    client: TestClient, keys: Keys, method: str, path: str, allowed: set[str]
) -> None:
    bodies = {
        "/v1/skus": {"code": "CUP"},
        "/v1/warehouses": {"code": "W9"},
        "/v1/purchase-orders": {"supplier": "ACME", "warehouse": "W1", "lines": [{"sku": "MUG", "quantity": 5}]},
        "/v1/stock/adjustments": {"sku": "MUG", "warehouse": "W1", "delta": 5, "reason": "count"},
        "/v1/orders": order_body(),
    }
    on_hand_key = {"admin": keys.admin, "warehouse": keys.warehouse, "web": keys.web, "market": keys.market}
    for role, key in on_hand_key.items():
        if path == "/v1/orders":
            client.post("/v1/stock/adjustments", json=bodies["/v1/stock/adjustments"], headers=bearer(keys.admin))
        response = client.request(method, path, json=bodies.get(path), headers=bearer(key))
        if role in allowed:
            assert response.status_code in (200, 201), (role, response.text)
        else:
            assert_problem(response, 403)


def test_a_storefront_sees_only_its_own_channels_orders_and_cannot_tell_others_exist(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W2", 5)
    placed = client.post("/v1/orders", json=order_body(channel="market"), headers=bearer(keys.market)).json()
    assert client.get(f"/v1/orders/{placed['id']}", headers=bearer(keys.market)).json()["customer"]["email"]
    other = assert_problem(client.get(f"/v1/orders/{placed['id']}", headers=bearer(keys.web)), 403)
    missing = assert_problem(client.get("/v1/orders/ord_doesnotexist", headers=bearer(keys.web)), 403)
    assert other["detail"] == missing["detail"]
    assert "ann@example.com" not in str(other)
    assert_problem(client.get("/v1/orders/ord_doesnotexist", headers=bearer(keys.admin)), 404)


def test_a_storefront_cannot_order_or_read_availability_for_another_channel(client: TestClient, keys: Keys) -> None:
    assert_problem(client.post("/v1/orders", json=order_body(channel="market"), headers=bearer(keys.web)), 403)
    assert_problem(client.get("/v1/availability/MUG?channel=market", headers=bearer(keys.web)), 403)


# ---------------------------------------------------------------- orders


def test_placing_an_order_answers_201_in_the_cli_shape(client: TestClient, ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 2)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    response = client.post("/v1/orders", json=order_body(quantity=5), headers=bearer(keys.web))
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["id"].startswith("ord_")
    assert order["status"] == "open"
    assert order["lines"] == [
        {
            "sku": "MUG",
            "quantity": 5,
            "allocated": 2,
            "backordered": 3,
            "shipped": 0,
            "cancelled": 0,
            "status": "backordered",
            "ship_window": {"earliest": "2026-12-07", "latest": "2026-12-11"},
            "delayed": False,
        }
    ]
    assert client.get(f"/v1/orders/{order['id']}", headers=bearer(keys.web)).json() == order


def test_a_refused_order_is_a_409_problem_listing_short_lines_and_changes_nothing(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 1)
    body = assert_problem(client.post("/v1/orders", json=order_body(quantity=3), headers=bearer(keys.web)), 409)
    assert body["short_lines"] == [
        {"sku": "MUG", "requested": 3, "available_now": 1, "backorderable": 0, "reason": "insufficient_quantity"}
    ]
    assert balance(ctx, "MUG", "W1") == (1, 0)


@pytest.mark.parametrize(
    "body",
    [
        order_body(quantity=0),
        order_body(quantity=-1),
        order_body(quantity=1_000_001),
        order_body(quantity="2"),
        order_body(quantity=1.5),
        order_body(sku="MÜG"),
        order_body(sku="x" * 65),
        order_body(sku="a b"),
        order_body(admin=True),
        {**order_body(), "customer": {"email": "ann@example.com", "vip": True}},
        {**order_body(), "customer": {"email": "not-an-email"}},
        {**order_body(), "lines": []},
        {**order_body(), "lines": [{"sku": "MUG", "quantity": 1}] * 501},
    ],
)
def test_bad_order_bodies_are_refused_with_422_and_change_nothing(
    client: TestClient, ctx: Context, keys: Keys, body: dict[str, Any]
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    assert_problem(client.post("/v1/orders", json=body, headers=bearer(keys.web)), 422)
    assert balance(ctx, "MUG", "W1") == (5, 0)


def test_a_huge_body_is_refused_before_it_is_read(client: TestClient, keys: Keys) -> None:
    junk = "x" * 2_000_000
    response = client.post("/v1/orders", content=junk, headers={**bearer(keys.web), "Content-Type": "application/json"})
    assert_problem(response, 413)


def test_ship_and_cancel_through_the_api(client: TestClient, ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    first = client.post("/v1/orders", json=order_body(quantity=2), headers=bearer(keys.web)).json()
    second = client.post("/v1/orders", json=order_body(quantity=1), headers=bearer(keys.web)).json()
    assert_problem(client.post(f"/v1/orders/{first['id']}/ship", headers=bearer(keys.web)), 403)
    shipped = client.post(f"/v1/orders/{first['id']}/ship", headers=bearer(keys.warehouse))
    assert shipped.json()["status"] == "shipped"
    cancelled = client.post(f"/v1/orders/{second['id']}/lines/MUG/cancel", headers=bearer(keys.admin))
    assert cancelled.json()["lines"][0]["status"] == "cancelled"
    assert_problem(client.post(f"/v1/orders/{second['id']}/cancel", headers=bearer(keys.admin)), 409)
    assert balance(ctx, "MUG", "W1") == (3, 0)


def test_a_line_shows_what_was_cancelled_so_its_units_add_up_to_its_quantity(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 6)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = client.post("/v1/orders", json=order_body(quantity=10), headers=bearer(keys.web)).json()
    body = {"lines": [{"sku": "MUG", "quantity": 4}]}
    assert client.post(f"/v1/orders/{placed['id']}/shipments", json=body, headers=bearer(keys.warehouse)).is_success
    cut = client.post(f"/v1/orders/{placed['id']}/lines/MUG/cancel", json={"quantity": 3}, headers=bearer(keys.admin))
    assert cut.status_code == 200, cut.text
    [line] = client.get(f"/v1/orders/{placed['id']}", headers=bearer(keys.admin)).json()["lines"]
    assert (line["shipped"], line["cancelled"], line["backordered"], line["allocated"]) == (4, 3, 1, 2)
    assert line["shipped"] + line["cancelled"] + line["backordered"] + line["allocated"] == line["quantity"]
    assert cut.json()["lines"][0]["cancelled"] == 3


# ---------------------------------------------------------------- idempotency


def test_a_retry_with_the_same_key_and_body_returns_the_first_response_once(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    headers = {**bearer(keys.web), "Idempotency-Key": "checkout-1"}
    first = client.post("/v1/orders", json=order_body(quantity=2), headers=headers)
    again = client.post("/v1/orders", json=order_body(quantity=2), headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert balance(ctx, "MUG", "W1") == (5, 2)


def test_the_same_key_with_a_different_body_is_a_422(client: TestClient, ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    headers = {**bearer(keys.web), "Idempotency-Key": "checkout-1"}
    client.post("/v1/orders", json=order_body(quantity=2), headers=headers)
    assert_problem(client.post("/v1/orders", json=order_body(quantity=3), headers=headers), 422)
    assert balance(ctx, "MUG", "W1") == (5, 2)


def test_a_duplicate_while_the_first_is_in_flight_is_a_409(client: TestClient, ctx: Context, keys: Keys) -> None:
    """On PostgreSQL the first attempt's transaction holds the key's lock; a duplicate is told, without waiting.

    (On SQLite a duplicate waits for the first attempt's write transaction and then gets its answer.)"""
    from sqlalchemy import func, select

    from restock.services import apikeys
    from restock.store.idempotency import lock_key

    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("on SQLite a duplicate waits for the first attempt instead")
    on_hand(ctx, "MUG", "W1", 5)
    who = apikeys.authenticate(ctx, keys.web)
    assert who is not None
    with ctx.engine.connect() as first_attempt, first_attempt.begin():
        first_attempt.execute(select(func.pg_advisory_xact_lock(lock_key(f"{who.key_id}:orders:checkout-9"))))
        headers = {**bearer(keys.web), "Idempotency-Key": "checkout-9"}
        assert_problem(client.post("/v1/orders", json=order_body(quantity=2), headers=headers), 409)
    assert balance(ctx, "MUG", "W1") == (5, 0)
    placed = client.post("/v1/orders", json=order_body(quantity=2), headers=headers)
    assert placed.status_code == 201
    assert balance(ctx, "MUG", "W1") == (5, 2)


def test_a_refusal_is_replayed_too(client: TestClient, ctx: Context, keys: Keys) -> None:
    headers = {**bearer(keys.web), "Idempotency-Key": "checkout-2"}
    first = assert_problem(client.post("/v1/orders", json=order_body(quantity=3), headers=headers), 409)
    on_hand(ctx, "MUG", "W1", 5)
    again = assert_problem(client.post("/v1/orders", json=order_body(quantity=3), headers=headers), 409)
    assert again == first


# ---------------------------------------------------------------- availability


def test_availability_carries_schema_org_and_availability_date(client: TestClient, ctx: Context, keys: Keys) -> None:
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    released_on(ctx, "MUG", date(2026, 12, 10))
    first_release = client.get("/v1/availability/MUG?channel=web", headers=bearer(keys.web)).json()
    assert (first_release["state"], first_release["schema_org"]) == ("preorder", "https://schema.org/PreOrder")
    assert first_release["availability_date"] == "2026-12-10"  # its PO comes earlier: it ships from its release
    released_on(ctx, "MUG", None)  # no release date: out of stock is a backorder, never a pre-order
    body = client.get("/v1/availability/MUG?channel=web", headers=bearer(keys.web)).json()
    assert body["state"] == "backorder"
    assert body["schema_org"] == "https://schema.org/BackOrder"
    assert body["availability_date"] == "2026-12-07"
    assert body["message"] == "Temporarily out of stock. Available for backorder. Estimated shipping: 10-14 days."
    on_hand(ctx, "MUG", "W1", 1)
    body = client.get("/v1/availability/MUG", headers=bearer(keys.web)).json()
    assert (body["schema_org"], body["availability_date"]) == ("https://schema.org/InStock", None)
    assert body["backorder_window"] == {"earliest": "2026-12-07", "latest": "2026-12-11"}  # more, from the PO
    assert body["message"] == "In stock (1). More ship in 10-14 days."


def test_batch_availability_answers_in_the_order_asked(client: TestClient, ctx: Context, keys: Keys) -> None:
    from restock.services import catalog

    catalog.add_sku(ctx, "CUP")
    on_hand(ctx, "CUP", "W1", 3)
    response = client.post(
        "/v1/availability", json={"channel": "web", "skus": ["MUG", "CUP"]}, headers=bearer(keys.web)
    )
    assert [(a["sku"], a["state"]) for a in response.json()] == [("MUG", "out_of_stock"), ("CUP", "in_stock")]
    too_many = {"channel": "web", "skus": ["MUG"] * 501}
    assert_problem(client.post("/v1/availability", json=too_many, headers=bearer(keys.web)), 422)


# ---------------------------------------------------------------- purchase orders, stock, backorders


def test_a_purchase_order_through_its_life(client: TestClient, ctx: Context, keys: Keys) -> None:
    admin, warehouse = bearer(keys.admin), bearer(keys.warehouse)
    po = client.post(
        "/v1/purchase-orders",
        json={"supplier": "ACME", "warehouse": "W1", "lines": [{"sku": "MUG", "quantity": 10}]},
        headers=admin,
    ).json()
    eta = (ctx.clock.today() + timedelta(days=8)).isoformat()
    later = (ctx.clock.today() + timedelta(days=12)).isoformat()
    assert client.post(f"/v1/purchase-orders/{po['id']}/confirm", json={"eta": eta}, headers=admin).status_code == 200
    client.post("/v1/orders", json=order_body(quantity=4), headers=bearer(keys.web))
    moved = client.post(f"/v1/purchase-orders/{po['id']}/eta", json={"eta": later}, headers=admin).json()
    assert [c["new_eta"] for c in moved["eta_history"]] == [eta, later]
    waiting = client.get("/v1/backorders?delayed=true&sku=MUG", headers=warehouse).json()
    assert [(b["quantity"], b["po"]) for b in waiting] == [(4, po["id"])]
    received = client.post(
        f"/v1/purchase-orders/{po['id']}/receipts", json={"lines": [{"sku": "MUG", "quantity": 6}]}, headers=warehouse
    )
    assert received.status_code == 201
    assert received.json()["status"] == "partially_received"
    assert client.get("/v1/backorders", headers=warehouse).json() == []
    assert balance(ctx, "MUG", "W1") == (6, 4)
    assert_problem(
        client.post(
            f"/v1/purchase-orders/{po['id']}/receipts",
            json={"lines": [{"sku": "MUG", "quantity": 5}]},
            headers=warehouse,
        ),
        422,
    )
    assert client.post(f"/v1/purchase-orders/{po['id']}/cancel", headers=admin).json()["status"] == "cancelled"


def test_a_purchase_order_takes_the_sellers_reference_once(client: TestClient, ctx: Context, keys: Keys) -> None:
    admin = bearer(keys.admin)
    body = {"supplier": "ACME", "warehouse": "W1", "lines": [{"sku": "MUG", "quantity": 10}], "reference": "AC-17"}
    created = client.post("/v1/purchase-orders", json=body, headers=admin)
    assert created.status_code == 201
    assert created.json()["reference"] == "AC-17"
    assert client.get(f"/v1/purchase-orders/{created.json()['id']}", headers=admin).json()["reference"] == "AC-17"
    problem = assert_problem(client.post("/v1/purchase-orders", json=body, headers=admin), 409)
    assert "'AC-17' exists already" in problem["detail"]
    assert_problem(client.post("/v1/purchase-orders", json=body | {"reference": "restock:1"}, headers=admin), 422)
    assert [po["reference"] for po in client.get("/v1/purchase-orders", headers=admin).json()] == ["AC-17"]


def test_the_ledger_pages_by_id(client: TestClient, ctx: Context, keys: Keys) -> None:
    for _ in range(5):
        on_hand(ctx, "MUG", "W1", 1)
    first = client.get("/v1/stock/movements?limit=3", headers=bearer(keys.warehouse)).json()
    assert len(first["items"]) == 3
    rest = client.get(f"/v1/stock/movements?limit=3&after={first['next_after']}", headers=bearer(keys.warehouse))
    assert len(rest.json()["items"]) == 2
    assert rest.json()["next_after"] is None


def test_an_adjustment_below_what_customers_hold_is_a_409(client: TestClient, ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 2)
    client.post("/v1/orders", json=order_body(quantity=2), headers=bearer(keys.web))
    body = {"sku": "MUG", "warehouse": "W1", "delta": -1, "reason": "broken"}
    assert_problem(client.post("/v1/stock/adjustments", json=body, headers=bearer(keys.warehouse)), 409)
    assert balance(ctx, "MUG", "W1") == (2, 2)


# ---------------------------------------------------------------- operations


def test_health_readiness_and_metrics(client: TestClient, ctx: Context, keys: Keys) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    client.post("/v1/orders", json=order_body(quantity=1), headers=bearer(keys.web))
    text = client.get("/metrics", headers=bearer(keys.warehouse)).text
    assert "restock_orders_placed_total" in text
    assert "restock_backorders_waiting 1.0" in text
    assert 'restock_http_requests_total{method="POST",route="/v1/orders",status="201"}' in text


def test_unknown_routes_answer_with_a_problem(client: TestClient, keys: Keys) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404)


def test_unknown_or_repeated_query_parameters_are_refused(client: TestClient, keys: Keys) -> None:
    assert_problem(client.get("/v1/backorders?skuu=MUG", headers=bearer(keys.warehouse)), 422)
    assert_problem(client.get("/v1/backorders?sku=MUG&sku=CUP", headers=bearer(keys.warehouse)), 422)


def test_a_wrong_method_lists_every_allowed_one(client: TestClient, keys: Keys) -> None:
    response = client.delete("/v1/warehouses", headers=bearer(keys.admin))
    assert_problem(response, 405)
    assert response.headers["Allow"] == "GET, POST"


def test_channels_are_listed_with_their_warehouses_in_order(client: TestClient, keys: Keys) -> None:
    channels = client.get("/v1/channels", headers=bearer(keys.warehouse)).json()
    assert {c["code"]: c["warehouses"] for c in channels} == {"market": ["W2"], "web": ["W1", "W2"]}


# ---------------------------------------------------------------- replenishment planning


def test_supplier_terms_and_sku_settings_through_the_api(client: TestClient, keys: Keys) -> None:
    admin = bearer(keys.admin)
    put = client.put(
        "/v1/suppliers/ACME/skus/MUG", json={"unit_cost": "4.20", "moq": 24, "pack_size": 12}, headers=admin
    )
    assert put.status_code == 200, put.text
    assert put.json() == {
        "supplier": "ACME",
        "sku": "MUG",
        "lead_time_days": 14,
        "lead_time_quoted": False,
        "moq": 24,
        "pack_size": 12,
        "unit_cost": "4.20",
    }
    refused = client.put("/v1/suppliers/ACME/skus/MUG", json={"unit_cost": "1", "pack": 3}, headers=admin)
    assert refused.status_code == 422  # unknown field
    assert client.get("/v1/suppliers/ACME/skus", headers=admin).json()[0]["pack_size"] == 12
    planning = client.put("/v1/skus/MUG/planning", json={"policy": "eoq", "service_level_pct": "97.5"}, headers=admin)
    assert planning.json()["policy"] == "eoq"
    cleared = client.put("/v1/skus/MUG/planning", json={"service_level_pct": None}, headers=admin).json()
    assert (cleared["policy"], cleared["service_level_pct"]) == ("eoq", None)
    assert client.get("/v1/skus/NOPE/planning", headers=admin).status_code == 404


def test_supplier_scorecard_through_the_api(client: TestClient, keys: Keys) -> None:
    scores = client.get("/v1/suppliers/scorecard", headers=bearer(keys.warehouse)).json()
    assert [s["supplier"] for s in scores] == ["ACME", "FAST"]
    assert client.get("/v1/suppliers/NOPE/scorecard", headers=bearer(keys.admin)).status_code == 404


def test_plan_radar_and_draft_pos_through_the_api(client: TestClient, ctx: Context, keys: Keys) -> None:
    """MUG: 31 counted on Nov 1, one sold a day until Nov 26: 5 left, ACME needs 14 days: reorder, and at risk."""
    first = date(2026, 11, 1)
    early = on_day(ctx, first)
    terms.set_supplier_terms(ctx, "ACME", "MUG", unit_cost="4.00", moq=10, pack_size=6)
    on_hand(early, "MUG", "W1", 31)
    for day in range(26):
        order(on_day(ctx, first + timedelta(days=day)), "MUG", 1)
    plan = client.get("/v1/plan", headers=bearer(keys.warehouse)).json()
    assert [(s["sku"], s["warehouse"], s["supplier"]) for s in plan["suggestions"]] == [("MUG", "W1", "ACME")]
    radar = client.get("/v1/radar", headers=bearer(keys.warehouse)).json()
    assert radar[0]["sku"] == "MUG"
    assert "stockout_before_receipt" in radar[0]["flags"]
    admin = {**bearer(keys.admin), "Idempotency-Key": "plan-2026-11-27"}
    created = client.post("/v1/plan/purchase-orders", json={"skus": ["MUG"]}, headers=admin)
    assert created.status_code == 201, created.text
    again = client.post("/v1/plan/purchase-orders", json={"skus": ["MUG"]}, headers=admin)
    assert again.headers.get("Idempotent-Replayed") == "true"
    [po] = created.json()["purchase_orders"]
    assert (po["supplier"], po["status"], po["lines"][0]["ordered"]) == (
        "ACME",
        "draft",
        plan["suggestions"][0]["quantity"],
    )
    assert len(client.get("/v1/purchase-orders?status=draft", headers=admin).json()) == 1
    none = client.post("/v1/plan/purchase-orders", json={"skus": ["CUP"]}, headers=bearer(keys.admin)).json()
    assert none["purchase_orders"] == []
