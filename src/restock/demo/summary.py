"""The summary printed after loading: what is in the database, counted back from it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from restock.demo.cast import CHANNELS, WEB
from restock.demo.story import StoryResult
from restock.demo.timeline import HISTORY_DAYS
from restock.domain.model import AvailabilityState, LineStatus, OrderStatus, POStatus
from restock.services.availability import AvailabilityView, catalog_availability
from restock.services.backorders import waiting_backorders
from restock.services.context import Context
from restock.store.db import unit_of_work
from restock.store.schema import Base, Channel, Movement, Order, OrderLine, PurchaseOrder, Sku, Supplier, Warehouse


@dataclass(frozen=True)
class DemoSummary:
    """What was loaded, counted back from the database rather than taken from the plan."""

    seed: int
    today: date
    catalog: tuple[int, int, int, int]
    """SKUs, warehouses, channels, suppliers."""
    shipped_orders: int
    shipped_lines: int
    shipped_units: int
    movements: int
    po_statuses: Counter[str]
    late_pos: int
    lateness: list[tuple[str, int | None]]
    waiting: int
    pegged: int
    web_states: Counter[str]
    examples: list[tuple[str, str]]
    """(state, SKU code): one SKU to look at per availability state."""
    refused_orders: int

    def text(self) -> str:
        skus, warehouses, channels, suppliers = self.catalog
        pos = self.po_statuses
        lines = [
            f"demo shop loaded (seed {self.seed}, today {self.today}):",
            f"  catalog: {skus} SKUs, {warehouses} warehouses, {channels} channels, {suppliers} suppliers",
            f"  history since {self.today - timedelta(days=HISTORY_DAYS)}: {self.shipped_orders:,} shipped orders, "
            f"{self.shipped_lines:,} lines, {self.shipped_units:,} units; {self.movements:,} ledger movements",
            f"  purchase orders: {pos[POStatus.RECEIVED]} received; open: {pos[POStatus.CONFIRMED]} confirmed "
            f"({self.late_pos} past their ETA), {pos[POStatus.SENT]} sent awaiting confirmation",
            "  supplier lateness (P90 days): " + ", ".join(f"{code} {days}" for code, days in self.lateness),
            f"  waiting backorders: {self.waiting} ({self.pegged} pegged to a confirmed PO, "
            f"{self.waiting - self.pegged} unpromised)",
            "  web availability: " + ", ".join(f"{self.web_states[s.value]} {s.value}" for s in AvailabilityState),
            "  look at (`restock availability SKU`): "
            + ", ".join(f"{code} ({state})" for state, code in self.examples),
        ]
        if self.refused_orders:
            lines.append(f"  note: the order rules refused {self.refused_orders} of today's demo orders")
        return "\n".join(lines)


def _examples(views: list[AvailabilityView]) -> list[tuple[str, str]]:
    """One SKU per state worth a look; a backorder with a ship window rather than one without a date."""
    first: dict[str, str] = {}
    for view in sorted(views, key=lambda v: v.decision.ship_window is None):
        first.setdefault(view.decision.state.value, view.sku)
    return [(state.value, first[state.value]) for state in AvailabilityState if state.value in first]


def _count(session: Session, model: type[Base], *where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _catalog_counts(session: Session) -> tuple[int, int, int, int]:
    return (_count(session, Sku), _count(session, Warehouse), _count(session, Channel), _count(session, Supplier))


def _shipped_units(session: Session) -> int:
    return session.scalar(select(func.sum(OrderLine.quantity)).where(OrderLine.status == LineStatus.SHIPPED.value)) or 0


def _late_pos(session: Session, today: date) -> int:
    """Open POs whose confirmed ETA has passed: the suppliers' broken promises the demo tells of."""
    open_statuses = PurchaseOrder.status.in_([POStatus.CONFIRMED.value, POStatus.PARTIALLY_RECEIVED.value])
    return _count(session, PurchaseOrder, open_statuses, PurchaseOrder.eta < today)


def summarise(ctx: Context, seed: int, result: StoryResult) -> DemoSummary:
    today = ctx.clock.today()
    waiting = waiting_backorders(ctx)
    views = catalog_availability(ctx, CHANNELS[WEB].code)
    states = Counter(v.decision.state.value for v in views)
    with unit_of_work(ctx.engine, readonly=True) as session:
        statuses = select(PurchaseOrder.status, func.count()).group_by(PurchaseOrder.status)
        lateness = select(Supplier.code, Supplier.lateness_p90_days)
        return DemoSummary(
            seed=seed,
            today=today,
            catalog=_catalog_counts(session),
            shipped_orders=_count(session, Order, Order.status == OrderStatus.SHIPPED.value),
            shipped_lines=_count(session, OrderLine, OrderLine.status == LineStatus.SHIPPED.value),
            shipped_units=_shipped_units(session),
            movements=_count(session, Movement),
            po_statuses=Counter(dict(session.execute(statuses).all())),
            late_pos=_late_pos(session, today),
            lateness=[(code, days) for code, days in session.execute(lateness)],
            waiting=len(waiting),
            pegged=sum(1 for b in waiting if b.po is not None),
            web_states=states,
            examples=_examples(views),
            refused_orders=result.refused_orders,
        )
