"""The outbox worker: delivers what the core wrote, at least once, and runs the periodic jobs.

One round: claim a batch of due messages under a lease (see `store.delivery`), then
- expand each event into its e-mails and webhook deliveries (one transaction per event, exactly once),
- send each e-mail, post each webhook: in two lanes, so that e-mails never wait behind a slow webhook
  receiver (`restock serve` and `restock worker` run the webhook lane in a thread of its own; see
  `notify.webhook_lane` for its deadlines, its bounded pool and the per-endpoint circuit breaker),
- record the outcome: delivered, or failed with the error and a next attempt after an exponential backoff,
  or dead after RESTOCK_OUTBOX_MAX_ATTEMPTS failures (listed by `restock outbox --dead`, retried by hand).
A worker killed mid-batch leaves its lease to expire; then another worker (or it, restarted) sends those
messages again, with the same deduplication key and Message-ID, so a receiver can drop the repeat.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import timedelta

from restock.config import utc_now
from restock.domain.events import Topic
from restock.notify.handlers import Expansion, expand
from restock.notify.jobs import PERIODIC_JOBS, PeriodicJob
from restock.notify.mail import Mailer, Outgoing, Templates, make_mailer
from restock.notify.rounds import MAX_BACKOFF_SECONDS, RoundResult, backoff_seconds, fail_in, poll
from restock.notify.webhook_lane import WebhookLane
from restock.services.context import Context
from restock.store import delivery
from restock.store.db import unit_of_work
from restock.store.outbox import event_of, is_event

log = logging.getLogger("restock.worker")

__all__ = ["MAX_BACKOFF_SECONDS", "RoundResult", "Worker", "backoff_seconds", "start_in_thread", "utc_now"]

MAIL_LANE_TOPICS = tuple(t for t in Topic if t != Topic.WEBHOOK)
"""What the e-mail lane claims: the events (expanded into e-mails and webhook deliveries) and the e-mails."""


class Worker:
    def __init__(self, ctx: Context, mailer: Mailer | None = None, jobs: Sequence[PeriodicJob] = PERIODIC_JOBS) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.notify
        self.mailer = mailer or make_mailer(self.settings)
        self.jobs = jobs
        self.templates = Templates(self.settings.templates_dir)
        self.webhooks = WebhookLane(ctx)

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
        """Until `stop` is set: deliver as messages come, sleeping a poll interval when there is nothing; the
        webhook lane runs in a thread of its own, so a slow receiver never holds an e-mail back."""
        hooks = threading.Thread(target=self.webhooks.run, args=(stop,), name="restock-webhook-lane", daemon=True)
        hooks.start()
        poll(stop, lambda: self._mail_round().handled, self.settings.worker_poll_seconds)
        hooks.join()
        self.mailer.close()

    def _mail_round(self) -> RoundResult:
        self.run_due_jobs()
        return self.deliver_mail_batch()

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
        """One batch of each lane, one after the other (`run_once`, tests); `run` runs the lanes side by side."""
        result = self.deliver_mail_batch()
        result.add(self.webhooks.deliver_batch())
        return result

    def deliver_mail_batch(self) -> RoundResult:
        lease = self.settings.outbox_lease_seconds
        claimed_at = utc_now()
        with unit_of_work(self.ctx.engine) as session:
            delivery.relax_durability(session)
            claimed = delivery.claim_due(session, claimed_at, self.settings.outbox_batch_size, lease, MAIL_LANE_TOPICS)
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

    def _record_failure(self, message: delivery.Claimed, error: str, result: RoundResult) -> None:
        log.warning("outbox message %s (%s) failed: %s", message.id, message.topic, error)
        with unit_of_work(self.ctx.engine) as session:
            fail_in(session, self.settings, message, error, utc_now(), result)


def start_in_thread(ctx: Context) -> tuple[threading.Thread, threading.Event]:
    """A worker beside the API (`restock serve`): one thread in the serving process, stopped by the event."""
    stop = threading.Event()
    worker = Worker(ctx)
    thread = threading.Thread(target=worker.run, args=(stop,), name="restock-outbox-worker", daemon=True)
    thread.start()
    return thread, stop
