"""A flash sale through HTTP: 300 shoppers at once against `restock serve --workers 2` on PostgreSQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from restock.services import apikeys, stock
from tests.builders import balance, confirmed_po, on_hand, standard_catalog
from tests.concurrency.test_no_oversell_under_load import count_rows
from tests.conftest import make_context

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("load")]  # one load test at a time

SHOPPERS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(postgres: Engine, tmp_path: Path) -> Iterator[str]:
    """`restock serve` with 2 worker processes on the test schema; stopped at the end whatever happens."""
    port = free_port()
    env = {
        **os.environ,
        "RESTOCK_DATABASE_URL": postgres.url.render_as_string(hide_password=False),
        "RESTOCK_TODAY": "2026-11-27",
        "RESTOCK_DB_POOL_SIZE": "5",  # 2 workers x 20 connections at most: room for the rest of the suite
        "RESTOCK_DB_MAX_OVERFLOW": "15",
    }
    log = tmp_path / "serve.log"  # a file, not a pipe: an unread pipe that fills up would stall the server
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "restock", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"the server did not become ready in 90 s:\n{log.read_text()[-3000:]}")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_a_flash_sale_never_oversells_and_refuses_the_rest_cleanly(postgres: Engine, server: str) -> None:
    ctx = make_context(postgres)
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 50)
    confirmed_po(ctx, "MUG", 25, eta_in_days=8)
    key = apikeys.create_key(ctx, "storefront", "web").key
    start = threading.Barrier(SHOPPERS)

    def shop(n: int) -> str:
        body = {"channel": "web", "customer": {"email": f"s{n}@example.com"}, "lines": [{"sku": "MUG", "quantity": 1}]}
        with httpx.Client(base_url=server, timeout=180) as client:
            start.wait()
            response = client.post("/v1/orders", json=body, headers={"Authorization": f"Bearer {key}"})
        if response.status_code == 201:
            return str(response.json()["lines"][0]["status"])
        assert response.status_code in (409, 422), response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        return f"refused {response.status_code}"

    with ThreadPoolExecutor(max_workers=SHOPPERS) as pool:
        outcome = Counter(pool.map(shop, range(SHOPPERS)))

    assert outcome["allocated"] == 50
    assert 0 < outcome["backordered"] <= 25
    assert outcome["allocated"] + outcome["backordered"] + outcome["refused 409"] + outcome["refused 422"] == SHOPPERS
    assert balance(ctx, "MUG", "W1") == (50, 50)
    assert stock.ledger_discrepancies(ctx) == []
    with postgres.connect() as conn:
        promised = conn.execute(text("SELECT promised FROM po_lines")).scalar_one()
    assert promised == outcome["backordered"]
    assert count_rows(postgres, "SELECT count(*) FROM orders") == outcome["allocated"] + outcome["backordered"]


def test_concurrent_duplicates_with_one_idempotency_key_place_one_order(postgres: Engine, server: str) -> None:
    ctx = make_context(postgres)
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 50)
    key = apikeys.create_key(ctx, "storefront", "web").key
    body = {"channel": "web", "customer": {"email": "dup@example.com"}, "lines": [{"sku": "MUG", "quantity": 2}]}
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "checkout-dup-1"}
    start = threading.Barrier(20)

    def send(_: int) -> tuple[int, str]:
        with httpx.Client(base_url=server, timeout=180) as client:
            start.wait()
            response = client.post("/v1/orders", json=body, headers=headers)
        return response.status_code, response.json().get("id", "")

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(send, range(20)))
    statuses = Counter(status for status, _ in answers)
    assert set(statuses) <= {201, 409}, statuses
    assert statuses[201] >= 1
    assert len({order_id for status, order_id in answers if status == 201}) == 1
    assert count_rows(postgres, "SELECT count(*) FROM orders") == 1
    assert balance(ctx, "MUG", "W1") == (50, 2)
    retry = httpx.post(f"{server}/v1/orders", json=body, headers=headers, timeout=180)
    assert retry.status_code == 201
    assert retry.headers["Idempotent-Replayed"] == "true"
