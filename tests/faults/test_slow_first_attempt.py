"""A first attempt that waits a long time on a lock, and a client that retries meanwhile: still one effect.

There is no timer after which a claim is taken over (the key's answer is recorded in the work's own transaction,
under the key's lock): a retry while the first attempt still runs is told it is in flight, however long that
takes, and a retry after it finished gets its answer. The times are the ones seen in the field: the first attempt
held 70 s on a lock, the retry at 61 s (the old code took such a claim over after 60 s and applied it twice).
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from restock.api.app import create_app
from restock.services import apikeys
from tests.builders import balance, standard_catalog
from tests.conftest import make_context, truncate_all

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
HELD_SECONDS = 70
RETRY_AT_SECONDS = 61


def test_a_retry_during_a_slow_first_attempt_is_in_flight_and_one_effect_follows(pg_engine: Engine) -> None:
    truncate_all(pg_engine)
    ctx = make_context(pg_engine)
    standard_catalog(ctx)
    key = apikeys.create_key(ctx, "warehouse").key
    app = create_app(replace(ctx, settings=replace(ctx.settings, availability_cache_seconds=0)))
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "slow-1"}
    body = {"sku": "MUG", "warehouse": "W1", "delta": 5, "reason": "count"}
    answers: list[int] = []
    with TestClient(app, raise_server_exceptions=False) as client, pg_engine.connect() as blocker:
        with blocker.begin():
            blocker.execute(text("SELECT id FROM skus WHERE code = 'MUG' FOR UPDATE"))  # another use case's lock

            def first() -> None:
                answers.append(client.post("/v1/stock/adjustments", json=body, headers=headers).status_code)

            started = time.monotonic()
            attempt = threading.Thread(target=first)
            attempt.start()
            time.sleep(RETRY_AT_SECONDS)
            retry = client.post("/v1/stock/adjustments", json=body, headers=headers)
            assert retry.status_code == 409, retry.text
            assert retry.json()["type"].endswith("/request_in_flight")
            time.sleep(max(0.0, HELD_SECONDS - (time.monotonic() - started)))
        attempt.join(timeout=60)
        later = client.post("/v1/stock/adjustments", json=body, headers=headers)
    assert answers == [201]
    assert (later.status_code, later.headers.get("Idempotent-Replayed")) == (201, "true")
    assert balance(ctx, "MUG", "W1") == (5, 0)
