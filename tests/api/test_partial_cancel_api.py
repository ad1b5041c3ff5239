"""`POST /v1/orders/{id}/lines/{sku}/cancel` with a quantity: who may cancel what, once per Idempotency-Key."""

from __future__ import annotations

from fastapi.testclient import TestClient

from restock.services import orders
from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.builders import balance, confirmed_po, on_hand, order, outbox_payloads


def _split_order(ctx: Context, channel: str = "web") -> orders.OrderView:
    """13 ordered: 11 allocated from stock, 2 waiting for the PO."""
    warehouse = "W1" if channel == "web" else "W2"
    on_hand(ctx, "MUG", warehouse, 11)
    confirmed_po(ctx, "MUG", 10, eta_in_days=10, warehouse=warehouse)
    return order(ctx, "MUG", 13, channel=channel)


def _cancel(client: TestClient, key: str, order_id: str, body: object = None, **headers: str) -> object:
    return client.post(f"/v1/orders/{order_id}/lines/MUG/cancel", json=body, headers={**bearer(key), **headers})


def test_a_storefront_cancels_the_backordered_units_of_its_own_channels_order(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    placed = _split_order(ctx)
    answer = client.post(f"/v1/orders/{placed.id}/lines/MUG/cancel", json={"quantity": 2}, headers=bearer(keys.web))
    assert answer.status_code == 200, answer.text
    [line] = answer.json()["lines"]
    assert (line["allocated"], line["backordered"], line["status"]) == (11, 0, "allocated")
    assert balance(ctx, "MUG", "W1") == (11, 11)
    [event] = outbox_payloads(ctx, "order_cancelled")
    assert (event["cancelled_by"], event["cancelled"]) == ("shop", [{"sku": "MUG", "quantity": 2}])


def test_a_storefront_may_not_cancel_allocated_units_nor_another_channels_order(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    placed = _split_order(ctx)
    for key, body in ((keys.web, {"quantity": 3}), (keys.web, None), (keys.market, {"quantity": 1})):
        refused = client.post(f"/v1/orders/{placed.id}/lines/MUG/cancel", json=body, headers=bearer(key))
        assert refused.status_code == 403, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
    missing = client.post("/v1/orders/nope/lines/MUG/cancel", json={"quantity": 1}, headers=bearer(keys.web))
    assert missing.status_code == 403  # a storefront cannot tell another channel's order from a missing one
    warehouse = client.post(f"/v1/orders/{placed.id}/lines/MUG/cancel", headers=bearer(keys.warehouse))
    assert warehouse.status_code == 403
    assert orders.show_order(ctx, placed.id).lines == placed.lines
    assert outbox_payloads(ctx, "order_cancelled") == []


def test_an_admin_cancels_backordered_units_then_allocated_ones(client: TestClient, ctx: Context, keys: Keys) -> None:
    placed = _split_order(ctx)
    answer = client.post(f"/v1/orders/{placed.id}/lines/MUG/cancel", json={"quantity": 5}, headers=bearer(keys.admin))
    assert answer.status_code == 200, answer.text
    [line] = answer.json()["lines"]
    assert (line["allocated"], line["backordered"]) == (8, 0)
    assert balance(ctx, "MUG", "W1") == (11, 8)
    too_many = client.post(f"/v1/orders/{placed.id}/lines/MUG/cancel", json={"quantity": 9}, headers=bearer(keys.admin))
    assert too_many.status_code == 409
    for bad in ({"quantity": 0}, {"quantity": "2"}, {"quantity": 2, "extra": 1}):
        answer = client.post(f"/v1/orders/{placed.id}/lines/MUG/cancel", json=bad, headers=bearer(keys.admin))
        assert answer.status_code == 422, bad
    assert orders.show_order(ctx, placed.id).lines[0].allocated == 8
    whole = client.post(f"/v1/orders/{placed.id}/lines/MUG/cancel", headers=bearer(keys.admin))
    assert whole.json()["lines"][0]["status"] == "cancelled"
    assert outbox_payloads(ctx, "order_cancelled")[0]["cancelled_by"] == "merchant"


def test_one_idempotency_key_cancels_once(client: TestClient, ctx: Context, keys: Keys) -> None:
    placed = _split_order(ctx)
    headers = {**bearer(keys.web), "Idempotency-Key": "cancel-1"}
    url = f"/v1/orders/{placed.id}/lines/MUG/cancel"
    first = client.post(url, json={"quantity": 1}, headers=headers)
    again = client.post(url, json={"quantity": 1}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert orders.show_order(ctx, placed.id).lines[0].backordered == 1
    other = client.post(url, json={"quantity": 2}, headers=headers)
    assert other.status_code == 422  # the same key with another quantity
    assert len(outbox_payloads(ctx, "order_cancelled")) == 1
