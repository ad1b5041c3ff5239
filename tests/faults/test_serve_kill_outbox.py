"""SIGKILL of `restock serve` loses no message: what its outbox worker had not delivered goes out after a restart.

Orders are placed through a real server; it is killed with SIGKILL straight away (its worker thread dies with
it, maybe holding a lease on a batch); a new server on the same database and port delivers every confirmation.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from restock.services import apikeys
from restock.store.db import make_engine
from tests.builders import on_hand, standard_catalog
from tests.conftest import make_context
from tests.servers import free_port, healthy, kill_session, start_serve

pytestmark = pytest.mark.xdist_group("servers")
ORDERS = 12


@pytest.fixture
def shop(tmp_path: Path, sqlite_template: Path) -> tuple[dict[str, str], str]:
    db = tmp_path / "restock.db"
    shutil.copy(sqlite_template, db)
    engine = make_engine(f"sqlite:///{db}")
    ctx = make_context(engine)
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", ORDERS)
    key = apikeys.create_key(ctx, "storefront", "web").key
    engine.dispose()
    env = {
        **os.environ,
        "RESTOCK_DATABASE_URL": f"sqlite:///{db}",
        "RESTOCK_MAIL_DIR": str(tmp_path / "mail"),
        "RESTOCK_OUTBOX_LEASE_SECONDS": "2",
        "RESTOCK_WORKER_POLL_MS": "100",
    }
    return env, key


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = start_serve(env, port)
    assert healthy(port), "restock serve did not start"
    return process


def test_sigkill_of_serve_loses_no_customer_email(shop: tuple[dict[str, str], str]) -> None:
    env, key = shop
    port = free_port()
    first = _serve(env, port)
    try:
        for n in range(ORDERS):
            body = {
                "channel": "web",
                "customer": {"email": f"c{n}@example.com"},
                "lines": [{"sku": "MUG", "quantity": 1}],
            }
            placed = httpx.post(
                f"http://127.0.0.1:{port}/v1/orders", json=body, headers={"Authorization": f"Bearer {key}"}
            )
            assert placed.status_code == 201, placed.text
    finally:
        kill_session(first)
    second = _serve(env, port)
    try:
        mail = Path(env["RESTOCK_MAIL_DIR"])
        deadline = time.monotonic() + 60
        while len(list(mail.glob("*.eml"))) < ORDERS and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        kill_session(second)
    recipients = sorted(
        line.split(":", 1)[1].strip()
        for path in mail.glob("*.eml")
        for line in path.read_text().splitlines()
        if line.startswith("To:")
    )
    assert recipients == sorted(f"c{n}@example.com" for n in range(ORDERS))
