"""The database unavailable is 503 problem+json with Retry-After and one log line per request, not a traceback."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from restock.api.app import create_app
from restock.config import Settings
from restock.services import apikeys
from restock.services.context import Context
from restock.store.db import make_engine
from tests.api.test_api import assert_problem
from tests.builders import on_hand, standard_catalog
from tests.conftest import TODAY, make_context
from tests.faults.pgproxy import PgFaultProxy


def _port_nobody_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _client(ctx: Context) -> TestClient:
    quiet = replace(ctx.settings, availability_cache_seconds=0)  # no change-feed watcher logging on its own
    return TestClient(create_app(replace(ctx, settings=quiet)), raise_server_exceptions=False)


def _assert_unavailable(response: object, caplog: pytest.LogCaptureFixture) -> None:
    assert_problem(response, 503)
    assert response.headers["Retry-After"].isdigit()  # type: ignore[attr-defined]
    assert response.json()["type"].endswith("/database_unavailable")  # type: ignore[attr-defined]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is None
    assert "\n" not in errors[0].getMessage()
    caplog.clear()


def test_a_refused_database_connection_is_a_503_with_retry_after_and_one_log_line(
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = f"postgresql+psycopg://restock:secret@127.0.0.1:{_port_nobody_listens_on()}/restock"
    ctx = Context(make_engine(url), Settings(database_url=url, today=TODAY))
    with _client(ctx) as client:
        for path in ("/v1/availability/MUG", "/v1/backorders", "/v1/stock"):
            caplog.clear()
            with caplog.at_level(logging.INFO):
                response = client.get(path, headers={"Authorization": "Bearer rk_whatever"})
            _assert_unavailable(response, caplog)
            assert "secret" not in response.text
        assert client.get("/healthz").status_code == 200  # the process itself is fine


@pytest.fixture
def through_proxy(postgres: Engine) -> Iterator[tuple[PgFaultProxy, Context, str]]:
    direct = make_context(postgres)
    standard_catalog(direct)
    on_hand(direct, "MUG", "W1", 5)
    key = apikeys.create_key(direct, "warehouse").key
    proxy = PgFaultProxy()
    url = proxy.url_for(postgres.url.render_as_string(hide_password=False))
    engine = make_engine(url, pool_size=2, max_overflow=0)
    yield proxy, make_context(engine), key
    engine.dispose()
    proxy.close()


@pytest.mark.postgres
def test_a_database_whose_connections_break_under_a_running_api_is_a_503_not_a_traceback(
    through_proxy: tuple[PgFaultProxy, Context, str], caplog: pytest.LogCaptureFixture
) -> None:
    proxy, ctx, key = through_proxy
    with _client(ctx) as client:
        assert client.get("/v1/stock", headers={"Authorization": f"Bearer {key}"}).status_code == 200
        proxy.reset("", times=10_000)  # every statement from now on: the connection breaks (a failing server)
        caplog.clear()
        with caplog.at_level(logging.INFO):
            response = client.post(
                "/v1/stock/adjustments",
                json={"sku": "MUG", "warehouse": "W1", "delta": 1, "reason": "count"},
                headers={"Authorization": f"Bearer {key}"},
            )
        _assert_unavailable(response, caplog)


def test_a_missing_table_is_a_503_too_and_says_the_database_is_not_initialised(
    tmp_path: object, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    ctx = Context(make_engine(url), Settings(database_url=url, today=TODAY))
    with _client(ctx) as client, caplog.at_level(logging.INFO):
        response = client.get("/v1/stock", headers={"Authorization": "Bearer rk_whatever"})
    _assert_unavailable(response, caplog)
    assert "not initialised" in response.json()["detail"]
