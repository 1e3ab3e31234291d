"""Engines and sessions for SQLite and PostgreSQL, and the write-transaction discipline.

SQLite runs in WAL mode with foreign keys on. Its write transactions start with
``BEGIN IMMEDIATE`` so that two writers serialise at the start instead of one failing
half-way; on PostgreSQL the repository locks rows with ``SELECT ... FOR UPDATE`` instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session, sessionmaker

IMMEDIATE = "stockshift_immediate"


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created when missing."""
    parsed = make_url(url)
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
    back when it raises, so a repository function applies completely or not at all."""
    begin_write(session)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
