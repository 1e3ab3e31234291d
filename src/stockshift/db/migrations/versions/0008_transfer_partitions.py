"""transfer partitions: a big plan's lines in a table of their own (PostgreSQL)

Storing a 300,000-line plan spent most of ``db plan``'s time in the server filling the
key, four B-trees and the foreign key check line by line (issue 11 part 6). On PostgreSQL
``transfers`` becomes a table partitioned by ranges of ``id``: ``transfers_small`` holds
every line below 2^40 (all lines stored so far, and each small plan's, numbered by
``transfers_id_seq`` as before); a big plan takes a block of 2^28 ids from
``transfer_blocks`` (from 2^40 on: still exact in a JavaScript number up to 2^53), its
lines are copied into a bare table and attached as that block's partition, which builds
the indexes in one sorted pass each and checks the foreign key in one query
(:mod:`stockshift.db.linestore`). The key stays ``id`` alone, so a line looked up by id
reaches one partition. ``plans.line_first`` / ``line_end`` keep the range of the plan's
line ids so a plan's queries reach its partition only.

SQLite has no partitions: it gains the two (unused, null) columns and nothing else; its
``INTEGER`` ids are 64-bit already.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FIRST_BLOCK_ID = 2**40  # stockshift.db.linestore.FIRST_BLOCK_ID
BLOCK = 2**28  # stockshift.db.linestore.BLOCK
INDEXES = {
    "transfers_pkey": "",
    "ix_transfers_plan_seq": "(plan_id, seq)",
    "ix_transfers_moved": "(status) WHERE status::text <> 'proposed'::text",
    "ix_transfers_plan_moved": "(plan_id, status) WHERE status::text <> 'proposed'::text",
    "ix_transfers_plan_product": "(plan_id, product_id, seq)",
    "ix_transfers_plan_from": "(plan_id, from_store, seq)",
    "ix_transfers_plan_to": "(plan_id, to_store, seq)",
}


def _small(name: str) -> str:
    return name.replace("transfers", "transfers_small", 1)


def upgrade() -> None:
    # plain ALTER TABLE, also on SQLite: a batch copy of ``plans`` would drop the table,
    # and with it (ON DELETE CASCADE) every plan's lines and orders
    op.add_column("plans", sa.Column("line_first", sa.BigInteger(), nullable=True))
    op.add_column("plans", sa.Column("line_end", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    for statement in (
        "ALTER TABLE transfers ALTER COLUMN id TYPE bigint",
        "ALTER SEQUENCE transfers_id_seq AS bigint",
        "ALTER TABLE stock_ledger ALTER COLUMN transfer_id TYPE bigint",
        "ALTER TABLE transfers RENAME TO transfers_small",
        *(f"ALTER INDEX {name} RENAME TO {_small(name)}" for name in INDEXES),
        # lets ATTACH skip its scan of the old lines for the partition's bound
        "ALTER TABLE transfers_small ADD CONSTRAINT transfers_small_ids"
        f" CHECK (id < {FIRST_BLOCK_ID})",
        "CREATE TABLE transfers (LIKE transfers_small INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        " PARTITION BY RANGE (id)",
        "ALTER TABLE transfers DROP CONSTRAINT transfers_small_ids",
        "ALTER TABLE transfers ADD CONSTRAINT transfers_pkey PRIMARY KEY (id)",
        "ALTER TABLE transfers ADD CONSTRAINT transfers_plan_id_fkey FOREIGN KEY (plan_id)"
        " REFERENCES plans (id) ON DELETE CASCADE",
        *(f"CREATE INDEX {name} ON transfers {cols}" for name, cols in INDEXES.items() if cols),
        # the old lines' key, indexes and foreign key are adopted, not built again
        "ALTER TABLE transfers ATTACH PARTITION transfers_small"
        f" FOR VALUES FROM (MINVALUE) TO ({FIRST_BLOCK_ID})",
        "ALTER TABLE transfers_small DROP CONSTRAINT transfers_small_ids",
        "ALTER SEQUENCE transfers_id_seq OWNED BY transfers.id",
        f"CREATE SEQUENCE transfer_blocks AS bigint START {FIRST_BLOCK_ID} INCREMENT {BLOCK}"
        f" MINVALUE {FIRST_BLOCK_ID}",
        "UPDATE plans SET line_first = r.lo, line_end = r.hi + 1 FROM (SELECT plan_id,"
        " min(id) AS lo, max(id) AS hi FROM transfers GROUP BY plan_id) AS r"
        " WHERE plans.id = r.plan_id",
    ):
        op.execute(statement)


def downgrade() -> None:
    """Back to one plain table with ``integer`` ids: a big plan's lines are numbered again
    from ``transfers_id_seq`` (and the ledger's references to them with them), moved into
    ``transfers_small`` (an update of the partition key moves the row), which becomes
    ``transfers`` again."""
    if op.get_bind().dialect.name == "postgresql":
        for statement in (
            "CREATE TEMPORARY TABLE renumbered AS SELECT id AS old,"
            " nextval('transfers_id_seq') AS new"
            f" FROM (SELECT id FROM transfers WHERE id >= {FIRST_BLOCK_ID} ORDER BY id) AS big",
            "UPDATE stock_ledger SET transfer_id = r.new FROM renumbered AS r"
            " WHERE stock_ledger.transfer_id = r.old",
            "UPDATE transfers SET id = r.new FROM renumbered AS r WHERE transfers.id = r.old",
            "DROP TABLE renumbered",
            "ALTER TABLE transfers DETACH PARTITION transfers_small",
            "ALTER SEQUENCE transfers_id_seq OWNED BY transfers_small.id",
            "DROP TABLE transfers",  # and the (now empty) block partitions with it
            "DROP SEQUENCE transfer_blocks",
            "ALTER TABLE transfers_small RENAME TO transfers",
            *(f"ALTER INDEX {_small(name)} RENAME TO {name}" for name in INDEXES),
            "ALTER TABLE transfers ALTER COLUMN id TYPE integer",
            "ALTER SEQUENCE transfers_id_seq AS integer",
            "ALTER TABLE stock_ledger ALTER COLUMN transfer_id TYPE integer",
        ):
            op.execute(statement)
    op.drop_column("plans", "line_end")  # SQLite >= 3.35 drops a column in place
    op.drop_column("plans", "line_first")
