"""Database engine set-up and the unit of work that every service operation runs in."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create the SQLAlchemy engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        _ensure_sqlite_directory(url)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               **kwargs)
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_sqlite_immediate)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # No ping before each checkout: it costs a round trip per transaction. Connections are
    # renewed every half hour instead, and one broken by a database restart fails its
    # transaction once (rolled back, nothing lost) and is then replaced.
    return create_engine(url, pool_pre_ping=False, pool_recycle=1800, **kwargs)


def _ensure_sqlite_directory(url: str) -> None:
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite's own transaction handling is switched off so BEGIN IMMEDIATE below takes the
    # write lock at the start of every unit of work; two writers then queue instead of one
    # failing half-way with "database is locked".
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_sqlite_immediate(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN" if _read_only.get() else "BEGIN IMMEDIATE")


_current_session: ContextVar[Session | None] = ContextVar("sloyfe_session", default=None)
_read_only: ContextVar[bool] = ContextVar("sloyfe_read_only", default=False)


class ReadOnlyViolation(RuntimeError):
    """A unit of work opened as read-only tried to write."""


def _begin_read_only(session: Session) -> None:
    """Mark `session` as read-only; on PostgreSQL, read in autocommit mode.

    At PostgreSQL's READ COMMITTED level every statement takes its own snapshot, so a
    transaction around reads adds nothing but a BEGIN and a COMMIT round trip each.
    Without a transaction a write would commit on its own, so any write raises.
    """
    session.info["read_only"] = True
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


@event.listens_for(Session, "before_flush")
def _reject_read_only_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("read_only") and (session.new or session.dirty or session.deleted):
        raise ReadOnlyViolation("a read-only unit of work tried to write")


@event.listens_for(Session, "do_orm_execute")
def _reject_read_only_statement(state: Any) -> None:
    if state.session.info.get("read_only") and (state.is_insert or state.is_update
                                                 or state.is_delete):
        raise ReadOnlyViolation("a read-only unit of work tried to write")


class UnitOfWork:
    """Opens one transaction per outermost call; nested calls join it.

    Services flush and never commit: the outermost `transaction()` commits, or rolls back
    everything when an exception leaves it.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    @contextlib.contextmanager
    def transaction(self, read_only: bool = False) -> Iterator[Session]:
        """Open a transaction, or join the one already open in this context.

        `read_only` lets SQLite readers share the database instead of queueing for the write
        lock; it only applies to the outermost call.
        """
        existing = _current_session.get()
        if existing is not None:
            yield existing
            return

        session = self.session_factory()
        token = _current_session.set(session)
        read_only_token = _read_only.set(read_only)
        try:
            if read_only:
                _begin_read_only(session)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            _read_only.reset(read_only_token)
            _current_session.reset(token)
            session.close()

    @property
    def session(self) -> Session:
        """The session of the running transaction; services call this only inside one."""
        session = _current_session.get()
        if session is None:
            raise RuntimeError("no unit of work is open; wrap the call in transaction()")
        return session

    def in_transaction(self) -> bool:
        return _current_session.get() is not None
