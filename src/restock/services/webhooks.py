"""Webhook endpoints for integrators: registered by an admin, each delivery signed and its attempts kept."""

from __future__ import annotations

import secrets
import socket
from collections.abc import Iterable
from typing import Literal, get_args
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from restock.domain import webhook_targets as targets
from restock.domain.breaker import Breaker
from restock.domain.errors import InvalidInput, NotFound
from restock.services.context import Context, use_case
from restock.services.notify_views import AttemptOut, WebhookOut
from restock.store import webhooks as hooks
from restock.store.schema import WebhookEndpoint

Event = Literal[
    "order.placed",
    "backorder.created",
    "backorder.delayed",
    "backorder.filled",
    "availability.changed",
    "order.shipped",
    "order.cancelled",
]
EVENTS: tuple[str, ...] = get_args(Event)
MAX_ATTEMPTS_SHOWN = 50


AttemptView = AttemptOut
WebhookView = WebhookOut


def _check_url(url: str, allowed: tuple[str, ...]) -> str:
    """An absolute http(s) URL whose host is public (or in RESTOCK_WEBHOOK_ALLOW_PRIVATE), resolved now."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a bracket left open
        host = None
    if not host or parts.scheme not in ("http", "https") or len(url) > 2000 or not url.isprintable():
        raise InvalidInput(f"a webhook URL must be an absolute http(s) URL, got {url[:100]!r}")
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
        _check_host(url, allowed)
    except ValueError as refused:  # UnsafeTarget, or a garbled port
        raise InvalidInput(str(refused)) from None
    return url


def _check_host(url: str, allowed: Iterable[str]) -> None:
    """The URL's host, resolved now, is public or allowed. A name that does not resolve (yet) is accepted:
    it reaches nothing, and each delivery resolves and checks it again."""
    host, port = targets.host_and_port(url)
    address = targets.literal(host)
    if address is not None:
        targets.check_addresses(host, [address], allowed)
        return
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        return
    targets.check_addresses(host, targets.addresses_of(infos), allowed)


def _check_events(events: list[str]) -> list[str]:
    if not events or events == ["*"]:
        return ["*"]
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise InvalidInput(f"unknown webhook event(s) {', '.join(unknown)[:200]}; known: {', '.join(EVENTS)}")
    return sorted(set(events))


def add_webhook(ctx: Context, url: str, events: list[str], secret: str | None = None) -> WebhookView:
    """Register an endpoint; without a secret, one is made (shown once: the receiver needs it).

    Checked before the transaction begins: resolving the URL's host may take a while, and no write (on
    SQLite, no other writer) should wait for a DNS server.
    """
    wanted = _check_events(events)
    if secret is not None and not 16 <= len(secret) <= 200:
        raise InvalidInput("a webhook secret must be 16-200 characters")
    checked = _check_url(url, ctx.settings.notify.webhook_allow_private)
    return _register(ctx, checked, wanted, secret or "whsec_" + secrets.token_hex(24))


@use_case()
def _register(session: Session, ctx: Context, url: str, events: list[str], secret: str) -> WebhookView:
    endpoint = hooks.add_endpoint(session, url, secret, events, ctx.clock.now())
    return WebhookView(
        id=endpoint.id,
        url=endpoint.url,
        events=events,
        created_at=endpoint.created_at,
        disabled=False,
        secret=endpoint.secret,
        attempts=[],
    )


def _view(session: Session, ctx: Context, endpoint: WebhookEndpoint, with_attempts: bool) -> WebhookView:
    attempts: list[AttemptView] = []
    if with_attempts:
        rows = hooks.latest_attempts(session, endpoint.id, MAX_ATTEMPTS_SHOWN)
        attempts = [
            AttemptView(
                delivery=key,
                event=a.event,
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                error=a.error,
                duration_ms=a.duration_ms,
            )
            for a, key in rows
        ]
    streak, last_failure_at = hooks.failure_streak(session, endpoint.id)
    notify = ctx.settings.notify
    breaker = Breaker(streak, last_failure_at, notify.webhook_breaker_failures, notify.webhook_breaker_seconds)
    return WebhookView(
        id=endpoint.id,
        url=endpoint.url,
        events=endpoint.events.split(","),
        created_at=endpoint.created_at,
        disabled=endpoint.disabled_at is not None,
        attempts=attempts,
        consecutive_failures=streak,
        paused_until=breaker.paused_until,
    )


@use_case(readonly=True)
def list_webhooks(session: Session, ctx: Context) -> list[WebhookView]:
    return [_view(session, ctx, e, False) for e in hooks.endpoints(session)]


@use_case(readonly=True)
def show_webhook(session: Session, ctx: Context, endpoint_id: int) -> WebhookView:
    """An endpoint with its latest delivery attempts, newest first."""
    endpoint = _endpoint(session, endpoint_id)
    return _view(session, ctx, endpoint, True)


def _endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"unknown webhook {endpoint_id}")
    return endpoint


@use_case()
def disable_webhook(session: Session, ctx: Context, endpoint_id: int) -> WebhookView:
    endpoint = _endpoint(session, endpoint_id)
    endpoint.disabled_at = endpoint.disabled_at or ctx.clock.now()
    return _view(session, ctx, endpoint, False)


def endpoints_for(session: Session, event: str) -> list[WebhookEndpoint]:
    """The active endpoints that asked for this event."""
    return [e for e in hooks.active_endpoints(session) if e.events == "*" or event in e.events.split(",")]


record_attempt = hooks.add_attempt
"""Kept for importers: one delivery attempt is logged by `store.webhooks.add_attempt`."""
