"""supplier terms per SKU and per-SKU planning settings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "supplier_skus",
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=True),
        sa.Column("moq", sa.Integer(), nullable=False),
        sa.Column("pack_size", sa.Integer(), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.CheckConstraint(
            "lead_time_days IS NULL OR lead_time_days >= 0", name=op.f("ck_supplier_skus_lead_time_not_negative")
        ),
        sa.CheckConstraint("moq >= 1", name=op.f("ck_supplier_skus_moq_positive")),
        sa.CheckConstraint("pack_size >= 1", name=op.f("ck_supplier_skus_pack_positive")),
        sa.CheckConstraint("unit_cost >= 0", name=op.f("ck_supplier_skus_cost_not_negative")),
        sa.ForeignKeyConstraint(["supplier_id"], ["suppliers.id"], name=op.f("fk_supplier_skus_supplier_id_suppliers")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_supplier_skus_sku_id_skus")),
        sa.PrimaryKeyConstraint("supplier_id", "sku_id", name=op.f("pk_supplier_skus")),
    )
    op.create_index(op.f("ix_supplier_skus_sku_id"), "supplier_skus", ["sku_id"], unique=False)
    op.create_table(
        "sku_planning",
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("review_days", sa.Integer(), nullable=False),
        sa.Column("policy", sa.String(length=16), nullable=False),
        sa.Column("order_cost", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("holding_rate_pct", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("service_level_pct", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.CheckConstraint("review_days BETWEEN 1 AND 365", name=op.f("ck_sku_planning_review_in_range")),
        sa.CheckConstraint("policy IN ('order_up_to', 'eoq')", name=op.f("ck_sku_planning_policy_known")),
        sa.CheckConstraint("order_cost >= 0", name=op.f("ck_sku_planning_order_cost_not_negative")),
        sa.CheckConstraint(
            "holding_rate_pct > 0 AND holding_rate_pct <= 100", name=op.f("ck_sku_planning_holding_rate_in_range")
        ),
        sa.CheckConstraint(
            "service_level_pct IS NULL OR (service_level_pct >= 50 AND service_level_pct < 100)",
            name=op.f("ck_sku_planning_service_level_in_range"),
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_sku_planning_sku_id_skus")),
        sa.PrimaryKeyConstraint("sku_id", name=op.f("pk_sku_planning")),
    )


def downgrade() -> None:
    op.drop_table("sku_planning")
    op.drop_index(op.f("ix_supplier_skus_sku_id"), table_name="supplier_skus")
    op.drop_table("supplier_skus")
