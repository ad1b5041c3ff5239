"""What went wrong with the database, in words a person can act on: the API answers 503 for these, and the CLI
names the cause instead of one catch-all guess.

SQLAlchemy wraps the driver's error; the cause is in the driver's error (`orig`): PostgreSQL's SQLSTATE
(psycopg sets none for a connection that failed or broke), SQLite's error name (Python 3.11) or message.
"""

from __future__ import annotations

from enum import Enum

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout


class Trouble(Enum):
    """Why the database cannot serve, as a sentence completing "the database at URL ..."."""

    UNREACHABLE = "is unreachable (connection refused or lost)"
    BUSY = "is busy (locked by another process, or every connection in use)"
    FULL = "is full (no space left on its disk)"
    READ_ONLY = "is read-only (a read-only file or a standby server)"
    IO_ERROR = "cannot be read or written (disk I/O error)"
    NOT_INITIALISED = "is not initialised (a table is missing)"


ADVICE: dict[Trouble, str] = {
    Trouble.UNREACHABLE: "is it running, and is RESTOCK_DATABASE_URL right?",
    Trouble.BUSY: "retry in a moment",
    Trouble.FULL: "free some space, then retry",
    Trouble.READ_ONLY: "point RESTOCK_DATABASE_URL at a writable database (the primary)",
    Trouble.IO_ERROR: "check the disk and the file",
    Trouble.NOT_INITIALISED: "run `restock init`",
}
"""What a person at the command line can do about it."""


PG_STATES: dict[str, Trouble] = {
    "57P01": Trouble.UNREACHABLE,  # admin shutdown
    "57P02": Trouble.UNREACHABLE,  # crash shutdown
    "57P03": Trouble.UNREACHABLE,  # cannot connect now (starting up, shutting down)
    "53100": Trouble.FULL,  # disk full
    "53300": Trouble.BUSY,  # too many connections
    "25006": Trouble.READ_ONLY,  # read-only SQL transaction (a hot standby)
    "42P01": Trouble.NOT_INITIALISED,  # undefined table
}
PG_CLASSES: dict[str, Trouble] = {"08": Trouble.UNREACHABLE, "28": Trouble.UNREACHABLE, "3D": Trouble.UNREACHABLE}
"""Connection exceptions, a refused login, no such database: all "cannot reach the database I was given"."""
SQLITE_NAMES: tuple[tuple[str, Trouble], ...] = (
    ("SQLITE_FULL", Trouble.FULL),
    ("SQLITE_READONLY", Trouble.READ_ONLY),
    ("SQLITE_BUSY", Trouble.BUSY),
    ("SQLITE_LOCKED", Trouble.BUSY),
    ("SQLITE_CANTOPEN", Trouble.UNREACHABLE),
    ("SQLITE_IOERR", Trouble.IO_ERROR),
)
SQLITE_MESSAGES: tuple[tuple[str, Trouble], ...] = (
    ("database or disk is full", Trouble.FULL),
    ("readonly database", Trouble.READ_ONLY),
    ("database is locked", Trouble.BUSY),
    ("unable to open database file", Trouble.UNREACHABLE),
    ("disk i/o error", Trouble.IO_ERROR),
    ("no such table", Trouble.NOT_INITIALISED),
)


def trouble_of(error: BaseException) -> Trouble | None:
    """The reason the database cannot serve, or None for an error that is not about the database's state."""
    if isinstance(error, PoolTimeout):
        return Trouble.BUSY
    if not isinstance(error, DBAPIError):
        return None
    if error.connection_invalidated:
        return Trouble.UNREACHABLE
    orig = error.orig
    state = getattr(orig, "sqlstate", None)
    if isinstance(orig, psycopg.Error):
        if state is None:  # psycopg gives connection failures no SQLSTATE
            return Trouble.UNREACHABLE if isinstance(orig, psycopg.OperationalError) else None
        return PG_STATES.get(state) or PG_CLASSES.get(state[:2])
    return _sqlite_trouble(orig)


def _sqlite_trouble(orig: BaseException | None) -> Trouble | None:
    name = str(getattr(orig, "sqlite_errorname", ""))
    for prefix, trouble in SQLITE_NAMES:
        if name.startswith(prefix):
            return trouble
    message = str(orig).lower()
    return next((trouble for text, trouble in SQLITE_MESSAGES if text in message), None)


def shown_url(url: str) -> str:
    """A database URL fit for a message or a log: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"


def first_line(error: SQLAlchemyError) -> str:
    """The driver's own words, one line, without SQLAlchemy's statement and background link."""
    orig = getattr(error, "orig", None)
    text = str(orig if orig is not None else error).strip()
    return text.splitlines()[0] if text else type(error).__name__
