"""plan header lz4: a big plan's header compressed by lz4 instead of pglz (PostgreSQL)

A 300,000-line plan's header (its fulfilment rows) is about 20 MB of JSON; storing it took
0.21 s of the server's CPU with pglz and 0.11 s with lz4 (issue 11 part 6). Only values
written from now on are compressed so; SQLite, and a server built without lz4, keep
theirs.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

HAS_LZ4 = sa.text(
    "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
)


def _set(method: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql" and bind.scalar(HAS_LZ4):
        op.execute(f"ALTER TABLE plans ALTER COLUMN header SET COMPRESSION {method}")


def upgrade() -> None:
    _set("lz4")


def downgrade() -> None:
    _set("pglz")
