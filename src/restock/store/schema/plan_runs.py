"""The replenishment plans that were run and kept: what each suggested, from which inputs, and the drafts it made."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from restock.store.schema.base import Base

PLAN_RUN_SOURCES = ("daily", "manual")
"""`daily`: the worker's daily plan; `manual`: `restock plan --record`."""


class PlanRun(Base):
    """One plan, as it was computed: when, for which business day, from inputs as of when, and its totals."""

    __tablename__ = "plan_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(DateTime)
    """When the run was stored (UTC)."""
    today: Mapped[date] = mapped_column(Date)
    """The business day it planned for."""
    inputs_at: Mapped[datetime] = mapped_column(DateTime)
    """When it read its inputs: the stock, open POs and backorders it planned from are as of this moment (UTC)."""
    demand_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The last day of demand history its forecasts saw (NULL: no forecast)."""
    source: Mapped[str] = mapped_column(String(16))
    horizon_days: Mapped[int] = mapped_column(Integer)
    planned: Mapped[int] = mapped_column(Integer)
    """SKU x warehouse rows planned."""
    lines: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    at_risk: Mapped[int] = mapped_column(Integer)
    """Rows on its radar."""
    revenue_at_risk: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    __table_args__ = (
        CheckConstraint("source IN ('daily', 'manual')", name="source_known"),
        Index("ix_plan_runs_ran_at", "ran_at"),
    )


class PlanRunLine(Base):
    """One suggestion of a run, in the run's order (most urgent first)."""

    __tablename__ = "plan_run_lines"
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_runs.id"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku_id: Mapped[int] = mapped_column(ForeignKey("skus.id"))
    warehouse_id: Mapped[int] = mapped_column(ForeignKey("warehouses.id"))
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    value: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    stockout_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    stockout_to_prevent: Mapped[date | None] = mapped_column(Date, nullable=True)
    """The stock-out no open PO ends, which the purchase must prevent; `days_late` is counted against it."""
    days_late: Mapped[int] = mapped_column(Integer)
    explanation: Mapped[str] = mapped_column(Text)
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("days_late >= 0", name="days_late_not_negative"),
        Index("ix_plan_run_lines_run_id_sku_id_warehouse_id", "run_id", "sku_id", "warehouse_id", unique=True),
    )


class PlanRunDraft(Base):
    """A draft purchase order a run made."""

    __tablename__ = "plan_run_drafts"
    run_id: Mapped[int] = mapped_column(ForeignKey("plan_runs.id"), primary_key=True)
    po_id: Mapped[int] = mapped_column(ForeignKey("purchase_orders.id"), primary_key=True)
