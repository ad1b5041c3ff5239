"""E-mails through a real SMTP server: the right message, valid MIME with both parts, the right windows and links."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from restock.domain.errors import InvalidInput
from restock.services import catalog, orders, purchasing, selfservice, stock, subscriptions, updates
from restock.services.context import Context
from tests.builders import confirmed_po, on_day, on_hand, order, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import PUBLIC_URL, SHOP, SmtpServer, deliver, text_and_html


def _backorder_story(ctx: Context) -> orders.OrderView:
    """3 mugs on hand, 10 on a PO confirmed for in 10 days; the shopper orders 5: 3 ship now, 2 wait."""
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 3)
    confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    return order(ctx, "MUG", 5, email="ann@example.com")


def _link(text: str, path: str) -> str:
    found = re.search(re.escape(PUBLIC_URL) + re.escape(path) + r"[A-Za-z0-9_\-.]+", text)
    assert found, f"no {path} link in:\n{text}"
    return found.group(0)


def test_order_confirmation_says_what_ships_now_and_when_the_backorder_ships(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    placed = _backorder_story(mail_ctx)
    deliver(mail_ctx)

    [confirmation] = smtp.inbox.to("ann@example.com")
    assert confirmation["Subject"] == f"{SHOP}: order {placed.id} confirmed (part on backorder)"
    assert SHOP in str(confirmation["From"])
    assert "shop@mugs.example" in str(confirmation["From"])
    assert str(confirmation["X-Restock-Dedup-Key"]).startswith("email:")
    assert re.fullmatch(r"<[0-9a-f]{40}@restock>", str(confirmation["Message-ID"]))
    text, html = text_and_html(confirmation)
    # the PO arrives in 10 days, 2 handling days, 4 days of default lateness: 12-16 days from today
    first, last = TODAY + timedelta(days=12), TODAY + timedelta(days=16)
    window = f"shipping in 12-16 days ({first.isoformat()} to {last.isoformat()})"
    assert "Ships now:\n  - 3 x Mug (MUG)" in text
    assert f"2 x Mug (MUG): {window}" in text
    assert window in html
    assert "3 &times; Mug" in html
    assert "transactional" in text
    assert confirmation["List-Unsubscribe"] is None


def test_an_order_from_stock_alone_has_no_backorder_section(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 5)
    placed = order(mail_ctx, "MUG", 2, email="bob@example.com")
    deliver(mail_ctx)
    [confirmation] = smtp.inbox.to("bob@example.com")
    text, _ = text_and_html(confirmation)
    assert confirmation["Subject"] == f"{SHOP}: order {placed.id} confirmed"
    assert "backorder" not in text.lower()


def test_a_slipped_eta_sends_one_delay_notice_with_both_windows_and_a_cancel_link(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    placed = _backorder_story(mail_ctx)
    po = purchasing.list_pos(mail_ctx)[0]
    purchasing.change_eta(mail_ctx, po.id, TODAY + timedelta(days=15))
    deliver(mail_ctx)

    notices = [m for m in smtp.inbox.to("ann@example.com") if "delay" in str(m["Subject"])]
    assert len(notices) == 1
    text, html = text_and_html(notices[0])
    assert "We are sorry" in text
    old = f"({(TODAY + timedelta(days=12)).isoformat()} to {(TODAY + timedelta(days=16)).isoformat()})"
    new = f"({(TODAY + timedelta(days=17)).isoformat()} to {(TODAY + timedelta(days=21)).isoformat()})"
    assert f"We told you on {TODAY.isoformat()}: shipping in 12-16 days {old}" in text
    assert f"Now: shipping in 17-21 days {new}" in text
    cancel_url = _link(text, "/links/cancel/")
    assert cancel_url in html
    token = urlsplit(cancel_url).path.rsplit("/", 1)[1]
    view = selfservice.cancel_by_link(mail_ctx, token)
    assert view.state == "cancelled"
    assert view.sku_name == "Mug"
    assert view.quantity == 2  # the late units the notice named; the 3 allocated stay and ship
    [line] = orders.show_order(mail_ctx, placed.id).lines
    assert (line.status, line.allocated, line.backordered, line.cancelled) == ("allocated", 3, 0, 2)


def test_a_second_slip_sends_a_second_notice_that_says_again(mail_ctx: Context, smtp: SmtpServer) -> None:
    _backorder_story(mail_ctx)
    po = purchasing.list_pos(mail_ctx)[0]
    purchasing.change_eta(mail_ctx, po.id, TODAY + timedelta(days=15))
    deliver(mail_ctx)
    purchasing.change_eta(mail_ctx, po.id, TODAY + timedelta(days=20))
    deliver(mail_ctx)
    subjects = [str(m["Subject"]) for m in smtp.inbox.to("ann@example.com")]
    assert subjects.count(f"{SHOP}: delay for Mug in order {order_id(mail_ctx)}") == 1
    assert subjects.count(f"{SHOP}: another delay for Mug in order {order_id(mail_ctx)}") == 1


def order_id(ctx: Context) -> str:
    from tests.builders import outbox_payloads

    return str(outbox_payloads(ctx, "order_placed")[0]["id"])


def test_cancel_link_expires_and_cannot_be_forged(mail_ctx: Context, smtp: SmtpServer) -> None:
    _backorder_story(mail_ctx)
    po = purchasing.list_pos(mail_ctx)[0]
    purchasing.change_eta(mail_ctx, po.id, TODAY + timedelta(days=15))
    deliver(mail_ctx)
    [notice] = [m for m in smtp.inbox.to("ann@example.com") if "delay" in str(m["Subject"])]
    token = _link(text_and_html(notice)[0], "/links/cancel/").rsplit("/", 1)[1]
    later = on_day(mail_ctx, TODAY + timedelta(days=15))  # RESTOCK_CANCEL_LINK_DAYS is 14
    for bad_ctx, bad_token in [(later, token), (mail_ctx, token[:-3] + "AAA"), (mail_ctx, "x" + token)]:
        with pytest.raises(InvalidInput, match="not valid or has expired"):
            selfservice.cancel_by_link(bad_ctx, bad_token)
    assert orders.show_order(mail_ctx, order_id(mail_ctx)).lines[0].status == "backordered"


def test_filled_and_shipped_backorders_are_announced(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    catalog.add_sku(mail_ctx, "CUP", "Espresso cup", "6.00", "confirmed", 30, 100)
    on_hand(mail_ctx, "CUP", "W1", 5)
    po = confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    request = orders.OrderRequest(
        "web", "ann@example.com", (orders.LineRequest("MUG", 2), orders.LineRequest("CUP", 1))
    )
    placed = orders.place_order(mail_ctx, request)
    orders.ship_order(mail_ctx, placed.id)  # the cup leaves first
    purchasing.receive_po(mail_ctx, po, [("MUG", 10)])
    orders.ship_order(mail_ctx, placed.id)
    deliver(mail_ctx)

    assert smtp.inbox.subjects() == [
        f"{SHOP}: order {placed.id} confirmed (part on backorder)",
        f"{SHOP}: order {placed.id} has shipped",
        f"{SHOP}: your Mug for order {placed.id} has arrived",
        f"{SHOP}: order {placed.id} has shipped",
    ]
    first_shipment = text_and_html(smtp.inbox.messages[1])[0]
    assert "1 x Espresso cup (CUP)" in first_shipment
    assert "Still on backorder" in first_shipment
    assert "2 x Mug (MUG): shipping in 12-16 days" in first_shipment
    filled = text_and_html(smtp.inbox.messages[2])[0]
    assert "2 x Mug (MUG)" in filled
    assert "reserved for you" in filled
    second_shipment = text_and_html(smtp.inbox.messages[3])[0]
    assert "2 x Mug (MUG)" in second_shipment
    assert "Still on backorder" not in second_shipment


def test_back_in_stock_alert_has_a_working_one_click_unsubscribe(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    subscriptions.subscribe(mail_ctx, "MUG", "web", "cat@example.com")
    stock.adjust_stock(mail_ctx, "MUG", "W1", 4, "found in the back")
    deliver(mail_ctx)

    [alert] = smtp.inbox.to("cat@example.com")
    assert alert["Subject"] == f"{SHOP}: Mug is available again"
    text, html = text_and_html(alert)
    assert "it is in stock now" in text
    assert "nothing is reserved" in text
    unsubscribe = _link(text, "/links/unsubscribe/")
    assert alert["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert alert["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in html
    subscriptions.subscribe(mail_ctx, "MUG", "market", "cat@example.com")  # waiting on another channel
    assert subscriptions.unsubscribe_by_link(mail_ctx, unsubscribe.rsplit("/", 1)[1]) == 1  # the one still waiting
    statuses = {s.channel: s.status for s in subscriptions.list_subscriptions(mail_ctx)}
    assert statuses == {"web": "notified", "market": "unsubscribed"}  # the sent alert stays sent


def test_still_waiting_update_after_a_quiet_week_and_its_stop_link(mail_ctx: Context, smtp: SmtpServer) -> None:
    placed = _backorder_story(mail_ctx)
    assert updates.send_still_waiting_updates(on_day(mail_ctx, TODAY + timedelta(days=6))) == 0
    week_later = on_day(mail_ctx, TODAY + timedelta(days=7, hours=23))
    assert updates.send_still_waiting_updates(week_later) == 1
    assert updates.send_still_waiting_updates(week_later) == 0  # told: the quiet stretch starts again
    deliver(mail_ctx)

    [update] = [m for m in smtp.inbox.to("ann@example.com") if "still on its way" in str(m["Subject"])]
    text, _ = text_and_html(update)
    assert placed.id in text
    assert "the date holds: shipping in" in text
    stop = _link(text, "/links/stop-updates/")
    assert update["List-Unsubscribe"] == f"<{stop}>"
    selfservice.stop_updates_by_link(mail_ctx, stop.rsplit("/", 1)[1])
    assert updates.send_still_waiting_updates(on_day(mail_ctx, TODAY + timedelta(days=30))) == 0


def test_a_delay_notice_resets_the_quiet_stretch(mail_ctx: Context, smtp: SmtpServer) -> None:
    _backorder_story(mail_ctx)
    po = purchasing.list_pos(mail_ctx)[0]
    five_days_on = on_day(mail_ctx, TODAY + timedelta(days=5))
    purchasing.change_eta(five_days_on, po.id, TODAY + timedelta(days=15))
    deliver(five_days_on)
    assert updates.send_still_waiting_updates(on_day(mail_ctx, TODAY + timedelta(days=8))) == 0
    assert updates.send_still_waiting_updates(on_day(mail_ctx, TODAY + timedelta(days=13))) == 1


def test_merchant_templates_override_the_built_in_ones(mail_ctx: Context, smtp: SmtpServer, tmp_path: object) -> None:
    from dataclasses import replace
    from pathlib import Path

    folder = Path(str(tmp_path)) / "templates"
    folder.mkdir()
    (folder / "order_confirmation.subject.txt").write_text("Danke! {{ order_id }}")
    custom = replace(
        mail_ctx,
        settings=replace(mail_ctx.settings, notify=replace(mail_ctx.settings.notify, templates_dir=str(folder))),
    )
    placed = _backorder_story(custom)
    deliver(custom)
    [confirmation] = smtp.inbox.to("ann@example.com")
    assert confirmation["Subject"] == f"Danke! {placed.id}"
    assert "Ships now" in text_and_html(confirmation)[0]  # the other files are still the built-in ones


def test_without_smtp_host_e_mails_are_written_as_eml_files(ctx: Context, tmp_path: object) -> None:
    from dataclasses import replace
    from email import message_from_bytes
    from email.policy import default
    from pathlib import Path

    folder = Path(str(tmp_path)) / "mail"
    folder_ctx = replace(ctx, settings=replace(ctx.settings, notify=replace(ctx.settings.notify, mail_dir=str(folder))))
    catalog.add_warehouse(folder_ctx, "W1", "Main")
    catalog.add_channel(folder_ctx, "web", ["W1"])
    catalog.add_sku(folder_ctx, "MUG", "Mug", "12.50", "confirmed", 30, 100)
    on_hand(folder_ctx, "MUG", "W1", 2)
    order(folder_ctx, "MUG", 1, email="dan@example.com")
    deliver(folder_ctx)
    [eml] = list(folder.glob("*.eml"))
    parsed = message_from_bytes(eml.read_bytes(), policy=default)
    assert parsed["To"] == "dan@example.com"
    assert parsed.is_multipart()


def test_non_ascii_names_travel_encoded_and_arrive_intact(ctx: Context, smtp: SmtpServer) -> None:
    from tests.notify.conftest import with_mail

    umlauts = with_mail(ctx, smtp, shop_name="Töpferei Müller")
    catalog.add_warehouse(umlauts, "W1", "Lager")
    catalog.add_channel(umlauts, "web", ["W1"])
    catalog.add_sku(umlauts, "TASSE", "Tasse – grün", "9.00", "confirmed", 30, 100)
    on_hand(umlauts, "TASSE", "W1", 1)
    placed = order(umlauts, "TASSE", 1, email="jörg@example.com".replace("ö", "o"))
    deliver(umlauts)
    [confirmation] = smtp.inbox.messages
    assert confirmation["Subject"] == f"Töpferei Müller: order {placed.id} confirmed"
    assert "Töpferei Müller" in str(confirmation["From"])
    text, html = text_and_html(confirmation)
    assert "1 x Tasse – grün (TASSE)" in text
    assert "Tasse – grün" in html
