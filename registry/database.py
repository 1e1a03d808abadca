"""SQLite done right (DESIGN §7): pragmas on every connection, and BEGIN IMMEDIATE for write transactions
only, so reads never queue behind each other while no write can fail half-way under contention."""
from sqlalchemy import event
from sqlalchemy.engine import Engine

from registry.extensions import db

WRITE_OPTION = "registry_write"


def configure_sqlite(engine: Engine) -> None:
    """Set the pragmas on connect and take over BEGIN from pysqlite (which would defer and mis-time it)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=5000", "foreign_keys=ON"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def begin_write() -> None:
    """Make the session's transaction a write transaction (BEGIN IMMEDIATE on SQLite).

    If a read-only transaction is open (a view read before calling a service), it is ended first: it holds
    no changes, since only services write, and its objects reload inside the write transaction.
    """
    session = db.session()
    if session.in_transaction():
        connection = session.connection()
        if connection.get_execution_options().get(WRITE_OPTION):
            return
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("unflushed changes outside a service")
        session.rollback()
    session.connection(execution_options={WRITE_OPTION: True})
