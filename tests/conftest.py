"""Databases for the tests, built by running the real Alembic migrations.

Every service test runs twice: on SQLite (a fresh copy of a migrated template file) and on
PostgreSQL (a schema of its own per test worker, truncated between tests). PostgreSQL tests are
skipped, with the reason shown, only when RESTOCK_TEST_DATABASE_URL is unset.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from restock.config import Clock, Settings
from restock.services.context import Context
from restock.store.db import make_engine
from restock.store.migrate import upgrade
from restock.store.schema import Base

TODAY = date(2026, 11, 27)
PG_URL = os.environ.get("RESTOCK_TEST_DATABASE_URL")
NO_PG = "PostgreSQL tests need RESTOCK_TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"


def worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def pg_schema_url(schema: str) -> str:
    assert PG_URL is not None
    separator = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    if not PG_URL:
        pytest.skip(NO_PG)
    schema = f"restock_test_{worker_id()}_{os.getpid()}"  # two test runs at once must not share tables
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(pg_schema_url(schema), pool_size=5, max_overflow=60)
    upgrade(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def truncate_all(engine: Engine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        path = tmp_path / "restock.db"
        shutil.copy(sqlite_template, path)
        sqlite = make_engine(f"sqlite:///{path}")
        yield sqlite
        sqlite.dispose()
    else:
        pg: Engine = request.getfixturevalue("pg_engine")
        truncate_all(pg)
        yield pg


@pytest.fixture
def postgres(pg_engine: Engine) -> Engine:
    """Only PostgreSQL: for concurrency tests, where SQLite's single writer would prove nothing."""
    truncate_all(pg_engine)
    return pg_engine


def make_context(engine: Engine, today: date = TODAY) -> Context:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), today=today)
    return Context(engine, settings, Clock(today))


@pytest.fixture
def ctx(engine: Engine) -> Context:
    return make_context(engine)
