"""sqlite line stores: a plan's lines by store in a table filled in key order (SQLite)

On SQLite the indexes ``(plan_id, from_store, seq)`` and ``(plan_id, to_store, seq)`` took
a new plan's lines in plan order, a random insert into each: most of storing a 300,000-line
plan (issue 11 part 6). They give way to ``transfer_stores`` (plan, direction, store, seq;
WITHOUT ROWID), which a plan's lines fill after they are stored, sorted as its key, so that
every row appends (db/linestore.py). PostgreSQL keeps its indexes (a big plan's are built
in one pass when its partition is attached, migration 0008) and the table, empty.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEXES = {
    "ix_transfers_plan_from": ["plan_id", "from_store", "seq"],
    "ix_transfers_plan_to": ["plan_id", "to_store", "seq"],
}


def upgrade() -> None:
    # made on both databases, so that they have the same tables; PostgreSQL leaves it empty
    op.create_table(
        "transfer_stores",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(3), nullable=False),
        sa.Column("store_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", "direction", "store_id", "seq"),
        sqlite_with_rowid=False,
    )
    if op.get_bind().dialect.name != "sqlite":
        return
    for direction, column in (("in", "to_store"), ("out", "from_store")):
        op.execute(
            "INSERT INTO transfer_stores (plan_id, direction, store_id, seq) "
            f"SELECT plan_id, '{direction}', {column}, seq FROM transfers "
            f"ORDER BY plan_id, {column}, seq"
        )
    for name in INDEXES:
        op.drop_index(name, table_name="transfers")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, columns in INDEXES.items():
            op.create_index(name, "transfers", columns)
    op.drop_table("transfer_stores")
