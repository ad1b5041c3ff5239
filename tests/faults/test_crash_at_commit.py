"""The server killed at the worst moment: its COMMIT reached PostgreSQL, its answer never reached the client.

A real `restock serve` process talks to PostgreSQL through the fault proxy, which holds back the answer to the
COMMIT of the adjustment's transaction. While it is held, the server is SIGKILLed. The client never heard back;
it retries with the same Idempotency-Key against a new server: the adjustment exists once, and the retry gets
the answer the first attempt would have given (it was recorded in that same transaction).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from restock.services import apikeys
from tests.builders import balance, standard_catalog
from tests.conftest import make_context, truncate_all
from tests.faults.pgproxy import PgFaultProxy
from tests.servers import free_port, healthy, kill_session, start_serve

pytestmark = [pytest.mark.postgres, pytest.mark.xdist_group("load")]  # a server process with its own pool


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[object]:
    started: list[subprocess.Popen[bytes]] = []

    def start(database_url: str) -> tuple[subprocess.Popen[bytes], int]:
        port = free_port()
        env = {**os.environ, "RESTOCK_DATABASE_URL": database_url, "RESTOCK_MAIL_DIR": str(tmp_path / "mail")}
        process = start_serve(env, port, "--no-worker")
        started.append(process)
        assert healthy(port), "restock serve did not start"
        return process, port

    yield start
    for process in started:
        kill_session(process)
    shutil.rmtree(tmp_path / "mail", ignore_errors=True)


def test_a_server_killed_after_its_commit_left_one_effect_and_the_retry_gets_the_first_answer(
    pg_engine: Engine, servers: object
) -> None:
    truncate_all(pg_engine)
    ctx = make_context(pg_engine)
    standard_catalog(ctx)
    key = apikeys.create_key(ctx, "warehouse").key
    url = pg_engine.url.render_as_string(hide_password=False)
    proxy = PgFaultProxy()
    try:
        first, port = servers(proxy.url_for(url))  # type: ignore[operator]
        fault = proxy.drop_commit_answer_after("INSERT INTO idempotency_keys")  # the keyed request's own
        headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "count-9"}
        body = {"sku": "MUG", "warehouse": "W1", "delta": 5, "reason": "count"}
        answers: list[object] = []

        def post() -> None:
            try:
                answers.append(httpx.post(f"http://127.0.0.1:{port}/v1/stock/adjustments", json=body, headers=headers))
            except httpx.HTTPError as error:
                answers.append(error)

        client = threading.Thread(target=post)
        client.start()
        assert fault.answered.wait(20), "the adjustment's COMMIT never went through the proxy"
        os.killpg(first.pid, signal.SIGKILL)  # the COMMIT ran; its answer is lost; the server is gone
        client.join(timeout=30)
        assert answers
        assert not isinstance(answers[0], httpx.Response), "the first client must not hear back"
        assert balance(ctx, "MUG", "W1") == (5, 0)
        _second, port = servers(url)  # type: ignore[operator]
        retry = httpx.post(f"http://127.0.0.1:{port}/v1/stock/adjustments", json=body, headers=headers)
    finally:
        proxy.close()
    assert (retry.status_code, retry.headers.get("Idempotent-Replayed")) == (201, "true"), retry.text
    assert balance(ctx, "MUG", "W1") == (5, 0)
