"""SIGKILL of `restock serve` loses no message: what its outbox worker had not delivered goes out after a restart.

Orders are placed through a real server; it is killed with SIGKILL straight away (its worker thread dies with
it, maybe holding a lease on a batch); a new server on the same database and port delivers every confirmation.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from restock.services import apikeys
from restock.store.db import make_engine
from tests.builders import on_hand, standard_catalog
from tests.conftest import make_context

pytestmark = pytest.mark.xdist_group("servers")
RESTOCK = str(Path(sys.executable).with_name("restock"))
ORDERS = 12


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(port: int) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    return False


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
    args = [RESTOCK, "serve", "--port", str(port)]
    process = subprocess.Popen(args, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not _healthy(port) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _healthy(port), "restock serve did not start"
    return process


def test_sigkill_of_serve_loses_no_customer_email(shop: tuple[dict[str, str], str]) -> None:
    env, key = shop
    port = _free_port()
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
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    second = _serve(env, port)
    try:
        mail = Path(env["RESTOCK_MAIL_DIR"])
        deadline = time.monotonic() + 60
        while len(list(mail.glob("*.eml"))) < ORDERS and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        os.killpg(second.pid, signal.SIGKILL)
        second.wait(timeout=10)
    recipients = sorted(
        line.split(":", 1)[1].strip()
        for path in mail.glob("*.eml")
        for line in path.read_text().splitlines()
        if line.startswith("To:")
    )
    assert recipients == sorted(f"c{n}@example.com" for n in range(ORDERS))
