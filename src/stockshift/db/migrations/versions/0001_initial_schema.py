"""initial schema

Revision ID: 0001
Revises: (none, the first migration)
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key_hash"),
    )
    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column("progress", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("header", sa.JSON(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("executed_by", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "products",
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("product_id"),
    )
    op.create_table(
        "sales",
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("units", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("store_id", "product_id", "day"),
    )
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.create_index("ix_sales_date", ["day"], unique=False)

    op.create_table(
        "stock_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("store_id", sa.String(length=64), nullable=True),
        sa.Column("product_id", sa.String(length=64), nullable=True),
        sa.Column("on_hand_delta", sa.BigInteger(), nullable=False),
        sa.Column("in_transit_delta", sa.BigInteger(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("transfer_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stock_ledger", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_store_product", ["store_id", "product_id"], unique=False)

    op.create_table(
        "stores",
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("cluster", sa.String(length=64), nullable=True),
        sa.Column("capacity", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("store_id"),
    )
    op.create_table(
        "stock",
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("in_transit", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("in_transit >= 0", name="ck_stock_in_transit"),
        sa.CheckConstraint("on_hand >= 0", name="ck_stock_on_hand"),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.product_id"],
        ),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.store_id"],
        ),
        sa.PrimaryKeyConstraint("store_id", "product_id"),
    )
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.create_index("ix_stock_product", ["product_id"], unique=False)

    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("from_store", sa.String(length=64), nullable=False),
        sa.Column("to_store", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("distance_km", sa.Float(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("dispatched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name="ck_transfers_quantity"),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.create_index("ix_transfers_plan_seq", ["plan_id", "seq"], unique=False)
        batch_op.create_index("ix_transfers_status", ["status"], unique=False)

    op.create_table(
        "warehouse_orders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("warehouse_orders", schema=None) as batch_op:
        batch_op.create_index("ix_warehouse_orders_plan", ["plan_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("warehouse_orders", schema=None) as batch_op:
        batch_op.drop_index("ix_warehouse_orders_plan")

    op.drop_table("warehouse_orders")
    with op.batch_alter_table("transfers", schema=None) as batch_op:
        batch_op.drop_index("ix_transfers_status")
        batch_op.drop_index("ix_transfers_plan_seq")

    op.drop_table("transfers")
    with op.batch_alter_table("stock", schema=None) as batch_op:
        batch_op.drop_index("ix_stock_product")

    op.drop_table("stock")
    op.drop_table("stores")
    with op.batch_alter_table("stock_ledger", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_store_product")

    op.drop_table("stock_ledger")
    with op.batch_alter_table("sales", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_date")

    op.drop_table("sales")
    op.drop_table("products")
    op.drop_table("plans")
    op.drop_table("api_keys")
