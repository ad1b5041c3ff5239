"""Migrations: every revision runs down and up again, and none loses what an earlier one built."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import Engine, text

from restock.store.db import make_engine
from restock.store.migrate import alembic_config, upgrade


def _triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {row[0] for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))}


def test_rebuilding_tables_on_sqlite_keeps_the_availability_feeds_triggers(tmp_path: Path) -> None:
    """SQLite alters a table by rebuilding it, which drops its triggers; the feed of availability changes
    (migration 0006) must still be written after every later migration, or cached answers go stale."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine, "0006")
    feed = _triggers(engine)
    assert {"availability_channel_updated", "availability_po_updated"} <= feed
    upgrade(engine)
    assert _triggers(engine) == feed
    command.downgrade(alembic_config(engine), "0006")
    assert _triggers(engine) == feed
    upgrade(engine)
    assert _triggers(engine) == feed
    engine.dispose()
