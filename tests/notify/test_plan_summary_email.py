"""With RESTOCK_PLAN_NOTIFY set, each stored plan run's summary goes to the purchasing contact, through the outbox
and a real SMTP server; its numbers are the stored run's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from restock.config import Settings
from restock.services import plan_runs
from restock.services.context import Context
from restock.services.planning import daily_plan
from tests.notify.conftest import SHOP, SmtpServer, deliver, text_and_html
from tests.service.test_plan import hand_made_plan, shop

BUYER = "buyer@mugs.example"


def notifying(ctx: Context, create_pos: bool = True) -> Context:
    return replace(ctx, settings=replace(ctx.settings, plan_notify=BUYER, plan_creates_pos=create_pos))


def test_the_daily_plan_e_mails_its_summary_with_the_runs_numbers(mail_ctx: Context, smtp: SmtpServer) -> None:
    """The run: BOWL 12 x $3.00 from ACME, short from Nov 28; MUG 10 x $5.00 from FAST, short from Dec 8; both
    drafted; the radar has 3 rows, 515.00 at risk."""
    shop(mail_ctx)
    daily = daily_plan(notifying(mail_ctx), hand_made_plan)
    deliver(mail_ctx)
    [summary] = smtp.inbox.to(BUYER)
    run = plan_runs.show_plan_run(mail_ctx, daily.run.id)
    assert summary["Subject"] == f"{SHOP}: purchase plan for 2026-11-27, 2 suggestions worth 86.00"
    text, html = text_and_html(summary)
    assert f"Purchase plan run {run.id} for 2026-11-27 (daily): 2 suggestions, 22 units, value 86.00." in text
    assert "and the demand up to 2026-11-27." in text
    assert "- ACME: 1 line, 12 units, value 36.00\n- FAST: 1 line, 10 units, value 50.00\n" in text
    assert (
        "Most urgent first:\n"
        "- BOWL at W1: 12 from ACME, value 36.00, out of stock from 2026-11-28; "
        "cannot arrive before the stock-out on 2026-12-07, 4 days late\n"
        "- MUG at W1: 10 from FAST, value 50.00, out of stock from 2026-12-08\n"
    ) in text
    [acme, fast] = run.purchase_orders
    assert f"- PO {acme.po_id}: ACME to W1, 1 line\n- PO {fast.po_id}: FAST to W1, 1 line\n" in text
    assert "Shortage radar: 3 SKU x warehouses at risk, 515.00 of revenue." in text
    assert [(t.supplier, t.lines, t.units, t.value) for t in run.totals] == [
        ("ACME", 1, 12, 36.0),
        ("FAST", 1, 10, 50.0),
    ]
    assert (run.lines, run.units, run.value, run.at_risk, run.revenue_at_risk) == (2, 22, 86.0, 3, 515.0)
    assert '<td>ACME</td><td align="right">1</td><td align="right">12</td><td align="right">36.00</td>' in html
    assert "purchasing contact" in html
    assert "opted out of marketing" not in text + html  # not a customer's e-mail


def test_a_run_without_drafts_says_none_was_made(mail_ctx: Context, smtp: SmtpServer) -> None:
    shop(mail_ctx)
    daily_plan(notifying(mail_ctx, create_pos=False), hand_made_plan)
    deliver(mail_ctx)
    [summary] = smtp.inbox.to(BUYER)
    text, _ = text_and_html(summary)
    assert "No draft purchase order was made." in text


def test_without_a_purchasing_contact_no_summary_is_sent(mail_ctx: Context, smtp: SmtpServer) -> None:
    shop(mail_ctx)
    daily_plan(mail_ctx, hand_made_plan)
    deliver(mail_ctx)
    assert smtp.inbox.to(BUYER) == []
    assert not [s for s in smtp.inbox.subjects() if "purchase plan" in s]


@pytest.mark.parametrize("value", ["not-an-address", "a@b@example.com", "buyer@localhost", "Buyer <b@example.com>"])
def test_a_purchasing_contact_that_is_not_one_address_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="RESTOCK_PLAN_NOTIFY must be one e-mail address"):
        Settings.from_env({"RESTOCK_PLAN_NOTIFY": value})
    assert Settings.from_env({"RESTOCK_PLAN_NOTIFY": " buyer@example.com "}).plan_notify == "buyer@example.com"
    assert Settings.from_env({}).plan_notify is None
