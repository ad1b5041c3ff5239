"""The shipped e-mail through a real SMTP server, its words checked against the order as it then stands; and the
confirmation's "ships now" agreeing with the shipping policy."""

from __future__ import annotations

from sqlalchemy import update

from restock.services import catalog, orders, shipping
from restock.services.context import Context
from restock.services.shipping import ShipmentRequest
from restock.store.db import unit_of_work
from restock.store.schema import Channel
from tests.builders import confirmed_po, on_hand, order, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import SHOP, SmtpServer, deliver, text_and_html


def test_the_shipped_email_names_the_parcel_its_tracking_and_what_still_waits(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    standard_catalog(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 17)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    placed = order(mail_ctx, "MUG", 19, email="ann@example.com")
    url = "https://track.example/JD014600006281"
    request = ShipmentRequest(lines=(("MUG", 15),), carrier="DHL", tracking_number="JD014600006281", tracking_url=url)
    shipped = shipping.ship(mail_ctx, placed.id, request)
    deliver(mail_ctx)

    [line] = orders.show_order(mail_ctx, placed.id).lines
    assert (line.shipped, line.allocated, line.backordered) == (15, 2, 2)
    mail = smtp.inbox.to("ann@example.com")[-1]
    assert mail["Subject"] == f"{SHOP}: order {placed.id} has shipped"
    text, html = text_and_html(mail)
    assert "In the parcel:\n  - 15 x Mug (MUG)\nCarrier: DHL\nTracking number: JD014600006281\n" in text
    assert f"Follow it: {url}" in text
    assert f'<a href="{url}">' in html
    assert "in a separate parcel:\n  - 2 x Mug (MUG)" in text
    window = line.ship_window
    assert window is not None
    first, last = (window.earliest - TODAY).days, (window.latest - TODAY).days
    assert (
        f"Still on backorder, shipped separately when it arrives:\n  - 2 x Mug (MUG): shipping in {first}-{last}"
        in (text)
    )
    assert shipped.shipments[0].tracking_url == url


def test_a_shipment_from_two_warehouses_is_two_parcels_and_an_undated_wait_has_no_date(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    standard_catalog(mail_ctx)
    catalog.add_sku(mail_ctx, "TEA", "Tea pot", "20.00", "always", 30, 100)
    on_hand(mail_ctx, "MUG", "W1", 1)
    on_hand(mail_ctx, "MUG", "W2", 1)
    request = orders.OrderRequest(
        "web", "bob@example.com", (orders.LineRequest("MUG", 2), orders.LineRequest("TEA", 1))
    )
    placed = orders.place_order(mail_ctx, request)  # the tea pot waits without a date (backorder: always)
    shipping.ship(mail_ctx, placed.id)
    deliver(mail_ctx)

    text, _ = text_and_html(smtp.inbox.to("bob@example.com")[-1])
    assert "Parcel 1 of 2:\n  - 1 x Mug (MUG)" in text
    assert "Parcel 2 of 2:\n  - 1 x Mug (MUG)" in text
    assert "Carrier" not in text
    assert "1 x Tea pot (TEA): no confirmed date yet" in text
    assert "separate parcel" not in text


def test_the_confirmation_of_an_order_that_ships_complete_does_not_say_ships_now(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    standard_catalog(mail_ctx)
    with unit_of_work(mail_ctx.engine) as session:
        session.execute(update(Channel).where(Channel.code == "web").values(shipping_policy="complete"))
    on_hand(mail_ctx, "MUG", "W1", 3)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    order(mail_ctx, "MUG", 5, email="cat@example.com")
    catalog.add_sku(mail_ctx, "CUP", "Cup", "3.00", "confirmed", 30, 100)
    on_hand(mail_ctx, "CUP", "W1", 1)
    order(mail_ctx, "CUP", 1, email="dan@example.com")  # wholly in stock: it does ship now
    deliver(mail_ctx)

    waiting, _ = text_and_html(smtp.inbox.to("cat@example.com")[0])
    assert "Ships now" not in waiting
    assert "Ships when your whole order is ready:\n  - 3 x Mug (MUG)" in waiting
    whole, _ = text_and_html(smtp.inbox.to("dan@example.com")[0])
    assert "Ships now:\n  - 1 x Cup (CUP)" in whole
