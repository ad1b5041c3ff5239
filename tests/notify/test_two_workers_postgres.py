"""Two worker processes on PostgreSQL share the outbox (SKIP LOCKED + leases): every message once, none twice."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from restock.services import outbox as outbox_service
from tests.builders import on_hand, order, standard_catalog
from tests.conftest import make_context
from tests.notify.conftest import SmtpServer
from tests.notify.test_worker_crash import email_keys, worker_env

ORDERS = 200


@pytest.mark.xdist_group("load")  # worker processes with their own pools: one load test at a time
@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_deliver_every_message_exactly_once(postgres: object, smtp: SmtpServer) -> None:
    ctx = make_context(postgres)  # type: ignore[arg-type]
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", ORDERS)
    for n in range(ORDERS):
        order(ctx, "MUG", 1, email=f"shopper{n}@example.com")
    smtp.inbox.delay = 0.002
    env = worker_env(ctx, smtp)

    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "restock", "worker", "--once", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs

    keys = Counter(str(m["X-Restock-Dedup-Key"]) for m in smtp.inbox.messages)
    assert set(keys) == email_keys(ctx)
    assert len(keys) == ORDERS
    assert max(keys.values()) == 1, "a message was delivered twice in a run without crashes"
    assert outbox_service.outbox_counts(ctx)["pending"] == 0
    delivered = [int(json.loads(out)["delivered"]) for out, _ in outputs]
    assert all(n > 0 for n in delivered), f"one worker did all the work: {delivered}"
