"""The pages behind e-mail links are pages of the shop: its name, HTML, no problem+json, even for a bad link."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from restock.services import orders, subscriptions
from restock.services.context import Context
from restock.services.email_links import UNSUBSCRIBE, Claims, sign
from restock.services.selfservice import cancel_link_token
from tests.api.conftest import Keys
from tests.builders import confirmed_po, on_hand, order

SECRET = "page-test-secret"
SHOP = "Mugs & Co"


@pytest.fixture
def pages(client: TestClient) -> TestClient:
    app_ctx: Context = client.app.state.ctx  # type: ignore[attr-defined]
    notify = replace(app_ctx.settings.notify, secret_key=SECRET, shop_name=SHOP)
    client.app.state.ctx = replace(app_ctx, settings=replace(app_ctx.settings, notify=notify))  # type: ignore[attr-defined]
    return client


def _is_a_shop_page(answer: object, status: int = 200) -> str:
    assert answer.status_code == status  # type: ignore[attr-defined]
    assert answer.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    text: str = answer.text  # type: ignore[attr-defined]
    assert "Mugs &amp; Co" in text  # the shop's name, escaped
    assert "<style>" in text
    assert "http" not in text.split("<body>", 1)[1]  # no external assets, no links out
    return text


def _late(ctx: Context) -> tuple[orders.OrderView, str]:
    """13 mugs ordered, 11 from stock, 2 late: the notice's link names the waiting part and its 2 units."""
    on_hand(ctx, "MUG", "W1", 11)
    confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    placed = order(ctx, "MUG", 13, email="secret-customer@example.com")
    line = placed.lines[0]
    from restock.store.db import unit_of_work
    from restock.store.order_reads import parts_of_lines

    with unit_of_work(ctx.engine, readonly=True) as session:
        [waiting] = [p.id for p in parts_of_lines(session, [line.id])[line.id] if p.kind == "backordered"]
    return placed, cancel_link_token(line.id, ctx.clock.now(), SECRET, 14, waiting, 2)


def test_the_cancel_page_names_the_late_units_and_keeps_the_allocated_ones(
    pages: TestClient, keys: Keys, ctx: Context
) -> None:
    placed, token = _late(ctx)
    text = _is_a_shop_page(pages.get(f"/links/cancel/{token}"))
    assert "Cancel the 2 late × Mug" in text
    assert "The other 11 × Mug on your order stay." in text
    assert '<form method="post"' in text
    for private in (placed.id, "secret-customer", "ACME", "W1"):
        assert private not in text
    assert orders.show_order(ctx, placed.id).lines == placed.lines  # a GET changes nothing
    done = _is_a_shop_page(pages.post(f"/links/cancel/{token}"))
    assert "The late 2 × Mug are cancelled." in done
    [line] = orders.show_order(ctx, placed.id).lines
    assert (line.allocated, line.backordered, line.status) == (11, 0, "allocated")
    again = _is_a_shop_page(pages.get(f"/links/cancel/{token}"))
    assert "are cancelled" in again
    assert "<form" not in again


def test_an_invalid_or_expired_link_is_a_page_too(pages: TestClient, keys: Keys, ctx: Context) -> None:
    placed, _ = _late(ctx)
    expired = cancel_link_token(placed.lines[0].id, ctx.clock.now().replace(year=2020), SECRET, 14, 1, 2)
    for path in (
        f"/links/cancel/{expired}",
        "/links/cancel/not-a-token",
        "/links/unsubscribe/not-a-token",
        "/links/unsubscribe/" + sign(Claims(UNSUBSCRIBE, "1"), "another-secret"),
        "/links/stop-updates/x",
    ):
        for method in ("GET", "POST"):
            text = _is_a_shop_page(pages.request(method, path), 400)
            assert "not valid or has expired" in text
            assert "× Mug" not in text
    assert orders.show_order(ctx, placed.id).lines == placed.lines


def test_unsubscribing_asks_first_and_says_it_stops_every_alert_of_the_address(
    pages: TestClient, keys: Keys, ctx: Context
) -> None:
    from restock.services import catalog

    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "never", 30, 100)
    sub = subscriptions.subscribe(ctx, "MUG", "web", "mo@example.com")
    subscriptions.subscribe(ctx, "CUP", "web", "mo@example.com")
    token = sign(Claims(UNSUBSCRIBE, str(sub.id)), SECRET)
    asked = _is_a_shop_page(pages.get(f"/links/unsubscribe/{token}"))
    assert "This stops every restock alert to this address: the one for Mug and 1 other." in asked
    assert f'action="/links/unsubscribe/{token}"' in asked
    assert "mo@example.com" not in asked
    assert {s.status for s in subscriptions.list_subscriptions(ctx)} == {"waiting"}  # a GET changes nothing
    done = _is_a_shop_page(pages.post(f"/links/unsubscribe/{token}", content="List-Unsubscribe=One-Click"))
    assert "no more restock alerts" in done
    assert {s.status for s in subscriptions.list_subscriptions(ctx)} == {"unsubscribed"}
    after = _is_a_shop_page(pages.get(f"/links/unsubscribe/{token}"))
    assert "No restock alerts are waiting" in after


def test_a_single_alert_is_named_as_the_only_one(pages: TestClient, keys: Keys, ctx: Context) -> None:
    sub = subscriptions.subscribe(ctx, "MUG", "web", "lu@example.com")
    token = sign(Claims(UNSUBSCRIBE, str(sub.id)), SECRET)
    asked = _is_a_shop_page(pages.get(f"/links/unsubscribe/{token}"))
    assert "This stops the restock alert for Mug, the only one waiting for this address." in asked
