"""transfer indexes for storing: fewer B-trees to fill per stored plan line

Storing a plan's lines filled nine B-trees per line (the key and eight indexes): on
PostgreSQL that was most of ``db plan``'s time for a 300,000-line plan (issue 11 part 6).
A new plan's lines are all ``proposed``; the two status indexes now hold only the lines
that have moved on (partial, ``status <> 'proposed'``), so storing a plan adds nothing to
them, and what reads them (lines in transit across plans, a plan's per-status signature)
asks about those lines only. The quantity and distance sorts lose their indexes: a page
sorted by them reads the plan's lines in plan order and keeps the top of the sort
(as the expected_gain, scope and status sorts always did).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

MOVED = sa.text("status <> 'proposed'")
PARTIAL = {
    "ix_transfers_moved": ["status"],
    "ix_transfers_plan_moved": ["plan_id", "status"],
}
DROPPED = {
    "ix_transfers_status": ["status"],
    "ix_transfers_plan_status": ["plan_id", "status"],
    "ix_transfers_plan_quantity": ["plan_id", "quantity", "seq"],
    "ix_transfers_plan_distance": ["plan_id", "distance_km", "seq"],
}


def upgrade() -> None:
    for name in DROPPED:
        op.drop_index(name, table_name="transfers")
    for name, columns in PARTIAL.items():
        op.create_index(name, "transfers", columns, postgresql_where=MOVED, sqlite_where=MOVED)


def downgrade() -> None:
    for name in PARTIAL:
        op.drop_index(name, table_name="transfers")
    for name, columns in DROPPED.items():
        op.create_index(name, "transfers", columns)
