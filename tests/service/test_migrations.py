"""Migrations: every revision runs down and up again, and none loses what an earlier one built."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

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


def test_an_sqlite_shop_with_orders_upgrades_and_keeps_its_foreign_keys_enforced(tmp_path: Path) -> None:
    """A shop made before 0009 with orders on a channel upgrades (0009 rebuilds `channels`, which orders point
    at), and afterwards its connections still refuse a row pointing at nothing."""
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    upgrade(engine, "0008")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO warehouses (id, code, name) VALUES (1, 'W1', 'W1')"))
        conn.execute(text("INSERT INTO channels (id, code, name, safety_buffer) VALUES (1, 'web', 'web', 0)"))
        conn.execute(
            text(
                "INSERT INTO orders (id, channel_id, email, priority, status, placed_at) "
                "VALUES ('o1', 1, 'a@example.com', 0, 'open', '2026-11-27 09:00:00')"
            )
        )
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("SELECT channel_id FROM orders")).scalar() == 1
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO orders (id, channel_id, email, priority, status, placed_at) "
                "VALUES ('o2', 99, 'a@example.com', 0, 'open', '2026-11-27 09:00:00')"
            )
        )
    engine.dispose()
