"""Prometheus metrics of the API process (one registry per process; see README for several workers)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.requests import Request
from starlette.responses import Response

from restock.services import backorders
from restock.services.context import Context

REGISTRY = CollectorRegistry()
REQUESTS = Counter("restock_http_requests", "HTTP requests", ["method", "route", "status"], registry=REGISTRY)
LATENCY = Histogram(
    "restock_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
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


async def observe(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Count and time every request by its route template (not its URL: ids would explode the label set)."""
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    template = getattr(route, "path", "unmatched")
    LATENCY.labels(request.method, template).observe(time.perf_counter() - started)
    REQUESTS.labels(request.method, template, str(response.status_code)).inc()
    if template == "/v1/orders" and request.method == "POST" and response.status_code == 201:
        ORDERS_PLACED.inc()
    return response
