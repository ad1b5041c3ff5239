"""The webhook lane of the outbox worker: posts deliveries beside the e-mails, never in front of them.

A batch of webhook deliveries is grouped by endpoint; a bounded pool of threads (RESTOCK_WEBHOOK_CONCURRENCY)
posts to several endpoints at once, each endpoint's deliveries one after the other, in order. Each attempt
ends at its deadline (RESTOCK_WEBHOOK_TIMEOUT_SECONDS, for the whole request), and an endpoint that keeps
failing opens its circuit breaker (see `notify.breaker`): its deliveries wait, the other endpoints go on.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timedelta

from restock.config import utc_now
from restock.domain.breaker import Breaker
from restock.domain.events import Topic
from restock.notify import webhooks as hooks
from restock.notify.rounds import RoundResult, fail_in, poll
from restock.services.context import Context
from restock.store import delivery
from restock.store import webhooks as store
from restock.store.db import unit_of_work
from restock.store.schema import WebhookEndpoint

log = logging.getLogger("restock.worker")

Target = tuple[str, str]
"""An endpoint's URL and secret."""


class WebhookLane:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.settings = ctx.settings.notify
        self._busy: set[int] = set()
        """Endpoints with deliveries in flight (`run`): new ones for them wait until those are done."""
        self._lock = threading.Lock()

    def deliver_batch(self) -> RoundResult:
        """Claim due deliveries and post them, endpoint by endpoint, a few endpoints at once; return when done
        (`restock worker --once`, tests)."""
        groups, stop_starting = self._claim()
        result = RoundResult()
        if not groups:
            return result
        with ThreadPoolExecutor(min(self.settings.webhook_concurrency, len(groups)), "restock-webhook") as pool:
            for part in pool.map(lambda ms: self._to_endpoint(ms, stop_starting), groups.values()):
                result.add(part)
        return result

    def run(self, stop: threading.Event) -> None:
        """Until `stop` is set: hand each endpoint's due deliveries to the pool without waiting for the others,
        so a slow endpoint holds back only its own deliveries (the pool finishes what it started)."""
        with ThreadPoolExecutor(self.settings.webhook_concurrency, "restock-webhook") as pool:
            poll(stop, lambda: self._dispatch(pool), self.settings.worker_poll_seconds)

    def _dispatch(self, pool: ThreadPoolExecutor) -> int:
        """Start the claimed deliveries of every idle endpoint; those of a busy one wait one deadline."""
        groups, stop_starting = self._claim()
        started = 0
        for endpoint_id, messages in groups.items():
            with self._lock:
                busy = endpoint_id in self._busy
                self._busy.add(endpoint_id)
            if busy:
                later = utc_now() + timedelta(seconds=self.settings.webhook_timeout_seconds)
                self._defer([m.id for m in messages], later)
                continue
            future = pool.submit(self._to_endpoint, messages, stop_starting)
            future.add_done_callback(functools.partial(self._idle, endpoint_id))
            started += len(messages)
        return started

    def _idle(self, endpoint_id: int, _: Future[RoundResult]) -> None:
        with self._lock:
            self._busy.discard(endpoint_id)

    def _claim(self) -> tuple[dict[int, list[delivery.Claimed]], datetime]:
        """Due deliveries, leased to this worker and grouped by endpoint; and when to stop starting them."""
        lease = self.settings.outbox_lease_seconds
        claimed_at = utc_now()
        with unit_of_work(self.ctx.engine) as session:
            delivery.relax_durability(session)
            claimed = delivery.claim_due(session, claimed_at, self.settings.outbox_batch_size, lease, [Topic.WEBHOOK])
        groups: dict[int, list[delivery.Claimed]] = {}
        for message in claimed:
            groups.setdefault(int(message.payload["endpoint"]), []).append(message)
        return groups, claimed_at + timedelta(seconds=lease / 2)

    def _to_endpoint(self, messages: Sequence[delivery.Claimed], stop_starting: datetime) -> RoundResult:
        """One endpoint's deliveries in order, until its breaker opens or the lease is half gone."""
        result = RoundResult()
        target, breaker = self._read_endpoint(int(messages[0].payload["endpoint"]))
        if target is None:  # the admin disabled the endpoint meanwhile: nothing to deliver
            self._settle([m.id for m in messages], result)
            return result
        for position, message in enumerate(messages):
            rest = [m.id for m in messages[position:]]
            now = utc_now()
            paused_until = breaker.paused_until
            if paused_until is not None and breaker.is_open(now):
                self._defer(rest, paused_until)
                break
            if now > stop_starting:  # start nothing this late in the lease: another worker could take it over
                self._defer(rest, None)
                break
            breaker = self._post(target, message, breaker, result)
        return result

    def _read_endpoint(self, endpoint_id: int) -> tuple[Target | None, Breaker]:
        with unit_of_work(self.ctx.engine, readonly=True) as session:
            endpoint = session.get(WebhookEndpoint, endpoint_id)
            target = None if endpoint is None or endpoint.disabled_at else (endpoint.url, endpoint.secret)
            streak, last_at = store.failure_streak(session, endpoint_id)
        return target, self._breaker(streak, last_at)

    def _breaker(self, streak: int, last_at: datetime | None) -> Breaker:
        return Breaker(streak, last_at, self.settings.webhook_breaker_failures, self.settings.webhook_breaker_seconds)

    def _post(self, target: Target, message: delivery.Claimed, breaker: Breaker, result: RoundResult) -> Breaker:
        """One attempt, logged under the endpoint; the message is delivered or scheduled again."""
        p = message.payload
        url, secret = target
        try:
            outcome = hooks.post(
                url,
                secret,
                p["event"],
                message.dedup_key,
                p["body"],
                self.settings.webhook_timeout_seconds,
                self.settings.webhook_allow_private,
            )
        except Exception as error:  # a bug in one attempt must not take the lane down
            outcome = hooks.PostResult(None, f"{error.__class__.__name__}: {error}"[:500], 0)
        now = utc_now()
        with unit_of_work(self.ctx.engine) as session:
            store.add_attempt(
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
                log.warning("webhook delivery %s failed: %s", message.id, outcome.error)
                fail_in(session, self.settings, message, outcome.error or f"HTTP {outcome.status_code}", now, result)
        return breaker.after(outcome.ok, now)

    def _settle(self, ids: list[int], result: RoundResult) -> None:
        with unit_of_work(self.ctx.engine) as session:
            delivery.mark_delivered(session, ids, utc_now())
        result.delivered += len(ids)

    def _defer(self, ids: list[int], until: datetime | None) -> None:
        """Hand deliveries back: due at once (the lease is running out) or when the endpoint's pause ends."""
        with unit_of_work(self.ctx.engine) as session:
            if until is None:
                delivery.release(session, ids)
            else:
                store.defer_deliveries(session, ids, until)
