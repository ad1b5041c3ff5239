"""`POST /v1/imports/{kind}` and `GET /v1/exports/{kind}`: CSV in and out over HTTP, admin only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.builders import balance, confirmed_po, order

CSV = {"Content-Type": "text/csv"}
SKUS = "code,name,price\nCUP,Cup,3.50\nMUG,Mug,12.50\n"


def test_an_import_says_what_it_did_and_the_export_reads_it_back(client: TestClient, keys: Keys) -> None:
    response = client.post("/v1/imports/skus", content=SKUS, headers={**bearer(keys.admin), **CSV})
    assert response.status_code == 200, response.text
    assert response.json() == {"kind": "skus", "rows": 2, "created": 1, "updated": 0, "unchanged": 1, "movements": 0}
    exported = client.get("/v1/exports/skus", headers=bearer(keys.admin))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[1] == "CUP,Cup,3.50,confirmed,30,100,,"


def test_a_bad_file_is_a_422_listing_every_error_and_changes_nothing(client: TestClient, keys: Keys) -> None:
    body = "sku,warehouse,counted\nMUG,W1,lots\nGHOST,W1,3\nMUG,W9,-2\n"
    before = client.get("/v1/stock/movements", headers=bearer(keys.admin)).json()
    response = client.post("/v1/imports/stock", content=body, headers={**bearer(keys.admin), **CSV})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"].endswith("/import_refused")
    assert problem["detail"] == "the file has 4 errors; nothing was imported"
    assert [(e["line"], e["column"]) for e in problem["errors"]] == [
        (2, "counted"),
        (3, "sku"),
        (4, "counted"),
        (4, "warehouse"),
    ]
    assert all(e["why"] for e in problem["errors"])
    assert client.get("/v1/stock/movements", headers=bearer(keys.admin)).json() == before


def test_a_count_over_http_fills_waiting_backorders(client: TestClient, ctx: Context, keys: Keys) -> None:
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)
    order(ctx, "MUG", 3)
    response = client.post(
        "/v1/imports/stock", content="sku,warehouse,counted\nMUG,W1,4\n", headers={**bearer(keys.admin), **CSV}
    )
    assert response.json()["movements"] == 2
    assert balance(ctx, "MUG", "W1") == (4, 3)


def test_the_same_idempotency_key_imports_once_and_replays_the_answer(client: TestClient, keys: Keys) -> None:
    headers = {**bearer(keys.admin), **CSV, "Idempotency-Key": "import-1"}
    first = client.post("/v1/imports/skus", content=SKUS, headers=headers)
    again = client.post("/v1/imports/skus", content=SKUS, headers=headers)
    assert first.json()["created"] == 1
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = client.post("/v1/imports/skus", content=SKUS + "PLATE,Plate,1.00\n", headers=headers)
    assert other.status_code == 422
    assert other.json()["type"].endswith("/idempotency_key_reused")


def test_a_refused_import_is_replayed_with_its_errors_under_its_key(client: TestClient, keys: Keys) -> None:
    headers = {**bearer(keys.admin), **CSV, "Idempotency-Key": "bad-1"}
    first = client.post("/v1/imports/skus", content="code,price\nCUP,abc\n", headers=headers)
    again = client.post("/v1/imports/skus", content="code,price\nCUP,abc\n", headers=headers)
    assert first.status_code == again.status_code == 422
    assert (
        again.json()["errors"]
        == first.json()["errors"]
        == [{"line": 2, "column": "price", "why": "invalid price 'abc'"}]
    )


def test_every_kind_exports_as_csv_with_its_header(client: TestClient, ctx: Context, keys: Keys) -> None:
    headers = {
        "skus": "code,name,price,backorder_policy,max_wait_days,backorder_limit_pct,release_date,product_url",
        "stock": "sku,warehouse,counted",
        "orders": "id,channel,external_ref,email,placed_at,status,sku,quantity,allocated,backordered,shipped,cancelled",
        "purchase-orders": "reference,supplier,warehouse,status,eta,eta_confirmed,sku,ordered,received",
    }
    for kind, header in headers.items():
        response = client.get(f"/v1/exports/{kind}", headers=bearer(keys.admin))
        assert response.status_code == 200, response.text
        assert response.text.splitlines()[0] == header


def test_an_unknown_kind_is_a_422(client: TestClient, keys: Keys) -> None:
    assert client.post("/v1/imports/orders", content="id\n", headers={**bearer(keys.admin), **CSV}).status_code == 422
    assert client.get("/v1/exports/customers", headers=bearer(keys.admin)).status_code == 422


def test_a_file_over_the_body_limit_is_refused_before_it_is_read(client: TestClient, keys: Keys) -> None:
    body = "code,name\n" + "".join(f"S{i},{'x' * 90}\n" for i in range(12_000))
    response = client.post("/v1/imports/skus", content=body, headers={**bearer(keys.admin), **CSV})
    assert response.status_code == 413
    assert client.get("/v1/skus", headers=bearer(keys.admin)).json()[0]["code"] == "MUG"
