"""The CLI names the real cause of a database error (not initialised, unreachable, full, read-only), never a guess,
and never shows a password."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import psycopg
import pytest
import typer
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from restock.cli.shared import database_message, user_errors
from restock.store.db import make_engine


def _error_line(result: Any) -> str:
    assert result.exit_code == 3, result.output
    line: str = result.output.strip().splitlines()[-1]
    assert "Traceback" not in result.output
    return line


def test_a_database_without_tables_is_named_not_initialised(
    restock: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESTOCK_DATABASE_URL", f"sqlite:///{tmp_path / 'never-initialised.db'}")
    line = _error_line(restock("warehouse", "add", "W9", ok=False))
    assert "is not initialised" in line
    assert "restock init" in line


def test_a_refused_connection_names_the_database_unreachable_with_its_password_hidden(
    restock: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("RESTOCK_DATABASE_URL", f"postgresql+psycopg://restock:s3cret@127.0.0.1:{port}/shop")
    result = restock("warehouse", "add", "W9", ok=False)
    line = _error_line(result)
    assert f"postgresql+psycopg://restock:***@127.0.0.1:{port}/shop is unreachable" in line
    assert "s3cret" not in result.output
    assert "initialised" not in line


def test_a_read_only_database_is_named_read_only(
    restock: Any, tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "read-only.db"
    shutil.copy(sqlite_template, db)
    monkeypatch.setenv("RESTOCK_DATABASE_URL", f"sqlite:///file:{db}?mode=ro&uri=true")
    line = _error_line(restock("warehouse", "add", "W9", ok=False))
    assert "is read-only" in line
    assert "initialised" not in line


def _disk_full_error(tmp_path: Path) -> SQLAlchemyError:
    """A real SQLITE_FULL: a database file capped at a few pages, filled until SQLite refuses to grow it."""
    engine = make_engine(f"sqlite:///{tmp_path / 'full.db'}")

    @event.listens_for(engine, "connect")
    def _cap(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA max_page_count = 8")

    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE filler (junk TEXT)"))
            for _ in range(100):
                conn.execute(text("INSERT INTO filler VALUES (:junk)"), {"junk": "x" * 4000})
    except SQLAlchemyError as error:
        return error
    finally:
        engine.dispose()
    raise AssertionError("the capped database never filled up")


def test_a_full_disk_is_named_full(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    error = _disk_full_error(tmp_path)
    assert "is full" in database_message(error)
    with pytest.raises(typer.Exit) as exited, user_errors():
        raise error
    assert exited.value.exit_code == 3
    assert "is full" in capsys.readouterr().err


def test_any_other_database_error_is_shown_in_the_drivers_words_without_a_guess(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT nonsense FROM"))
    except SQLAlchemyError as error:
        message = database_message(error)
    engine.dispose()
    assert message.startswith("database error: OperationalError:")
    assert "initialised" not in message


@pytest.mark.parametrize(
    ("driver_error", "named"),
    [
        (psycopg.errors.DiskFull("could not extend file: No space left on device"), "is full"),
        (psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"), "is read-only"),
        (psycopg.errors.UndefinedTable('relation "warehouses" does not exist'), "is not initialised"),
        (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), "is unreachable"),
        (psycopg.OperationalError("connection failed: Connection refused"), "is unreachable"),
    ],
)
def test_postgresql_causes_are_named_from_their_sqlstate(driver_error: Exception, named: str) -> None:
    error = OperationalError("INSERT INTO warehouses ...", {}, driver_error)
    assert f" {named} " in database_message(error) + " "
