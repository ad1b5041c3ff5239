"""The outbox worker: delivers what the core wrote, at least once, and runs the periodic jobs.

One round: claim a batch of due messages under a lease (see `store.delivery`), then
- expand each event into its e-mails and webhook deliveries (one transaction per event, exactly once),
- send each e-mail, post each webhook,
- record the outcome: delivered, or failed with the error and a next attempt after an exponential backoff,
  or dead after RESTOCK_OUTBOX_MAX_ATTEMPTS failures (listed by `restock outbox --dead`, retried by hand).
A worker killed mid-batch leaves its lease to expire; then another worker (or it, restarted) sends those
messages again, with the same deduplication key and Message-ID, so a receiver can drop the repeat.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from restock.domain.events import Topic
from restock.notify import webhooks as hooks
from restock.notify.handlers import Expansion, expand
from restock.notify.jobs import PERIODIC_JOBS, PeriodicJob
from restock.notify.mail import Mailer, Outgoing, Templates, make_mailer
from restock.services.context import Context
from restock.store import delivery
from restock.store.db import unit_of_work
from restock.store.outbox import event_of, is_event
from restock.store.schema import WebhookEndpoint
from restock.store.webhooks import add_attempt

log = logging.getLogger("restock.worker")

MAX_BACKOFF_SECONDS = 3600


def utc_now() -> datetime:
    """Leases and backoff run on real time, whatever business date RESTOCK_TODAY fixes."""
    return datetime.now(UTC).replace(tzinfo=None)


def backoff_seconds(attempts: int, base: int) -> int:
    """After the n-th failure wait base x 2^(n-1), at most an hour: 30 s, 1 min, 2 min, 4 min, ..."""
    return int(min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, attempts - 1)))


@dataclass
class RoundResult:
    delivered: int = 0
    failed: int = 0
    dead: int = 0
    jobs_run: list[str] = field(default_factory=list)

    def add(self, other: RoundResult) -> None:
        self.delivered += other.delivered
        self.failed += other.failed
        self.dead += other.dead
        self.jobs_run += other.jobs_run

    @property
    def handled(self) -> int:
        return self.delivered + self.failed + self.dead


class Worker:
    def __init__(self, ctx: Context, mailer: Mailer | None = None, jobs: Sequence[PeriodicJob] = PERIODIC_JOBS) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.notify
        self.mailer = mailer or make_mailer(self.settings)
        self.jobs = jobs
        self.templates = Templates(self.settings.templates_dir)

    # ------------------------------------------------------------ the loop

    def run_once(self) -> RoundResult:
        """Run the periodic jobs that are due, then deliver everything due now; for cron and scripts."""
        total = RoundResult(jobs_run=self.run_due_jobs())
        while True:
            result = self.deliver_batch()
            total.add(result)
            if result.handled == 0:
                return total

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: deliver as messages come, sleeping a poll interval when there is nothing."""
        while not stop.is_set():
            try:
                self.run_due_jobs()
                result = self.deliver_batch()
            except DBAPIError as error:  # the database went away for a moment: try again after a pause
                log.warning("worker round failed: %s", str(error).splitlines()[0])
                result = RoundResult()
            if result.handled == 0:
                stop.wait(self.settings.worker_poll_seconds)
        self.mailer.close()

    def run_due_jobs(self) -> list[str]:
        ran = []
        for job in self.jobs:
            with unit_of_work(self.ctx.engine) as session:
                claimed = delivery.claim_job_run(session, job.name, job.every.total_seconds(), utc_now())
            if claimed:
                job.run(self.ctx)
                ran.append(job.name)
        return ran

    # ------------------------------------------------------------ one batch

    def deliver_batch(self) -> RoundResult:
        lease = self.settings.outbox_lease_seconds
        claimed_at = utc_now()
        with unit_of_work(self.ctx.engine) as session:
            delivery.relax_durability(session)
            claimed = delivery.claim_due(session, claimed_at, self.settings.outbox_batch_size, lease)
        stop_starting = claimed_at + timedelta(seconds=lease / 2)
        result = RoundResult()
        sent: list[int] = []
        for position, message in enumerate(claimed):
            if position and utc_now() > stop_starting:
                # A slow receiver: start nothing this late in the lease (another worker could take the message
                # over while it is being sent, and send it twice); hand the rest back at once instead.
                self._release([m.id for m in claimed[position:]])
                break
            try:
                if message.topic == Topic.EMAIL:
                    self.mailer.send(Outgoing.from_payload(message.payload), message.dedup_key)
                    sent.append(message.id)
                elif message.topic == Topic.WEBHOOK:
                    self._post_webhook(message, result)
                    continue
                elif is_event(message.topic):
                    self._expand(message)
                    result.delivered += 1
                else:
                    raise LookupError(f"no handler for outbox topic {message.topic!r}")
            except Exception as error:  # any failure of one message is recorded on it; the batch goes on
                self._record_failure(message, f"{error.__class__.__name__}: {error}", result)
        if sent:
            with unit_of_work(self.ctx.engine) as session:
                delivery.relax_durability(session)
                delivery.mark_delivered(session, sent, utc_now())
            result.delivered += len(sent)
        return result

    def _release(self, ids: list[int]) -> None:
        with unit_of_work(self.ctx.engine) as session:
            delivery.release(session, ids)

    def _expand(self, message: delivery.Claimed) -> None:
        event = event_of(message.topic, message.payload)  # read back once: the handlers work with the typed event
        with unit_of_work(self.ctx.engine) as session:
            derived = expand(Expansion(session, self.ctx, self.templates), message, event)
            delivery.add_messages(session, derived, self.ctx.clock.now())
            delivery.mark_delivered(session, [message.id], utc_now())

    def _post_webhook(self, message: delivery.Claimed, result: RoundResult) -> None:
        p = message.payload
        with unit_of_work(self.ctx.engine, readonly=True) as session:
            endpoint = session.get(WebhookEndpoint, p["endpoint"])
            target = None if endpoint is None or endpoint.disabled_at else (endpoint.url, endpoint.secret)
        if target is None:  # the admin disabled the endpoint meanwhile: nothing to deliver
            with unit_of_work(self.ctx.engine) as session:
                delivery.mark_delivered(session, [message.id], utc_now())
            result.delivered += 1
            return
        url, secret = target
        outcome = hooks.post(
            url, secret, p["event"], message.dedup_key, p["body"], self.settings.webhook_timeout_seconds
        )
        now = utc_now()
        with unit_of_work(self.ctx.engine) as session:
            add_attempt(
                session,
                p["endpoint"],
                message.id,
                p["event"],
                now,
                outcome.status_code,
                outcome.error,
                outcome.duration_ms,
            )
            if outcome.ok:
                delivery.mark_delivered(session, [message.id], now)
                result.delivered += 1
            else:
                self._fail_in(session, message, outcome.error or f"HTTP {outcome.status_code}", now, result)

    def _record_failure(self, message: delivery.Claimed, error: str, result: RoundResult) -> None:
        log.warning("outbox message %s (%s) failed: %s", message.id, message.topic, error)
        with unit_of_work(self.ctx.engine) as session:
            self._fail_in(session, message, error, utc_now(), result)

    def _fail_in(
        self, session: Session, message: delivery.Claimed, error: str, now: datetime, result: RoundResult
    ) -> None:
        attempts = message.attempts + 1
        dead = attempts >= self.settings.outbox_max_attempts
        retry_at = (
            None if dead else now + timedelta(seconds=backoff_seconds(attempts, self.settings.outbox_retry_seconds))
        )
        delivery.mark_failed(session, message.id, error, now, retry_at, dead)
        if dead:
            result.dead += 1
        else:
            result.failed += 1


def start_in_thread(ctx: Context) -> tuple[threading.Thread, threading.Event]:
    """A worker beside the API (`restock serve`): one thread in the serving process, stopped by the event."""
    stop = threading.Event()
    worker = Worker(ctx)
    thread = threading.Thread(target=worker.run, args=(stop,), name="restock-outbox-worker", daemon=True)
    thread.start()
    return thread, stop
