"""The data generation: what a public answer depends on, in one small row, so that a conditional request is
answered from that row alone (public_portal/caching.py).

Every transaction that changes the registry's data bumps `data_generation.number` just before it commits, in
the same transaction, so a rolled-back write bumps nothing and a committed one is never missed. What the public
may see also changes with the Beijing date (publicity periods end, bans run out) without any write: the
effective generation is therefore (number, Beijing day).

A change is noticed at the connection, not the ORM: every INSERT, UPDATE or DELETE SQLAlchemy runs marks the
transaction, whether it came from a flush, a `session.execute(update(...))` or the import's Core executemany on
`session.connection()`. A write that goes around SQLAlchemy (a driver-level COPY) calls `mark_changed()`.
"""
import os
import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import TypeVar

from flask import current_app
from sqlalchemy import create_engine, event, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import PoolProxiedConnection

from registry.clock import CHINA, today
from registry.database import WRITE_OPTION
from registry.extensions import db
from registry.models import DataGeneration
from registry.models.base import utcnow

T = TypeVar("T")

CHANGED = "registry_data_changed"  # in a connection's info: this transaction ran a write
CONNECTION = "registry_generation_connection"  # in a session's info: the connection of its transaction
TABLE = DataGeneration.__table__


@dataclass(frozen=True)
class Generation:
    """The effective data generation: the write counter and the Beijing day it is read on."""

    number: int
    changed_at: datetime
    day: date

    @property
    def tag(self) -> str:
        """The generation as a short token: `1234.20261126`."""
        return f"{self.number}.{self.day:%Y%m%d}"

    @property
    def last_modified(self) -> datetime:
        """When the public view last changed: the last write, or the start of the Beijing day if later."""
        day_start = datetime.combine(self.day, time(), tzinfo=CHINA).astimezone(UTC)
        return max(self.changed_at, day_start)


READ = select(TABLE.c.number, TABLE.c.changed_at).where(TABLE.c.id == 1)


def current() -> Generation:
    """The effective generation now, as the session's transaction sees it: one SELECT of the one row, by its
    primary key (a credit report records the generation of the data it read)."""
    number, changed_at = db.session.execute(READ).one()
    return Generation(number, changed_at, today())


def current_outside_session() -> Generation:
    """The effective generation now, read on a connection of its own: a conditional request's whole cost is this
    read. Read before the view's data, it is never newer than the data its answer shows, so a tag never outlives
    the content it names.

    Both read through the driver's own connection, from a pool (SQLAlchemy's Connection and result cost as much
    as the read: a 304 in process took 420 µs, now 186 on SQLite). SQLite: the app's pool, without BEGIN (the
    session's setup and teardown were half the cost: 155 against 330 µs). PostgreSQL: the reader below, one
    statement and one round trip."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        return Generation(*_read_sqlite(engine), today())
    return Generation(*_read_postgresql(_reader(engine)), today())


def once_per_generation(name: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept by this app (each server process) under `name` until the effective generation changes.

    For figures of the whole registry that only a write or the Beijing day can change (the home page's counts:
    a million projects counted, 450 ms at national scale). The generation is read in the session's transaction,
    before `compute` reads the data there: on SQLite both see that transaction's one snapshot, on PostgreSQL the
    data is read after it, so a value is never older than the generation it is kept for (read on a connection
    of its own, a generation could be newer than a snapshot the session took earlier in the request)."""
    tag = current().tag
    held = current_app.extensions.setdefault("per_generation", {})
    if name in held and held[name][0] == tag:
        return held[name][1]
    value = compute()
    held[name] = (tag, value)
    return value


READ_TEXT = "SELECT number, changed_at FROM data_generation WHERE id = 1"


def _read_postgresql(reader: Engine, again: bool = True) -> tuple[int, datetime]:
    """The row, as the driver reads it: a 304's whole work is this read. psycopg prepares it from its sixth run
    on a connection (the reader's ends no transaction by a ROLLBACK, which would forget it). A connection the
    server dropped (a restart) is replaced, and the row read once more on the new one."""
    import psycopg  # PostgreSQL's driver: installed wherever the dialect is

    with _driver_connection(reader, psycopg.OperationalError) as connection:
        try:
            number, changed_at = connection.driver_connection.execute(READ_TEXT).fetchone()
        except psycopg.OperationalError:
            if not (again and connection.driver_connection.broken):
                raise
            connection.invalidate()
            return _read_postgresql(reader, again=False)
    return number, changed_at.astimezone(UTC)


def _read_sqlite(engine: Engine) -> tuple[int, datetime]:
    """The row through the pool's driver connection (sqlite3 begins no transaction for a SELECT). SQLAlchemy
    keeps the instant as UTC text without an offset (UtcDateTime)."""
    with _driver_connection(engine, sqlite3.OperationalError) as connection:
        number, changed_at = connection.driver_connection.execute(READ_TEXT).fetchone()
    return number, datetime.fromisoformat(changed_at).replace(tzinfo=UTC)


@contextmanager
def _driver_connection(engine: Engine, driver_error: type[Exception]) -> Iterator[PoolProxiedConnection]:
    """A driver connection from `engine`'s pool, back to the pool after. The driver's `driver_error` (the server
    refused or lost the connection, or SQLite could not open its file) is raised as SQLAlchemy's, which the app
    answers with a 503 (registry/health.py) as it does for every other read."""
    try:
        connection = engine.raw_connection()
        try:
            yield connection
        finally:
            connection.close()
    except driver_error as error:
        raise OperationalError(READ_TEXT, None, error) from error


READER_NAME = "registry generation reader"  # its connections in pg_stat_activity
_READERS: "weakref.WeakKeyDictionary[Engine, tuple[int, Engine]]" = weakref.WeakKeyDictionary()
_READERS_LOCK = threading.Lock()  # a threaded server's first requests make one reader, not one each


def _reader(engine: Engine) -> Engine:
    """PostgreSQL: an engine beside the app's, for the generation read alone, in autocommit and without the pool's
    ping. Through the app's pool the read cost four round trips (the ping, which opens a transaction, the
    SELECT, the ROLLBACK on return): 1.04 ms against 0.41 ms, national data. A connection the server dropped
    fails the read once and is replaced (current_outside_session reads again). It lives as long as the app's
    engine: disposed with it, and never used across a fork (a worker makes its own)."""
    with _READERS_LOCK:
        pid, reader = _READERS.get(engine, (None, None))
        if reader is not None and pid == os.getpid():
            return reader
        if reader is not None:
            reader.dispose(close=False)  # the parent process's connection stays the parent's
        return _new_reader(engine)


def _new_reader(engine: Engine) -> Engine:
    connect_args = {**current_app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args", {}),
                    "application_name": READER_NAME}
    reader = create_engine(engine.url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=8,
                           connect_args=connect_args)
    _READERS[engine] = (os.getpid(), reader)
    if not event.contains(engine, "engine_disposed", _dispose_reader):
        event.listen(engine, "engine_disposed", _dispose_reader)
    return reader


def _dispose_reader(engine: Engine) -> None:
    pid, reader = _READERS.pop(engine, (None, None))
    if reader is not None:
        reader.dispose(close=pid == os.getpid())


def mark_changed(session) -> None:
    """Count this transaction as a write although SQLAlchemy ran no INSERT, UPDATE or DELETE for it."""
    connection = session.connection()
    connection.info[CHANGED] = True


def commit_what_read(error: BaseException | None = None) -> None:
    """At the end of a request's app context on PostgreSQL: end its transaction with COMMIT when it wrote
    nothing, where the session's close would send ROLLBACK. For a transaction without a write the two end it
    alike. But psycopg forgets every statement it prepared on the connection at a ROLLBACK (one may have undone
    DDL they depend on), and counts each statement's runs again from nothing, so a served request never ran a
    prepared statement: each was parsed and planned anew, every request. Measured through the app's
    pool, national data: the statements of an ordinary firm's profile 7.6 ms a request, 2.9 ms prepared.

    Not when the request failed, wrote (a write transaction, an INSERT/UPDATE/DELETE run, objects not yet
    flushed), or its transaction failed in the server: those roll back as before."""
    if not db.session.registry.has():
        return  # the request opened no session (a 304): making one here only to close it cost a 304 a tenth
    session = db.session()
    connection = session.info.get(CONNECTION)
    if (error is not None or connection is None or connection.dialect.name != "postgresql"
            or connection.get_execution_options().get(WRITE_OPTION) or connection.info.get(CHANGED)
            or session.new or session.dirty or session.deleted):
        return
    from psycopg.pq import TransactionStatus  # PostgreSQL's driver: installed wherever the dialect is
    if connection.connection.dbapi_connection.info.transaction_status != TransactionStatus.INTRANS:
        return
    try:
        session.commit()
    except DBAPIError:  # the connection was lost: the close that follows rolls back, and nothing was written
        pass


def keep_generation() -> None:
    """Listen (once per process) for writes on every engine and for the commit of the app's sessions.

    Called after the search backend has registered its own hook: the bump is moved behind every other
    `before_commit` hook, so the generation row is the last lock a writing transaction takes, and a writer
    that holds it waits for nothing (on PostgreSQL the index's hook takes row locks and, in a rebuild's swap,
    a table lock: taken in the other order, two writers could deadlock)."""
    for target, name, listener in _LISTENERS:
        if name == "before_commit" and event.contains(target, name, listener):
            event.remove(target, name, listener)
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def _note_write(connection, statement, *_args) -> None:
    if getattr(statement, "is_dml", False) and getattr(statement, "table", None) is not TABLE:
        connection.info[CHANGED] = True


def _forget_writes(connection, *_args) -> None:
    if not connection.invalidated:  # a connection the server dropped has no info to forget (and raises on it)
        connection.info.pop(CHANGED, None)


def _remember_connection(session, transaction, connection) -> None:
    if transaction.parent is None:
        session.info[CONNECTION] = connection


def _forget_connection(session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(CONNECTION, None)


def _bump_before_commit(session) -> None:
    if session.info.get(CONNECTION) is None:
        return  # nothing ran in this transaction
    session.flush()  # pending objects are written (and noticed) now, not after this hook
    connection = session.info.get(CONNECTION)
    if connection is not None and connection.info.pop(CHANGED, False):
        session.execute(update(DataGeneration).where(DataGeneration.id == 1)
                        .values(number=DataGeneration.number + 1, changed_at=utcnow()))


_LISTENERS = (
    (Engine, "after_execute", _note_write),
    (Engine, "begin", _forget_writes),
    (Engine, "commit", _forget_writes),
    (Engine, "rollback", _forget_writes),
    (db.session, "after_begin", _remember_connection),
    (db.session, "after_transaction_end", _forget_connection),
    (db.session, "before_commit", _bump_before_commit),
)
