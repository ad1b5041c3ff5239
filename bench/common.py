"""Shared set-up for the benchmarks: a PostgreSQL schema of their own, migrated with Alembic, and timing helpers.

Every benchmark measures its baseline in the same run and reports a ratio, because the machines it runs
on are shared and noisy: absolute times move from run to run, the ratio much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import make_url

from restock.config import Clock, Settings
from restock.services.context import Context
from restock.store.db import make_engine
from restock.store.migrate import upgrade
from restock.store.schema import Base

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
URL_ENV = "RESTOCK_BENCH_DATABASE_URL"
TODAY = date(2026, 11, 27)
"""A fixed business date, so promise windows and ETAs are the same in every run."""


def database_url() -> str:
    return os.environ.get(URL_ENV) or DEFAULT_URL


def search_path_args(schema: str) -> dict[str, str]:
    """libpq options putting `schema` first on the search_path of every connection.

    The same trick as tests/conftest.py `pg_schema_url`, passed as a connect argument rather than in
    the URL: `restock.store.migrate.alembic_config` hands the URL to configparser, which rejects the
    `%3D` of an encoded `options=-csearch_path%3D...` query ("invalid interpolation syntax").
    """
    return {"options": f"-csearch_path={schema}"}


def add_url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"PostgreSQL URL (default: ${URL_ENV} or {DEFAULT_URL})",
    )
    parser.add_argument("--keep-schema", action="store_true", help="do not drop the benchmark schema at the end")


def require_postgresql(url: str) -> None:
    if make_url(url).get_backend_name() != "postgresql":
        raise SystemExit(f"these benchmarks need PostgreSQL, got {make_url(url).render_as_string()}")


@contextmanager
def bench_schema(base_url: str, schema: str, *, keep: bool = False, **engine_kwargs: Any) -> Iterator[Engine]:
    """A fresh schema migrated to head with the real Alembic migrations; dropped again on the way out."""
    require_postgresql(base_url)
    admin = make_engine(base_url, pool_size=1, max_overflow=0)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(base_url, connect_args=search_path_args(schema), **engine_kwargs)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        if not keep:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def make_context(engine: Engine, today: date = TODAY) -> Context:
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), today=today)
    return Context(engine, settings, Clock(today))


def truncate_all(engine: Engine) -> None:
    """Empty every table of the schema and restart its id sequences (the Alembic version row stays)."""
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def bump_sequence(conn: Connection, table: str) -> None:
    """After inserting explicit ids: move the table's id sequence past them."""
    following = f"(SELECT coalesce(max(id), 0) + 1 FROM {table})"
    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {following}, false)"))


def next_id(conn: Connection, table: str) -> int:
    return int(conn.execute(text(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")).scalar_one())


def settle(engine: Engine) -> None:
    """Same starting conditions for every timed run: fresh statistics, visibility map, no pending checkpoint."""
    vacuum_analyze(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CHECKPOINT"))


def server_version(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("SHOW server_version")).scalar_one())


def vacuum_analyze(engine: Engine) -> None:
    """VACUUM cannot run in a transaction: use an autocommit connection."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def timed(fn: Callable[[], object]) -> float:
    """Wall-clock seconds of one call."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median(values: list[float]) -> float:
    return statistics.median(values)


def fmt_seconds(seconds: float) -> str:
    return f"{seconds * 1000:9.1f} ms" if seconds < 10 else f"{seconds:9.2f} s "


def verdict(ok: bool) -> str:
    return "MEETS the target" if ok else "MISSES the target"


@dataclass
class StatementCounter:
    """Counts the SQL statements an engine sends through its cursors (an executemany counts once).

    BEGIN (sent by psycopg itself), COMMIT and the pool's pre-ping do not pass through this event.
    """

    engine: Engine
    total: int = 0
    log: list[str] = field(default_factory=list)
    keep_log: bool = False

    def __post_init__(self) -> None:
        event.listen(self.engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, _conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool) -> None:
        self.total += 1
        if self.keep_log:
            self.log.append(" ".join(statement.split()))

    def reset(self) -> None:
        self.total = 0
        self.log = []

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._on_execute)


def schema_url(base_url: str, schema: str) -> str:
    """`base_url` with `schema` first on the search_path, for a process that only reads a URL (the API server).

    The form of tests/conftest.py `pg_schema_url`. Fine for `create_engine`, not for Alembic (see
    `search_path_args`): the benchmarks migrate through their own engine and hand this URL to the server.
    """
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{schema}"


def source_revision() -> str:
    """The commit of the code measured, marked when src/ has uncommitted changes."""

    def git(*args: str) -> str:
        run = subprocess.run(["git", *args], capture_output=True, text=True, check=False, cwd=Path(__file__).parent)
        return run.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (" + uncommitted changes in src/" if git("status", "--porcelain", "--", ":/src") else "")


def plain_sku_rows(codes: Sequence[str]) -> list[dict[str, Any]]:
    """Rows of SKUs with the default backorder policy, for bulk inserts of a benchmark's catalog."""
    return [
        {
            "code": code,
            "name": f"Product {code}",
            "price": Decimal("9.99"),
            "backorder_policy": "confirmed",
            "max_wait_days": 30,
            "backorder_limit_pct": 100,
        }
        for code in codes
    ]
