"""Prometheus metrics of the API process (one registry per process; see README for several workers)."""

from __future__ import annotations

import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from restock.api.problems import problem
from restock.services import backorders
from restock.services.context import Context

READS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_POSTS = frozenset({"/v1/availability"})
"""POSTs that only read (a batch too big for a URL): they must not clear cached answers."""
REGISTRY = CollectorRegistry()
REQUESTS = Counter("restock_http_requests", "HTTP requests", ["method", "route", "status"], registry=REGISTRY)
LATENCY = Histogram(
    "restock_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
AVAILABILITY_ANSWERS = Counter(
    "restock_availability_answers",
    "Single-SKU availability answers, by where they came from (memory or database)",
    ["source"],
    registry=REGISTRY,
)
ORDERS_PLACED = Counter("restock_orders_placed", "Orders placed through the API", registry=REGISTRY)
BACKORDERS_WAITING = Gauge("restock_backorders_waiting", "Order lines waiting for stock", registry=REGISTRY)
BACKORDER_UNITS = Gauge("restock_backorder_units_waiting", "Units waiting for stock", registry=REGISTRY)
OLDEST_BACKORDER = Gauge(
    "restock_oldest_backorder_age_seconds", "Age of the oldest waiting backorder", registry=REGISTRY
)


def refresh_backorder_gauges(ctx: Context) -> None:
    stats = backorders.queue_stats(ctx)
    BACKORDERS_WAITING.set(stats.waiting_lines)
    BACKORDER_UNITS.set(stats.waiting_units)
    age = (ctx.clock.now() - stats.oldest_placed_at).total_seconds() if stats.oldest_placed_at else 0.0
    OLDEST_BACKORDER.set(max(age, 0.0))


class Observe:
    """Plain ASGI middleware: refuses oversized bodies (by their declared length, or by the bytes read when no
    length is declared), then counts and times every request by its route template (not its URL: ids would explode
    the label set), and calls `on_write` when a write succeeded (so this worker looks for the availability it
    changed at once). Plain ASGI, because the decorator form costs a task and a copy of every response per
    request."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, on_write: Callable[[], None] = lambda: None) -> None:
        self.app, self.max_body_bytes, self.on_write = app, max_body_bytes, on_write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._acceptable_length(scope):
            await self._too_large(scope, receive, send)
            return
        if self._length_unknown(scope):  # chunked: no length to trust, so count what arrives
            received = await self._read_bounded(receive)
            if received is None:
                await self._too_large(scope, receive, send)
                return
            receive = _replay(received, receive)
        started, status = time.perf_counter(), [500]

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                if status[0] < 400 and self._writes(scope):
                    self.on_write()
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self._record(scope, status[0], time.perf_counter() - started)

    @staticmethod
    def _writes(scope: Scope) -> bool:
        return scope["method"] not in READS and scope["path"] not in READ_ONLY_POSTS

    def _acceptable_length(self, scope: Scope) -> bool:
        """A declared length is judged before a byte is read (the server then delivers no more than it)."""
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                return value.isdigit() and int(value) <= self.max_body_bytes
        return True

    @staticmethod
    def _length_unknown(scope: Scope) -> bool:
        """A body may come without a declared length: chunked, or a write that names none (a plain GET has none)."""
        names = {name for name, _ in scope.get("headers", ())}
        return b"content-length" not in names and (b"transfer-encoding" in names or scope["method"] not in READS)

    async def _read_bounded(self, receive: Receive) -> Message | None:
        """A body of unknown length, read here before routing, parsing or authentication see any of it; None as
        soon as more than `max_body_bytes` arrived (the rest is never read: the server stops reading the socket
        while nobody asks for more, and closes the connection after the answer)."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return message  # the client went away: let the app see the disconnect
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem(413, "payload_too_large", f"request bodies are limited to {self.max_body_bytes} bytes")
        await response(scope, receive, send)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        template = getattr(scope.get("route"), "path", "unmatched")
        method = scope.get("method", "")
        LATENCY.labels(method, template).observe(seconds)
        REQUESTS.labels(method, template, str(status)).inc()
        if template == "/v1/orders" and method == "POST" and status == 201:
            ORDERS_PLACED.inc()


def _replay(first: Message, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then waits on the real one (for a disconnect)."""
    pending = [first]

    async def replayed() -> Message:
        return pending.pop() if pending else await receive()

    return replayed
