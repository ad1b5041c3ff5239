"""Notify me: told in sign-up order, in batches sized to what can be bought, each subscriber once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from restock.domain.alerts import alert_batch_size, became_buyable, sellable_quantity
from restock.domain.errors import Conflict, InvalidInput, NotFound
from restock.domain.model import AvailabilityState as S
from restock.services import orders, purchasing, stock, subscriptions
from restock.services.context import Context
from tests.builders import on_day, on_hand, order, outbox_payloads, released_on, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import SmtpServer, deliver


def _sign_up(ctx: Context, count: int, channel: str = "web") -> list[str]:
    emails = [f"fan{n}@example.com" for n in range(count)]
    for email in emails:
        subscriptions.subscribe(ctx, "MUG", channel, email)
    return emails


def _alerted(smtp: SmtpServer) -> list[str]:
    return [str(m["To"]) for m in smtp.inbox.messages if "available again" in str(m["Subject"])]


def test_only_the_move_from_out_of_stock_to_buyable_counts() -> None:
    assert became_buyable(S.OUT_OF_STOCK, S.IN_STOCK)
    assert became_buyable(S.OUT_OF_STOCK, S.BACKORDER)
    assert became_buyable(S.OUT_OF_STOCK, S.PREORDER)
    assert not became_buyable(S.BACKORDER, S.IN_STOCK)
    assert not became_buyable(S.IN_STOCK, S.OUT_OF_STOCK)


def test_a_batch_is_a_multiple_of_what_can_be_bought() -> None:
    assert alert_batch_size(sellable_quantity(S.IN_STOCK, 3, 0), 3) == 9
    assert alert_batch_size(sellable_quantity(S.BACKORDER, 0, 4), 2) == 8
    assert alert_batch_size(sellable_quantity(S.OUT_OF_STOCK, 0, 0), 3) == 0


def test_subscribers_are_told_in_sign_up_order_a_batch_at_a_time_and_once(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    fans = _sign_up(mail_ctx, 8)
    stock.adjust_stock(mail_ctx, "MUG", "W1", 2, "found two")  # 2 units x 3 = the first 6 hear
    deliver(mail_ctx)
    assert sorted(_alerted(smtp)) == sorted(fans[:6])
    waiting = [s.email for s in subscriptions.list_subscriptions(mail_ctx, "MUG") if s.status == "waiting"]
    assert waiting == fans[6:]

    buyer = order(mail_ctx, "MUG", 2)  # sold out again ...
    orders.ship_order(mail_ctx, buyer.id)
    stock.adjust_stock(mail_ctx, "MUG", "W1", 5, "restock")  # ... and back: only the two still waiting hear
    deliver(mail_ctx)
    assert sorted(_alerted(smtp)) == sorted(fans)
    assert len(_alerted(smtp)) == len(fans)  # nobody twice


def test_subscribing_twice_is_one_subscription(ctx: Context) -> None:
    standard_catalog(ctx)
    first = subscriptions.subscribe(ctx, "MUG", "web", "gil@example.com")
    again = subscriptions.subscribe(ctx, "MUG", "web", "gil@example.com")
    assert first.id == again.id
    assert len(subscriptions.list_subscriptions(ctx)) == 1


def test_a_sku_that_can_be_bought_now_needs_no_subscription(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 1)
    with pytest.raises(Conflict, match="can be bought on web now"):
        subscriptions.subscribe(ctx, "MUG", "web", "hal@example.com")
    with pytest.raises(InvalidInput):
        subscriptions.subscribe(ctx, "MUG", "web", "not-an-address")
    with pytest.raises(NotFound):
        subscriptions.subscribe(ctx, "NOPE", "web", "hal@example.com")
    assert subscriptions.list_subscriptions(ctx) == []


def test_a_confirmed_po_makes_it_buyable_as_a_backorder(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    released_on(mail_ctx, "MUG", TODAY + timedelta(days=30))  # not yet released: a pre-order
    _sign_up(mail_ctx, 2)
    po = purchasing.create_po(mail_ctx, "ACME", "W1", [("MUG", 10)])
    purchasing.confirm_po(mail_ctx, po.id, TODAY + timedelta(days=10))
    deliver(mail_ctx)
    assert len(_alerted(smtp)) == 2
    text = smtp.inbox.messages[0].get_body(("plain",))
    assert text is not None
    assert "can be pre-ordered now" in str(text.get_content())  # type: ignore[attr-defined]


def test_only_the_channel_that_can_sell_it_hears(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)  # web is served by W1 and W2, market by W2 only
    subscriptions.subscribe(mail_ctx, "MUG", "web", "web@example.com")
    subscriptions.subscribe(mail_ctx, "MUG", "market", "market@example.com")
    stock.adjust_stock(mail_ctx, "MUG", "W1", 3, "count")
    deliver(mail_ctx)
    assert _alerted(smtp) == ["web@example.com"]
    stock.transfer_stock(mail_ctx, "MUG", "W1", "W2", 1)  # a transfer makes it buyable on the market too
    deliver(mail_ctx)
    assert _alerted(smtp) == ["web@example.com", "market@example.com"]


def test_a_cancellation_that_frees_stock_tells_the_next_subscriber(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 1)
    bought = order(mail_ctx, "MUG", 1)
    subscriptions.subscribe(mail_ctx, "MUG", "web", "ivy@example.com")
    orders.cancel_order(mail_ctx, bought.id)
    deliver(mail_ctx)
    assert _alerted(smtp) == ["ivy@example.com"]
    changes = outbox_payloads(mail_ctx, "availability_changed")  # counted in, sold out, cancelled
    assert [(c["old_state"], c["new_state"]) for c in changes] == [
        ("out_of_stock", "in_stock"),
        ("in_stock", "out_of_stock"),
        ("out_of_stock", "in_stock"),
    ]
    assert {c["channel"] for c in changes} == {"web"}  # market sells from W2 only


def test_nobody_hears_if_it_sold_out_again_before_the_worker_ran(mail_ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(mail_ctx)
    subscriptions.subscribe(mail_ctx, "MUG", "web", "jo@example.com")
    stock.adjust_stock(mail_ctx, "MUG", "W1", 1, "found one")
    order(mail_ctx, "MUG", 1)
    deliver(mail_ctx)
    assert _alerted(smtp) == []
    assert [s.status for s in subscriptions.list_subscriptions(mail_ctx)] == ["waiting"]  # keeps its place


def test_sign_ups_are_kept_per_day_as_demand(ctx: Context) -> None:
    standard_catalog(ctx)
    subscriptions.subscribe(ctx, "MUG", "web", "a@example.com")
    subscriptions.subscribe(ctx, "MUG", "market", "b@example.com")
    subscriptions.subscribe(on_day(ctx, TODAY + timedelta(days=1)), "MUG", "web", "c@example.com")
    assert subscriptions.signups_per_day(ctx, "MUG") == {TODAY: 2, TODAY + timedelta(days=1): 1}


def test_an_availability_change_is_written_even_when_nobody_listens_yet(ctx: Context) -> None:
    """Integrations and connectors read the events too: whether a webhook or a subscriber waits is the worker's
    business when it expands the message, not a reason to leave the change unrecorded."""
    standard_catalog(ctx)
    stock.adjust_stock(ctx, "MUG", "W1", 1, "count")
    [change] = outbox_payloads(ctx, "availability_changed")
    assert (change["old_state"], change["new_state"], change["channel"]) == ("out_of_stock", "in_stock", "web")


def test_the_next_batch_hears_when_the_first_left_stock_unsold(mail_ctx: Context, smtp: SmtpServer) -> None:
    from restock.notify.jobs import PERIODIC_JOBS

    assert "next_restock_alerts" in [job.name for job in PERIODIC_JOBS]
    standard_catalog(mail_ctx)
    fans = _sign_up(mail_ctx, 8)
    stock.adjust_stock(mail_ctx, "MUG", "W1", 1, "found one")  # 1 unit x 3: the first three hear
    deliver(mail_ctx)
    assert sorted(_alerted(smtp)) == sorted(fans[:3])
    assert subscriptions.queue_next_alert_batches(mail_ctx) == 0  # too soon: they may still buy it
    next_day = on_day(mail_ctx, TODAY + timedelta(days=1))
    assert subscriptions.queue_next_alert_batches(next_day) == 1  # nobody bought: the next three
    deliver(next_day)
    assert sorted(_alerted(smtp)) == sorted(fans[:6])
    order(next_day, "MUG", 1)  # sold: the last two wait for the next restock
    assert subscriptions.queue_next_alert_batches(on_day(mail_ctx, TODAY + timedelta(days=3))) == 0
