"""Webhook endpoints for integrators: registered by an admin, each delivery signed and its attempts kept."""

from __future__ import annotations

import secrets
from typing import Literal, get_args
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

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


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise InvalidInput(f"a webhook URL must be an absolute http(s) URL, got {url[:100]!r}")
    return url


def _check_events(events: list[str]) -> list[str]:
    if not events or events == ["*"]:
        return ["*"]
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise InvalidInput(f"unknown webhook event(s) {', '.join(unknown)[:200]}; known: {', '.join(EVENTS)}")
    return sorted(set(events))


@use_case()
def add_webhook(session: Session, ctx: Context, url: str, events: list[str], secret: str | None = None) -> WebhookView:
    """Register an endpoint; without a secret, one is made (shown once: the receiver needs it)."""
    wanted = _check_events(events)
    if secret is not None and not 16 <= len(secret) <= 200:
        raise InvalidInput("a webhook secret must be 16-200 characters")
    endpoint = hooks.add_endpoint(
        session, _check_url(url), secret or "whsec_" + secrets.token_hex(24), wanted, ctx.clock.now()
    )
    return WebhookView(
        id=endpoint.id,
        url=endpoint.url,
        events=wanted,
        created_at=endpoint.created_at,
        disabled=False,
        secret=endpoint.secret,
        attempts=[],
    )


def _view(session: Session, endpoint: WebhookEndpoint, with_attempts: bool) -> WebhookView:
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
    return WebhookView(
        id=endpoint.id,
        url=endpoint.url,
        events=endpoint.events.split(","),
        created_at=endpoint.created_at,
        disabled=endpoint.disabled_at is not None,
        attempts=attempts,
    )


@use_case(readonly=True)
def list_webhooks(session: Session, ctx: Context) -> list[WebhookView]:
    return [_view(session, e, False) for e in hooks.endpoints(session)]


@use_case(readonly=True)
def show_webhook(session: Session, ctx: Context, endpoint_id: int) -> WebhookView:
    """An endpoint with its latest delivery attempts, newest first."""
    endpoint = _endpoint(session, endpoint_id)
    return _view(session, endpoint, True)


def _endpoint(session: Session, endpoint_id: int) -> WebhookEndpoint:
    endpoint = session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"unknown webhook {endpoint_id}")
    return endpoint


@use_case()
def disable_webhook(session: Session, ctx: Context, endpoint_id: int) -> WebhookView:
    endpoint = _endpoint(session, endpoint_id)
    endpoint.disabled_at = endpoint.disabled_at or ctx.clock.now()
    return _view(session, endpoint, False)


def endpoints_for(session: Session, event: str) -> list[WebhookEndpoint]:
    """The active endpoints that asked for this event."""
    return [e for e in hooks.active_endpoints(session) if e.events == "*" or event in e.events.split(",")]


record_attempt = hooks.add_attempt
"""Kept for importers: one delivery attempt is logged by `store.webhooks.add_attempt`."""
