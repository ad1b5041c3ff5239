"""receipt fills: which allocations a purchase order's receipt made (cross-docking)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02

A receipt's units go to waiting backorders first; those units are at the receiving dock, ready to ship
straight away, and head the pick list. A receipt fill names its fill batch (`line_parts.filled_by`), the PO and
warehouse it came from, and when.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "receipt_fills",
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("po_id", sa.Integer(), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["po_id"], ["purchase_orders.id"], name=op.f("fk_receipt_fills_po_id_purchase_orders")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["warehouses.id"], name=op.f("fk_receipt_fills_warehouse_id_warehouses")
        ),
        sa.PrimaryKeyConstraint("batch", name=op.f("pk_receipt_fills")),
    )


def downgrade() -> None:
    op.drop_table("receipt_fills")
