"""availability changes: a feed of the SKUs whose availability may have changed, written by triggers

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27

Triggers, not application code, write the feed: every path that touches stock, supply, a SKU's policy or a
channel's warehouses (services, bulk loads, a DBA's fix by hand) is covered by one rule in one place.
A row with a NULL sku_id means "any SKU may have changed" (a channel's warehouses, a supplier's lateness).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# (table, trigger name, events, condition, what to record) for both dialects.
STOCK_MOVED = "OLD.on_hand IS DISTINCT FROM NEW.on_hand OR OLD.allocated IS DISTINCT FROM NEW.allocated"
SUPPLY_MOVED = (
    "OLD.ordered IS DISTINCT FROM NEW.ordered OR OLD.received IS DISTINCT FROM NEW.received"
    " OR OLD.promised IS DISTINCT FROM NEW.promised OR OLD.promisable IS DISTINCT FROM NEW.promisable"
)
PO_MOVED = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.eta IS DISTINCT FROM NEW.eta"
    " OR OLD.eta_confirmed IS DISTINCT FROM NEW.eta_confirmed OR OLD.warehouse_id IS DISTINCT FROM NEW.warehouse_id"
)
LATENESS_MOVED = "OLD.lateness_p90_days IS DISTINCT FROM NEW.lateness_p90_days"
CHANNEL_MOVED = "OLD.safety_buffer IS DISTINCT FROM NEW.safety_buffer"


def upgrade() -> None:
    op.create_table(
        "availability_changes",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sku_id", sa.Integer(), nullable=True),
        sa.Column("changed_at", sa.DateTime(), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, name in PG_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for function in ("restock_record_sku", "restock_record_sku_row", "restock_record_po", "restock_record_all"):
            op.execute(f"DROP FUNCTION IF EXISTS {function}()")
    else:
        names = bind.execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'availability_%'")
        )
        for (name,) in names.all():
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("availability_changes")


PG_TRIGGERS = [
    ("stock", "availability_stock_inserted"),
    ("stock", "availability_stock_updated"),
    ("po_lines", "availability_po_line_inserted"),
    ("po_lines", "availability_po_line_updated"),
    ("purchase_orders", "availability_po_updated"),
    ("skus", "availability_sku_updated"),
    ("suppliers", "availability_supplier_updated"),
    ("channels", "availability_channel_updated"),
    ("channel_warehouses", "availability_channel_warehouses_changed"),
]


def _postgresql_triggers() -> None:
    record = "INSERT INTO availability_changes (sku_id) VALUES ({})"
    functions = {
        "restock_record_sku": record.format("NEW.sku_id") + ";",
        "restock_record_sku_row": record.format("NEW.id") + ";",
        "restock_record_po": "INSERT INTO availability_changes (sku_id) SELECT sku_id FROM po_lines WHERE po_id = NEW.id;",
        "restock_record_all": record.format("NULL") + ";",
    }
    for name, body in functions.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$")
    each_row = "FOR EACH ROW"
    op.execute(
        f"CREATE TRIGGER availability_stock_inserted AFTER INSERT ON stock {each_row} EXECUTE FUNCTION restock_record_sku()"
    )
    op.execute(
        f"CREATE TRIGGER availability_stock_updated AFTER UPDATE ON stock {each_row} WHEN ({STOCK_MOVED})"
        " EXECUTE FUNCTION restock_record_sku()"
    )
    op.execute(
        f"CREATE TRIGGER availability_po_line_inserted AFTER INSERT ON po_lines {each_row} EXECUTE FUNCTION restock_record_sku()"
    )
    op.execute(
        f"CREATE TRIGGER availability_po_line_updated AFTER UPDATE ON po_lines {each_row} WHEN ({SUPPLY_MOVED})"
        " EXECUTE FUNCTION restock_record_sku()"
    )
    op.execute(
        f"CREATE TRIGGER availability_po_updated AFTER UPDATE ON purchase_orders {each_row} WHEN ({PO_MOVED})"
        " EXECUTE FUNCTION restock_record_po()"
    )
    op.execute(
        f"CREATE TRIGGER availability_sku_updated AFTER UPDATE ON skus {each_row} EXECUTE FUNCTION restock_record_sku_row()"
    )
    op.execute(
        f"CREATE TRIGGER availability_supplier_updated AFTER UPDATE ON suppliers {each_row} WHEN ({LATENESS_MOVED})"
        " EXECUTE FUNCTION restock_record_all()"
    )
    op.execute(
        f"CREATE TRIGGER availability_channel_updated AFTER UPDATE ON channels {each_row} WHEN ({CHANNEL_MOVED})"
        " EXECUTE FUNCTION restock_record_all()"
    )
    op.execute(
        "CREATE TRIGGER availability_channel_warehouses_changed AFTER INSERT OR UPDATE OR DELETE ON channel_warehouses"
        " FOR EACH STATEMENT EXECUTE FUNCTION restock_record_all()"
    )


def _sqlite_triggers() -> None:
    def trigger(name: str, event: str, table: str, condition: str | None, body: str) -> None:
        when = f" WHEN {condition}" if condition else ""
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body}; END")

    record = "INSERT INTO availability_changes (sku_id) VALUES ({})"
    sqlite_moved = {
        name: cond.replace("IS DISTINCT FROM", "IS NOT")
        for name, cond in (
            ("stock", STOCK_MOVED),
            ("supply", SUPPLY_MOVED),
            ("po", PO_MOVED),
            ("lateness", LATENESS_MOVED),
            ("channel", CHANNEL_MOVED),
        )
    }
    trigger("availability_stock_inserted", "INSERT", "stock", None, record.format("NEW.sku_id"))
    trigger("availability_stock_updated", "UPDATE", "stock", sqlite_moved["stock"], record.format("NEW.sku_id"))
    trigger("availability_po_line_inserted", "INSERT", "po_lines", None, record.format("NEW.sku_id"))
    trigger("availability_po_line_updated", "UPDATE", "po_lines", sqlite_moved["supply"], record.format("NEW.sku_id"))
    trigger(
        "availability_po_updated",
        "UPDATE",
        "purchase_orders",
        sqlite_moved["po"],
        "INSERT INTO availability_changes (sku_id) SELECT sku_id FROM po_lines WHERE po_id = NEW.id",
    )
    trigger("availability_sku_updated", "UPDATE", "skus", None, record.format("NEW.id"))
    trigger("availability_supplier_updated", "UPDATE", "suppliers", sqlite_moved["lateness"], record.format("NULL"))
    trigger("availability_channel_updated", "UPDATE", "channels", sqlite_moved["channel"], record.format("NULL"))
    for event in ("INSERT", "UPDATE", "DELETE"):
        trigger(
            f"availability_channel_warehouses_{event.lower()}", event, "channel_warehouses", None, record.format("NULL")
        )
