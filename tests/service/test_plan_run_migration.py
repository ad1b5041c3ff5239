"""Migration 0012 adds the plan-run tables on SQLite and PostgreSQL, goes down without touching what came before, and
up again; a shop with purchase orders upgrades and can store a run that points at them."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, text

from restock.store.db import make_engine
from restock.store.migrate import alembic_config, upgrade
from tests.conftest import NO_PG, PG_URL, pg_schema_url, worker_id

PLAN_RUN_TABLES = {"plan_runs", "plan_run_lines", "plan_run_drafts"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database with no tables yet: a file on SQLite, a schema of this test's own on PostgreSQL."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip(NO_PG)
    schema = f"restock_migration_{worker_id()}_{os.getpid()}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(pg_schema_url(schema))
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def test_plan_runs_come_with_0012_and_go_with_its_downgrade(empty_engine: Engine) -> None:
    upgrade(empty_engine, "0011")
    before = tables(empty_engine)
    assert not PLAN_RUN_TABLES & before
    with empty_engine.begin() as conn:
        conn.execute(text("INSERT INTO warehouses (id, code, name) VALUES (1, 'W1', 'W1')"))
        conn.execute(text("INSERT INTO suppliers (id, code, name, lead_time_days) VALUES (1, 'ACME', 'ACME', 14)"))
        conn.execute(
            text(
                "INSERT INTO purchase_orders (id, supplier_id, warehouse_id, status, eta_confirmed, created_at)"
                " VALUES (1, 1, 1, 'draft', false, '2026-11-27 06:00:00')"
            )
        )
    upgrade(empty_engine, "0012")
    assert tables(empty_engine) == before | PLAN_RUN_TABLES
    with empty_engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO plan_runs (id, ran_at, today, inputs_at, source, horizon_days, planned, lines, units,"
                " value, at_risk, revenue_at_risk) VALUES (1, '2026-11-27 06:01:00', '2026-11-27',"
                " '2026-11-27 06:00:00', 'daily', 21, 3, 0, 0, 0, 0, 0)"
            )
        )
        conn.execute(text("INSERT INTO plan_run_drafts (run_id, po_id) VALUES (1, 1)"))
    command.downgrade(alembic_config(empty_engine), "0011")
    assert tables(empty_engine) == before
    with empty_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM purchase_orders")).scalar() == 1
    upgrade(empty_engine)
    assert tables(empty_engine) >= PLAN_RUN_TABLES
