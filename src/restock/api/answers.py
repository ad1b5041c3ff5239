"""Availability answers kept in memory, because storefronts ask the same question far more often than stock moves.

A product page asks for its SKU on every view; stock changes with orders and receipts, far more rarely. Each
worker process keeps the JSON it last sent per (SKU, channel, business day), and a `ChangeWatcher` thread drops
an answer as soon as the database's feed of availability changes (written by triggers, migration 0006) names its
SKU: a change is seen within about `POLL_SECONDS`, whichever process or tool made it. Answers also expire after
`RESTOCK_AVAILABILITY_CACHE_SECONDS`, a safety net. A shopper may thus see an answer a fraction of a second old;
that can never oversell, because placing an order decides again under the SKU's lock.

Why a polled table and not LISTEN/NOTIFY: PostgreSQL serialises the commits of transactions that NOTIFY (a
database-wide lock held through the commit), and measured here that halved the rate of short write transactions
(pgbench, 16 clients: 6,600-7,000 -> 1,300-3,200 tps). Order placement must not pay that for a read cache.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from datetime import date
from types import SimpleNamespace

from starlette.types import ASGIApp, Receive, Scope, Send

from restock.api.metrics import AVAILABILITY_ANSWERS
from restock.api.security import KeyCache, has_role, on_own_channel
from restock.config import Clock
from restock.domain.validation import CODE_PATTERN
from restock.services import availability_feed
from restock.services.apikeys import Principal, Role
from restock.services.context import Context

log = logging.getLogger(__name__)

POLL_SECONDS = 0.2
SOON_SECONDS = 0.05
"""After a write through this worker, the feed is read this soon, not at once: writes that follow within it
are read back by the same poll, so a busy order stream costs at most 1 / SOON_SECONDS polls a second."""
GAP_PATIENCE_SECONDS = 10.0
"""How long a skipped feed number may stay uncommitted before every answer is dropped to be safe."""
MAX_GAPS = 10_000
CLEANUP_EVERY_SECONDS = 60.0
KEEP_FEED_SECONDS = 300.0

ANSWERS_FROM_MEMORY = AVAILABILITY_ANSWERS.labels("memory")
ANSWERS_FROM_DATABASE = AVAILABILITY_ANSWERS.labels("database")

AnswerKey = tuple[str, str, date]
"""SKU code, channel code, business day (an answer depends on the day: ETAs pass)."""


class AnswerCache:
    """JSON bodies by SKU, channel and day, each good for `ttl` seconds while the cache is `live`.

    It is live only while a watcher follows the feed of changes: without one, nothing is served from memory.
    """

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic, max_skus: int = 100_000) -> None:
        self.ttl, self.clock, self.max_skus = ttl, clock, max_skus
        self.live = False
        self._by_sku: dict[str, dict[tuple[str, date], tuple[float, bytes]]] = {}
        self._generation = 0
        """Bumped by every drop: an answer read from the database before a drop must not be stored after it."""
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.ttl > 0

    def generation(self) -> int:
        return self._generation

    def get(self, key: AnswerKey) -> bytes | None:
        if not (self.enabled and self.live):
            return None
        sku, channel, day = key
        with self._lock:
            entry = self._by_sku.get(sku, {}).get((channel, day))
        if entry is None or entry[0] < self.clock():
            return None
        return entry[1]

    def put(self, key: AnswerKey, body: bytes, read_in_generation: int) -> None:
        """Keep an answer read from the database, unless answers were dropped while it was being read."""
        if not (self.enabled and self.live):
            return
        sku, channel, day = key
        with self._lock:
            if read_in_generation != self._generation:
                return
            if sku not in self._by_sku and len(self._by_sku) >= self.max_skus:
                self._by_sku.clear()  # a huge catalog: start over rather than grow without bound
            self._by_sku.setdefault(sku, {})[(channel, day)] = (self.clock() + self.ttl, body)

    def forget(self, skus: Iterable[str]) -> None:
        with self._lock:
            self._generation += 1
            for sku in skus:
                self._by_sku.pop(sku, None)

    def clear(self) -> None:
        with self._lock:
            self._generation += 1
            self._by_sku.clear()


class ChangeWatcher:
    """Follows the feed of availability changes (`restock.services.availability_feed`), dropping stale answers.

    Feed numbers are taken when a row is inserted, so a transaction that started earlier can commit after a later
    number is already visible: skipped numbers are asked for again until they show up, or for
    `GAP_PATIENCE_SECONDS` (a rolled-back transaction leaves its numbers unused forever), after which every
    answer is dropped rather than risk keeping a stale one. On PostgreSQL the feed is unlogged, so a crash
    empties it; its epoch token then changes, and the watcher drops every answer and starts over.
    """

    def __init__(self, ctx: Context, answers: AnswerCache, clock: Callable[[], float] = time.monotonic) -> None:
        self.ctx, self.answers, self.clock = ctx, answers, clock
        self.epoch: str | None = None
        self.last = 0
        self.gaps: dict[int, float] = {}
        self._seen: list[tuple[float, int]] = []
        self._last_cleanup = clock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._poll_lock = threading.Lock()

    def begin(self) -> None:
        """Start from the feed's current end: answers read from now on are followed."""
        self.epoch = availability_feed.current_epoch(self.ctx)
        self.last = availability_feed.last_change(self.ctx)
        self.gaps.clear()
        self.answers.clear()
        self.answers.live = True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="restock-answer-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.answers.live = False

    def poll_soon(self) -> None:
        """After a write through this worker: look at the feed within `SOON_SECONDS` rather than at the next tick."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            if not self.answers.live:
                self._try(self.begin)
            else:
                self._try(self.poll)
            if self._wake.wait(POLL_SECONDS):
                self._stop.wait(SOON_SECONDS)
            self._wake.clear()

    def _try(self, step: Callable[[], None]) -> None:
        try:
            step()
        except Exception:  # the database is away: serve nothing from memory until the feed is followed again
            log.exception("availability change feed unreadable; answers are not cached until it is back")
            self.answers.live = False

    def poll(self) -> None:
        with self._poll_lock:
            changes = availability_feed.changes_since(self.ctx, self.last, tuple(self.gaps))
            if changes.started_over_since(self.epoch):  # a crash emptied the feed: unread changes may be lost with it
                log.warning("the availability change feed started over; every remembered answer is dropped")
                self.begin()
                return
            if changes.everything:
                self.answers.clear()
            elif changes.sku_codes:
                self.answers.forget(changes.sku_codes)
            self._advance(changes.seqs)
            self._cleanup_now_and_then()

    def _advance(self, seqs: tuple[int, ...]) -> None:
        now = self.clock()
        for seq in seqs:
            self.gaps.pop(seq, None)
        newest = max(seqs, default=self.last)
        if newest > self.last:
            seen = set(seqs)
            for skipped in range(self.last + 1, newest):
                if skipped not in seen:
                    self.gaps[skipped] = now
            self.last = newest
        expired = [seq for seq, since in self.gaps.items() if now - since > GAP_PATIENCE_SECONDS]
        if expired or len(self.gaps) > MAX_GAPS:
            self.answers.clear()
            for seq in expired:
                del self.gaps[seq]
            if len(self.gaps) > MAX_GAPS:
                self.gaps.clear()

    def _cleanup_now_and_then(self) -> None:
        """Every minute, drop feed rows this watcher saw more than five minutes ago (every watcher does the same)."""
        now = self.clock()
        self._seen.append((now, min([self.last, *self.gaps])))
        if now - self._last_cleanup < CLEANUP_EVERY_SECONDS:
            return
        self._last_cleanup = now
        old = [seq for seen_at, seq in self._seen if now - seen_at >= KEEP_FEED_SECONDS]
        self._seen = [(seen_at, seq) for seen_at, seq in self._seen if now - seen_at < KEEP_FEED_SECONDS]
        if old:
            availability_feed.forget_before(self.ctx, max(old))


class RememberedAnswers:
    """ASGI layer that sends a remembered availability answer before routing and dependency resolution.

    On a product page the read itself is a dictionary lookup; FastAPI's routing and its six nested dependencies
    cost more than that, so the hot case is answered here: a plain `GET /v1/availability/{sku}` with at most
    `?channel=CODE`, from a key this worker has already checked (the same key cache and the same role and channel
    rules as the route), for an answer the route itself sent and remembered. Anything else (a new key, a refused
    role, another query string, nothing remembered) goes on to the route, which answers or refuses it in full.
    """

    def __init__(self, app: ASGIApp, answers: AnswerCache, keys: KeyCache, clock: Clock) -> None:
        self.app, self.answers, self.keys, self.clock = app, answers, keys, clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self._remembered(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if body is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = AVAILABILITY_ROUTE  # metrics label it as the route would be
        ANSWERS_FROM_MEMORY.inc()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _remembered(self, scope: Scope) -> bytes | None:
        path: str = scope["path"]
        if not (self.answers.live and path.startswith(AVAILABILITY_PREFIX)):
            return None
        sku = path[len(AVAILABILITY_PREFIX) :]
        channel = _channel_asked(scope["query_string"])
        who = self._caller(scope["headers"])
        if "/" in sku or not sku or channel is None or who is None:
            return None
        channel = channel or who.channel or ""
        if not (channel and has_role(who, Role.STOREFRONT) and on_own_channel(who, channel)):
            return None
        return self.answers.get((sku, channel, self.clock.today()))

    def _caller(self, headers: Iterable[tuple[bytes, bytes]]) -> Principal | None:
        for name, value in headers:
            if name == b"authorization":
                scheme, _, key = value.decode("latin-1").partition(" ")
                return self.keys.get(key) if scheme.lower() == "bearer" and key else None
        return None


AVAILABILITY_PREFIX = "/v1/availability/"
AVAILABILITY_ROUTE = SimpleNamespace(path="/v1/availability/{sku}")
CHANNEL_QUERY = re.compile(b"channel=(" + CODE_PATTERN.pattern.encode() + b")")
"""The one query string answered before routing: a channel code by the codes' own rule."""


def _channel_asked(query: bytes) -> str | None:
    """'' for no query, the code for exactly `channel=CODE`, None for anything the route must judge."""
    if not query:
        return ""
    found = CHANNEL_QUERY.fullmatch(query)
    return found.group(1).decode() if found else None
