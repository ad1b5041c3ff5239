"""Notify-me, the outbox and webhooks over HTTP; the pages behind e-mail links need no key and reveal nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from restock.services import orders, purchasing, subscriptions
from restock.services.context import Context
from restock.services.email_links import CANCEL_LINE, Claims, sign
from restock.services.selfservice import cancel_link_token
from tests.api.conftest import Keys, bearer
from tests.builders import confirmed_po, order
from tests.notify.conftest import deliver

SECRET = "api-test-secret"


def _with_secret(ctx: Context) -> Context:
    from dataclasses import replace

    return replace(ctx, settings=replace(ctx.settings, notify=replace(ctx.settings.notify, secret_key=SECRET)))


def test_a_storefront_signs_up_on_its_own_channel_only(client: TestClient, keys: Keys, ctx: Context) -> None:
    body = {"sku": "MUG", "channel": "web", "email": "kim@example.com"}
    first = client.post("/v1/subscriptions", json=body, headers=bearer(keys.web))
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "waiting"
    again = client.post("/v1/subscriptions", json=body, headers=bearer(keys.web))
    assert again.json()["id"] == first.json()["id"]
    assert client.post("/v1/subscriptions", json=body, headers=bearer(keys.market)).status_code == 403
    assert client.post("/v1/subscriptions", json={**body, "x": 1}, headers=bearer(keys.web)).status_code == 422
    assert client.post("/v1/subscriptions", json={**body, "email": "nope"}, headers=bearer(keys.web)).status_code == 422
    assert client.post("/v1/subscriptions", json=body).status_code == 401
    assert len(subscriptions.list_subscriptions(ctx)) == 1


def test_signing_up_for_a_buyable_sku_is_a_conflict(client: TestClient, keys: Keys, ctx: Context) -> None:
    from tests.builders import on_hand

    on_hand(ctx, "MUG", "W1", 1)
    answer = client.post(
        "/v1/subscriptions", json={"sku": "MUG", "channel": "web", "email": "lu@example.com"}, headers=bearer(keys.web)
    )
    assert answer.status_code == 409
    assert answer.headers["content-type"].startswith("application/problem+json")


def _waiting_line(ctx: Context) -> tuple[str, int]:
    confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    placed = order(ctx, "MUG", 2, email="secret-customer@example.com")
    return placed.id, placed.lines[0].id


def test_the_cancel_link_page_cancels_one_line_once_without_a_key(client: TestClient, keys: Keys, ctx: Context) -> None:
    client.app.state.ctx = _with_secret(client.app.state.ctx)  # type: ignore[attr-defined]
    order_id, line_id = _waiting_line(ctx)
    token = cancel_link_token(line_id, ctx.clock.now(), SECRET, 14)

    page = client.get(f"/links/cancel/{token}")
    assert page.status_code == 200
    assert "Cancel the 2 × Mug that are late" in page.text  # a link from before partial cancels: the waiting units
    assert '<form method="post"' in page.text
    for private in (order_id, "secret-customer", "ACME", "W1"):
        assert private not in page.text
    assert orders.show_order(ctx, order_id).lines[0].status == "backordered"  # a GET changes nothing

    done = client.post(f"/links/cancel/{token}")
    assert done.status_code == 200
    assert "are cancelled" in done.text
    assert orders.show_order(ctx, order_id).lines[0].status == "cancelled"
    again = client.post(f"/links/cancel/{token}")
    assert "are cancelled" in again.text
    cancelled = [t for t in _topics(ctx) if t == "order_cancelled"]
    assert len(cancelled) == 1  # once


def _topics(ctx: Context) -> list[str]:
    from tests.builders import outbox_topics

    return outbox_topics(ctx)


def test_a_bad_or_expired_cancel_link_reveals_nothing(client: TestClient, keys: Keys, ctx: Context) -> None:
    client.app.state.ctx = _with_secret(client.app.state.ctx)  # type: ignore[attr-defined]
    order_id, line_id = _waiting_line(ctx)
    expired = cancel_link_token(line_id, ctx.clock.now() - timedelta(days=15), SECRET, 14)
    forged = sign(Claims(CANCEL_LINE, str(line_id), None), "someone-elses-secret")
    for token in (expired, forged):
        for answer in (client.get(f"/links/cancel/{token}"), client.post(f"/links/cancel/{token}")):
            assert answer.status_code == 400
            assert "not valid or has expired" in answer.text
            assert "Mug" not in answer.text
    assert client.get("/links/cancel/not-a-token").status_code == 400  # the same page, never problem+json
    assert orders.show_order(ctx, order_id).lines[0].status == "backordered"


def test_a_line_that_got_its_stock_cannot_be_cancelled_by_link(client: TestClient, keys: Keys, ctx: Context) -> None:
    client.app.state.ctx = _with_secret(client.app.state.ctx)  # type: ignore[attr-defined]
    order_id, line_id = _waiting_line(ctx)
    purchasing.receive_po(ctx, purchasing.list_pos(ctx)[0].id, [("MUG", 10)])
    token = cancel_link_token(line_id, ctx.clock.now(), SECRET, 14)
    answer = client.post(f"/links/cancel/{token}")
    assert "ready to ship" in answer.text
    assert orders.show_order(ctx, order_id).lines[0].status == "allocated"


def test_unsubscribe_is_one_click_without_a_key(client: TestClient, keys: Keys, ctx: Context) -> None:
    client.app.state.ctx = _with_secret(client.app.state.ctx)  # type: ignore[attr-defined]
    sub = subscriptions.subscribe(ctx, "MUG", "web", "mo@example.com")
    from restock.services.email_links import UNSUBSCRIBE

    token = sign(Claims(UNSUBSCRIBE, str(sub.id)), SECRET)
    answer = client.post(f"/links/unsubscribe/{token}", content="List-Unsubscribe=One-Click")
    assert answer.status_code == 200
    assert "Stopped: we will not send the restock alert that was waiting for this address." in answer.text
    assert "mo@example.com" not in answer.text
    assert subscriptions.list_subscriptions(ctx)[0].status == "unsubscribed"


def test_admins_see_dead_messages_and_retry_them(client: TestClient, keys: Keys, ctx: Context) -> None:
    from dataclasses import replace

    from tests.notify.conftest import free_port

    broken = replace(
        ctx,
        settings=replace(
            ctx.settings,
            notify=replace(
                ctx.settings.notify,
                smtp_host="127.0.0.1",
                smtp_port=free_port(),
                smtp_starttls=False,
                outbox_max_attempts=1,
            ),
        ),
    )
    from tests.builders import on_hand

    on_hand(ctx, "MUG", "W1", 1)
    order(ctx, "MUG", 1)
    deliver(broken)
    listed = client.get("/v1/outbox?status=dead", headers=bearer(keys.admin))
    assert listed.status_code == 200
    [dead] = listed.json()["messages"]
    assert dead["status"] == "dead"
    assert listed.json()["counts"]["dead"] == 1
    assert client.get("/v1/outbox", headers=bearer(keys.warehouse)).status_code == 403
    assert client.post(f"/v1/outbox/{dead['id']}/retry", headers=bearer(keys.web)).status_code == 403
    retried = client.post(f"/v1/outbox/{dead['id']}/retry", headers=bearer(keys.admin))
    assert retried.status_code == 200
    assert retried.json()["status"] == "pending"
    assert client.post(f"/v1/outbox/{dead['id']}/retry", headers=bearer(keys.admin)).status_code == 409
    assert client.post("/v1/outbox/999999/retry", headers=bearer(keys.admin)).status_code == 404


def test_admins_register_webhooks_and_see_their_attempts(client: TestClient, keys: Keys) -> None:
    body = {"url": "https://erp.example.com/hooks", "events": ["backorder.delayed"]}
    created = client.post("/v1/webhooks", json=body, headers=bearer(keys.admin))
    assert created.status_code == 201, created.text
    assert re.fullmatch(r"whsec_[0-9a-f]{48}", created.json()["secret"])
    hook_id = created.json()["id"]
    listed = client.get("/v1/webhooks", headers=bearer(keys.admin)).json()
    assert [h["id"] for h in listed] == [hook_id]
    assert "secret" not in listed[0] or listed[0]["secret"] is None
    shown = client.get(f"/v1/webhooks/{hook_id}", headers=bearer(keys.admin))
    assert shown.json()["attempts"] == []
    assert client.post("/v1/webhooks", json=body, headers=bearer(keys.web)).status_code == 403
    bad = client.post("/v1/webhooks", json={**body, "events": ["nope"]}, headers=bearer(keys.admin))
    assert bad.status_code == 422
    assert client.post(f"/v1/webhooks/{hook_id}/disable", headers=bearer(keys.admin)).json()["disabled"] is True
    assert client.get("/v1/webhooks/424242", headers=bearer(keys.admin)).status_code == 404


def test_registering_a_webhook_twice_with_one_idempotency_key_registers_it_once(client: TestClient, keys: Keys) -> None:
    headers = {**bearer(keys.admin), "Idempotency-Key": "hook-1"}
    body = {"url": "https://erp.example.com/hooks"}
    first = client.post("/v1/webhooks", json=body, headers=headers)
    again = client.post("/v1/webhooks", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json() == first.json()
    assert len(client.get("/v1/webhooks", headers=bearer(keys.admin)).json()) == 1
