"""The periodic update of a line whose window has passed says it is late, never that its date holds."""

from __future__ import annotations

from datetime import timedelta

from restock.domain.model import ShipWindow
from restock.domain.wording import window_has_passed
from restock.services import updates
from restock.services.context import Context
from tests.builders import confirmed_po, on_day, on_hand, order, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import SHOP, SmtpServer, deliver, text_and_html


def test_a_window_has_passed_only_after_its_last_day() -> None:
    window = ShipWindow(TODAY, TODAY + timedelta(days=4))
    assert not window_has_passed(window, TODAY + timedelta(days=4))  # its last day: it may still ship today
    assert window_has_passed(window, TODAY + timedelta(days=5))
    assert not window_has_passed(None, TODAY + timedelta(days=99))  # no date, nothing to be late against


def test_a_still_waiting_update_of_a_line_past_its_window_says_it_is_late(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 3)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    placed = order(mail_ctx, "MUG", 5, email="ann@example.com")  # 2 wait: shipping in 12-16 days
    past_it = on_day(mail_ctx, TODAY + timedelta(days=20))  # the PO never came and nobody moved its date
    assert updates.send_still_waiting_updates(past_it) == 1
    deliver(past_it)
    [update_mail] = [m for m in smtp.inbox.to("ann@example.com") if "your Mug" in str(m["Subject"])]
    assert update_mail["Subject"] == f"{SHOP}: your Mug for order {placed.id} is late"
    text, html = text_and_html(update_mail)
    due = (TODAY + timedelta(days=16)).isoformat()
    assert f"the 2 x Mug (MUG) you ordered on {TODAY}\nare late: they were due to ship by {due}" in text
    assert "our supplier has not delivered them yet. We are sorry." in text
    assert f"due to ship by <strong>{due}</strong>" in html
    for words in (text, html):
        assert "date holds" not in words
        assert "still on their way" not in words
