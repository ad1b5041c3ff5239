"""Every changing POST honours Idempotency-Key, not only the creating ones (issue 11): a retried cancel, ship,
PO step or outbox retry has one effect and gets the first answer, where without a key the retry would be a 409
for something that succeeded."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from restock.services.context import Context
from tests.api.conftest import Keys, bearer
from tests.api.test_api import order_body
from tests.builders import balance, confirmed_po, on_hand, outbox_topics


def _twice(client: TestClient, path: str, key: str, headers: dict[str, str], body: object = None) -> list[object]:
    sent = {**headers, "Idempotency-Key": key}
    answers = [client.post(path, json=body, headers=sent) for _ in range(2)]
    return answers


def test_a_retried_cancel_with_its_key_cancels_once_and_replays_the_answer(
    client: TestClient, ctx: Context, keys: Keys
) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    placed = client.post("/v1/orders", json=order_body(quantity=2), headers=bearer(keys.web)).json()
    first, again = _twice(client, f"/v1/orders/{placed['id']}/cancel", "cancel-1", bearer(keys.admin))
    assert (first.status_code, again.status_code) == (200, 200)  # type: ignore[attr-defined]
    assert again.json() == first.json()  # type: ignore[attr-defined]
    assert again.headers.get("Idempotent-Replayed") == "true"  # type: ignore[attr-defined]
    assert outbox_topics(ctx).count("order_cancelled") == 1
    assert balance(ctx, "MUG", "W1") == (5, 0)


def test_a_retried_ship_with_its_key_ships_once(client: TestClient, ctx: Context, keys: Keys) -> None:
    on_hand(ctx, "MUG", "W1", 5)
    placed = client.post("/v1/orders", json=order_body(quantity=2), headers=bearer(keys.web)).json()
    first, again = _twice(client, f"/v1/orders/{placed['id']}/ship", "ship-1", bearer(keys.warehouse))
    assert (first.status_code, again.status_code) == (200, 200)  # type: ignore[attr-defined]
    assert balance(ctx, "MUG", "W1") == (3, 0)


def test_a_retried_eta_change_with_its_key_moves_the_date_once(client: TestClient, ctx: Context, keys: Keys) -> None:
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=5)
    eta = {"eta": (ctx.clock.today() + timedelta(days=9)).isoformat()}
    first, again = _twice(client, f"/v1/purchase-orders/{po}/eta", "eta-1", bearer(keys.admin), eta)
    assert (first.status_code, again.status_code) == (200, 200)  # type: ignore[attr-defined]
    history = client.get(f"/v1/purchase-orders/{po}", headers=bearer(keys.admin)).json()["eta_history"]
    assert len(history) == 2  # confirmed, then moved once


def test_the_same_key_on_another_po_step_is_refused(client: TestClient, ctx: Context, keys: Keys) -> None:
    po = confirmed_po(ctx, "MUG", 10, eta_in_days=5)
    eta = {"eta": (ctx.clock.today() + timedelta(days=9)).isoformat()}
    headers = {**bearer(keys.admin), "Idempotency-Key": "step-1"}
    assert client.post(f"/v1/purchase-orders/{po}/eta", json=eta, headers=headers).status_code == 200
    later = {"eta": (ctx.clock.today() + timedelta(days=12)).isoformat()}
    assert client.post(f"/v1/purchase-orders/{po}/eta", json=later, headers=headers).status_code == 422


def test_an_order_key_of_200_characters_is_accepted_and_replayed(client: TestClient, ctx: Context, keys: Keys) -> None:
    """The order row stores the key prefixed by the caller's: a long client key is hashed to fit, never refused."""
    on_hand(ctx, "MUG", "W1", 5)
    for length in (195, 200):
        headers = {**bearer(keys.web), "Idempotency-Key": "k" * length}
        first = client.post("/v1/orders", json=order_body(quantity=1), headers=headers)
        again = client.post("/v1/orders", json=order_body(quantity=1), headers=headers)
        assert first.status_code == 201, first.text
        assert (again.status_code, again.json()["id"]) == (201, first.json()["id"])
    assert balance(ctx, "MUG", "W1") == (5, 2)


def test_a_claim_left_in_flight_by_an_older_version_is_no_answer_and_the_work_runs_once(ctx: Context) -> None:
    """Before migration 0008 a key was claimed `in_flight` in a transaction of its own; such a leftover (its process
    died) must not block the key for ever, nor be replayed: the retry does the work and records the answer."""
    from restock.services import idempotency
    from restock.store.db import unit_of_work
    from restock.store.schema import IdempotencyRecord

    with unit_of_work(ctx.engine) as session:
        session.add(IdempotencyRecord(scope="1:x:k", request_hash="h", state="in_flight", created_at=ctx.clock.now()))
    runs: list[int] = []

    def produce() -> dict[str, int]:
        runs.append(1)
        return {"n": len(runs)}

    first = idempotency.run_once(ctx, "1:x:k", "h", 201, produce)
    again = idempotency.run_once(ctx, "1:x:k", "h", 201, produce)
    assert (first.outcome, first.result) == (idempotency.Outcome.DONE, {"n": 1})
    assert (again.outcome, again.response) == (idempotency.Outcome.REPLAY, '{"n": 1}')
    assert runs == [1]
