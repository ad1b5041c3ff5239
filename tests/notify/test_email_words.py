"""The words of the e-mails, checked against the order's state: through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from importlib.resources import files
from pathlib import Path

from sqlalchemy import select, update

from restock.services import catalog, catalog_edits, orders, purchasing, stock, subscriptions, updates
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import Order, OutboxMessage, Sku
from tests.builders import confirmed_po, on_day, on_hand, order, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import PUBLIC_URL, SHOP, SmtpServer, deliver, text_and_html, with_mail

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _backorder_story(ctx: Context) -> orders.OrderView:
    """3 mugs on hand, 10 on a PO confirmed for in 10 days; the shopper orders 5: 3 ship now, 2 wait (12-16 days)."""
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 3)
    confirmed_po(ctx, "MUG", 10, eta_in_days=10)
    return order(ctx, "MUG", 5, email="ann@example.com")


def _half_dated_story(ctx: Context) -> orders.OrderView:
    """Policy `always`, nothing on hand, 2 on a confirmed PO: an order of 5 has 2 dated units and 3 undated ones."""
    standard_catalog(ctx, backorder="always")
    confirmed_po(ctx, "MUG", 2, eta_in_days=10)
    return order(ctx, "MUG", 5, email="ann@example.com")


def _words(message: EmailMessage) -> str:
    text, html = text_and_html(message)
    return text + html


def _about(smtp: SmtpServer, fragment: str) -> list[EmailMessage]:
    return [m for m in smtp.inbox.to("ann@example.com") if fragment in str(m["Subject"])]


def _window(first: int, last: int, counted_from: int = 0) -> str:
    """A window of days from TODAY, worded as on the day `counted_from` days after TODAY."""
    earliest, latest = TODAY + timedelta(days=first), TODAY + timedelta(days=last)
    return f"shipping in {first - counted_from}-{last - counted_from} days ({earliest} to {latest})"


def _set_external_ref(ctx: Context, order_id: str, ref: str) -> None:
    """The shop's order number, as the order API will store it (and the confirmation's event will carry it)."""
    with unit_of_work(ctx.engine) as session:
        session.execute(update(Order).where(Order.id == order_id).values(external_ref=ref))
        message = session.scalars(select(OutboxMessage).where(OutboxMessage.topic == "order_placed")).one()
        message.payload = json.dumps({**json.loads(message.payload), "external_ref": ref})


def test_an_order_wholly_on_backorder_is_not_part_on_backorder(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    placed = order(mail_ctx, "MUG", 2, email="ann@example.com")
    deliver(mail_ctx)
    [confirmation] = smtp.inbox.to("ann@example.com")
    assert confirmation["Subject"] == f"{SHOP}: order {placed.id} confirmed (on backorder)"
    text, html = text_and_html(confirmation)
    assert "part" not in text
    assert "Ships now" not in text
    assert "Your order is on backorder" in text
    assert f"2 x Mug (MUG): {_window(12, 16)}, reserved for you from a confirmed delivery" in text
    assert "Your order is on backorder" in html


def test_a_line_with_an_undated_part_has_no_date_in_its_confirmation(mail_ctx: Context, smtp: SmtpServer) -> None:
    placed = _half_dated_story(mail_ctx)
    assert placed.lines[0].ship_window is None
    deliver(mail_ctx)
    [confirmation] = smtp.inbox.to("ann@example.com")
    words = _words(confirmation)
    assert "5 x Mug (MUG): no confirmed date yet; we write to you when it arrives" in words
    assert not ISO_DATE.search(words)
    assert "confirmed delivery" not in words  # never beside "no confirmed date yet"
    assert "If a date moves" not in words  # it has none to move


def test_a_still_waiting_update_gives_no_date_to_a_line_with_an_unpromised_part(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    _half_dated_story(mail_ctx)
    week_later = on_day(mail_ctx, TODAY + timedelta(days=8))
    assert updates.send_still_waiting_updates(week_later) == 1
    deliver(week_later)
    [update_mail] = _about(smtp, "still on its way")
    text, html = text_and_html(update_mail)
    assert "the 5 x Mug (MUG) you ordered on" in text
    assert "still waiting for stock: no confirmed date yet" in text
    assert "the date holds" not in text + html
    assert set(ISO_DATE.findall(text + html)) == {TODAY.isoformat()}  # the day it was ordered, and no ship date


def test_a_still_waiting_update_counts_the_units_that_wait_not_the_whole_line(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    _backorder_story(mail_ctx)  # 3 of 5 ship now
    week_later = on_day(mail_ctx, TODAY + timedelta(days=8))
    assert updates.send_still_waiting_updates(week_later) == 1
    deliver(week_later)
    [update_mail] = _about(smtp, "still on its way")
    text, _ = text_and_html(update_mail)
    assert "the 2 x Mug (MUG)" in text
    assert f"the date holds: {_window(12, 16, counted_from=8)}" in text


def test_a_still_waiting_update_of_a_complete_order_gives_the_orders_window(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    """Under `complete` the dated mugs ship with the undated teapot, so their update gives no date either."""
    standard_catalog(mail_ctx)
    catalog.add_sku(mail_ctx, "TEA", "Teapot", "30.00", "always", 30, 100)
    catalog_edits.edit_channel(mail_ctx, "web", catalog_edits.ChannelEdit(shipping_policy="complete"))
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    lines = (orders.LineRequest("MUG", 2), orders.LineRequest("TEA", 1))
    orders.place_order(mail_ctx, orders.OrderRequest("web", "ann@example.com", lines))
    week_later = on_day(mail_ctx, TODAY + timedelta(days=8))
    assert updates.send_still_waiting_updates(week_later) == 2
    deliver(week_later)
    updates_sent = _about(smtp, "still on its way")
    assert len(updates_sent) == 2
    for update_mail in updates_sent:
        text, html = text_and_html(update_mail)
        assert "no confirmed date yet" in text
        assert set(ISO_DATE.findall(text + html)) == {TODAY.isoformat()}  # the day it was ordered, no ship date


def test_a_delay_notice_states_the_old_promise_as_it_was_given(mail_ctx: Context, smtp: SmtpServer) -> None:
    _backorder_story(mail_ctx)
    deliver(mail_ctx)
    po = purchasing.list_pos(mail_ctx)[0]
    five_days_on = on_day(mail_ctx, TODAY + timedelta(days=5))
    purchasing.change_eta(five_days_on, po.id, TODAY + timedelta(days=15))
    deliver(five_days_on)
    [notice] = _about(smtp, "delay")
    text, html = text_and_html(notice)
    # what the confirmation said on the day of the order, word for word; not its dates counted again from today
    assert f"We told you on {TODAY}: {_window(12, 16)}" in text
    assert "7-11 days" not in text
    assert f"Now: {_window(17, 21, counted_from=5)}" in text
    assert f"We told you on {TODAY}:" in html
    assert "are late." in text

    eight_days_on = on_day(mail_ctx, TODAY + timedelta(days=8))
    purchasing.change_eta(eight_days_on, po.id, TODAY + timedelta(days=20))
    deliver(eight_days_on)
    [_, second] = _about(smtp, "delay")
    text = text_and_html(second)[0]
    # the first notice's new window, as that notice worded it five days after the order
    assert f"We told you on {TODAY + timedelta(days=5)}: {_window(17, 21, counted_from=5)}" in text
    assert f"Now: {_window(22, 26, counted_from=8)}" in text
    assert "late again" in text


def test_a_delay_notice_names_the_late_units_and_says_nothing_of_payment(mail_ctx: Context, smtp: SmtpServer) -> None:
    _backorder_story(mail_ctx)
    po = purchasing.list_pos(mail_ctx)[0]
    purchasing.change_eta(mail_ctx, po.id, TODAY + timedelta(days=15))
    deliver(mail_ctx)
    [notice] = _about(smtp, "delay")
    text, html = text_and_html(notice)
    assert "cancel these 2 late units (the rest of your order is not affected)" in text
    assert "these 2 late units</a> (the rest of your order is not affected)" in html
    assert "Our supplier has moved its delivery date." in text
    for message in smtp.inbox.messages:
        assert "charge" not in _words(message).lower()


def test_a_delay_notice_of_a_line_with_an_undated_part_gives_no_date(mail_ctx: Context, smtp: SmtpServer) -> None:
    _half_dated_story(mail_ctx)
    po = purchasing.list_pos(mail_ctx)[0]
    purchasing.change_eta(mail_ctx, po.id, TODAY + timedelta(days=15))  # the 2 dated units slip
    deliver(mail_ctx)
    [notice] = _about(smtp, "delay")
    text, html = text_and_html(notice)
    assert "the 2 x Mug (MUG)" in text
    assert "We told you" not in text + html  # the confirmation gave this line no date
    assert "Now: no confirmed date yet" in text
    cancel_until = (TODAY + timedelta(days=14)).isoformat()
    assert set(ISO_DATE.findall(text + html)) == {cancel_until}  # the link's last day; no ship date


def test_a_delay_notice_of_supply_that_went_away_says_so(mail_ctx: Context, smtp: SmtpServer) -> None:
    _backorder_story(mail_ctx)
    po = purchasing.list_pos(mail_ctx)[0]
    purchasing.cancel_po(mail_ctx, po.id)
    deliver(mail_ctx)
    [notice] = _about(smtp, "delay")
    text = text_and_html(notice)[0]
    assert "is no longer confirmed" in text
    assert "moved its delivery date" not in text
    assert f"We told you on {TODAY}: {_window(12, 16)}" in text
    assert "Now: no confirmed date yet" in text


def test_order_e_mails_name_the_shops_order_number(mail_ctx: Context, smtp: SmtpServer) -> None:
    placed = _backorder_story(mail_ctx)
    _set_external_ref(mail_ctx, placed.id, "1001")
    po = purchasing.list_pos(mail_ctx)[0]
    purchasing.change_eta(mail_ctx, po.id, TODAY + timedelta(days=15))
    week_later = on_day(mail_ctx, TODAY + timedelta(days=8))
    assert updates.send_still_waiting_updates(week_later) == 1
    purchasing.receive_po(week_later, po.id, [("MUG", 10)])
    deliver(week_later)

    assert smtp.inbox.subjects() == [
        f"{SHOP}: order #1001 confirmed (part on backorder)",
        f"{SHOP}: delay for Mug in order #1001",
        f"{SHOP}: your Mug for order #1001 is still on its way",
        f"{SHOP}: your Mug for order #1001 has arrived",
    ]
    confirmation, notice, still, filled = smtp.inbox.messages
    assert "Thank you for your order #1001." in text_and_html(confirmation)[0]
    assert "you ordered in order #1001 are late" in text_and_html(notice)[0]
    assert "A short update on order #1001:" in text_and_html(still)[0]
    assert "you ordered in order #1001 have arrived" in text_and_html(filled)[0]
    assert all(placed.id not in _words(m) for m in smtp.inbox.messages)


def _set_product_url(ctx: Context, url: str) -> None:
    with unit_of_work(ctx.engine) as session:
        session.execute(update(Sku).where(Sku.code == "MUG").values(product_url=url))


def _back_in_stock_links(ctx: Context, smtp: SmtpServer) -> list[str]:
    subscriptions.subscribe(ctx, "MUG", "web", "cat@example.com")
    stock.adjust_stock(ctx, "MUG", "W1", 4, "found in the back")
    deliver(ctx)
    [alert] = smtp.inbox.to("cat@example.com")
    links = re.findall(r"https?://[^\s\"<>]+", _words(alert))
    return [link for link in links if "/links/unsubscribe/" not in link]


def test_back_in_stock_links_to_the_product_page_on_the_shop(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    _set_product_url(mail_ctx, "https://mugs.example/products/mug")
    shop = with_mail(mail_ctx, smtp, shop_url="https://mugs.example")
    assert set(_back_in_stock_links(shop, smtp)) == {"https://mugs.example/products/mug"}


def test_back_in_stock_without_a_product_url_links_to_the_shop(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    shop = with_mail(mail_ctx, smtp, shop_url="https://mugs.example")
    assert set(_back_in_stock_links(shop, smtp)) == {"https://mugs.example"}


def test_back_in_stock_never_links_to_the_api(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    links = _back_in_stock_links(mail_ctx, smtp)  # no product URL, no RESTOCK_SHOP_URL
    assert links == []
    assert all(not link.startswith(PUBLIC_URL) for link in links)


def test_a_merchant_adds_a_sentence_about_payment_through_a_template_override(
    mail_ctx: Context, smtp: SmtpServer, tmp_path: Path
) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    built_in = (files("restock.notify") / "templates" / "delay_notice.txt").read_text()
    sentence = "Cancelled units are refunded to your card within 5 days."
    (folder / "delay_notice.txt").write_text(built_in.replace("The link works", f"{sentence}\nThe link works"))
    custom = replace(
        mail_ctx,
        settings=replace(mail_ctx.settings, notify=replace(mail_ctx.settings.notify, templates_dir=str(folder))),
    )
    _backorder_story(custom)
    po = purchasing.list_pos(custom)[0]
    purchasing.change_eta(custom, po.id, TODAY + timedelta(days=15))
    deliver(custom)
    [notice] = _about(smtp, "delay")
    text, html = text_and_html(notice)
    assert sentence in text
    assert "cancel these 2 late units" in text
    assert sentence not in html  # the HTML part is still the built-in one


def test_shipped_and_cancelled_subjects_name_the_shops_order_number(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 5)
    shipped = order(mail_ctx, "MUG", 2, email="ann@example.com")
    _set_external_ref(mail_ctx, shipped.id, "1001")
    orders.ship_order(mail_ctx, shipped.id)
    deliver(mail_ctx)
    cancelled = order(mail_ctx, "MUG", 1, email="ann@example.com")
    with unit_of_work(mail_ctx.engine) as session:
        session.execute(update(Order).where(Order.id == cancelled.id).values(external_ref="1002"))
    orders.cancel_order(mail_ctx, cancelled.id)
    deliver(mail_ctx)
    subjects = smtp.inbox.subjects()
    assert f"{SHOP}: order #1001 has shipped" in subjects
    assert f"{SHOP}: cancelled in order #1002" in subjects
