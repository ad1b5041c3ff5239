"""Stock adjustments and transfers: every change is a ledger movement, and free stock fills backorders first."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from restock.domain import validation as valid
from restock.domain.errors import Conflict, InvalidInput
from restock.domain.model import MovementKind
from restock.services.availability_watch import watching_availability
from restock.services.context import Context, use_case
from restock.services.views import BalanceOut, MovementOut
from restock.store import balances as store
from restock.store import repo
from restock.store.fill import stock_arrives
from restock.store.ledger import ensure_stock_row, move
from restock.store.schema import Sku, Warehouse

Balance = BalanceOut


@use_case()
def adjust_stock(
    session: Session, ctx: Context, sku_code: str, warehouse_code: str, delta: int, reason: str
) -> Balance:
    """Count corrections, damage, found stock. Never below what is allocated to customers."""
    valid.delta(delta)
    valid.reason(reason)
    sku = repo.sku_by_code(session, sku_code, lock=True)
    with watching_availability(session, ctx, [sku.id]):
        return _adjust(session, ctx, sku, warehouse_code, delta, reason)


def _adjust(session: Session, ctx: Context, sku: Sku, warehouse_code: str, delta: int, reason: str) -> Balance:
    sku_code = sku.code
    warehouse = repo.warehouse_by_code(session, warehouse_code)
    now = ctx.clock.now()
    if delta > 0:
        stock_arrives(
            session,
            sku_id=sku.id,
            warehouse_id=warehouse.id,
            quantity=delta,
            kind=MovementKind.ADJUSTMENT,
            now=now,
            ref=MovementKind.ADJUSTMENT.value,
            reason=reason,
        )
        return _balance(session, sku, warehouse)
    ensure_stock_row(session, sku.id, warehouse.id)
    if not move(
        session,
        sku_id=sku.id,
        warehouse_id=warehouse.id,
        kind=MovementKind.ADJUSTMENT,
        now=now,
        on_hand_delta=delta,
        reason=reason,
        ref=MovementKind.ADJUSTMENT.value,
    ):
        free = _balance(session, sku, warehouse).available
        raise Conflict(
            f"cannot remove {-delta} of {sku_code} at {warehouse_code}: only {free} are free "
            "(the rest is allocated to orders; cancel or ship them first)"
        )
    return _balance(session, sku, warehouse)


@use_case()
def transfer_stock(
    session: Session, ctx: Context, sku_code: str, source: str, target: str, quantity: int
) -> tuple[Balance, Balance]:
    valid.quantity(quantity)
    if source == target:
        raise InvalidInput("a transfer needs two different warehouses")
    sku = repo.sku_by_code(session, sku_code, lock=True)
    with watching_availability(session, ctx, [sku.id]):
        return _transfer(session, ctx, sku, source, target, quantity)


def _transfer(
    session: Session, ctx: Context, sku: Sku, source: str, target: str, quantity: int
) -> tuple[Balance, Balance]:
    sku_code = sku.code
    src, dst = repo.warehouse_by_code(session, source), repo.warehouse_by_code(session, target)
    now = ctx.clock.now()
    ensure_stock_row(session, sku.id, src.id)
    ref = f"transfer:{source}->{target}"
    if not move(
        session,
        sku_id=sku.id,
        warehouse_id=src.id,
        kind=MovementKind.TRANSFER_OUT,
        now=now,
        on_hand_delta=-quantity,
        ref=ref,
    ):
        raise Conflict(f"only {_balance(session, sku, src).available} of {sku_code} are free at {source}")
    stock_arrives(
        session, sku_id=sku.id, warehouse_id=dst.id, quantity=quantity, kind=MovementKind.TRANSFER_IN, now=now, ref=ref
    )
    return _balance(session, sku, src), _balance(session, sku, dst)


def _balance(session: Session, sku: Sku, warehouse: Warehouse) -> Balance:
    return Balance.of(sku.code, warehouse.code, *store.balance(session, sku.id, warehouse.id))


@use_case(readonly=True)
def balances(session: Session, ctx: Context, sku_code: str | None = None) -> list[Balance]:
    sku_id = repo.sku_by_code(session, sku_code).id if sku_code else None
    return [Balance.of(*row) for row in store.balance_rows(session, sku_id)]


@dataclass(frozen=True)
class LedgerDiscrepancy:
    sku_id: int
    warehouse_id: int
    on_hand: int
    allocated: int
    ledger_on_hand: int
    ledger_allocated: int


@use_case(readonly=True)
def ledger_discrepancies(session: Session, ctx: Context) -> list[LedgerDiscrepancy]:
    """Balances that differ from the sum of their movements (invariant 2): should always be empty."""
    return [LedgerDiscrepancy(*row) for row in store.discrepancy_rows(session)]


MovementView = MovementOut


@use_case(readonly=True)
def ledger(
    session: Session, ctx: Context, sku_code: str | None = None, after: int = 0, limit: int = 100
) -> list[MovementView]:
    """Movements in the order they happened, a page at a time (keyset paging on the id: stable while rows arrive)."""
    sku_id = repo.sku_by_code(session, sku_code).id if sku_code else None
    return [
        MovementView(
            id=m.id,
            sku=sku,
            warehouse=wh,
            kind=m.kind,
            on_hand_delta=m.on_hand_delta,
            allocated_delta=m.allocated_delta,
            reason=m.reason,
            ref=m.ref,
            created_at=m.created_at,
        )
        for m, sku, wh in store.movement_rows(session, sku_id, after, limit)
    ]
