"""commit receipts: one effect per request when the answer to a COMMIT is lost

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01

A write use case records a receipt (a random token) in its own transaction; when the answer to its COMMIT
is lost, the token tells whether the transaction committed, so it is never run again blindly.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commit_receipts",
        sa.Column("token", sa.String(32), primary_key=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("commit_receipts")
