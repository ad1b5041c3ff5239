"""Orders through the API: the shop's number, name and address on the way in, the list and who sees what on the
way out, and bad filters refused as problems."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from fastapi.testclient import TestClient

from restock.services import orders
from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.builders import balance, on_hand

ADDRESS = {"name": "Ann Lee", "line1": "12 Harbour Road", "city": "Leith", "postal_code": "EH6 6LX", "country": "GB"}


def body(channel: str = "web", ref: str | None = "1001", quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "channel": channel,
        "customer": {"email": "ann@example.com", "name": "Ann Lee"},
        "lines": [{"sku": "MUG", "quantity": quantity}],
        **({"external_ref": ref} if ref is not None else {}),
        "delivery_address": ADDRESS,
        **extra,
    }


def problem_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    data: dict[str, Any] = response.json()
    return data


@pytest.fixture
def stocked(ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 20)
    on_hand(ctx, "MUG", "W2", 20)


def test_an_order_is_placed_with_the_shops_number_name_address_and_policy(
    client: TestClient, keys: Keys, stocked: None
) -> None:
    answer = client.post("/v1/orders", json=body(shipping_policy="complete"), headers=bearer(keys.web))
    assert answer.status_code == 201, answer.text
    placed = answer.json()
    assert placed["external_ref"] == "1001"
    assert placed["customer"] == {"email": "ann@example.com", "name": "Ann Lee"}
    assert {k: v for k, v in placed["delivery_address"].items() if v is not None} == ADDRESS
    assert placed["shipping_policy"] == "complete"
    shown = client.get(f"/v1/orders/{placed['id']}", headers=bearer(keys.warehouse)).json()
    assert shown == placed


def test_the_same_shops_number_answers_200_with_the_first_order_and_places_nothing(
    client: TestClient, ctx: Context, keys: Keys, stocked: None
) -> None:
    first = client.post("/v1/orders", json=body(), headers=bearer(keys.web))
    again = client.post("/v1/orders", json=body(), headers=bearer(keys.web))
    keyed = [client.post("/v1/orders", json=body(), headers=bearer(keys.web) | {"Idempotency-Key": "k2"}) for _ in "ab"]
    assert first.status_code == 201
    assert [a.status_code for a in (again, *keyed)] == [200, 200, 200]  # the keyed retry replays its 200 too
    assert {a.json()["id"] for a in (first, again, *keyed)} == {first.json()["id"]}
    assert balance(ctx, "MUG", "W1") == (20, 1)


def test_the_same_number_with_other_lines_is_a_409_problem(
    client: TestClient, ctx: Context, keys: Keys, stocked: None
) -> None:
    first = client.post("/v1/orders", json=body(), headers=bearer(keys.web)).json()
    clash = problem_of(client.post("/v1/orders", json=body(quantity=2), headers=bearer(keys.web)), 409)
    assert clash["type"].endswith("/external_ref_taken")
    assert first["id"] in clash["detail"]
    assert balance(ctx, "MUG", "W1") == (20, 1)


def test_the_same_number_on_another_channel_is_another_order(client: TestClient, keys: Keys, stocked: None) -> None:
    web = client.post("/v1/orders", json=body("web"), headers=bearer(keys.web))
    market = client.post("/v1/orders", json=body("market"), headers=bearer(keys.market))
    assert (web.status_code, market.status_code) == (201, 201)
    assert web.json()["id"] != market.json()["id"]


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"delivery_address": {**ADDRESS, "country": "gb"}}, "country"),
        ({"delivery_address": {**ADDRESS, "country": "XX"}}, "ISO 3166-1"),
        ({"delivery_address": {**ADDRESS, "city": "x" * 101}}, "city"),
        ({"delivery_address": {**ADDRESS, "door": "red"}}, "door"),
        ({"delivery_address": {k: v for k, v in ADDRESS.items() if k != "line1"}}, "line1"),
        ({"external_ref": "x" * 101}, "external_ref"),
        ({"external_ref": "10\n01"}, "external_ref"),
        ({"shipping_policy": "whenever"}, "shipping_policy"),
        ({"customer": {"email": "ann@example.com", "name": "x" * 201}}, "name"),
    ],
)
def test_a_bad_order_detail_is_a_422_problem_and_places_nothing(
    client: TestClient, ctx: Context, keys: Keys, stocked: None, change: dict[str, Any], where: str
) -> None:
    refused = problem_of(client.post("/v1/orders", json=body() | change, headers=bearer(keys.web)), 422)
    assert where in str(refused)
    assert balance(ctx, "MUG", "W1") == (20, 0)


@pytest.mark.xdist_group("load")  # twelve connections at once: not beside the 60-client load test
@pytest.mark.parametrize("keyed", [False, True], ids=["without keys", "each with its own Idempotency-Key"])
def test_twelve_posts_with_one_shops_number_at_once_make_one_order(
    client: TestClient, ctx: Context, keys: Keys, stocked: None, keyed: bool
) -> None:
    """With Idempotency-Keys the orders run inside the keys' transactions: the loser's savepoint is rolled back
    and its key records the first order as its answer."""
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("SQLite runs one writer at a time: no race to lose")
    start = Barrier(12)

    def post(n: int) -> Any:
        headers = bearer(keys.web) | ({"Idempotency-Key": f"twin-{n}"} if keyed else {})
        start.wait()
        return client.post("/v1/orders", json=body(), headers=headers)

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(post, range(12)))
    assert Counter(a.status_code for a in answers) == {201: 1, 200: 11}, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert balance(ctx, "MUG", "W1") == (20, 1)


# ---------------------------------------------------------------- reading and listing


@pytest.fixture
def placed(client: TestClient, keys: Keys, stocked: None) -> dict[str, str]:
    web = client.post("/v1/orders", json=body("web", "W-1"), headers=bearer(keys.web)).json()["id"]
    market = client.post("/v1/orders", json=body("market", "M-1"), headers=bearer(keys.market)).json()["id"]
    return {"web": web, "market": market}


def listed(client: TestClient, key: str, query: str = "") -> list[str]:
    answer = client.get(f"/v1/orders{query}", headers=bearer(key))
    assert answer.status_code == 200, answer.text
    return [item["id"] for item in answer.json()["items"]]


def test_the_warehouse_reads_every_order_with_its_address(
    client: TestClient, keys: Keys, placed: dict[str, str]
) -> None:
    assert listed(client, keys.warehouse) == [placed["market"], placed["web"]]
    page = client.get("/v1/orders", headers=bearer(keys.warehouse)).json()
    assert page["next"] is None
    assert all(item["delivery_address"]["line1"] == "12 Harbour Road" for item in page["items"])
    one = client.get(f"/v1/orders/{placed['market']}", headers=bearer(keys.warehouse)).json()
    assert one["delivery_address"]["city"] == "Leith"


def test_a_storefront_sees_only_its_own_channels_orders(client: TestClient, keys: Keys, placed: dict[str, str]) -> None:
    assert listed(client, keys.web) == [placed["web"]]
    assert listed(client, keys.market) == [placed["market"]]
    assert listed(client, keys.web, "?external_ref=M-1") == []
    problem_of(client.get("/v1/orders?channel=market", headers=bearer(keys.web)), 403)
    problem_of(client.get(f"/v1/orders/{placed['market']}", headers=bearer(keys.web)), 403)
    assert listed(client, keys.admin) == [placed["market"], placed["web"]]


def test_the_list_pages_with_the_next_cursor(client: TestClient, ctx: Context, keys: Keys, stocked: None) -> None:
    ids = [
        orders.place_order(ctx, orders.OrderRequest("web", f"p{n}@example.com", (orders.LineRequest("MUG", 1),))).id
        for n in range(5)
    ]
    seen: list[str] = []
    query = "?limit=2"
    while True:
        page = client.get(f"/v1/orders{query}", headers=bearer(keys.warehouse)).json()
        seen += [item["id"] for item in page["items"]]
        if page["next"] is None:
            break
        query = f"?limit=2&after={page['next']}"
    assert sorted(seen) == sorted(ids)
    assert len(seen) == 5


def test_filters_reach_the_search(client: TestClient, keys: Keys, placed: dict[str, str]) -> None:
    assert listed(client, keys.admin, "?channel=web&status=open&sku=MUG&has_backorder=false") == [placed["web"]]
    assert listed(client, keys.admin, "?email=ANN@example.com&external_ref=M-1") == [placed["market"]]
    assert listed(client, keys.admin, "?delayed=true") == []
    assert listed(client, keys.admin, "?placed_from=2020-01-01T00:00:00Z&placed_to=2020-01-02T00:00") == []


@pytest.mark.parametrize(
    "query",
    [
        "?status=late",
        "?stauts=open",
        "?limit=0",
        "?limit=201",
        "?after=not-a-cursor",
        "?delayed=maybe",
        "?placed_from=yesterday",
        "?placed_from=2026-11-27T00:00:00Z&placed_to=2026-11-26T00:00:00Z",
        "?placed_from=2026-11-27",
        "?placed_to=0.5",
        "?email=nobody",
        "?channel=no%20channel",
        "?status=open&status=shipped",
    ],
)
def test_a_bad_filter_is_a_422_problem(client: TestClient, keys: Keys, query: str) -> None:
    problem_of(client.get(f"/v1/orders{query}", headers=bearer(keys.admin)), 422)
