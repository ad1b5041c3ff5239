"""The fault proxy itself does what the reliability tests rely on (on the real PostgreSQL)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from tests.conftest import NO_PG, PG_URL
from tests.faults.pgproxy import PgFaultProxy

pytestmark = pytest.mark.postgres
PROBE = f"pgproxy_probe_{os.getpid()}"  # parallel test runs share the database


@pytest.fixture
def proxied() -> Iterator[tuple[PgFaultProxy, Engine, Engine]]:
    if not PG_URL:
        pytest.skip(NO_PG)
    proxy = PgFaultProxy()
    direct = create_engine(PG_URL)
    through = create_engine(proxy.url_for(PG_URL), pool_pre_ping=False)
    with direct.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS {PROBE} (id serial PRIMARY KEY, note text)"))
        conn.execute(text(f"TRUNCATE {PROBE}"))
    yield proxy, direct, through
    through.dispose()
    with direct.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {PROBE}"))
    direct.dispose()
    proxy.close()


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {PROBE}")).scalar_one())


def test_a_dropped_commit_answer_leaves_the_effect_committed_and_the_client_disconnected(
    proxied: tuple[PgFaultProxy, Engine, Engine],
) -> None:
    proxy, direct, through = proxied
    proxy.drop_answer("COMMIT")
    with pytest.raises(OperationalError), through.begin() as conn:
        conn.execute(text(f"INSERT INTO {PROBE} (note) VALUES ('x')"))
    assert _count(direct) == 1


def test_a_reset_before_the_statement_leaves_no_effect(proxied: tuple[PgFaultProxy, Engine, Engine]) -> None:
    proxy, direct, through = proxied
    proxy.reset(f"INSERT INTO {PROBE}")
    with pytest.raises(OperationalError), through.begin() as conn:
        conn.execute(text(f"INSERT INTO {PROBE} (note) VALUES ('x')"))
    assert _count(direct) == 0


def test_a_delayed_answer_arrives_late_but_whole(proxied: tuple[PgFaultProxy, Engine, Engine]) -> None:
    proxy, _direct, through = proxied
    proxy.delay("SELECT 42", 0.5)
    started = time.monotonic()
    with through.connect() as conn:
        assert conn.execute(text("SELECT 42")).scalar_one() == 42
    assert time.monotonic() - started >= 0.5


def test_an_unarmed_proxy_is_transparent(proxied: tuple[PgFaultProxy, Engine, Engine]) -> None:
    _proxy, direct, through = proxied
    with through.begin() as conn:
        conn.execute(text(f"INSERT INTO {PROBE} (note) VALUES ('a'), ('b')"))
    assert _count(direct) == 2
