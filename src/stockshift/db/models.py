"""SQLAlchemy 2 tables of the inventory database.

Stores and products are keyed by their business ids (strings, SPEC section 1). Stock holds
one row per (store, product): ``on_hand`` on the shelf and ``in_transit`` on its way *to*
that store, so that the chain's total is ``sum(on_hand + in_transit)`` (SPEC section 7).
Plans keep their lines even when the master data is re-imported, so lines and the ledger
carry ids, not foreign keys to stores.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    literal_column,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnClause

ID = String(64)
LINE_ID = BigInteger().with_variant(Integer, "sqlite")  # SQLite's INTEGER key is 64-bit


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base; ``Base.metadata`` is what the migrations create."""


class Store(Base):
    __tablename__ = "stores"

    store_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    cluster: Mapped[str | None] = mapped_column(String(64))  # the business's own region
    capacity: Mapped[float | None] = mapped_column(Float)


class Product(Base):
    __tablename__ = "products"

    product_id: Mapped[str] = mapped_column(ID, primary_key=True)


class Stock(Base):
    __tablename__ = "stock"
    __table_args__ = (
        CheckConstraint("on_hand >= 0", name="ck_stock_on_hand"),
        CheckConstraint("in_transit >= 0", name="ck_stock_in_transit"),
        Index("ix_stock_product", "product_id"),
    )

    store_id: Mapped[str] = mapped_column(ID, ForeignKey("stores.store_id"), primary_key=True)
    product_id: Mapped[str] = mapped_column(ID, ForeignKey("products.product_id"), primary_key=True)
    on_hand: Mapped[int] = mapped_column(BigInteger)
    in_transit: Mapped[int] = mapped_column(BigInteger, default=0)


class Sale(Base):
    """Units sold per day; a store/product/day appears once (batches add up)."""

    __tablename__ = "sales"
    __table_args__ = (Index("ix_sales_date", "day"),)

    store_id: Mapped[str] = mapped_column(ID, primary_key=True)
    product_id: Mapped[str] = mapped_column(ID, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    units: Mapped[float] = mapped_column(Float)


class ApiKey(Base):
    """An API key; only the SHA-256 of the (random, 256-bit) secret is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PlanRow(Base):
    """A plan request and, once computed, its header (stores, clusters, summary...)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16))  # running, completed, failed, executed
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    header: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    executed_by: Mapped[int | None] = mapped_column(Integer)
    # [line_first, line_end): the ids of the plan's lines, on PostgreSQL (null before it has
    # lines, and on SQLite): a plan's queries name it to reach its partition only
    line_first: Mapped[int | None] = mapped_column(BigInteger)
    line_end: Mapped[int | None] = mapped_column(BigInteger)


class EventRow(Base):
    """An event of one server process, for the others to publish too (serve --workers N);
    kept a few minutes."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    origin: Mapped[str] = mapped_column(String(32))  # the server process that published it
    name: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class BacktestRow(Base):
    """A backtest request and, once run, its result (the ``stockshift.backtest/1`` file)."""

    __tablename__ = "backtests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16))  # running, completed, failed
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


MOVED = text("status <> 'proposed'")  # the partial status indexes' condition
# ``status != MOVED_LINE`` in a query puts that condition in its SQL as a literal, which
# SQLite needs to use a partial index (a bound parameter it cannot match)
MOVED_LINE: ColumnClause[str] = literal_column("'proposed'")


class TransferRow(Base):
    """One transfer line of a plan, with its life cycle status."""

    __tablename__ = "transfers"
    __table_args__ = (
        Index("ix_transfers_plan_seq", "plan_id", "seq"),
        # lines that left 'proposed' (a new plan's lines add nothing here): migration 0007
        Index("ix_transfers_moved", "status", postgresql_where=MOVED, sqlite_where=MOVED),
        Index(
            "ix_transfers_plan_moved",
            "plan_id",
            "status",
            postgresql_where=MOVED,
            sqlite_where=MOVED,
        ),
        # one plan's lines filtered or sorted a page at a time (db/planlines.py); on
        # SQLite the store ones are the table transfer_stores instead (migration 0010)
        Index("ix_transfers_plan_product", "plan_id", "product_id", "seq"),
        Index("ix_transfers_plan_from", "plan_id", "from_store", "seq").ddl_if("postgresql"),
        Index("ix_transfers_plan_to", "plan_id", "to_store", "seq").ddl_if("postgresql"),
        CheckConstraint("quantity > 0", name="ck_transfers_quantity"),
    )

    # bigint on PostgreSQL: big plans' lines are numbered from 2^40 (db/linestore.py)
    id: Mapped[int] = mapped_column(LINE_ID, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(Integer, ForeignKey("plans.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)  # order the line was made in (SPEC section 5)
    product_id: Mapped[str] = mapped_column(ID)
    from_store: Mapped[str] = mapped_column(ID)
    to_store: Mapped[str] = mapped_column(ID)
    quantity: Mapped[int] = mapped_column(BigInteger)
    distance_km: Mapped[float] = mapped_column(Float)
    scope: Mapped[str] = mapped_column(String(16))
    # expected-benefit: expected extra units sold; null for the other policies
    expected_gain: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))  # proposed, dispatched, received, cancelled
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TransferStoreRow(Base):
    """SQLite's (migration 0010; empty on PostgreSQL): each line of a plan under its origin
    (``out``) and its destination (``in``), what ``ix_transfers_plan_from`` and ``_to`` are
    on PostgreSQL.

    Those indexes took a new plan's lines in random order (most of storing a big plan on
    SQLite); this table is filled after a plan's lines, in its own key order, so that each
    row appends (:func:`stockshift.db.linestore.index_line_stores`). A line's stores never
    change and plans are never deleted, so the rows are written once, with the lines."""

    __tablename__ = "transfer_stores"
    __table_args__ = ({"sqlite_with_rowid": False},)

    plan_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    direction: Mapped[str] = mapped_column(String(3), primary_key=True)  # in, out
    store_id: Mapped[str] = mapped_column(ID, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)


class WarehouseOrderRow(Base):
    __tablename__ = "warehouse_orders"
    __table_args__ = (
        Index("ix_warehouse_orders_plan", "plan_id"),
        Index("ix_warehouse_orders_plan_product", "plan_id", "product_id", "id"),
        Index("ix_warehouse_orders_plan_store", "plan_id", "store_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(Integer, ForeignKey("plans.id", ondelete="CASCADE"))
    product_id: Mapped[str] = mapped_column(ID)
    store_id: Mapped[str] = mapped_column(ID)
    quantity: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(16))


class LedgerRow(Base):
    """One stock change: what moved where, when, by which key, why, for which plan/transfer."""

    __tablename__ = "stock_ledger"
    __table_args__ = (Index("ix_ledger_store_product", "store_id", "product_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    key_id: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))  # dispatch, receive, cancel, adjust, sale...
    note: Mapped[str | None] = mapped_column(Text)
    store_id: Mapped[str | None] = mapped_column(ID)
    product_id: Mapped[str | None] = mapped_column(ID)
    on_hand_delta: Mapped[int] = mapped_column(BigInteger, default=0)
    in_transit_delta: Mapped[int] = mapped_column(BigInteger, default=0)
    plan_id: Mapped[int | None] = mapped_column(Integer)
    transfer_id: Mapped[int | None] = mapped_column(LINE_ID)
