"""Fuzz every operation of the OpenAPI spec with schemathesis: no 5xx, no response that breaks its schema.

On SQLite always; on PostgreSQL too when RESTOCK_TEST_DATABASE_URL is set, where the columns' real widths
(32-bit ids and quantities) and types make bounds the API declares valid fail loudly if they do not fit.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from sqlalchemy import Engine, text

from restock.api.app import create_app
from restock.services import apikeys, stock
from restock.store.db import make_engine
from restock.store.migrate import upgrade
from tests.builders import confirmed_po, on_hand, standard_catalog
from tests.conftest import NO_PG, PG_URL, make_context, pg_schema_url, worker_id


def _fuzzed_app(tmp: Path) -> tuple[object, str]:
    engine = make_engine(f"sqlite:///{tmp / 'fuzz.db'}")
    upgrade(engine)
    return _seeded_app(engine)


def _seeded_app(engine: Engine) -> tuple[object, str]:
    ctx = make_context(engine)
    standard_catalog(ctx)
    on_hand(ctx, "MUG", "W1", 50)
    confirmed_po(ctx, "MUG", 20, eta_in_days=8)
    stock.adjust_stock(ctx, "MUG", "W2", 5, "opening count")
    return create_app(ctx), apikeys.create_key(ctx, "admin").key


_tmp = Path(__import__("tempfile").mkdtemp(prefix="restock-fuzz-"))
APP, ADMIN_KEY = _fuzzed_app(_tmp)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def _postgres_app() -> tuple[object, str]:
    """The same shop in a PostgreSQL schema of its own (this process's), dropped when the run ends."""
    name = f"restock_fuzz_{worker_id()}_{os.getpid()}"
    admin = make_engine(PG_URL or "")
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {name}"))
    engine = make_engine(pg_schema_url(name))
    upgrade(engine)

    def drop() -> None:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        admin.dispose()

    atexit.register(drop)
    return _seeded_app(engine)


if PG_URL:
    PG_APP, PG_ADMIN_KEY = _postgres_app()
    pg_schema = schemathesis.openapi.from_asgi("/openapi.json", PG_APP)
else:  # the test below is skipped, with the reason, through the `postgres` marker's fixture
    PG_ADMIN_KEY, pg_schema = "", schema


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error_or_breaks_its_schema(case: schemathesis.Case) -> None:
    # Business refusals of schema-valid requests (an unknown SKU, an order stock cannot cover, a reused
    # idempotency key) are right answers, so the positive-data check is the one left out.
    case.call_and_validate(
        headers={"Authorization": f"Bearer {ADMIN_KEY}"},
        excluded_checks=[checks.positive_data_acceptance],
    )


@pytest.mark.postgres
@pytest.mark.skipif(not PG_URL, reason=NO_PG)
@pg_schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_with_a_server_error_on_postgresql_either(case: schemathesis.Case) -> None:
    """Fewer examples than on SQLite (the run stays short); schemathesis still tries each bound's edges."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {PG_ADMIN_KEY}"},
        excluded_checks=[checks.positive_data_acceptance],
    )
