"""The outbox worker: at least once, retries with backoff, dead letters, leases, and nothing for a rollback."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from restock.domain.errors import Conflict
from restock.notify.jobs import PeriodicJob
from restock.notify.worker import Worker, backoff_seconds, utc_now
from restock.services import orders
from restock.services import outbox as outbox_service
from restock.services.context import Context, use_case
from restock.store import delivery
from restock.store.db import unit_of_work
from restock.store.schema import OutboxMessage
from tests.builders import confirmed_po, on_hand, order, outbox_topics, standard_catalog
from tests.notify.conftest import SmtpServer, deliver, free_port, with_mail


def _count(ctx: Context, topic: str) -> int:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return int(session.scalar(select(func.count()).where(OutboxMessage.topic == topic)) or 0)


def test_backoff_doubles_from_the_base_and_stops_at_an_hour() -> None:
    assert [backoff_seconds(n, 30) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff_seconds(20, 30) == 3600


def test_a_failed_send_is_retried_later_with_its_error_recorded(ctx: Context, smtp: SmtpServer) -> None:
    down = with_mail(ctx, replace(smtp, port=free_port()), outbox_retry_seconds=30)  # nothing listens there
    standard_catalog(down)
    on_hand(down, "MUG", "W1", 1)
    order(down, "MUG", 1)
    result = deliver(down)
    assert result.failed == 1  # the e-mail; the event itself was expanded
    [email] = outbox_service.list_messages(down)
    assert email.topic == "email"
    assert email.attempts == 1
    assert email.last_error is not None
    assert "Connection" in email.last_error
    with unit_of_work(down.engine, readonly=True) as session:
        next_at = session.scalar(select(OutboxMessage.next_attempt_at).where(OutboxMessage.id == email.id))
    assert next_at is not None
    assert timedelta(seconds=25) < next_at - utc_now() <= timedelta(seconds=30)
    assert deliver(down).handled == 0  # not due yet: the worker leaves it alone


def test_a_message_that_keeps_failing_is_parked_as_dead_and_retried_by_hand(ctx: Context, smtp: SmtpServer) -> None:
    down = with_mail(ctx, replace(smtp, port=free_port()), outbox_max_attempts=3)
    standard_catalog(down)
    on_hand(down, "MUG", "W1", 1)
    order(down, "MUG", 1, email="eve@example.com")
    deliver(down)
    [dead] = outbox_service.list_messages(down, dead=True)
    assert dead.status == "dead"
    assert dead.attempts == 3
    assert outbox_service.outbox_counts(down)["dead"] == 1

    up = with_mail(ctx, smtp)
    outbox_service.retry_message(up, dead.id)
    deliver(up)
    assert len(smtp.inbox.to("eve@example.com")) == 1
    assert outbox_service.list_messages(up, dead=True) == []
    with pytest.raises(Conflict, match="not dead"):
        outbox_service.retry_message(up, dead.id)


def test_no_message_is_written_for_a_change_that_rolls_back(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 2)
    placed = order(ctx, "MUG", 2)
    before = outbox_topics(ctx)

    @use_case()
    def cancel_then_fail(session: Session, ctx: Context) -> None:
        """The real cancellation (it writes its message), then a failure later in the same transaction."""
        order_row = orders.locked_order(session, placed.id)
        orders.cancel_lines(session, ctx, order_row, orders.open_lines(session, order_row))
        session.flush()
        assert session.scalar(select(func.count()).where(OutboxMessage.topic == "order_cancelled")) == 1
        raise Conflict("something after the cancellation failed")

    with pytest.raises(Conflict):
        cancel_then_fail(ctx)
    assert outbox_topics(ctx) == before
    assert orders.show_order(ctx, placed.id).status == "open"

    with pytest.raises(orders.OrderRefused):  # a refused order is a rollback too
        order(ctx, "MUG", 50)
    assert outbox_topics(ctx) == before


def test_expanding_an_event_twice_does_not_double_its_e_mails(mail_ctx: Context, smtp: SmtpServer) -> None:
    """What happens when a lease ran out while the first worker was still expanding: one e-mail, not two."""
    standard_catalog(mail_ctx)
    on_hand(mail_ctx, "MUG", "W1", 2)
    deliver(mail_ctx)  # the count's availability change: only the order's event is left to claim
    order(mail_ctx, "MUG", 1)
    worker = Worker(mail_ctx)
    with unit_of_work(mail_ctx.engine) as session:
        [event] = delivery.claim_due(session, utc_now(), 10, 60)
    worker._expand(event)
    worker._expand(event)
    assert _count(mail_ctx, "email") == 1


def test_a_claimed_message_is_left_alone_until_its_lease_runs_out(ctx: Context) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 1)
    order(ctx, "MUG", 1)  # its confirmation, and the availability changes of the count and the sell-out
    now = utc_now()
    with unit_of_work(ctx.engine) as session:
        assert len(delivery.claim_due(session, now, 10, lease_seconds=30)) == 3
    with unit_of_work(ctx.engine) as session:
        assert delivery.claim_due(session, now + timedelta(seconds=29), 10, 30) == []
    with unit_of_work(ctx.engine) as session:
        assert len(delivery.claim_due(session, now + timedelta(seconds=31), 10, 30)) == 3  # taken over


def test_a_periodic_job_runs_once_per_period_whatever_the_number_of_workers(ctx: Context) -> None:
    runs: list[datetime] = []
    job = PeriodicJob("count", timedelta(hours=1), lambda _ctx: runs.append(utc_now()))
    first, second = Worker(ctx, jobs=[job]), Worker(ctx, jobs=[job])
    assert first.run_due_jobs() == ["count"]
    assert second.run_due_jobs() == []
    assert first.run_due_jobs() == []
    assert len(runs) == 1


def test_the_worker_delivers_what_the_core_wrote_and_leaves_nothing_pending(
    mail_ctx: Context, smtp: SmtpServer
) -> None:
    standard_catalog(mail_ctx)
    po = confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    placed = order(mail_ctx, "MUG", 2, email="fay@example.com")
    orders.cancel_order(mail_ctx, placed.id)
    from restock.services import purchasing

    purchasing.cancel_po(mail_ctx, po)
    deliver(mail_ctx)
    assert outbox_service.outbox_counts(mail_ctx)["pending"] == 0
    assert [str(m["Subject"]).split(": ")[1].split(" ")[-1] for m in smtp.inbox.to("fay@example.com")] == [
        "backorder)",
        placed.id,
    ]


def test_a_slow_receiver_makes_the_worker_hand_back_what_it_cannot_send_within_its_lease(
    ctx: Context, smtp: SmtpServer
) -> None:
    """No message may still be in flight when its lease runs out (another worker would send it again)."""
    slow = with_mail(ctx, smtp, outbox_lease_seconds=1, outbox_batch_size=10)
    standard_catalog(slow)
    on_hand(slow, "MUG", "W1", 6)
    for n in range(6):
        order(slow, "MUG", 1, email=f"slow{n}@example.com")
    deliver(slow)  # the six confirmations went out; now send them again, slowly
    smtp.inbox.messages.clear()
    with unit_of_work(slow.engine) as session:
        session.execute(update(OutboxMessage).where(OutboxMessage.topic == "email").values(delivered_at=None))
    smtp.inbox.delay = 0.3
    worker = Worker(slow, jobs=[])
    first = worker.deliver_batch()
    assert 1 <= first.delivered < 6  # it stopped starting new sends half-way through its 1 s lease ...
    with unit_of_work(slow.engine, readonly=True) as session:
        leased = session.scalar(
            select(func.count()).where(OutboxMessage.delivered_at.is_(None), OutboxMessage.locked_until.is_not(None))
        )
    assert leased == 0  # ... and handed the rest back at once
    worker.run_once()
    worker.mailer.close()
    keys = [str(m["X-Restock-Dedup-Key"]) for m in smtp.inbox.messages]
    assert len(keys) == 6
    assert len(set(keys)) == 6


def test_old_delivered_messages_are_purged_but_pending_and_dead_ones_stay(ctx: Context, smtp: SmtpServer) -> None:
    down = with_mail(ctx, replace(smtp, port=free_port()), outbox_max_attempts=1)
    standard_catalog(down)
    on_hand(down, "MUG", "W1", 2)
    order(down, "MUG", 1)
    deliver(down)  # the event is delivered (expanded), its e-mail dead
    order(down, "MUG", 1)  # pending, with the availability change of its sell-out
    assert outbox_service.purge_delivered(down) == 0  # delivered today: kept
    from tests.builders import on_day
    from tests.conftest import TODAY

    # the count's availability change and the first order's confirmation
    assert outbox_service.purge_delivered(on_day(down, TODAY + timedelta(days=31))) == 2
    counts = outbox_service.outbox_counts(down)
    assert (counts["delivered"], counts["dead"], counts["pending"]) == (0, 1, 2)
