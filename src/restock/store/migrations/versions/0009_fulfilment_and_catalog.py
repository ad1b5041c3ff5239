"""fulfilment and an editable catalog: shipments, order references and addresses, shipping policies,
release dates, product URLs, archiving, PO references

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Pre-orders become explicit: a SKU is a pre-order only while its `release_date` is ahead and it has never been
sold. So that today's pre-orders (SKUs no stock ever arrived for) stay pre-orders, each such SKU with a
confirmed PO gets that PO's earliest ETA as its release date.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SHIPPING_POLICIES = "('as_available', 'complete')"

KEEP_TODAYS_PREORDERS = """
UPDATE skus SET release_date = (
    SELECT MIN(purchase_orders.eta)
    FROM po_lines JOIN purchase_orders ON purchase_orders.id = po_lines.po_id
    WHERE po_lines.sku_id = skus.id
      AND purchase_orders.status IN ('confirmed', 'partially_received')
      AND purchase_orders.eta_confirmed
)
WHERE NOT EXISTS (SELECT 1 FROM movements WHERE movements.sku_id = skus.id AND movements.on_hand_delta > 0)
"""

MARK_SOLD = """
UPDATE skus SET first_sold_at = (
    SELECT MIN(orders.placed_at) FROM order_lines JOIN orders ON orders.id = order_lines.order_id
    WHERE order_lines.sku_id = skus.id
)
WHERE release_date IS NULL
"""
"""A SKU sold before is never a pre-order again; the orders of a SKU just given its release date (no stock ever
arrived for it) were pre-orders, not sales (`domain.availability.is_preorder`), so it keeps no mark."""


def _sqlite_triggers() -> list[str]:
    """The triggers SQLite has now: a batch rebuild of a table (`batch_alter_table`) drops the table's triggers
    (the availability feed's, migration 0006), so they are recreated after it (`_restore`)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return []
    return [row[0] for row in bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))]


def _restore(triggers: list[str]) -> None:
    if not triggers:
        return
    bind = op.get_bind()
    present = {row[0] for row in bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger'"))}
    for sql in triggers:
        if sql not in present:
            op.execute(sql)


def _shipments() -> None:
    op.create_table(
        "shipments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=False),
        sa.Column("warehouse_id", sa.Integer(), nullable=False),
        sa.Column("carrier", sa.String(length=100), nullable=True),
        sa.Column("tracking_number", sa.String(length=200), nullable=True),
        sa.Column("tracking_url", sa.String(length=2000), nullable=True),
        sa.Column("shipped_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_shipments_order_id_orders")),
        sa.ForeignKeyConstraint(["warehouse_id"], ["warehouses.id"], name=op.f("fk_shipments_warehouse_id_warehouses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    op.create_index(op.f("ix_shipments_order_id"), "shipments", ["order_id"], unique=False)
    op.create_table(
        "shipment_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.String(length=32), nullable=False),
        sa.Column("order_line_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_shipment_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"], ["order_lines.id"], name=op.f("fk_shipment_lines_order_line_id_order_lines")
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_shipment_lines_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_lines")),
    )
    op.create_index(op.f("ix_shipment_lines_order_line_id"), "shipment_lines", ["order_line_id"], unique=False)
    op.create_index(op.f("ix_shipment_lines_shipment_id"), "shipment_lines", ["shipment_id"], unique=False)
    with op.batch_alter_table("line_parts") as batch:
        batch.add_column(sa.Column("shipment_id", sa.String(length=32), nullable=True))
        batch.create_index(op.f("ix_line_parts_shipment_id"), ["shipment_id"], unique=False)
        batch.create_foreign_key(op.f("fk_line_parts_shipment_id_shipments"), "shipments", ["shipment_id"], ["id"])


def upgrade() -> None:
    triggers = _sqlite_triggers()
    _shipments()
    with op.batch_alter_table("channels") as batch:
        batch.add_column(
            sa.Column("shipping_policy", sa.String(length=16), server_default="as_available", nullable=False)
        )
        batch.create_check_constraint("shipping_policy_known", f"shipping_policy IN {SHIPPING_POLICIES}")
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("external_ref", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("customer_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("delivery_address", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("shipping_policy", sa.String(length=16), nullable=True))
        batch.create_check_constraint(
            "shipping_policy_known", f"shipping_policy IS NULL OR shipping_policy IN {SHIPPING_POLICIES}"
        )
        batch.create_index("ix_orders_email", ["email"], unique=False)
        batch.create_index("ix_orders_placed", ["placed_at", "id"], unique=False)
        batch.create_unique_constraint("uq_orders_channel_external_ref", ["channel_id", "external_ref"])
    with op.batch_alter_table("purchase_orders") as batch:
        batch.add_column(sa.Column("reference", sa.String(length=100), nullable=True))
        batch.create_unique_constraint(op.f("uq_purchase_orders_reference"), ["reference"])
    with op.batch_alter_table("skus") as batch:
        batch.add_column(sa.Column("release_date", sa.Date(), nullable=True))
        batch.add_column(sa.Column("first_sold_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("product_url", sa.String(length=2000), nullable=True))
        batch.add_column(sa.Column("archived_at", sa.DateTime(), nullable=True))
    _restore(triggers)
    op.execute(KEEP_TODAYS_PREORDERS)
    op.execute(MARK_SOLD)


def downgrade() -> None:
    triggers = _sqlite_triggers()
    with op.batch_alter_table("skus") as batch:
        for column in ("archived_at", "product_url", "first_sold_at", "release_date"):
            batch.drop_column(column)
    with op.batch_alter_table("purchase_orders") as batch:
        batch.drop_constraint(op.f("uq_purchase_orders_reference"), type_="unique")
        batch.drop_column("reference")
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint("uq_orders_channel_external_ref", type_="unique")
        batch.drop_index("ix_orders_placed")
        batch.drop_index("ix_orders_email")
        batch.drop_constraint("shipping_policy_known", type_="check")
        for column in ("shipping_policy", "delivery_address", "customer_name", "external_ref"):
            batch.drop_column(column)
    with op.batch_alter_table("channels") as batch:
        batch.drop_constraint("shipping_policy_known", type_="check")
        batch.drop_column("shipping_policy")
    with op.batch_alter_table("line_parts") as batch:
        batch.drop_constraint(op.f("fk_line_parts_shipment_id_shipments"), type_="foreignkey")
        batch.drop_index(op.f("ix_line_parts_shipment_id"))
        batch.drop_column("shipment_id")
    op.drop_index(op.f("ix_shipment_lines_shipment_id"), table_name="shipment_lines")
    op.drop_index(op.f("ix_shipment_lines_order_line_id"), table_name="shipment_lines")
    op.drop_table("shipment_lines")
    op.drop_index(op.f("ix_shipments_order_id"), table_name="shipments")
    op.drop_table("shipments")
    _restore(triggers)
