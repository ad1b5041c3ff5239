"""What a delay notice says of the rest of the order, checked against what cancelling the late units then does.

Under `as_available` the rest ships as it is allocated, late units or not; under `complete` the late units hold back
the whole order, so the notice says whether cancelling them lets the rest ship now or what it still waits for.
"""

from __future__ import annotations

import re
from datetime import timedelta

from restock.domain.cancelling import RestOfTheOrder, what_cancelling_the_late_units_does_to_the_rest
from restock.domain.model import ShippingPolicy
from restock.services import catalog, catalog_edits, orders, purchasing, selfservice, shipping
from restock.services.context import Context
from tests.builders import confirmed_po, on_hand, order, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import PUBLIC_URL, SmtpServer, deliver, text_and_html


def _ships_complete(ctx: Context) -> None:
    catalog_edits.edit_channel(ctx, "web", catalog_edits.ChannelEdit(shipping_policy="complete"))


def _delay_notice(ctx: Context, smtp: SmtpServer) -> tuple[str, str, str]:
    """The supplier slips by 5 days; the notice's text, HTML and cancel link token."""
    po = purchasing.list_pos(ctx)[0]
    purchasing.change_eta(ctx, po.id, TODAY + timedelta(days=15))
    deliver(ctx)
    [notice] = [m for m in smtp.inbox.to("ann@example.com") if "delay" in str(m["Subject"])]
    text, html = text_and_html(notice)
    link = re.search(re.escape(PUBLIC_URL) + r"/links/cancel/(\S+)", text)
    assert link is not None
    return text, html, link.group(1)


def test_what_cancelling_the_late_units_does_to_the_rest_depends_on_the_shipping_policy() -> None:
    rest = what_cancelling_the_late_units_does_to_the_rest
    assert rest(ShippingPolicy.AS_AVAILABLE, rest_held=0, rest_waiting=0) is RestOfTheOrder.NOTHING_LEFT
    assert rest(ShippingPolicy.COMPLETE, rest_held=0, rest_waiting=0) is RestOfTheOrder.NOTHING_LEFT
    assert rest(ShippingPolicy.AS_AVAILABLE, rest_held=3, rest_waiting=1) is RestOfTheOrder.UNAFFECTED
    assert rest(ShippingPolicy.COMPLETE, rest_held=3, rest_waiting=0) is RestOfTheOrder.SHIPS_NOW
    assert rest(ShippingPolicy.COMPLETE, rest_held=3, rest_waiting=1) is RestOfTheOrder.STILL_WAITS
    assert rest(ShippingPolicy.COMPLETE, rest_held=0, rest_waiting=1) is RestOfTheOrder.STILL_WAITS


def test_a_delay_notice_under_complete_says_cancelling_the_late_units_lets_the_rest_ship_now(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    standard_catalog(mail_ctx)
    _ships_complete(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 3)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    placed = order(mail_ctx, "MUG", 5, email="ann@example.com")  # 3 held, 2 late: nothing ships yet
    text, html, token = _delay_notice(mail_ctx, smtp)
    said = "cancel these 2 late units (your order ships complete, so cancelling them lets the rest of it ship now)"
    assert said in text
    assert "these 2 late units</a> (your order ships complete, so cancelling them lets the rest of it ship now)" in html
    assert "not affected" not in text + html

    selfservice.cancel_by_link(mail_ctx, token)  # ... and it is true: the 3 held mugs ship at once
    shipped = shipping.ship_order(mail_ctx, placed.id)
    [line] = shipped.lines
    assert (line.shipped, line.backordered) == (3, 0)


def test_a_delay_notice_under_complete_names_what_still_waits_without_the_late_units(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    standard_catalog(mail_ctx)
    catalog.add_sku(mail_ctx, "TEA", "Teapot", "30.00", "always", 30, 100)
    _ships_complete(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 3)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    lines = (orders.LineRequest("MUG", 5), orders.LineRequest("TEA", 1))
    orders.place_order(mail_ctx, orders.OrderRequest("web", "ann@example.com", lines))
    text, html, _ = _delay_notice(mail_ctx, smtp)
    assert "(your order ships complete: without them it still waits for 1 x Teapot (TEA))" in text
    assert "(your order ships complete: without them it still waits for 1 &times; Teapot (TEA))" in html
    assert "ship now" not in text
    assert "not affected" not in text


def test_a_delay_notice_of_all_that_is_left_of_the_order_speaks_of_no_rest(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    order(mail_ctx, "MUG", 2, email="ann@example.com")  # wholly on backorder: there is no rest
    text, html, _ = _delay_notice(mail_ctx, smtp)
    assert "cancel these 2 late units (they are all of your order still to ship) without contacting us" in text
    assert "rest of your order" not in text + html
