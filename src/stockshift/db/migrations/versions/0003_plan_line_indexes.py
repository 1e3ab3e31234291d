"""plan line indexes: one plan's lines and orders filtered and sorted a page at a time

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TRANSFERS = {
    "ix_transfers_plan_product": ["plan_id", "product_id", "seq"],
    "ix_transfers_plan_from": ["plan_id", "from_store", "seq"],
    "ix_transfers_plan_to": ["plan_id", "to_store", "seq"],
    "ix_transfers_plan_quantity": ["plan_id", "quantity", "seq"],
    "ix_transfers_plan_distance": ["plan_id", "distance_km", "seq"],
}
ORDERS = {
    "ix_warehouse_orders_plan_product": ["plan_id", "product_id", "id"],
    "ix_warehouse_orders_plan_store": ["plan_id", "store_id", "id"],
}


def upgrade() -> None:
    for name, columns in TRANSFERS.items():
        op.create_index(name, "transfers", columns)
    for name, columns in ORDERS.items():
        op.create_index(name, "warehouse_orders", columns)


def downgrade() -> None:
    for name in ORDERS:
        op.drop_index(name, table_name="warehouse_orders")
    for name in TRANSFERS:
        op.drop_index(name, table_name="transfers")
