"""pre-orders are not sales: today's pre-ordered SKUs stay pre-orders

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

A SKU is a pre-order while its release date is ahead and it was never sold as a released product
(`domain.availability.is_preorder`); orders taken while it is a pre-order are pre-orders, not such sales. 0009
set `first_sold_at` from every SKU's first order, pre-orders included, so each SKU it gave a release date (one no
stock ever arrived for: every order on it was a pre-order) would have stopped being a pre-order at once. For those,
the mark is taken back.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PRE_ORDERS_ARE_NOT_SALES = """
UPDATE skus SET first_sold_at = NULL
WHERE release_date IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM movements WHERE movements.sku_id = skus.id AND movements.on_hand_delta > 0)
"""


def upgrade() -> None:
    op.execute(PRE_ORDERS_ARE_NOT_SALES)


def downgrade() -> None:
    """Nothing to undo: 0009's downgrade drops the column."""
