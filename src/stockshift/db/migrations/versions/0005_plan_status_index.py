"""plan status index: a plan's lines counted per status from the index alone

GET /plans/{id} checks per request whether any line's status changed since its document
was cached (db.plans.lines_signature); with this index that is an index-only count.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_transfers_plan_status", "transfers", ["plan_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_transfers_plan_status", table_name="transfers")
