"""Shipments, the pick list and the receipt answer through the REST API."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from restock.services import orders
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import Channel
from tests.api.conftest import Keys, bearer
from tests.api.test_api import assert_problem
from tests.builders import balance, confirmed_po, on_hand, order


def test_shipping_what_is_allocated_answers_201_with_the_shipment_and_the_order(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 17)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 19)
    body = {"carrier": "DHL", "tracking_number": "JD1", "tracking_url": "https://track.example/JD1"}
    response = client.post(f"/v1/orders/{placed.id}/shipments", json=body, headers=bearer(keys.warehouse))
    assert response.status_code == 201, response.text
    answer = response.json()
    [shipment] = answer["shipments"]
    assert (shipment["warehouse"], shipment["lines"], shipment["carrier"]) == (
        "W1",
        [{"sku": "MUG", "quantity": 17}],
        "DHL",
    )
    assert shipment["id"].startswith("shp_")
    [line] = answer["order"]["lines"]
    assert (line["shipped"], line["allocated"], line["backordered"], line["status"]) == (17, 0, 2, "backordered")
    listed = client.get(f"/v1/orders/{placed.id}/shipments", headers=bearer(keys.warehouse))
    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()] == [shipment["id"]]
    assert_problem(client.post(f"/v1/orders/{placed.id}/shipments", headers=bearer(keys.warehouse)), 409)


def test_named_lines_ship_only_their_quantities_and_more_than_allocated_is_422(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    placed = order(ctx, "MUG", 5)
    path = f"/v1/orders/{placed.id}/shipments"
    too_many = {"lines": [{"sku": "MUG", "quantity": 6}]}
    assert (
        "only 5 allocated"
        in assert_problem(client.post(path, json=too_many, headers=bearer(keys.admin)), 422)["detail"]
    )
    assert balance(ctx, "MUG", "W1") == (5, 5)
    assert_problem(client.post(path, json={"tracking_url": "ftp://x"}, headers=bearer(keys.admin)), 422)
    some = client.post(path, json={"lines": [{"sku": "MUG", "quantity": 2}]}, headers=bearer(keys.admin))
    assert some.status_code == 201, some.text
    assert some.json()["order"]["lines"][0]["allocated"] == 3
    assert balance(ctx, "MUG", "W1") == (3, 3)


def test_a_complete_order_not_yet_whole_is_409_and_missing_from_the_pick_list(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    with unit_of_work(ctx.engine) as session:
        session.execute(update(Channel).where(Channel.code == "web").values(shipping_policy="complete"))
    on_hand(ctx, "MUG", "W1", 3)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    placed = order(ctx, "MUG", 5)
    assert client.get(f"/v1/orders/{placed.id}", headers=bearer(keys.admin)).json()["shipping_policy"] == "complete"
    problem = assert_problem(client.post(f"/v1/orders/{placed.id}/shipments", headers=bearer(keys.warehouse)), 409)
    assert "ships complete" in problem["detail"]
    assert client.get("/v1/fulfilment/ready", headers=bearer(keys.warehouse)).json() == {"items": [], "next": None}


def test_a_retried_shipment_with_the_same_key_ships_once(client: TestClient, ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    placed = order(ctx, "MUG", 2)
    headers = {**bearer(keys.warehouse), "Idempotency-Key": "parcel-1"}
    body = {"carrier": "DHL"}
    first = client.post(f"/v1/orders/{placed.id}/shipments", json=body, headers=headers)
    again = client.post(f"/v1/orders/{placed.id}/shipments", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert balance(ctx, "MUG", "W1") == (3, 0)
    assert len(client.get(f"/v1/orders/{placed.id}/shipments", headers=bearer(keys.admin)).json()) == 1
    other = client.post(f"/v1/orders/{placed.id}/shipments", json={"carrier": "UPS"}, headers=headers)
    assert_problem(other, 422)


def test_the_receipt_answers_with_what_it_filled_and_the_pick_list_puts_it_first(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 1)
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    shelf = order(ctx, "MUG", 1)
    waiting = order(ctx, "MUG", 2)
    receipt = client.post(
        f"/v1/purchase-orders/{po}/receipts",
        json={"lines": [{"sku": "MUG", "quantity": 5}]},
        headers=bearer(keys.warehouse),
    )
    assert receipt.status_code == 201, receipt.text
    answer = receipt.json()
    assert answer["status"] == "partially_received"
    assert answer["filled"] == [{"order": waiting.id, "sku": "MUG", "quantity": 2, "ready_to_ship": True}]
    assert answer["to_free_stock"] == [{"sku": "MUG", "quantity": 3}]
    picks = client.get("/v1/fulfilment/ready?warehouse=W1", headers=bearer(keys.warehouse)).json()["items"]
    assert [(p["order"], p["cross_dock"]) for p in picks] == [(waiting.id, True), (shelf.id, False)]
    assert picks[0]["lines"] == [{"sku": "MUG", "quantity": 2, "at_dock": 2}]
    assert_problem(client.get("/v1/fulfilment/ready?warehouse=NOPE", headers=bearer(keys.warehouse)), 404)
    assert_problem(client.get("/v1/fulfilment/ready?colour=red", headers=bearer(keys.warehouse)), 422)


def test_a_storefront_reads_its_own_channels_shipments_and_ships_nothing(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 2)
    placed = order(ctx, "MUG", 1)  # a web order
    assert_problem(client.post(f"/v1/orders/{placed.id}/shipments", headers=bearer(keys.web)), 403)
    shipped = client.post(f"/v1/orders/{placed.id}/shipments", json={"carrier": "DHL"}, headers=bearer(keys.warehouse))
    assert shipped.status_code == 201, shipped.text
    own = client.get(f"/v1/orders/{placed.id}/shipments", headers=bearer(keys.web))
    assert own.status_code == 200, own.text
    assert [(s["carrier"], s["lines"]) for s in own.json()] == [("DHL", [{"sku": "MUG", "quantity": 1}])]
    assert_problem(client.get(f"/v1/orders/{placed.id}/shipments", headers=bearer(keys.market)), 403)
    assert_problem(client.get("/v1/orders/ord_nope/shipments", headers=bearer(keys.web)), 403)  # as for a foreign one
    assert_problem(client.get("/v1/orders/ord_nope/shipments", headers=bearer(keys.admin)), 404)


def test_the_pick_list_pages_with_a_cursor_and_names_the_shops_order_number(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 10)
    placed = [
        orders.place_order(
            ctx, orders.OrderRequest("web", "a@example.com", (orders.LineRequest("MUG", 1),), external_ref=f"#{n}")
        )
        for n in range(5)
    ]
    headers = bearer(keys.warehouse)
    seen: list[tuple[str, str | None]] = []
    url = "/v1/fulfilment/ready?warehouse=W1&limit=2"
    pages = 0
    while True:
        answer = client.get(url, headers=headers)
        assert answer.status_code == 200, answer.text
        page = answer.json()
        seen += [(p["order"], p["external_ref"]) for p in page["items"]]
        pages += 1
        if page["next"] is None:
            break
        url = f"/v1/fulfilment/ready?warehouse=W1&limit=2&after={page['next']}"
    assert pages == 3
    oldest_first = sorted(placed, key=lambda p: (p.placed_at, p.id))  # one clock: the id breaks the tie
    assert seen == [(p.id, p.external_ref) for p in oldest_first]
    assert {ref for _, ref in seen} == {f"#{n}" for n in range(5)}
    for bad in ("limit=0", "limit=1001", "after=nonsense", "after=" + "x" * 400):
        assert_problem(client.get(f"/v1/fulfilment/ready?{bad}", headers=headers), 422)
