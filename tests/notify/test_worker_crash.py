"""A real worker process killed with SIGKILL in the middle of a batch loses nothing when it is restarted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from sqlalchemy import select

from restock.services import outbox as outbox_service
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import OutboxMessage
from tests.builders import on_hand, order, standard_catalog
from tests.conftest import TODAY
from tests.notify.conftest import SmtpServer

ORDERS = 40
BATCH = 10
LEASE_SECONDS = 2


def worker_env(ctx: Context, smtp: SmtpServer) -> dict[str, str]:
    return {
        **os.environ,
        "RESTOCK_DATABASE_URL": ctx.engine.url.render_as_string(hide_password=False),
        "RESTOCK_TODAY": TODAY.isoformat(),
        "RESTOCK_SMTP_HOST": smtp.host,
        "RESTOCK_SMTP_PORT": str(smtp.port),
        "RESTOCK_SMTP_STARTTLS": "false",
        "RESTOCK_OUTBOX_BATCH_SIZE": str(BATCH),
        "RESTOCK_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        "RESTOCK_WORKER_POLL_MS": "50",
    }


def email_keys(ctx: Context) -> set[str]:
    with unit_of_work(ctx.engine, readonly=True) as session:
        return set(session.scalars(select(OutboxMessage.dedup_key).where(OutboxMessage.topic == "email")))


def wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.005)


@pytest.mark.xdist_group("load")  # worker processes with their own pools: one load test at a time
@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_carry_the_same_key(ctx: Context, smtp: SmtpServer) -> None:
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", ORDERS)
    for n in range(ORDERS):
        order(ctx, "MUG", 1, email=f"shopper{n}@example.com")
    smtp.inbox.delay = 0.05  # a slow mail server: the kill lands while a batch is being sent
    env = worker_env(ctx, smtp)

    first = subprocess.Popen([sys.executable, "-m", "restock", "worker"], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(smtp.inbox.messages) >= BATCH + BATCH // 2, timeout=60)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    received_before_restart = len(smtp.inbox.messages)
    assert received_before_restart < ORDERS  # it really died half-way

    time.sleep(LEASE_SECONDS + 0.5)  # the dead worker's lease runs out
    second = subprocess.run(
        [sys.executable, "-m", "restock", "worker", "--once"], env=env, capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 0, second.stderr

    keys = Counter(str(m["X-Restock-Dedup-Key"]) for m in smtp.inbox.messages)
    assert set(keys) == email_keys(ctx)  # every message arrived
    assert len(keys) == ORDERS
    repeats = {key for key, n in keys.items() if n > 1}
    assert repeats, "the kill should have interrupted a batch whose messages were sent but not yet marked"
    for key in repeats:  # a repeat is recognisable: the same key and the same Message-ID
        ids = {str(m["Message-ID"]) for m in smtp.inbox.messages if m["X-Restock-Dedup-Key"] == key}
        assert len(ids) == 1
    assert outbox_service.outbox_counts(ctx)["pending"] == 0
