"""cancelled parts say who cancelled them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

A part becomes `released` when its units are cancelled, and also when a backorder is re-pegged onto other
supply (the old part is released, new parts take its units). `cancelled_by` tells the two apart: it is set
(merchant, customer or shop) only on the parts of units that were cancelled, so a cancel link can tell "you
cancelled these" from "these moved to another delivery", and a line's cancelled units can be counted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("line_parts") as batch:
        batch.add_column(sa.Column("cancelled_by", sa.String(length=16), nullable=True))
        batch.create_check_constraint(
            "cancelled_by_known",
            "cancelled_by IS NULL OR (kind = 'released' AND cancelled_by IN ('merchant', 'customer', 'shop'))",
        )


def downgrade() -> None:
    with op.batch_alter_table("line_parts") as batch:
        batch.drop_constraint("cancelled_by_known", type_="check")
        batch.drop_column("cancelled_by")
