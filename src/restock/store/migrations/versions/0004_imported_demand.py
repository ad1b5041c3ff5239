"""imported demand history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "imported_demand",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_imported_demand_quantity_not_negative")),
        sa.ForeignKeyConstraint(["channel_id"], ["channels.id"], name=op.f("fk_imported_demand_channel_id_channels")),
        sa.ForeignKeyConstraint(["sku_id"], ["skus.id"], name=op.f("fk_imported_demand_sku_id_skus")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_imported_demand_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_demand")),
    )
    op.create_index(
        "ix_imported_demand_sku_warehouse_day", "imported_demand", ["sku_id", "warehouse_id", "day"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_imported_demand_sku_warehouse_day", table_name="imported_demand")
    op.drop_table("imported_demand")
