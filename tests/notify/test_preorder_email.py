"""A pre-order's confirmation calls it a pre-order that ships from its release, never a backorder: through a real
SMTP server (aiosmtpd), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from restock.services import catalog, orders
from restock.services.context import Context
from tests.builders import confirmed_po, on_hand, order, outbox_payloads, released_on, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import SHOP, SmtpServer, deliver, text_and_html

RELEASE = TODAY + timedelta(days=20)
AT_RELEASE = f"shipping in 20 days ({RELEASE})"
"""Its PO arrives in 8 days: the window is the release day, not the PO's 10-14 days."""


def _preorder_catalog(ctx: Context) -> None:
    standard_catalog(ctx)
    released_on(ctx, "MUG", RELEASE)
    confirmed_po(ctx, "MUG", 10, eta_in_days=8)


def _confirmation(ctx: Context, smtp: SmtpServer) -> tuple[str, str, str]:
    deliver(ctx)
    [message] = smtp.inbox.to("ann@example.com")
    text, html = text_and_html(message)
    return str(message["Subject"]), text, html


def test_a_preorders_confirmation_calls_it_a_preorder_that_ships_from_its_release(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    _preorder_catalog(mail_ctx)
    placed = order(mail_ctx, "MUG", 2, email="ann@example.com")
    subject, text, html = _confirmation(mail_ctx, smtp)
    assert subject == f"{SHOP}: order {placed.id} confirmed (pre-order)"
    assert "Pre-order (it is not released yet):" in text
    assert f"2 x Mug (MUG) ships from its release: {AT_RELEASE}" in text
    assert "backorder" not in (text + html).lower()
    assert "Ships now" not in text
    assert f"ships from its release: <strong>{AT_RELEASE}</strong>" in html
    [event] = outbox_payloads(mail_ctx, "order_placed")
    assert [line["preorder"] for line in event["lines"]] == [True]


def test_a_preorder_with_early_stock_ships_that_stock_now_and_the_rest_from_its_release(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    _preorder_catalog(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 1)
    placed = order(mail_ctx, "MUG", 3, email="ann@example.com")
    subject, text, _ = _confirmation(mail_ctx, smtp)
    assert subject == f"{SHOP}: order {placed.id} confirmed (pre-order)"  # every waiting line is a pre-order
    assert "Ships now:\n  - 1 x Mug (MUG)" in text
    assert f"2 x Mug (MUG) ships from its release: {AT_RELEASE}" in text
    assert "backorder" not in text.lower()


def test_an_order_of_a_preorder_and_a_backorder_names_each_for_what_it_is(mail_ctx: Context, smtp: SmtpServer) -> None:
    _preorder_catalog(mail_ctx)
    catalog.add_sku(mail_ctx, "CUP", "Cup")
    confirmed_po(mail_ctx, "CUP", 10, eta_in_days=10)
    lines = (orders.LineRequest("MUG", 2), orders.LineRequest("CUP", 1))
    placed = orders.place_order(mail_ctx, orders.OrderRequest("web", "ann@example.com", lines))
    subject, text, _ = _confirmation(mail_ctx, smtp)
    assert subject == f"{SHOP}: order {placed.id} confirmed (part on backorder)"
    assert "Your order is on backorder" not in text  # part of it is a pre-order
    assert "On backorder (we do not have these in stock yet):\n  - 1 x Cup (CUP): shipping in 12-16 days" in text
    assert f"Pre-order (it is not released yet):\n  - 2 x Mug (MUG) ships from its release: {AT_RELEASE}" in text


def test_a_released_products_order_is_a_backorder_in_its_confirmation(mail_ctx: Context, smtp: SmtpServer) -> None:
    """No release date: out of stock with a confirmed PO is a backorder, never a pre-order."""
    standard_catalog(mail_ctx)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=8)
    placed = order(mail_ctx, "MUG", 2, email="ann@example.com")
    subject, text, _ = _confirmation(mail_ctx, smtp)
    assert subject == f"{SHOP}: order {placed.id} confirmed (on backorder)"
    assert "Pre-order" not in text
    [event] = outbox_payloads(mail_ctx, "order_placed")
    assert [line["preorder"] for line in event["lines"]] == [False]
