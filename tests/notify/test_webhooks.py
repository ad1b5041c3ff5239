"""Webhooks against a real HTTP server started by the test: signed like Stripe's, retried, attempts kept."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from restock.domain.errors import InvalidInput
from restock.notify.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signature, verify_signature
from restock.services import outbox as outbox_service
from restock.services import purchasing, stock, webhooks
from restock.services.context import Context
from tests.builders import confirmed_po, on_hand, order, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import SmtpServer, deliver, free_port, with_mail

SECRET = "whsec_test_0123456789abcdef"
LOCAL = ("127.0.0.0/8",)
"""The receivers here listen on 127.0.0.1: a network a webhook may reach only when allowed by name."""


def allowing_local(ctx: Context) -> Context:
    notify = replace(ctx.settings.notify, webhook_allow_private=LOCAL)
    return replace(ctx, settings=replace(ctx.settings, notify=notify))


@pytest.fixture
def mail_ctx(mail_ctx: Context) -> Context:
    return allowing_local(mail_ctx)


@dataclass
class Receiver:
    """An integrator's endpoint: answers with the queued status codes (then 200), keeps what it got."""

    statuses: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def events(self) -> list[str]:
        with self.lock:
            return [r["event"] for r in self.received if r["status"] == 200]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            with state.lock:
                status = state.statuses.pop(0) if state.statuses else 200
                state.received.append(
                    {
                        "event": self.headers[EVENT_HEADER],
                        "delivery": self.headers[DELIVERY_HEADER],
                        "signature": self.headers[SIGNATURE_HEADER],
                        "body": body,
                        "status": status,
                    }
                )
            self.send_response(status)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def test_a_signature_is_an_hmac_over_timestamp_and_body() -> None:
    header = signature(SECRET, 1_700_000_000, '{"a": 1}')
    assert header.startswith("t=1700000000,v1=")
    assert verify_signature(SECRET, header, '{"a": 1}', now=1_700_000_100)
    assert not verify_signature(SECRET, header, '{"a": 2}', now=1_700_000_100)  # body changed
    assert not verify_signature("whsec_other_secret_value", header, '{"a": 1}', now=1_700_000_100)
    assert not verify_signature(SECRET, header, '{"a": 1}', now=1_700_009_999)  # too old: a replay


def test_deliveries_are_signed_and_carry_the_event_and_its_key(
    mail_ctx: Context, receiver: Receiver, smtp: object
) -> None:
    standard_catalog(mail_ctx)
    webhooks.add_webhook(mail_ctx, receiver.url, ["order.placed", "backorder.created"], SECRET)
    confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    placed = order(mail_ctx, "MUG", 2)
    deliver(mail_ctx)

    assert receiver.events() == ["order.placed", "backorder.created"]
    for got in receiver.received:
        assert verify_signature(SECRET, got["signature"], got["body"], now=int(time.time()))
        body = json.loads(got["body"])
        assert body["event"] == got["event"]
        assert body["id"] == f"order_placed:{placed.id}"
        assert got["delivery"].startswith("webhook:")
    created = json.loads(receiver.received[1]["body"])["data"]
    assert created["lines"][0]["backordered"] == 2


def test_an_endpoint_gets_only_the_events_it_asked_for(mail_ctx: Context, receiver: Receiver, smtp: object) -> None:
    standard_catalog(mail_ctx)
    webhooks.add_webhook(mail_ctx, receiver.url, ["backorder.delayed", "backorder.filled", "availability.changed"])
    po = confirmed_po(mail_ctx, "MUG", 10, eta_in_days=10)
    order(mail_ctx, "MUG", 2)
    purchasing.change_eta(mail_ctx, po, TODAY + timedelta(days=14))
    purchasing.receive_po(mail_ctx, po, [("MUG", 10)])
    deliver(mail_ctx)
    assert receiver.events() == [
        "availability.changed",
        "backorder.delayed",
        "availability.changed",  # the re-dated PO moved the backorder's window
        "backorder.filled",
        "availability.changed",
    ]
    first_change = json.loads(receiver.received[0]["body"])["data"]
    assert (first_change["old_state"], first_change["new_state"]) == ("out_of_stock", "backorder")
    moved = json.loads(receiver.received[2]["body"])["data"]
    assert (moved["old_state"], moved["new_state"]) == ("backorder", "backorder")
    assert moved["old_ship_window"]["earliest"] < moved["ship_window"]["earliest"]


def test_a_failing_endpoint_is_retried_and_every_attempt_is_kept(
    mail_ctx: Context, receiver: Receiver, smtp: object
) -> None:
    standard_catalog(mail_ctx)
    hook = webhooks.add_webhook(mail_ctx, receiver.url, ["availability.changed"], SECRET)
    receiver.statuses = [500, 503]
    stock.adjust_stock(mail_ctx, "MUG", "W1", 1, "count")
    deliver(mail_ctx)  # RESTOCK_OUTBOX_RETRY_SECONDS is 0 here: the retries are due at once

    assert [r["status"] for r in receiver.received] == [500, 503, 200]
    assert len({r["delivery"] for r in receiver.received}) == 1  # one delivery, three attempts
    assert len({r["body"] for r in receiver.received}) == 1
    attempts = webhooks.show_webhook(mail_ctx, hook.id).attempts
    assert [(a.status_code, a.error) for a in attempts] == [(200, None), (503, "HTTP 503"), (500, "HTTP 500")]


def test_an_unreachable_endpoint_ends_as_dead_with_its_attempts(ctx: Context, smtp: SmtpServer) -> None:
    few = with_mail(ctx, smtp, outbox_max_attempts=2, webhook_allow_private=LOCAL)
    standard_catalog(few)
    hook = webhooks.add_webhook(few, f"http://127.0.0.1:{free_port()}/gone", ["availability.changed"])
    stock.adjust_stock(few, "MUG", "W1", 1, "count")
    deliver(few)
    [dead] = outbox_service.list_messages(few, dead=True)
    assert dead.topic == "webhook"
    assert "Connection refused" in (dead.last_error or "")
    assert len(webhooks.show_webhook(few, hook.id).attempts) == 2


def test_bad_registrations_are_refused(ctx: Context) -> None:
    with pytest.raises(InvalidInput, match="absolute http"):
        webhooks.add_webhook(ctx, "ftp://example.com/x", [])
    with pytest.raises(InvalidInput, match="unknown webhook event"):
        webhooks.add_webhook(ctx, "https://example.com/x", ["order.exploded"])
    with pytest.raises(InvalidInput, match="16-200"):
        webhooks.add_webhook(ctx, "https://example.com/x", [], "short")
    assert webhooks.list_webhooks(ctx) == []


def test_a_disabled_endpoint_gets_nothing(mail_ctx: Context, receiver: Receiver, smtp: object) -> None:
    standard_catalog(mail_ctx)
    hook = webhooks.add_webhook(mail_ctx, receiver.url, [])
    webhooks.disable_webhook(mail_ctx, hook.id)
    on_hand(mail_ctx, "MUG", "W1", 1)
    order(mail_ctx, "MUG", 1)
    deliver(mail_ctx)
    assert receiver.received == []
