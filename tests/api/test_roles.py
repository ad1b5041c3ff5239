"""Every operation, every role: allowed ones succeed, the others get 403 and change nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from restock.services import catalog, orders, purchasing
from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.builders import confirmed_po, on_hand

ALL = {"admin", "warehouse", "web", "market"}
ETA = {"eta": "2026-12-20"}
LINE = {"lines": [{"sku": "MUG", "quantity": 1}]}
PO_CSV = "reference,supplier,warehouse,sku,ordered\nPO-9,ACME,W1,MUG,3\n"

# (method, path template, body, roles allowed). {po} is a confirmed PO with room, {order} a web order in stock,
# {waiting} a web order of 2 backordered bowls.
MATRIX: list[tuple[str, str, dict[str, Any] | str | None, set[str]]] = [
    ("GET", "/v1/availability/MUG?channel=web", None, {"admin", "web"}),
    ("GET", "/v1/availability/MUG?channel=market", None, {"admin", "market"}),
    ("POST", "/v1/availability", {"channel": "web", "skus": ["MUG"]}, {"admin", "web"}),
    ("POST", "/v1/orders", {"channel": "web", "customer": {"email": "a@example.com"}, **LINE}, {"admin", "web"}),
    ("GET", "/v1/orders/{order}", None, {"admin", "warehouse", "web"}),
    # the order list: a storefront key sees its own channel's orders (tests/api/test_order_list_api.py)
    ("GET", "/v1/orders", None, ALL),
    ("GET", "/v1/orders?channel=web", None, {"admin", "warehouse", "web"}),
    ("GET", "/v1/orders?channel=market", None, {"admin", "warehouse", "market"}),
    ("POST", "/v1/orders/{order}/ship", None, {"admin", "warehouse"}),
    ("POST", "/v1/orders/{order}/shipments", {"carrier": "DHL"}, {"admin", "warehouse"}),
    ("GET", "/v1/orders/{order}/shipments", None, {"admin", "warehouse", "web"}),  # a storefront: its own channel's
    ("GET", "/v1/fulfilment/ready", None, {"admin", "warehouse"}),
    ("GET", "/v1/fulfilment/ready?warehouse=W1", None, {"admin", "warehouse"}),
    ("GET", "/v1/fulfilment/ready?warehouse=W1&limit=1", None, {"admin", "warehouse"}),
    ("POST", "/v1/orders/{order}/lines/MUG/cancel", None, {"admin"}),  # allocated units: the merchant's to cancel
    ("POST", "/v1/orders/{order}/lines/MUG/cancel", {"quantity": 1}, {"admin"}),
    ("POST", "/v1/orders/{waiting}/lines/BOWL/cancel", {"quantity": 1}, {"admin", "web"}),  # backordered units
    ("POST", "/v1/orders/{waiting}/lines/BOWL/cancel", None, {"admin", "web"}),
    ("POST", "/v1/orders/{order}/cancel", None, {"admin"}),
    ("GET", "/v1/backorders", None, {"admin", "warehouse"}),
    ("GET", "/v1/stock", None, {"admin", "warehouse"}),
    ("GET", "/v1/stock/movements", None, {"admin", "warehouse"}),
    (
        "POST",
        "/v1/stock/adjustments",
        {"sku": "MUG", "warehouse": "W1", "delta": 1, "reason": "found"},
        {"admin", "warehouse"},
    ),
    ("GET", "/v1/warehouses", None, {"admin", "warehouse"}),
    ("GET", "/v1/channels", None, {"admin", "warehouse"}),
    ("GET", "/v1/suppliers", None, {"admin", "warehouse"}),
    ("GET", "/v1/skus", None, {"admin", "warehouse"}),
    ("POST", "/v1/warehouses", {"code": "W7"}, {"admin"}),
    ("POST", "/v1/channels", {"code": "app", "warehouses": ["W1"]}, {"admin"}),
    ("POST", "/v1/suppliers", {"code": "NEWCO", "lead_time_days": 5}, {"admin"}),
    ("POST", "/v1/skus", {"code": "CUP", "price": "3.50"}, {"admin"}),
    # catalog edits and archiving
    ("GET", "/v1/skus?archived=true", None, {"admin", "warehouse"}),
    ("PATCH", "/v1/skus/MUG", {"price": "13.00", "max_wait_days": 20}, {"admin"}),
    ("POST", "/v1/skus/MUG/archive", None, {"admin"}),
    ("POST", "/v1/skus/MUG/unarchive", None, {"admin"}),
    ("PATCH", "/v1/channels/web", {"warehouses": ["W2", "W1"], "safety_buffer": 1}, {"admin"}),
    ("PATCH", "/v1/suppliers/ACME", {"lead_time_days": 9}, {"admin"}),
    ("GET", "/v1/purchase-orders", None, {"admin", "warehouse"}),
    ("GET", "/v1/purchase-orders/{po}", None, {"admin", "warehouse"}),
    ("POST", "/v1/purchase-orders", {"supplier": "ACME", "warehouse": "W1", **LINE}, {"admin"}),
    ("POST", "/v1/purchase-orders/{draft}/send", None, {"admin"}),
    ("POST", "/v1/purchase-orders/{draft}/confirm", ETA, {"admin"}),
    ("POST", "/v1/purchase-orders/{po}/eta", ETA, {"admin"}),
    ("POST", "/v1/purchase-orders/{po}/receipts", LINE, {"admin", "warehouse"}),
    ("POST", "/v1/purchase-orders/{po}/cancel", None, {"admin"}),
    # customer communication; notify-me sign-ups are in tests/api/test_notify_api.py (MUG is in stock here)
    ("GET", "/v1/outbox", None, {"admin"}),
    ("GET", "/v1/webhooks", None, {"admin"}),
    ("POST", "/v1/webhooks", {"url": "https://erp.example.com/hooks"}, {"admin"}),
    # replenishment planning
    ("GET", "/v1/suppliers/scorecard", None, {"admin", "warehouse"}),
    ("GET", "/v1/suppliers/ACME/scorecard", None, {"admin", "warehouse"}),
    ("GET", "/v1/suppliers/ACME/skus", None, {"admin", "warehouse"}),
    ("PUT", "/v1/suppliers/ACME/skus/MUG", {"unit_cost": "4.20", "pack_size": 6}, {"admin"}),
    ("GET", "/v1/skus/MUG/planning", None, {"admin", "warehouse"}),
    ("PUT", "/v1/skus/MUG/planning", {"review_days": 14}, {"admin"}),
    ("GET", "/v1/plan", None, {"admin", "warehouse"}),
    ("GET", "/v1/radar", None, {"admin", "warehouse"}),
    ("POST", "/v1/plan/purchase-orders", {}, {"admin"}),
    # CSV imports (a str body is sent as text/csv) and exports
    ("POST", "/v1/imports/skus", "code,price\nCUP,3.50\n", {"admin"}),
    ("POST", "/v1/imports/stock", "sku,warehouse,counted\nMUG,W1,12\n", {"admin"}),
    (
        "POST",
        "/v1/imports/purchase-orders",
        "reference,supplier,warehouse,sku,ordered\nPO-9,ACME,W1,MUG,3\n",
        {"admin"},
    ),
    ("GET", "/v1/exports/skus", None, {"admin"}),
    ("GET", "/v1/exports/stock", None, {"admin"}),
    ("GET", "/v1/exports/orders", None, {"admin"}),
    ("GET", "/v1/exports/purchase-orders", None, {"admin"}),
]


@pytest.mark.parametrize(("method", "template", "body", "allowed"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
@pytest.mark.parametrize("role", sorted(ALL))
def test_only_the_roles_an_operation_is_for_may_call_it(
    client: TestClient,
    ctx: Context,
    keys: Keys,
    role: str,
    method: str,
    template: str,
    body: dict[str, Any] | str | None,
    allowed: set[str],
) -> None:
    on_hand(ctx, "MUG", "W1", 10)
    on_hand(ctx, "MUG", "W2", 10)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    draft = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 4)]).id
    placed = orders.place_order(ctx, orders.OrderRequest("web", "o@example.com", (orders.LineRequest("MUG", 1),)))
    catalog.add_sku(ctx, "BOWL", "Bowl", "8.00", "confirmed", 30, 100)
    confirmed_po(ctx, "BOWL", 5, eta_in_days=8)
    waiting = orders.place_order(ctx, orders.OrderRequest("web", "w@example.com", (orders.LineRequest("BOWL", 2),)))
    path = template.format(po=po, draft=draft, order=placed.id, waiting=waiting.id)
    key = {"admin": keys.admin, "warehouse": keys.warehouse, "web": keys.web, "market": keys.market}[role]
    before = snapshot(client, keys)
    if isinstance(body, str):
        response = client.request(method, path, content=body, headers={**bearer(key), "Content-Type": "text/csv"})
    else:
        response = client.request(method, path, json=body, headers=bearer(key))
    if role in allowed:
        assert response.status_code in (200, 201), response.text
    else:
        assert response.status_code == 403, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert snapshot(client, keys) == before


def snapshot(client: TestClient, keys: Keys) -> tuple[Any, ...]:
    """Everything an operation could change, as the admin sees it."""
    admin = bearer(keys.admin)
    return tuple(
        client.get(path, headers=admin).json()
        for path in (
            "/v1/stock",
            "/v1/purchase-orders",
            "/v1/backorders",
            "/v1/skus",
            "/v1/skus?archived=true",
            "/v1/warehouses",
            "/v1/channels",
            "/v1/suppliers",
            "/v1/stock/movements?limit=1000",
            "/v1/suppliers/ACME/skus",
            "/v1/skus/MUG/planning",
            "/v1/fulfilment/ready",
        )
    )


def test_eta_in_the_past_is_refused_through_the_api(client: TestClient, ctx: Context, keys: Keys) -> None:
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    past = (ctx.clock.today() - timedelta(days=1)).isoformat()
    response = client.post(f"/v1/purchase-orders/{po}/eta", json={"eta": past}, headers=bearer(keys.admin))
    assert response.status_code == 422
