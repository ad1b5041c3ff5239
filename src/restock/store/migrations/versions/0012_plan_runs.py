"""plan runs: each replenishment plan kept, with its suggestions and the drafts it made

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

The worker's daily plan (and `restock plan --record`) is stored: when it ran, for which day, from inputs
as of when (the stock snapshot, the last day of demand its forecasts saw), its totals, each suggestion in its
order (most urgent first) with the words that explain it, and the draft POs it made. Runs are listed and
compared with the one before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(), nullable=False),
        sa.Column("today", sa.Date(), nullable=False),
        sa.Column("inputs_at", sa.DateTime(), nullable=False),
        sa.Column("demand_until", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("planned", sa.Integer(), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("at_risk", sa.Integer(), nullable=False),
        sa.Column("revenue_at_risk", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.CheckConstraint("source IN ('daily', 'manual')", name=op.f("ck_plan_runs_source_known")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_runs")),
    )
    op.create_index("ix_plan_runs_ran_at", "plan_runs", ["ran_at"], unique=False)
    op.create_table(
        "plan_run_lines",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("value", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("stockout_date", sa.Date(), nullable=True),
        sa.Column("stockout_to_prevent", sa.Date(), nullable=True),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_plan_run_lines_quantity_positive")),
        sa.CheckConstraint("days_late >= 0", name=op.f("ck_plan_run_lines_days_late_not_negative")),
        sa.ForeignKeyConstraint(["run_id"], ["plan_runs.id"], name=op.f("fk_plan_run_lines_run_id_plan_runs")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_plan_run_lines_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_plan_run_lines_warehouse_id_warehouses")
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"], ["suppliers.id"], name=op.f("fk_plan_run_lines_supplier_id_suppliers")
        ),
        sa.PrimaryKeyConstraint("run_id", "rank", name=op.f("pk_plan_run_lines")),
    )
    op.create_index(
        "ix_plan_run_lines_run_id_sku_id_warehouse_id",
        "plan_run_lines",
        ["run_id", "sku_id", "warehouse_id"],
        unique=True,
    )
    op.create_table(
        "plan_run_drafts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("po_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["plan_runs.id"], name=op.f("fk_plan_run_drafts_run_id_plan_runs")),
        sa.ForeignKeyConstraint(
            ["po_id"], ["purchase_orders.id"], name=op.f("fk_plan_run_drafts_po_id_purchase_orders")
        ),
        sa.PrimaryKeyConstraint("run_id", "po_id", name=op.f("pk_plan_run_drafts")),
    )


def downgrade() -> None:
    op.drop_table("plan_run_drafts")
    op.drop_index("ix_plan_run_lines_run_id_sku_id_warehouse_id", table_name="plan_run_lines")
    op.drop_table("plan_run_lines")
    op.drop_index("ix_plan_runs_ran_at", table_name="plan_runs")
    op.drop_table("plan_runs")
