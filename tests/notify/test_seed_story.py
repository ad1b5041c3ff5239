"""The seed's story, end to end, through the API, the worker and a real SMTP server.

A SKU is out of stock with a confirmed PO arriving in 10 days; a shopper backorders it; the supplier's
ETA slips by 5 days; the shopper gets one delay notice with the new window and cancels through its link;
a second shopper's backorder is filled on receipt and shipped; a notify-me subscriber of another SKU
hears when it is restocked.
"""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient

from restock.api.app import create_app
from restock.services import apikeys, catalog, outbox, purchasing, stock
from restock.services.context import Context
from tests.api.conftest import bearer
from tests.builders import on_day, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import PUBLIC_URL, SHOP, SmtpServer, deliver, text_and_html


def _place(client: TestClient, key: str, email: str, sku: str, quantity: int) -> str:
    body = {"channel": "web", "customer": {"email": email}, "lines": [{"sku": sku, "quantity": quantity}]}
    answer = client.post("/v1/orders", json=body, headers=bearer(key))
    assert answer.status_code == 201, answer.text
    assert answer.json()["lines"][0]["backordered"] == quantity
    return str(answer.json()["id"])


def _window(start: int, end: int) -> str:
    first, last = TODAY + timedelta(days=start), TODAY + timedelta(days=end)
    return f"shipping in {start}-{end} days ({first.isoformat()} to {last.isoformat()})"


def test_the_seed_story(mail_ctx: Context, smtp: SmtpServer) -> None:
    ctx = mail_ctx
    standard_catalog(ctx)
    catalog.add_sku(ctx, "CUP", "Espresso cup", "6.00", "never", 30, 100)
    po = purchasing.create_po(ctx, "ACME", "W1", [("MUG", 10)])
    purchasing.confirm_po(ctx, po.id, TODAY + timedelta(days=10))
    shop_key = apikeys.create_key(ctx, "storefront", "web").key

    with TestClient(create_app(ctx)) as client:
        ann = _place(client, shop_key, "ann@example.com", "MUG", 2)
        deliver(ctx)
        purchasing.change_eta(ctx, po.id, TODAY + timedelta(days=15))  # the supplier slips by 5 days
        bob = _place(client, shop_key, "bob@example.com", "MUG", 3)
        sub = client.post(
            "/v1/subscriptions",
            json={"sku": "CUP", "channel": "web", "email": "cat@example.com"},
            headers=bearer(shop_key),
        )
        assert sub.status_code == 201, sub.text
        deliver(ctx)

        # Ann: a confirmation with the honest window, then exactly one delay notice with the new one
        confirmation, notice = smtp.inbox.to("ann@example.com")
        assert _window(12, 16) in text_and_html(confirmation)[0]
        text, _ = text_and_html(notice)
        assert notice["Subject"] == f"{SHOP}: delay for Mug in order {ann}"
        assert f"We told you on {TODAY.isoformat()}: {_window(12, 16)}" in text
        assert f"Now: {_window(17, 21)}" in text
        cancel = re.search(re.escape(PUBLIC_URL) + r"(/links/cancel/\S+)", text)
        assert cancel is not None
        page = client.get(cancel.group(1))  # no API key: the link is the key, for this one line only
        assert page.status_code == 200
        assert ann not in page.text
        assert "The late 2 × Mug are cancelled." in client.post(cancel.group(1)).text  # all she ordered: both were late

        # the stock arrives on the new date: Bob's backorder is filled, then shipped
        arrival = on_day(ctx, TODAY + timedelta(days=15))
        purchasing.receive_po(arrival, po.id, [("MUG", 10)])
        stock.adjust_stock(arrival, "CUP", "W1", 6, "first delivery of cups")
        shipped = client.post(f"/v1/orders/{bob}/ship", headers=bearer(apikeys.create_key(ctx, "warehouse").key))
        assert shipped.status_code == 200, shipped.text
        deliver(arrival)

    assert [str(m["Subject"]) for m in smtp.inbox.to("ann@example.com")] == [
        f"{SHOP}: order {ann} confirmed (on backorder)",  # nothing of it was in stock
        f"{SHOP}: delay for Mug in order {ann}",
        f"{SHOP}: cancelled in order {ann}",
    ]
    bob_mail = smtp.inbox.to("bob@example.com")
    assert [str(m["Subject"]) for m in bob_mail] == [
        f"{SHOP}: order {bob} confirmed (on backorder)",
        f"{SHOP}: your Mug for order {bob} has arrived",
        f"{SHOP}: order {bob} has shipped",
    ]
    assert _window(17, 21) in text_and_html(bob_mail[0])[0]  # Bob ordered after the slip: the new date
    [alert] = smtp.inbox.to("cat@example.com")
    assert alert["Subject"] == f"{SHOP}: Espresso cup is available again"
    assert "nothing is reserved" in text_and_html(alert)[0]
    counts = outbox.outbox_counts(ctx)
    assert counts["pending"] == 0
    assert counts["dead"] == 0
