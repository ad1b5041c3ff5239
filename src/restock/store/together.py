"""Writing rows into several tables in one round trip, where the database allows it.

A use case that holds a hot SKU's lock pays for every round trip it makes before it commits: each one is
time in which every other order for that SKU waits. PostgreSQL runs data-modifying CTEs, so the inserts
of several tables can travel as one statement. SQLite runs in process and has no round trips to save (nor
data-modifying CTEs), so there each table gets its own statement.

Statements are built once per shape (which tables, how many rows, which columns) and kept, in a form whose
compiled SQL SQLAlchemy caches: compiling an INSERT for every order costs more than the round trip saved.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Executable,
    Insert,
    Result,
    Row,
    Table,
    bindparam,
    insert,
    select,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.schema import ScalarElementColumnDefault

Rows = Sequence[Mapping[str, Any]]
Shape = tuple[tuple[Table, int, tuple[str, ...]], ...]
"""Per table: how many rows, and the columns every one of them sets."""


def insert_together(
    session: Session, *batches: tuple[Table, Rows], returning: tuple[ColumnElement[Any], ...] = ()
) -> list[Row[Any]]:
    """Insert each batch of rows into its table, in the order given; the rows `returning` asks of the last.

    Foreign keys between the batches hold on PostgreSQL too: it checks them when the whole statement ends,
    when every CTE has run.
    """
    batches = tuple((table, rows) for table, rows in batches if rows)
    if not batches:
        return []
    if len(batches) > 1 and writes_in_one_statement(session.get_bind()):
        batches = tuple((table, [_defaults(table) | dict(row) for row in rows]) for table, rows in batches)
        shape = tuple((table, len(rows), tuple(rows[0])) for table, rows in batches)
        values = {
            _name(t, r, c): row[c] for t, (_, rows) in enumerate(batches) for r, row in enumerate(rows) for c in row
        }
        return _rows_of(session.execute(_one_statement(shape, returning), values), returning)
    *before, (last_table, last_rows) = batches
    for table, rows in before:
        session.execute(_plain_insert(table, ()), list(rows))
    return _rows_of(session.execute(_plain_insert(last_table, returning), list(last_rows)), returning)


def writes_in_one_statement(bind: Engine | Connection) -> bool:
    """Data-modifying CTEs, so that several writes can travel as one statement: PostgreSQL has them, SQLite not."""
    return bind.dialect.name == "postgresql"


def _rows_of(result: Result[Any], returning: tuple[ColumnElement[Any], ...]) -> list[Row[Any]]:
    return list(result.all()) if returning else []


@functools.cache
def _plain_insert(table: Table, returning: tuple[ColumnElement[Any], ...]) -> Insert:
    statement = insert(table)
    return statement.returning(*returning) if returning else statement


@functools.lru_cache(maxsize=512)
def _one_statement(shape: Shape, returning: tuple[ColumnElement[Any], ...]) -> Executable:
    """One data-modifying CTE per row, each a single-row INSERT with a named parameter per value (SQLAlchemy
    caches the compiled form of those, not of a multi-row VALUES). The main statement reads back what
    `returning` asks of the last table's rows, or is the last row's INSERT."""
    rows = [(table, t, r, columns) for t, (table, count, columns) in enumerate(shape) for r in range(count)]
    inserts = [
        (table, insert(table).values({c: bindparam(_name(t, r, c), type_=table.c[c].type) for c in columns}))
        for table, t, r, columns in rows
    ]
    last_table = shape[-1][0]
    if returning:
        earlier = [
            statement.cte(f"insert_{n}") for n, (table, statement) in enumerate(inserts) if table is not last_table
        ]
        read_back = [
            statement.returning(*returning).cte(f"insert_{n}")
            for n, (table, statement) in enumerate(inserts)
            if table is last_table
        ]
        selects = [select(*cte.c) for cte in read_back]
        main: Any = union_all(*selects) if len(selects) > 1 else selects[0]
        return main.add_cte(*earlier, *read_back)  # type: ignore[no-any-return]
    *before, (_, last) = inserts
    return last.add_cte(*(statement.cte(f"insert_{n}") for n, (_, statement) in enumerate(before)))


@functools.cache
def _defaults(table: Table) -> dict[str, Any]:
    """The table's plain Python-side column defaults: spelled out, they give every row of a table the same columns."""
    return {c.name: c.default.arg for c in table.c if isinstance(c.default, ScalarElementColumnDefault)}


def _name(table_number: int, row: int, column: str) -> str:
    return f"t{table_number}_{row}_{column}"
