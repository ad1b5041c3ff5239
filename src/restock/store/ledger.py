"""Stock balances and their ledger. Every balance change goes through `move`, so the two never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Required, TypedDict, Unpack

from sqlalchemy import CTE, ColumnElement, DateTime, Insert, Integer, String, bindparam, insert, select, update
from sqlalchemy.orm import Session

from restock.domain.model import MAX_BALANCE, MovementKind
from restock.store.db import insert_unless_present
from restock.store.schema import Movement, Stock, table
from restock.store.together import writes_in_one_statement


def ensure_stock_row(session: Session, sku_id: int, warehouse_id: int) -> None:
    """Create the zero balance row if missing, racing safely with other writers."""
    statement = insert_unless_present(session, Stock, ["sku_id", "warehouse_id"])
    session.execute(statement.values(sku_id=sku_id, warehouse_id=warehouse_id, on_hand=0, allocated=0))


_stock = table(Stock).c
_ON_HAND_AFTER = _stock.on_hand + bindparam("on_hand_delta")
_ALLOCATED_AFTER = _stock.allocated + bindparam("allocated_delta")
_GUARDED_MOVE = (
    update(table(Stock))
    .where(
        _stock.sku_id == bindparam("sku"),
        _stock.warehouse_id == bindparam("warehouse"),
        _ON_HAND_AFTER >= 0,
        _ON_HAND_AFTER <= MAX_BALANCE,  # domain.model.fits_in_a_balance, in SQL
        _ALLOCATED_AFTER >= 0,
        bindparam("min_free_after") <= _ON_HAND_AFTER - _ALLOCATED_AFTER,
    )
    .values(on_hand=_ON_HAND_AFTER, allocated=_ALLOCATED_AFTER)
)
_INSERT_MOVEMENT = insert(table(Movement)).values(
    sku_id=bindparam("sku"),
    warehouse_id=bindparam("warehouse"),
    kind=bindparam("kind"),
    on_hand_delta=bindparam("on_hand_delta"),
    allocated_delta=bindparam("allocated_delta"),
    reason=bindparam("reason"),
    ref=bindparam("ref"),
    created_at=bindparam("created_at"),
)


def guarded_change(*first: ColumnElement[bool]) -> CTE:
    """The guarded change of `move` as a CTE (PostgreSQL): one row when it was applied, none when the guard
    refused it. `first`: conditions PostgreSQL evaluates before it touches the balance (a lock to take first)."""
    return _GUARDED_MOVE.where(*first).returning(_stock.sku_id, _stock.warehouse_id).cte("moved")


def record_of(moved: CTE) -> Insert:
    """The movement of the change in `moved`, written only when the change was."""
    return insert(table(Movement)).from_select(
        ["sku_id", "warehouse_id", "kind", "on_hand_delta", "allocated_delta", "reason", "ref", "created_at"],
        select(
            moved.c.sku_id,
            moved.c.warehouse_id,
            bindparam("kind", type_=String),
            bindparam("on_hand_delta", type_=Integer),
            bindparam("allocated_delta", type_=Integer),
            bindparam("reason", type_=String),
            bindparam("ref", type_=String),
            bindparam("created_at", type_=DateTime),
        ),
    )


_MOVED = guarded_change()
_MOVE_AND_RECORD = record_of(_MOVED).add_cte(_MOVED).returning(table(Movement).c.id)
"""On PostgreSQL the guarded change and its movement are one statement: one round trip under the lock."""


class Change(TypedDict, total=False):
    """One change to a balance: which one, by how much, and why (see `move`)."""

    sku_id: Required[int]
    warehouse_id: Required[int]
    kind: Required[MovementKind]
    now: Required[datetime]
    on_hand_delta: int
    allocated_delta: int
    reason: str | None
    ref: str | None
    min_free_after: int


def change_params(**change: Unpack[Change]) -> dict[str, Any]:
    """The statement parameters of one change, for `move` and for `guarded_change` with `record_of`."""
    return {
        "sku": change["sku_id"],
        "warehouse": change["warehouse_id"],
        "on_hand_delta": change.get("on_hand_delta", 0),
        "allocated_delta": change.get("allocated_delta", 0),
        "min_free_after": change.get("min_free_after", 0),
        "kind": change["kind"],
        "reason": change.get("reason"),
        "ref": change.get("ref"),
        "created_at": change["now"],
    }


def move(session: Session, **change: Unpack[Change]) -> bool:
    """Apply one guarded change to a balance and append its movement; False if the guard refused it.

    The guard is in the UPDATE's WHERE clause (never negative, never more allocated than on hand, free
    stock after the change >= `min_free_after`), so two transactions racing for the last unit cannot
    both win: the loser's UPDATE matches no row. `min_free_after` lets a channel keep its safety buffer
    (the SQL form of `domain.allocation.sellable`: a claim may take only what that rule calls sellable).
    """
    params = change_params(**change)
    if writes_in_one_statement(session.get_bind()):
        return session.execute(_MOVE_AND_RECORD, params).first() is not None
    if session.execute(_GUARDED_MOVE, params).rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.execute(_INSERT_MOVEMENT, params)
    return True


def must_move(session: Session, **change: Unpack[Change]) -> None:
    """A movement the caller has already proven possible (shipping what is allocated, releasing it).

    If the guard refuses it anyway, the data is inconsistent: fail the whole transaction loudly.
    """
    if not move(session, **change):
        raise RuntimeError(f"ledger guard refused a movement that must succeed: {change}")


def free_stock(session: Session, sku_id: int, warehouse_ids: Sequence[int]) -> dict[int, int]:
    """Free units (on hand - allocated) per warehouse; a warehouse without a balance row has none."""
    return {warehouse: free for (_, warehouse), free in free_stock_of_skus(session, [sku_id], warehouse_ids).items()}


def free_stock_of_skus(
    session: Session, sku_ids: Sequence[int], warehouse_ids: Sequence[int]
) -> dict[tuple[int, int], int]:
    """Free units per (SKU, warehouse) for many SKUs in one query."""
    if not sku_ids or not warehouse_ids:
        return {}
    rows = session.execute(
        select(Stock.sku_id, Stock.warehouse_id, Stock.on_hand - Stock.allocated).where(
            Stock.sku_id.in_(sku_ids), Stock.warehouse_id.in_(warehouse_ids)
        )
    )
    return {(int(s), int(w)): int(free) for s, w, free in rows}
