"""Stock balances and their ledger. Every balance change goes through `move`, so the two never disagree."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from restock.store.schema import Movement, Stock


def ensure_stock_row(session: Session, sku_id: int, warehouse_id: int) -> None:
    """Create the zero balance row if missing, racing safely with other writers."""
    dialect = session.get_bind().dialect.name
    factory = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        factory(Stock)
        .values(sku_id=sku_id, warehouse_id=warehouse_id, on_hand=0, allocated=0)
        .on_conflict_do_nothing(index_elements=["sku_id", "warehouse_id"])
    )


def move(
    session: Session,
    *,
    sku_id: int,
    warehouse_id: int,
    kind: str,
    now: datetime,
    on_hand_delta: int = 0,
    allocated_delta: int = 0,
    reason: str | None = None,
    ref: str | None = None,
    min_free_after: int = 0,
) -> bool:
    """Apply one guarded change to a balance and append its movement; False if the guard refused it.

    The guard is in the UPDATE's WHERE clause (`free stock after the change >= min_free_after`, never
    negative on hand), so two transactions racing for the last unit cannot both win: the loser's
    UPDATE matches no row. `min_free_after` lets a channel keep its safety buffer.
    """
    free_after = (Stock.on_hand + on_hand_delta) - (Stock.allocated + allocated_delta)
    result = session.execute(
        update(Stock)
        .where(
            and_(
                Stock.sku_id == sku_id,
                Stock.warehouse_id == warehouse_id,
                Stock.on_hand + on_hand_delta >= 0,
                Stock.allocated + allocated_delta >= 0,
                free_after >= min_free_after,
            )
        )
        .values(on_hand=Stock.on_hand + on_hand_delta, allocated=Stock.allocated + allocated_delta)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.execute(
        insert(Movement).values(
            sku_id=sku_id,
            warehouse_id=warehouse_id,
            kind=kind,
            on_hand_delta=on_hand_delta,
            allocated_delta=allocated_delta,
            reason=reason,
            ref=ref,
            created_at=now,
        )
    )
    return True


def free_stock(session: Session, sku_id: int, warehouse_ids: list[int]) -> dict[int, int]:
    """Free units (on hand - allocated) per warehouse, as of this transaction's snapshot."""
    if not warehouse_ids:
        return {}
    rows = session.execute(
        select(Stock.warehouse_id, Stock.on_hand - Stock.allocated).where(
            Stock.sku_id == sku_id, Stock.warehouse_id.in_(warehouse_ids)
        )
    )
    return {int(w): int(free) for w, free in rows}
