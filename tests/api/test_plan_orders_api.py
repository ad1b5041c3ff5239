"""The plan through the API counts every open PO: `POST /v1/plan/purchase-orders` made twice (two requests, not
one replayed) drafts nothing the second time, and a suggestion names the open POs it counted."""

from __future__ import annotations

from fastapi.testclient import TestClient

from restock.services import purchasing
from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.api.test_plan_api import mug_history


def test_drafting_the_plan_twice_through_the_api_drafts_nothing_new(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    mug_history(ctx)
    first = client.post("/v1/plan/purchase-orders", json={}, headers=bearer(keys.admin) | {"Idempotency-Key": "a"})
    assert first.status_code == 201, first.text
    [po] = first.json()["purchase_orders"]
    again = client.post("/v1/plan/purchase-orders", json={}, headers=bearer(keys.admin) | {"Idempotency-Key": "b"})
    assert again.status_code == 201, again.text
    assert again.headers.get("Idempotent-Replayed") is None
    assert (again.json()["suggestions"], again.json()["purchase_orders"]) == ([], [])
    drafts = client.get("/v1/purchase-orders?status=draft", headers=bearer(keys.admin)).json()
    assert [d["id"] for d in drafts] == [po["id"]]


def test_a_suggestion_through_the_api_names_the_open_pos_it_counted(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    """2 MUG sent to ACME today still leave it below its reorder point: suggested, with PO 1 counted (expected in
    ACME's quoted 14 days: Dec 11)."""
    mug_history(ctx)
    sent = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 2)]).id
    purchasing.send_po(ctx, sent)
    [mug] = client.get("/v1/plan", headers=bearer(keys.warehouse)).json()["suggestions"]
    assert (mug["sku"], mug["position"], mug["open_pos"]) == ("MUG", 7, [f"PO {sent}"])
    assert f"counted open POs: PO {sent} (2 sent, expected 2026-12-11)" in mug["explanation"]
