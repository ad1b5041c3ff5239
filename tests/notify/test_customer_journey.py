"""One customer's order from confirmation to its last parcel, through a real SMTP server (aiosmtpd) and the API:
after every step each e-mail's words are checked against the order as the service (`orders.show_order`) and the API
(`GET /v1/orders/{id}`) then show it.

The order is the issue's example: 19 pairs of gloves with 17 in stock and 2 backordered against a confirmed PO,
and 2 tea pots wholly on backorder with no confirmed supply (so no date). The PO's ETA slips, the customer cancels
the 2 late pairs from the delay notice's link, and the rest ships. Once as the channel ships as available, once as
it ships complete (nothing may claim to ship before the whole order does).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, timedelta
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from restock.api.app import create_app
from restock.domain.model import ShippingPolicy, ShipWindow
from restock.domain.shipping import a_complete_order_ships_when_its_last_line_arrives as ships_in
from restock.domain.wording import UNDATED, order_words, window_words
from restock.services import apikeys, catalog, orders, purchasing
from restock.services.context import Context
from restock.services.views import Window
from tests.builders import confirmed_po, on_day, on_hand
from tests.conftest import TODAY
from tests.notify.conftest import PUBLIC_URL, SHOP, SmtpServer, deliver, text_and_html

GLOVES, GLOVES_NAME = "GRD-010-XL", "Gardening gloves XL"
TEAPOT, TEAPOT_NAME = "TEA", "Tea pot"
NAMES = {GLOVES: GLOVES_NAME, TEAPOT: TEAPOT_NAME, "CUP": "Cup"}
CUSTOMER = "ann@example.com"
REF = "1001"
ORDER_REF = order_words("unused", REF)  # how every e-mail names the order: the shop's number
TRACKING = "JD014600006281"
TRACKING_URL = f"https://track.example/{TRACKING}"
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ITEM = re.compile(r"^  - (\d+) x (.+) \(([A-Z0-9-]+)\)(?:: (.*))?$")
PAYMENT = ("charge", "refund", "paid", "payment", "money back", "invoice")


# ---------------------------------------------------------------- reading the e-mails and the order


@dataclass(frozen=True)
class Item:
    """One "  - 2 x Tea pot (TEA): no confirmed date yet; ..." row of an e-mail's plain text."""

    quantity: int
    sku: str
    rest: str = ""


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str

    @property
    def words(self) -> str:
        return self.text + self.html

    def sections(self) -> dict[str, list[Item]]:
        """The plain text's lists, under the sentence that heads each ("Ships now:" -> its rows)."""
        found: dict[str, list[Item]] = {}
        heading = ""
        for row in self.text.splitlines():
            if match := ITEM.match(row):
                assert match[2] == NAMES[match[3]], row  # every row names the SKU by its catalog name
                found.setdefault(heading, []).append(Item(int(match[1]), match[3], match[4] or ""))
            elif row.strip():
                heading = row.strip()
        return found


def _mail(message: EmailMessage) -> Mail:
    text, html = text_and_html(message)
    return Mail(str(message["Subject"]), text, html)


class Postbox:
    """The customer's e-mails, taken as they arrive: `new()` answers those since the last call."""

    def __init__(self, smtp: SmtpServer) -> None:
        self.smtp = smtp
        self.seen = 0

    def new(self, ctx: Context) -> list[Mail]:
        deliver(ctx)
        arrived = self.smtp.inbox.to(CUSTOMER)
        fresh, self.seen = arrived[self.seen :], len(arrived)
        return [_mail(m) for m in fresh]

    def one(self, ctx: Context) -> Mail:
        [mail] = self.new(ctx)
        return mail


def _domain_window(window: Window | None) -> ShipWindow | None:
    return None if window is None else ShipWindow(window.earliest, window.latest)


def _waiting_words(line: orders.LineView, today: date) -> str:
    """The one wording of a line's window, as the e-mail of `today` must show it."""
    return window_words(_domain_window(line.ship_window), today)


@dataclass(frozen=True)
class Journey:
    """The shop, its keys and the order, and the customer's postbox."""

    ctx: Context
    order_id: str
    admin: str
    warehouse: str
    postbox: Postbox

    def on(self, days: int) -> Context:
        return on_day(self.ctx, TODAY + timedelta(days=days))

    def state(self, ctx: Context) -> dict[str, orders.LineView]:
        """The order's lines by SKU as the service shows them, checked to be what the API shows too."""
        view = orders.show_order(ctx, self.order_id)
        with api(ctx) as client:
            answer = client.get(f"/v1/orders/{self.order_id}", headers=bearer(self.admin))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert (body["external_ref"], body["customer"]["name"]) == (REF, "Ann Lee")
        assert body["shipping_policy"] == view.shipping_policy
        assert body["status"] == view.status
        fields = ("sku", "quantity", "allocated", "backordered", "shipped", "status", "ship_window", "delayed")
        assert [{k: line[k] for k in fields} for line in body["lines"]] == [
            {k: v for k, v in line.model_dump(mode="json").items() if k in fields} for line in view.lines
        ]
        for line in view.lines:
            assert line.shipped + line.cancelled + line.backordered + line.allocated == line.quantity
        return {line.sku: line for line in view.lines}

    def pick_list(self, ctx: Context) -> list[dict[str, Any]]:
        with api(ctx) as client:
            answer = client.get("/v1/fulfilment/ready", headers=bearer(self.warehouse))
        assert answer.status_code == 200, answer.text
        return [entry for entry in answer.json()["items"] if entry["order"] == self.order_id]

    def ship(self, ctx: Context, body: dict[str, Any]) -> Any:
        with api(ctx) as client:
            return client.post(f"/v1/orders/{self.order_id}/shipments", json=body, headers=bearer(self.warehouse))


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@contextmanager
def api(ctx: Context) -> Iterator[TestClient]:
    """The API on the context's day (a link's life is checked against its clock), answers not cached."""
    app = create_app(replace(ctx, settings=replace(ctx.settings, availability_cache_seconds=0)))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _start(ctx: Context, smtp: SmtpServer, policy: str) -> Journey:
    """One shop (warehouse W1, channel `web` shipping `policy`), the gloves 17 on hand and 10 on a PO confirmed for
    in 10 days, the tea pot backorderable without any supply; the customer orders 19 pairs and 2 pots as #1001."""
    catalog.add_warehouse(ctx, "W1", "Main warehouse")
    catalog.add_channel(ctx, "web", ["W1"])
    catalog.add_supplier(ctx, "ACME", 14)
    catalog.add_sku(ctx, GLOVES, GLOVES_NAME, "9.90", "confirmed", 30, 100)
    catalog.add_sku(ctx, TEAPOT, TEAPOT_NAME, "20.00", "always", 30, 100)
    on_hand(ctx, GLOVES, "W1", 17)
    confirmed_po(ctx, GLOVES, 10, eta_in_days=10)
    admin = apikeys.create_key(ctx, "admin").key
    warehouse = apikeys.create_key(ctx, "warehouse").key
    with api(ctx) as client:
        changed = client.patch("/v1/channels/web", json={"shipping_policy": policy}, headers=bearer(admin))
    assert changed.status_code == 200, changed.text
    assert changed.json()["shipping_policy"] == policy
    request = orders.OrderRequest(
        "web",
        CUSTOMER,
        (orders.LineRequest(GLOVES, 19), orders.LineRequest(TEAPOT, 2)),
        external_ref=REF,
        customer_name="Ann Lee",
    )
    placed = orders.place_order(ctx, request)
    return Journey(ctx, placed.id, admin, warehouse, Postbox(smtp))


def _true_of_any_order_mail(journey: Journey, mail: Mail, dates: set[str]) -> None:
    """What every e-mail of the order must be: named by the shop's number (never restock's id), silent on payment,
    and showing no date but those it may show (the dated windows, the days the customer was told, a link's end)."""
    assert ORDER_REF in mail.subject
    assert ORDER_REF in mail.text
    assert ORDER_REF in mail.html
    assert journey.order_id not in mail.words
    assert not [word for word in PAYMENT if word in mail.words.lower()]
    assert "14-14" not in mail.words
    assert set(ISO_DATE.findall(mail.words)) <= dates, (set(ISO_DATE.findall(mail.words)), dates)
    for items in mail.sections().values():
        for item in items:
            assert f"{item.quantity} &times; {NAMES[item.sku]} ({item.sku})" in mail.html
            if item.rest:
                assert item.rest.split(", reserved")[0] in mail.html


def _dates(*windows: Window | None) -> set[str]:
    return {d.isoformat() for w in windows if w is not None for d in (w.earliest, w.latest)}


def _waiting_items(lines: dict[str, orders.LineView], today: date) -> list[Item]:
    return [Item(line.backordered, sku, _waiting_words(line, today)) for sku, line in lines.items() if line.backordered]


def _cancel_token(mail: Mail) -> str:
    found = re.search(re.escape(PUBLIC_URL) + r"/links/cancel/[A-Za-z0-9_\-.]+", mail.text)
    assert found, mail.text
    assert f'href="{found.group(0)}"' in mail.html
    return urlsplit(found.group(0)).path.rsplit("/", 1)[1]


def _page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&times;", "×").replace("&#215;", "×")


# ---------------------------------------------------------------- the steps both journeys share


def _confirmation(journey: Journey, policy: str) -> tuple[Mail, dict[str, orders.LineView]]:
    lines = journey.state(journey.ctx)
    gloves, teapot = lines[GLOVES], lines[TEAPOT]
    assert (gloves.allocated, gloves.backordered, gloves.ship_window is not None) == (17, 2, True)
    assert (teapot.allocated, teapot.backordered, teapot.ship_window) == (0, 2, None)

    mail = journey.postbox.one(journey.ctx)
    _true_of_any_order_mail(journey, mail, _dates(gloves.ship_window))
    assert mail.subject == f"{SHOP}: order {ORDER_REF} confirmed (part on backorder)"  # 17 of 21 units are in stock
    assert f"Thank you for your order {ORDER_REF}." in mail.text
    held = "Ships now:" if policy == "as_available" else "Ships when your whole order is ready:"
    assert (policy == "as_available") == ("Ships now" in mail.words)
    # as available, the 2 late pairs ship in their own window; complete, with the undated tea pots: no date
    dated = policy == "as_available"
    told = f"{_waiting_words(gloves, TODAY)}, reserved for you from a confirmed delivery" if dated else UNDATED
    assert mail.sections() == {
        held: [Item(17, GLOVES)],
        "On backorder (we do not have these in stock yet):": [Item(2, GLOVES, told), Item(2, TEAPOT, UNDATED)],
    }
    if not dated:
        assert not ISO_DATE.search(mail.words)
    assert "Your order is on backorder" not in mail.words  # it is not wholly on backorder
    assert ("If a date moves, we tell you at once" in mail.text) == dated  # only a date given can move
    assert f"2 x {TEAPOT_NAME} ({TEAPOT}): {UNDATED}\n" in mail.text  # never "from a confirmed delivery"
    return mail, lines


def _delay_notice(journey: Journey, confirmation: Mail, before: dict[str, orders.LineView]) -> str:
    """Day 5: the PO's ETA slips by 5 days; the notice says what the confirmation said, and the new window (none
    when the order ships complete: it waits for the undated tea pots too)."""
    day5 = journey.on(5)
    po = purchasing.list_pos(day5)[0]
    purchasing.change_eta(day5, po.id, TODAY + timedelta(days=15))
    lines = journey.state(day5)
    gloves = lines[GLOVES]
    assert (gloves.backordered, gloves.delayed) == (2, True)
    assert gloves.ship_window is not None
    assert before[GLOVES].ship_window is not None
    assert gloves.ship_window.earliest > before[GLOVES].ship_window.earliest
    assert lines[TEAPOT] == before[TEAPOT]  # nothing happened to the tea pots

    notice = journey.postbox.one(day5)  # one notice: the tea pots' wait has no date to slip
    cancel_until = (TODAY + timedelta(days=5 + 14)).isoformat()
    notice_dates = _dates(before[GLOVES].ship_window, gloves.ship_window) | {TODAY.isoformat(), cancel_until}
    complete = orders.show_order(day5, journey.order_id).shipping_policy == "complete"
    _true_of_any_order_mail(journey, notice, {cancel_until} if complete else notice_dates)
    assert notice.subject == f"{SHOP}: delay for {GLOVES_NAME} in order {ORDER_REF}"
    assert f"the 2 x {GLOVES_NAME} ({GLOVES}) you ordered in order {ORDER_REF} are late." in notice.text
    waiting = confirmation.sections()["On backorder (we do not have these in stock yet):"]
    [told] = [item.rest for item in waiting if item.sku == GLOVES]
    if complete:  # the confirmation gave no date, and there is none now: the order waits for the tea pots
        assert told == UNDATED
        assert "We told you" not in notice.words
        assert f"Now: {UNDATED}\n" in notice.text
    else:
        assert f"We told you on {TODAY}: {told.split(', reserved')[0]}\n" in notice.text  # the confirmation's words
        assert f"Now: {_waiting_words(gloves, day5.clock.today())}\n" in notice.text
    if complete:  # the late gloves hold back the whole order; without them it still waits for the tea pots
        rest = f"your order ships complete: without them it still waits for 2 x {TEAPOT_NAME} ({TEAPOT})"
        assert f"cancel these 2 late units ({rest})" in notice.text
        assert "not affected" not in notice.words
    else:
        assert "cancel these 2 late units (the rest of your order is not affected)" in notice.text
        assert TEAPOT not in notice.words
    return _cancel_token(notice)


def _follow_the_link(journey: Journey, token: str, staying: int) -> dict[str, orders.LineView]:
    """Day 6: the page names the 2 late units; confirming cancels those 2 only."""
    day6 = journey.on(6)
    before = journey.state(day6)
    with api(day6) as client:
        shown = client.get(f"/links/cancel/{token}")
        assert shown.status_code == 200
        page = _page_text(shown.text)
        assert f"Cancel the 2 × {GLOVES_NAME} that are late from your order?" in page
        assert f"The other {staying} × {GLOVES_NAME} on your order stay." in page
        assert SHOP in page or SHOP.replace("&", "&amp;") in shown.text
        assert journey.state(day6) == before  # opening the page cancels nothing
        done = client.post(f"/links/cancel/{token}")
        assert done.status_code == 200
        assert f"The late 2 × {GLOVES_NAME} are cancelled." in _page_text(done.text)
        again = client.post(f"/links/cancel/{token}")  # a second click changes nothing
        assert again.status_code == 200
    after = journey.state(day6)
    gloves, was = after[GLOVES], before[GLOVES]
    assert (gloves.cancelled, gloves.backordered, gloves.ship_window) == (2, 0, None)
    assert (gloves.allocated, gloves.shipped) == (was.allocated, was.shipped)  # what was allocated stays
    assert after[TEAPOT] == before[TEAPOT]
    assert purchasing.list_pos(day6)[0].lines[0].promised == 0  # the late units' promise went back to the PO
    return after


def _cancelled_mail(journey: Journey, lines: dict[str, orders.LineView]) -> Mail:
    day6 = journey.on(6)
    mail = journey.postbox.one(day6)
    _true_of_any_order_mail(journey, mail, set())  # nothing left to come has a date
    assert mail.subject == f"{SHOP}: cancelled in order {ORDER_REF}"
    held = [Item(line.allocated, sku) for sku, line in lines.items() if line.allocated]
    assert mail.sections() == {
        f"As you asked, we cancelled from your order {ORDER_REF}:": [Item(2, GLOVES)],  # by the customer, not us
        "Still on your order, in stock and set aside for you:": held,
        "Still on your order, waiting for stock:": _waiting_items(lines, day6.clock.today()),
    }
    assert "we had to" not in mail.words
    return mail


# ---------------------------------------------------------------- the journeys


def test_the_journey_of_an_order_that_ships_as_available(mail_ctx: Context, smtp: SmtpServer) -> None:
    journey = _start(mail_ctx, smtp, "as_available")
    confirmation, placed = _confirmation(journey, "as_available")
    assert [p["lines"] for p in journey.pick_list(mail_ctx)] == [[{"sku": GLOVES, "quantity": 17, "at_dock": 0}]]

    # day 1: 15 of the 17 pairs leave with DHL; 2 are held to follow, 2 still wait, the tea pots wait undated
    day1 = journey.on(1)
    body = {
        "lines": [{"sku": GLOVES, "quantity": 15}],
        "carrier": "DHL",
        "tracking_number": TRACKING,
        "tracking_url": TRACKING_URL,
    }
    shipped = journey.ship(day1, body)
    assert shipped.status_code == 201, shipped.text
    lines = journey.state(day1)
    assert (lines[GLOVES].shipped, lines[GLOVES].allocated, lines[GLOVES].backordered) == (15, 2, 2)
    assert lines[GLOVES].ship_window == placed[GLOVES].ship_window  # a shipment moves no window
    mail = journey.postbox.one(day1)
    _true_of_any_order_mail(journey, mail, _dates(lines[GLOVES].ship_window))
    assert mail.subject == f"{SHOP}: order {ORDER_REF} has shipped"
    assert f"Carrier: DHL\nTracking number: {TRACKING}\nFollow it: {TRACKING_URL}\n" in mail.text
    assert f'<a href="{TRACKING_URL}">' in mail.html
    assert mail.sections() == {
        "In the parcel:": [Item(15, GLOVES)],
        "Ready and reserved for you, to follow in a separate parcel:": [Item(2, GLOVES)],
        "Still on backorder, shipped separately when it arrives:": _waiting_items(lines, day1.clock.today()),
    }
    assert f"2 x {TEAPOT_NAME} ({TEAPOT}): {UNDATED}" in mail.text
    assert [p["lines"] for p in journey.pick_list(day1)] == [[{"sku": GLOVES, "quantity": 2, "at_dock": 0}]]

    token = _delay_notice(journey, confirmation, lines)
    lines = _follow_the_link(journey, token, staying=17)  # 15 shipped and 2 held stay
    assert (lines[GLOVES].allocated, lines[GLOVES].shipped) == (2, 15)
    _cancelled_mail(journey, lines)

    # day 7: the 2 held pairs ship; the gloves' line is done, the tea pots still wait without a date
    day7 = journey.on(7)
    assert journey.ship(day7, {}).status_code == 201
    lines = journey.state(day7)
    assert (lines[GLOVES].status, lines[GLOVES].shipped, lines[GLOVES].cancelled) == ("shipped", 17, 2)
    mail = journey.postbox.one(day7)
    _true_of_any_order_mail(journey, mail, set())
    assert mail.sections() == {
        "In the parcel:": [Item(2, GLOVES)],
        "Still on backorder, shipped separately when it arrives:": [Item(2, TEAPOT, UNDATED)],
    }
    assert "Carrier" not in mail.text  # this parcel was sent without tracking
    assert journey.pick_list(day7) == []


def test_the_journey_of_an_order_that_ships_complete(mail_ctx: Context, smtp: SmtpServer) -> None:
    journey = _start(mail_ctx, smtp, "complete")
    confirmation, placed = _confirmation(journey, "complete")
    assert orders.show_order(mail_ctx, journey.order_id).shipping_policy == "complete"

    # nothing ships, and the pick list leaves the order out, while any unit of it waits
    day1 = journey.on(1)
    refused = journey.ship(day1, {"carrier": "DHL", "tracking_number": TRACKING})
    assert refused.status_code == 409, refused.text
    assert "ships complete" in refused.json()["detail"]
    assert journey.state(day1) == placed
    assert journey.pick_list(day1) == []
    assert journey.postbox.new(day1) == []

    token = _delay_notice(journey, confirmation, placed)
    lines = _follow_the_link(journey, token, staying=17)  # the 17 held pairs stay
    assert (lines[GLOVES].allocated, lines[GLOVES].shipped) == (17, 0)
    cancelled = _cancelled_mail(journey, lines)
    assert "Ships now" not in cancelled.words
    day6 = journey.on(6)
    assert journey.pick_list(day6) == []  # the tea pots still wait: not whole yet
    assert journey.ship(day6, {}).status_code == 409

    # day 8: the tea pots come in; now the order is whole, heads the pick list, and ships in one parcel
    day8 = journey.on(8)
    on_hand(day8, TEAPOT, "W1", 2)
    lines = journey.state(day8)
    assert (lines[TEAPOT].allocated, lines[TEAPOT].backordered) == (2, 0)
    filled = journey.postbox.one(day8)
    _true_of_any_order_mail(journey, filled, set())
    assert filled.subject == f"{SHOP}: your {TEAPOT_NAME} for order {ORDER_REF} has arrived"
    assert f"the 2 x {TEAPOT_NAME} ({TEAPOT}) you ordered in order {ORDER_REF} have arrived" in filled.text
    assert "ships now" not in filled.words.lower()
    [pick] = journey.pick_list(day8)
    assert {(line["sku"], line["quantity"]) for line in pick["lines"]} == {(GLOVES, 17), (TEAPOT, 2)}
    assert pick["shipping_policy"] == "complete"

    shipped = journey.ship(day8, {"carrier": "DHL", "tracking_number": TRACKING, "tracking_url": TRACKING_URL})
    assert shipped.status_code == 201, shipped.text
    lines = journey.state(day8)
    assert [(line.status, line.shipped) for line in lines.values()] == [("shipped", 17), ("shipped", 2)]
    mail = journey.postbox.one(day8)
    _true_of_any_order_mail(journey, mail, set())
    assert mail.sections() == {"In the parcel:": [Item(17, GLOVES), Item(2, TEAPOT)]}
    assert f"Follow it: {TRACKING_URL}" in mail.text
    assert "separate parcel" not in mail.words
    assert "backorder" not in mail.words
    assert journey.pick_list(day8) == []


# ---------------------------------------------------------------- the rules the journey found untrue, on their own


def test_a_complete_order_ships_when_its_last_line_arrives() -> None:
    soon = ShipWindow(TODAY, TODAY + timedelta(days=4))
    later = ShipWindow(TODAY + timedelta(days=9), TODAY + timedelta(days=12))
    complete, as_available = ShippingPolicy.COMPLETE, ShippingPolicy.AS_AVAILABLE
    assert ships_in(as_available, soon, [soon, later]) == soon  # it ships when it arrives
    assert ships_in(as_available, None, [soon]) is None
    assert ships_in(complete, soon, [soon, later]) == later  # with the whole order, when the last line arrives
    assert ships_in(complete, soon, [None]) is None  # an undated line leaves the whole order undated
    assert ships_in(complete, soon, []) == soon


def test_the_confirmation_of_a_complete_order_gives_each_waiting_line_the_orders_window(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    """The gloves of the journey's PO come in 10 days, the cups' PO in 20: under `complete` both lines ship when the
    cups come, and the confirmation says so of both (not "12-16 days" of the gloves)."""
    journey = _start(mail_ctx, smtp, "complete")
    catalog.add_sku(mail_ctx, "CUP", "Cup", "3.00", "confirmed", 30, 100)
    confirmed_po(mail_ctx, "CUP", 5, eta_in_days=20)
    lines = (orders.LineRequest(GLOVES, 1), orders.LineRequest("CUP", 1))
    placed = orders.place_order(mail_ctx, orders.OrderRequest("web", "bob@example.com", lines))
    journey.postbox.new(mail_ctx)
    gloves, cup = orders.show_order(mail_ctx, placed.id).lines
    assert gloves.ship_window is not None
    assert cup.ship_window is not None
    assert gloves.ship_window.latest < cup.ship_window.earliest  # the two lines are dated apart
    [mail] = [_mail(m) for m in smtp.inbox.to("bob@example.com")]
    whole = f"{_waiting_words(cup, TODAY)}, reserved for you from a confirmed delivery"
    assert mail.sections() == {
        "Your order is on backorder: we do not have it in stock yet.": [Item(1, GLOVES, whole), Item(1, "CUP", whole)]
    }
    assert _waiting_words(gloves, TODAY) not in mail.words


def test_the_cancellation_e_mail_names_the_shops_order_number_in_both_parts(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    journey = _start(mail_ctx, smtp, "as_available")
    journey.postbox.new(mail_ctx)
    orders.cancel_line(mail_ctx, journey.order_id, TEAPOT, None)
    mail = journey.postbox.one(mail_ctx)
    assert f"we had to cancel from your order {ORDER_REF}:" in mail.text
    assert f"we had to cancel from your order <strong>{ORDER_REF}</strong>:" in mail.html
    assert journey.order_id not in mail.words
