"""Writing rows into several tables in one round trip, where the database allows it.

A use case that holds a hot SKU's lock pays for every round trip it makes before it commits: each one is
time in which every other order for that SKU waits. PostgreSQL runs data-modifying CTEs, so the inserts
of several tables can travel as one statement. SQLite runs in process and has no round trips to save (nor
data-modifying CTEs), so there each table gets its own statement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Insert, Row, Table, insert
from sqlalchemy.orm import Session

Rows = Sequence[Mapping[str, Any]]


def insert_together(
    session: Session, *batches: tuple[Table, Rows], returning: Sequence[ColumnElement[Any]] = ()
) -> list[Row[Any]]:
    """Insert each batch of rows into its table, in the order given; the rows `returning` asks of the last.

    Foreign keys between the batches hold on PostgreSQL too: it checks them when the whole statement ends,
    when every CTE has run.
    """
    batches = tuple((table, rows) for table, rows in batches if rows)
    if not batches:
        return []
    *before, (last_table, last_rows) = batches
    if before and session.get_bind().dialect.name == "postgresql":
        statement: Insert = insert(last_table).values(list(last_rows))
        for number, (table, rows) in enumerate(before):
            statement = statement.add_cte(insert(table).values(list(rows)).cte(f"insert_{number}"))
        return _run(session, statement, returning, None)
    for table, rows in before:
        session.execute(insert(table), list(rows))
    return _run(session, insert(last_table), returning, list(last_rows))


def _run(
    session: Session, statement: Insert, returning: Sequence[ColumnElement[Any]], rows: list[Mapping[str, Any]] | None
) -> list[Row[Any]]:
    if returning:
        return list(session.execute(statement.returning(*returning), rows).all())
    session.execute(statement, rows)
    return []
