"""Engines and the unit of work: one transaction per use case, on SQLite or PostgreSQL alike."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SqliteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

READONLY = "restock_readonly"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine tuned for our write pattern.

    SQLite: WAL (readers never block the writer), foreign keys on, a busy timeout, and
    `BEGIN IMMEDIATE` for write transactions so two writers queue up instead of failing on upgrade.
    PostgreSQL: a pool; READ COMMITTED plus guarded UPDATEs is all the locking needed. No pre-ping (it
    would cost a round trip per transaction): a connection found dead is invalidated and the use case
    retried whole, see `restock.services.context.use_case`.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 30)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get(READONLY, False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


@contextmanager
def unit_of_work(engine: Engine, readonly: bool = False, autocommit: bool = False) -> Iterator[Session]:
    """A session whose work commits as one transaction, or not at all if anything raises.

    `autocommit`: no transaction around the statements, so no BEGIN and COMMIT round trips; only for work
    whose every statement is atomic on its own and needs nothing to hold between them.
    """
    bind = engine.execution_options(**{READONLY: True}) if readonly else engine
    if autocommit:
        bind = _autocommitting(bind)
    with Session(bind, expire_on_commit=False) as session, session.begin():
        yield session


@functools.cache
def _autocommitting(engine: Engine) -> Engine:
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def insert_unless_present(session: Session, target: Any, index_elements: list[str]) -> PgInsert | SqliteInsert:
    """An INSERT that leaves an existing row (by the unique `index_elements`) alone: ON CONFLICT DO NOTHING, in
    the session's dialect. Racing writers cannot both insert, and neither fails."""
    factory = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return factory(target).on_conflict_do_nothing(index_elements=index_elements)


def refresh_statistics(engine: Engine) -> None:
    """After a bulk load on PostgreSQL: ANALYZE, so the planner does not plan joins over a year of history as if
    the tables were empty (seen: a query left running for minutes before autovacuum caught up)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
