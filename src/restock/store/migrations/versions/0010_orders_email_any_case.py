"""orders found by e-mail in any case: `ix_orders_email` indexes lower(email)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

A customer types their address as they like (`Ann@Example.com` one day, `ann@example.com` the next), and the
order search (`GET /v1/orders?email=`) matches it in any case. A plain index on `email` cannot serve
`lower(email) = ...`, so the index 0009 added is rebuilt on the expression, under the same name: still one
index on the order path, now one the search uses (SQLite and PostgreSQL both index expressions).
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_orders_email", table_name="orders")
    op.execute("CREATE INDEX ix_orders_email ON orders (lower(email))")


def downgrade() -> None:
    op.drop_index("ix_orders_email", table_name="orders")
    op.create_index("ix_orders_email", "orders", ["email"], unique=False)
