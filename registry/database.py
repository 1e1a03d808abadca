"""SQLite done right (DESIGN §7): pragmas on every connection, and BEGIN IMMEDIATE for write transactions
only, so reads never queue behind each other while no write can fail half-way under contention. PostgreSQL:
a pooled connection the server has ended is never handed out, and a public page's reads need no transaction."""
import select
import sqlite3
import time
from collections.abc import Iterable, Iterator
from functools import wraps

from sqlalchemy import any_, bindparam, event, literal, literal_column, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import scoped_session
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Integer, NullType, String

from registry.extensions import db

WRITE_OPTION = "registry_write"
ALONE_OPTION = "registry_statements_alone"  # PostgreSQL: this connection's statements each run on their own
# LIKE's escape character. It is PostgreSQL's default, so a pattern built with escape_like() also works in a
# plain `LIKE` (which pg_trgm's GIN index serves); SQLite has no default and needs `escape=ESCAPE`.
ESCAPE = "\\"
# How long, in all, a write waits for the write lock. SQLite's busy handler polls (every 100 ms once it has
# waited a while), so under heavy contention one writer can lose every race for longer than busy_timeout:
# 1 of 1,200 writes from 8 processes failed with "database is locked" on a loaded 2-core machine.
WRITE_LOCK_WAIT = 25.0
# Keys one IN list of SQLite's binds (its limit on a statement's parameters was 999 before 3.32).
SQLITE_IN_KEYS = 900


# What the migrations make and no model declares (migration 0027): SQLite's FTS5 table of project text, with the
# tables FTS5 keeps beside it (`project_text_data`, ...), and PostgreSQL's trigram index on the same text.
UNMODELLED = ("project_text", "ix_project_text_trgm")


def modelled(name: str | None, type_: str, parent_names: dict) -> bool:
    """Alembic's `include_name`: False for what no model declares, which autogenerate would otherwise drop."""
    return not (name or "").startswith(UNMODELLED)


def per_transaction(session, key: str) -> dict:
    """A dict kept in the session's info under `key` for its current transaction alone: the next transaction
    finds it empty."""
    own = session() if isinstance(session, scoped_session) else session
    transaction, held = own.info.get(key, (None, {}))
    if transaction is not own.get_transaction():
        transaction, held = own.get_transaction(), {}
        own.info[key] = (transaction, held)
    return held


def escape_like(text: str) -> str:
    """The text as a LIKE pattern that matches it literally: `%`, `_` and the escape character are escaped."""
    return text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def plan_with_values(session) -> None:
    """PostgreSQL: plan the rest of this transaction's statements with their values (`plan_cache_mode`). psycopg
    prepares a statement run five times on a connection, and PostgreSQL may then plan it once for any values; for
    a statement whose best plan depends on how many rows a text finds, that plan can be the worst (a regulator's
    project search for a reference, national scale: 66 ms planned with its text, 645 ms planned for any)."""
    if session.get_bind().dialect.name == "postgresql":
        if session.connection().get_execution_options().get(ALONE_OPTION):
            raise RuntimeError("plan_with_values needs a transaction: not in a view without_transaction")
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def prefix_range(column, prefix: str, name: str | None = None) -> list:
    """SQL clauses an index can answer, true of every value that begins with PREFIX (letters and digits of one
    case, such as a national-economy code or a division): from the prefix up to the next one. Added beside a
    LIKE, which stays the exact test (SQLite reads no index for LIKE on a case-sensitive column). `name`: the
    bounds are the parameters `{name}_from` and `{name}_to`."""
    if not prefix or not prefix.isalnum() or not prefix.isascii():
        return []
    low, high = prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
    if name is not None:
        low, high = bindparam(f"{name}_from", low), bindparam(f"{name}_to", high)
    return [column >= low, column < high]


def in_keys(dialect_name: str, column, keys: Iterable) -> Iterator:
    """Conditions that together select the rows whose `column` is one of `keys`: on PostgreSQL one, `= ANY` of a
    single array parameter; elsewhere IN lists of at most SQLITE_IN_KEYS. An IN list is one parameter a key:
    rendering it and psycopg's parsing it took a fifth of a bulk import into PostgreSQL, more than running it."""
    keys = list(keys)
    if dialect_name == "postgresql":
        if keys:
            yield column == any_(bindparam("keys", keys, type_=ARRAY(column.type), unique=True))
        return
    for start in range(0, len(keys), SQLITE_IN_KEYS):
        yield column.in_(keys[start:start + SQLITE_IN_KEYS])


def among(column, name: str, dialect_name: str):
    """A clause: `column` is one of the integer ids given as the parameter `name` (a list). On PostgreSQL `= ANY`
    of one array, so the statement's text is the same for any number of ids (psycopg prepares it once) and nothing
    is rendered per execution; elsewhere an expanding IN list (rendering 20 ids as as many cast parameters, on
    every execution, cost about as much as running a firm summary's small statements). Not for a statement whose
    generic plan PostgreSQL's planner rejects for `= ANY` of a parameter: it then plans it anew at every execution
    (a firm's staff roles, the listed firms and persons of a page of hits, the current firms, the subject's voice
    keep their expanding IN lists for this: bench/RESULTS.md, twenty-third session)."""
    if dialect_name == "postgresql":
        return column == any_(bindparam(name, type_=ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))


class likelihood(FunctionElement):  # noqa: N801 (named as the SQL function it is on SQLite)
    """A condition, with the share of rows it is true of. SQLite's planner, which keeps no statistics, takes an
    equality on an indexed column to be rare and may read a table by it when another path is far shorter; given
    the share, it does not. Other databases get the bare condition (their planners read the table's statistics)."""

    name = "likelihood"
    type = NullType()  # not Boolean: SQLite would compare it to 1, a term its planner cannot take the share of
    inherit_cache = True

    def __init__(self, condition, share: float):
        if not 0.0 <= share <= 1.0:
            raise ValueError(f"a share of rows is between 0 and 1: {share!r}")
        super().__init__(condition, literal_column(repr(float(share))))  # SQLite wants a constant, not a parameter


@compiles(likelihood)
def _bare_condition(element, compiler, **kw):
    condition, _share = element.clauses.clauses
    return "(%s)" % compiler.process(condition, **kw)


@compiles(likelihood, "sqlite")
def _sqlite_likelihood(element, compiler, **kw):
    condition, share = element.clauses.clauses
    return "likelihood(%s, %s)" % (compiler.process(condition, **kw), compiler.process(share, **kw))


class pattern(FunctionElement):  # noqa: N801 (used as a value, like the literal it wraps)
    """A LIKE pattern given as a value. SQLite prepares a statement again on every execution whose LIKE pattern is
    a bare parameter (it might serve the LIKE from an index for that value, whatever the column), so each run
    paid for planning the whole statement: a search page's matching projects, 16 firms, national scale: 1.38 ms
    against 0.62 ms. As a CAST it is planned once and evaluated once a run. Other databases get the bare value."""

    name = "pattern"
    type = String()
    inherit_cache = True

    def __init__(self, value):
        super().__init__(value if isinstance(value, ColumnElement) else literal(value, String()))


@compiles(pattern)
def _bare_pattern(element, compiler, **kw):
    (value,) = element.clauses.clauses
    return compiler.process(value, **kw)


@compiles(pattern, "sqlite")
def _sqlite_pattern(element, compiler, **kw):
    (value,) = element.clauses.clauses
    return "CAST(%s AS TEXT)" % compiler.process(value, **kw)


def configure_postgresql(engine: Engine) -> None:
    """A pooled connection is handed out only while the server keeps it (`server_kept`); one it ended (a restart,
    a failover, `pg_terminate_backend`) is discarded, and the pool makes a new one (SQLAlchemy's pessimistic
    disconnect handling, a checkout event raising DisconnectionError). This replaces the pool's ping, a
    `SELECT 1` and a round trip before every request's statements."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, _record, _proxy):
        if not server_kept(dbapi_connection):
            raise DisconnectionError("the server ended the pooled connection")


def server_kept(connection) -> bool:
    """Whether the server still keeps an idle psycopg connection, learnt without a round trip: an idle
    connection's socket has nothing to read unless the server ended it (it then sends its error and closes).
    Whatever else is waiting there (nothing the app asks for) only costs the connection."""
    if connection.closed or connection.broken:
        return False
    waiting = select.poll()
    waiting.register(connection.fileno(), select.POLLIN)
    return not waiting.poll(0)


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
        if connection.get_execution_options().get(WRITE_OPTION, False):
            _begin_immediate(connection)
        else:
            connection.exec_driver_sql("BEGIN")


def _begin_immediate(connection) -> None:
    """BEGIN IMMEDIATE, tried again while the database stays locked, up to WRITE_LOCK_WAIT (a BEGIN that
    failed has done nothing, so trying again is safe); the last try reports its error as SQLAlchemy does."""
    dbapi_connection = connection.connection.dbapi_connection
    deadline = time.monotonic() + WRITE_LOCK_WAIT
    while time.monotonic() < deadline:
        try:
            dbapi_connection.execute("BEGIN IMMEDIATE")  # waits up to busy_timeout itself
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error):
                break
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def without_transaction(view):
    """A view that only reads, whose statements each run on their own on PostgreSQL: no BEGIN before them, no
    COMMIT after (psycopg's autocommit). At PostgreSQL's READ COMMITTED each statement of a transaction already
    sees what was committed when it began, so the page reads what it read inside one; BEGIN and COMMIT were two
    of a firm profile's eight round trips, and cost 0.3 ms of the machine's 4.8 ms a request (national scale).

    Not for a view that needs a transaction: `plan_with_values` (a SET LOCAL), a server-side cursor. A service
    the view calls writes in its own transaction (`begin_write` ends the reads first), and any other write on
    such a connection is refused (`_refuse_write`). A visitor whose session was already read before the view (a
    signed-in one) keeps the transaction. The view's objects are expired when it returns (its page is written).
    SQLite is unchanged: a transaction costs it no round trip, and its reads in one see one snapshot."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        session = db.session()
        if session.get_bind().dialect.name != "postgresql" or session.in_transaction():
            return view(*args, **kwargs)
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT", ALONE_OPTION: True})
        try:
            return view(*args, **kwargs)
        finally:
            # the session left as found, without a transaction: its connection goes back to the pool, which
            # resets its mode, so nothing after the view (a test's next request) reads or writes on it
            session.rollback()

    return wrapper


@event.listens_for(Engine, "before_execute")
def _refuse_write(connection, statement, *_args) -> None:
    """No INSERT, UPDATE or DELETE on a connection whose statements run alone: each would be committed on its
    own, and a failure half-way would leave half a write."""
    if getattr(statement, "is_dml", False) and connection.get_execution_options().get(ALONE_OPTION):
        raise RuntimeError("a write in a view without a transaction: only services write")


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
