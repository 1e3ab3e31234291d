"""Engines and sessions for SQLite and PostgreSQL, and the write-transaction discipline.

SQLite runs in WAL mode with foreign keys on. Its write transactions start with
``BEGIN IMMEDIATE`` so that two writers serialise at the start instead of one failing
half-way; on PostgreSQL the repository locks rows with ``SELECT ... FOR UPDATE`` instead,
in one global order (see :mod:`stockshift.db.stock`), and :func:`run_write` retries the
few transactions that still collide (deadlocks, serialisation failures, a row inserted by
a concurrent transaction) a bounded number of times.

Imports replace the stock table wholesale, so on PostgreSQL they also serialise against
every stock change through a transaction-level advisory lock: stock writers hold it shared
(:func:`begin_stock_write`), an import holds it exclusively (:func:`begin_import`).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import orjson
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from stockshift.db.errors import ConflictError

IMMEDIATE = "stockshift_immediate"
MASTER_DATA_LOCK = 0x5354_4B01  # advisory key: stock writers share it, an import takes it alone
IMPORT_LOCK = 0x5354_4B02  # advisory key: held by the one import running
# Advisory locks belong to the whole database: key them by schema too, so that two
# stockshift databases in one PostgreSQL database (schemas) do not lock each other out.
_KEY = "CAST(:k AS integer), hashtext(current_schema())"
ATTEMPTS = 5  # tries of a write transaction that collides with concurrent ones
T = TypeVar("T")
log = logging.getLogger("stockshift.db")


def json_dumps(value: Any) -> str:
    """JSON columns written by orjson: a 300,000-line plan's header (its fulfilment rows)
    is tens of megabytes, which the standard library took most of a second to encode."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY).decode()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
    kwargs = {"json_serializer": json_dumps, "json_deserializer": orjson.loads, **kwargs}
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 60}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # BEGIN is emitted below, not by the driver
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.execute("PRAGMA cache_size=-131072")  # 128 MiB of pages: bulk imports, big plans
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer (SQLite: ``BEGIN IMMEDIATE``).

    Call first in every repository function that changes data, so that SQLite takes its
    write lock before reading the rows the change depends on.
    """
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={IMMEDIATE: True})


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """One write transaction (:func:`begin_write`): committed when the block ends, rolled
    back when it raises, so a repository function applies completely or not at all.

    For changes to stock use :func:`run_write`, which also locks out imports and retries
    collisions with concurrent transactions."""
    begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def begin_stock_write(session: Session) -> None:
    """:func:`begin_write` for a change to stock; on PostgreSQL it also holds the master-data
    lock shared, so it never runs while an import replaces the stores and stock."""
    begin_write(session)
    if not is_sqlite(session):
        session.execute(
            text(f"SELECT pg_advisory_xact_lock_shared({_KEY})"), {"k": MASTER_DATA_LOCK}
        )


def begin_import(session: Session) -> None:
    """:func:`begin_write` for an import: one import at a time, and no stock change under way.

    PostgreSQL: a second import is refused at once (:class:`ConflictError`); the import then
    waits for the stock changes in progress to end and keeps new ones waiting until it
    commits. SQLite: ``BEGIN IMMEDIATE`` already makes every writer, imports included, wait.
    """
    begin_write(session)
    if is_sqlite(session):
        return
    if not session.scalar(text(f"SELECT pg_try_advisory_xact_lock({_KEY})"), {"k": IMPORT_LOCK}):
        raise ConflictError(
            "an import is already running; nothing was changed — try again when it has finished"
        )
    session.execute(text(f"SELECT pg_advisory_xact_lock({_KEY})"), {"k": MASTER_DATA_LOCK})


_RETRY = {"40001": "lock", "40P01": "lock", "23505": "row", "23503": "row"}


def _collision(exc: DBAPIError) -> str | None:
    """What kind of collision with a concurrent transaction ``exc`` is, if it is one.

    ``lock``: a deadlock or serialisation failure (PostgreSQL 40P01, 40001); ``row``: a
    unique or foreign key violation, which a concurrent insert or import causes (23505,
    23503), and which the retry re-checks from scratch; ``busy``: SQLite's busy timeout.
    """
    orig = exc.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if code in _RETRY:
        return _RETRY[code]
    if "database is locked" in str(orig):
        return "busy"
    return None


def run_write(
    session: Session,
    work: Callable[[], T],
    *,
    begin: Callable[[Session], None] = begin_stock_write,
) -> T:
    """Run ``work`` in one write transaction started by ``begin``, commit, return its result.

    Anything raised rolls everything back. A deadlock, serialisation failure or key
    collision with a concurrent transaction is retried from the start, up to
    :data:`ATTEMPTS` times with a short random pause; a deadlock still there after that is
    a :class:`ConflictError` (HTTP 409: nothing changed, try again), never a 500.
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            begin(session)
            result = work()
            session.commit()
            return result
        except DBAPIError as exc:
            session.rollback()
            kind = _collision(exc)
            if kind is None or (kind == "row" and attempt == ATTEMPTS):
                raise
            if kind == "busy" or attempt == ATTEMPTS:
                raise ConflictError(
                    "the database is busy with concurrent changes (another import or stock "
                    "change kept it locked); nothing was changed — try again"
                ) from exc
            log.info("write transaction collided (%s), attempt %d: %s", kind, attempt, exc.orig)
            time.sleep(random.uniform(0.005, 0.02 * 2**attempt))
        except BaseException:
            session.rollback()
            raise
    raise AssertionError("unreachable")  # pragma: no cover
