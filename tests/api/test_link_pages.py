"""The pages behind e-mail links are pages of the shop: its name, HTML, no problem+json, even for a bad link."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from restock.services import orders, subscriptions
from restock.services.context import Context
from restock.services.email_links import UNSUBSCRIBE, Claims, sign
from restock.services.selfservice import cancel_link_token
from tests.api.conftest import Keys
from tests.builders import confirmed_po, on_hand, order
from tests.notify import conftest as mail
from tests.notify.conftest import PUBLIC_URL, SmtpServer, deliver, text_and_html, with_mail

SECRET = "page-test-secret"
SHOP = "Mugs & Co"
smtp = mail.smtp  # a real SMTP server: the alerts whose links these pages answer are sent through it


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
        assert private not in text.replace(token, "")  # a random token may hold "W1" by chance
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


def _alert_link(pages: TestClient, ctx: Context, smtp: SmtpServer, to: str) -> str:
    """Mugs come back in stock on the web: the alert is sent through the SMTP server, and its unsubscribe link read
    from it, as a customer clicks it: after the alert was marked as sent."""
    mail_ctx = with_mail(ctx, smtp, secret_key=SECRET, shop_name=SHOP)
    on_hand(mail_ctx, "MUG", "W1", 4)
    deliver(mail_ctx)
    [alert] = [m for m in smtp.inbox.to(to) if "available again" in str(m["Subject"])]
    found = re.search(re.escape(PUBLIC_URL) + r"(/links/unsubscribe/[A-Za-z0-9_\-.]+)", text_and_html(alert)[0])
    assert found is not None
    return found.group(1)


def _statuses(ctx: Context) -> dict[tuple[str, str], str]:
    return {(s.sku, s.channel): s.status for s in subscriptions.list_subscriptions(ctx)}


def test_the_unsubscribe_page_of_a_sent_alert_names_the_other_alerts_it_stops(
    pages: TestClient, keys: Keys, ctx: Context, smtp: SmtpServer
) -> None:
    from restock.services import catalog

    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "never", 30, 100)
    for sku, channel in (("MUG", "web"), ("CUP", "web"), ("MUG", "market")):
        subscriptions.subscribe(ctx, sku, channel, "mo@example.com")
    link = _alert_link(pages, ctx, smtp, "mo@example.com")
    assert _statuses(ctx)[("MUG", "web")] == "notified"  # the link's own alert: sent before anyone can click

    asked = _is_a_shop_page(pages.get(link))
    assert "Your restock alert for Mug was sent." in asked
    assert "This stops the 2 other restock alerts waiting for this address, for Cup and Mug." in asked
    assert "Alerts you sign up for later are not affected." in asked
    assert f'action="{link}"' in asked
    assert "mo@example.com" not in asked
    assert "only one" not in asked
    assert set(_statuses(ctx).values()) == {"notified", "waiting"}  # a GET changes nothing

    done = _is_a_shop_page(pages.post(link, content="List-Unsubscribe=One-Click"))
    assert "Stopped: we will send none of the 2 restock alerts that were waiting for this address." in done
    assert _statuses(ctx) == {
        ("MUG", "web"): "notified",  # sent, and stays so
        ("CUP", "web"): "unsubscribed",
        ("MUG", "market"): "unsubscribed",
    }
    after = _is_a_shop_page(pages.get(link))
    assert "No other restock alerts are waiting for this address: there is nothing left to stop." in after
    assert "<form" not in after
    assert "nothing to stop" in _is_a_shop_page(pages.post(link))


def test_the_unsubscribe_page_of_a_sent_alert_with_one_other_waiting_names_that_one(
    pages: TestClient, keys: Keys, ctx: Context, smtp: SmtpServer
) -> None:
    from restock.services import catalog

    catalog.add_sku(ctx, "CUP", "Cup", "4.00", "never", 30, 100)
    subscriptions.subscribe(ctx, "MUG", "web", "lu@example.com")
    subscriptions.subscribe(ctx, "CUP", "web", "lu@example.com")
    link = _alert_link(pages, ctx, smtp, "lu@example.com")
    asked = _is_a_shop_page(pages.get(link))
    assert "Your restock alert for Mug was sent." in asked
    assert "This stops the other restock alert waiting for this address, for Cup." in asked
    done = _is_a_shop_page(pages.post(link))
    assert "Stopped: we will not send the restock alert that was waiting for this address." in done
    assert _statuses(ctx) == {("MUG", "web"): "notified", ("CUP", "web"): "unsubscribed"}


def test_the_unsubscribe_page_of_a_sent_alert_with_none_other_waiting_has_nothing_to_stop(
    pages: TestClient, keys: Keys, ctx: Context, smtp: SmtpServer
) -> None:
    subscriptions.subscribe(ctx, "MUG", "web", "al@example.com")
    link = _alert_link(pages, ctx, smtp, "al@example.com")
    asked = _is_a_shop_page(pages.get(link))
    assert "Your restock alert for Mug was sent." in asked
    assert "there is nothing left to stop" in asked
    assert "<form" not in asked
