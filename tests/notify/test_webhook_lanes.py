"""A webhook receiver can hold back nothing but its own deliveries: deadlines, lanes, a breaker per endpoint."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest

from restock.domain.breaker import Breaker
from restock.notify.worker import start_in_thread
from restock.services import stock, webhooks
from restock.services.context import Context
from tests.builders import on_hand, order, standard_catalog
from tests.notify import test_webhooks
from tests.notify.conftest import SmtpServer, deliver, with_mail
from tests.notify.test_webhooks import LOCAL, Receiver

receiver = test_webhooks.receiver
"""The integrator's endpoint of tests/notify/test_webhooks.py, a fixture here too."""

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


@pytest.fixture
def trickler() -> Iterator[str]:
    """A receiver on 127.0.0.1 that reads the request, then answers one byte a second (never timed out per read)."""
    stop = threading.Event()
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)

    def trickle(conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            for byte in ANSWER:
                if stop.wait(1.0):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            threading.Thread(target=trickle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/slow"
    finally:
        stop.set()
        thread.join()
        server.close()


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_a_trickling_webhook_receiver_holds_back_no_e_mail_and_fails_at_its_deadline(
    ctx: Context, smtp: SmtpServer, trickler: str, receiver: Receiver
) -> None:
    hooked = with_mail(ctx, smtp, webhook_allow_private=LOCAL, webhook_timeout_seconds=2, webhook_breaker_failures=3)
    standard_catalog(hooked)
    on_hand(hooked, "MUG", "W1", 20)
    slow = webhooks.add_webhook(hooked, trickler, ["order.placed"])
    webhooks.add_webhook(hooked, receiver.url, ["order.placed"])
    thread, stop = start_in_thread(hooked)
    try:
        started = time.monotonic()
        for n in range(20):
            order(hooked, "MUG", 1, email=f"buyer{n}@example.com")
        assert wait_for(lambda: len(smtp.inbox.messages) == 20, 8), len(smtp.inbox.messages)
        assert time.monotonic() - started < 8  # every confirmation on time, whatever the slow receiver does
        assert wait_for(lambda: len(receiver.events()) == 20, 5)
        assert time.monotonic() - started < 6  # the healthy endpoint is not held back behind the slow one either
        assert wait_for(lambda: webhooks.show_webhook(hooked, slow.id).consecutive_failures >= 3, 15)
        time.sleep(2.5)  # its breaker is open now: no further attempt
        view = webhooks.show_webhook(hooked, slow.id)
    finally:
        stop.set()
        thread.join(10)
    assert len(view.attempts) == 3
    for attempt in view.attempts:
        assert (attempt.error or "").startswith("TimeoutError: no complete answer within 2 s")
        assert 1900 <= attempt.duration_ms <= 3500  # the whole request's deadline, not a per-read one
    assert view.consecutive_failures == 3
    assert view.paused_until is not None
    assert view.to_json()["paused_until"].endswith("Z")


def test_an_endpoint_that_keeps_failing_pauses_and_a_success_closes_its_breaker(
    ctx: Context, smtp: SmtpServer, receiver: Receiver
) -> None:
    hooked = with_mail(ctx, smtp, webhook_allow_private=LOCAL, webhook_breaker_failures=3, webhook_breaker_seconds=1)
    standard_catalog(hooked)
    hook = webhooks.add_webhook(hooked, receiver.url, ["availability.changed"])
    receiver.statuses = [500, 500, 500]
    stock.adjust_stock(hooked, "MUG", "W1", 1, "count")
    deliver(hooked)  # retries are due at once here: three failures, then the breaker holds the delivery back
    paused = webhooks.show_webhook(hooked, hook.id)
    assert (paused.consecutive_failures, len(paused.attempts)) == (3, 3)
    assert paused.paused_until is not None
    assert paused.to_json()["consecutive_failures"] == 3
    time.sleep(1.2)
    deliver(hooked)
    closed = webhooks.show_webhook(hooked, hook.id)
    assert [r["status"] for r in receiver.received] == [500, 500, 500, 200]
    assert (closed.consecutive_failures, closed.paused_until) == (0, None)


def test_an_open_breaker_pauses_longer_with_each_failure_up_to_an_hour() -> None:
    at = datetime(2026, 11, 27, 12, 0)
    closed = Breaker(2, at, failures=3, seconds=60)
    assert closed.paused_until is None
    assert not closed.is_open(at)
    opened = closed.after(ok=False, at=at)
    assert opened.paused_until == at + timedelta(seconds=60)
    assert opened.is_open(at + timedelta(seconds=59))
    assert not opened.is_open(at + timedelta(seconds=60))
    assert opened.after(ok=False, at=at).paused_until == at + timedelta(seconds=120)
    assert Breaker(30, at, failures=3, seconds=60).paused_until == at + timedelta(hours=1)
    assert opened.after(ok=True, at=at).paused_until is None
