"""The bulk path of the import: many rows of one table in one statement, on the connection (and so in the
transaction) the session holds, with the values SQLAlchemy's own insert would send.

Each value goes through its column's bind processor for the dialect, and a column the rows leave out gets its
Python-side default, as a Core `insert()` does; what is skipped is the Core statement's per-row bookkeeping,
which cost more than the database's own work in a national load (a third of a batch on SQLite). PostgreSQL
takes the rows by `COPY ... FROM STDIN` (psycopg 3's `cursor.copy()`): one stream instead of a round trip per
page of parameters. SQLite takes driver-level INSERTs of many rows each. The transaction stays the import's: a refusal
or a crash later in the import leaves none of these rows.

The rows go to the database on a thread of their own (`_Writer`), while the import goes on checking and preparing
the next rows: the database's own work (its indexes, its triggers, its foreign-key checks) runs beside Python's, on
the machine's second CPU, in the server on PostgreSQL and inside the driver's call on SQLite, which lets go of
Python's lock while SQLite executes a statement. On PostgreSQL the importer formats the COPY data itself, and the
thread only sends it, so the thread needs Python's lock for a few large blocks and not for every row. While a
writer runs, Python hands its lock from thread to thread every WRITER_SWITCH_INTERVAL instead of every 5 ms: at
the default the writer, after each statement, waited up to 5 ms for the lock behind the busy importer, and gave
back little of the database's time (national batches on SQLite: 12,269 records/s written in the importer's own
thread, 12,943 on the writer at 5 ms, 15,177 at 0.5 ms). The session's next statement, its commit and its
rollback first wait for the rows handed over (events below), so a statement never runs before the rows it may read,
and a refused row fails the import at that statement. The rows of a table come with ids taken beforehand
(`allocate_ids`), so nothing has to read them back before going on.
"""
import io
import sqlite3
import sys
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import chain, repeat
from operator import is_

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from registry.database import per_transaction
from registry.generation import mark_changed
from registry.models.base import utcnow

# Below this many rows of one shape, Core's insert costs no more, and its statement stays visible to
# SQLAlchemy's events (the tests that watch a small write's statements see it).
BULK_ROWS = 100
ROWS_PER_STATEMENT = 500  # SQLite: rows of one INSERT (more saved nothing measurable)
WRITER = "registry_bulk_writer"  # in a connection's info: the rows handed to its writer thread, not yet written
WRITER_SWITCH_INTERVAL = 0.0005  # seconds: how often Python hands its lock to another thread while a writer runs
WRITTEN = "registry_bulk_written"  # in a session's info (`per_transaction`): the rows written, by table
ANALYZE_ROWS = 1000  # fewer rows than this never make a table's statistics worth taking again in the transaction


def allocate_ids(session, model, count: int) -> list[int]:
    """Ids for `count` new rows of the model's table, taken before the rows are written. On PostgreSQL from the
    table's sequence, on a connection of its own (a sequence stands outside transactions), so the rows still being
    written are not waited for. On SQLite the next ones after the largest, once the rows handed over are written
    (the write transaction holds SQLite's write lock from its BEGIN IMMEDIATE, so no other writer takes them)."""
    if not count:
        return []
    table = model.__table__
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        with session.get_bind().connect() as own:
            return list(own.scalars(text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) "
                                         "FROM generate_series(1, :count)"), {"table": table.name, "count": count}))
    largest = session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(largest + 1, largest + 1 + count))


def insert_rows(session, model, rows: list[dict]) -> None:
    """Insert the rows (dicts of column values) into the model's table; one statement per set of keys."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    connection = session.connection()
    table = model.__table__
    written = per_transaction(session, WRITTEN)
    written[table.name] = written.get(table.name, 0) + len(rows)
    for keys, group in groups.items():
        if len(group) < BULK_ROWS or connection.dialect.name not in ("postgresql", "sqlite"):
            connection.execute(insert(table), group)
            continue
        bound = _bound_values(connection.dialect, table, keys, group)
        if bound is None:  # a default only the database's SQL computes: Core renders it
            connection.execute(insert(table), group)
        else:
            driver_connection = connection.connection.driver_connection
            if connection.dialect.name == "postgresql":
                _writer(connection).submit(_copy, driver_connection, connection.dialect, table, bound[0],
                                           _copy_data(driver_connection, bound[1]))
            else:
                _writer(connection).submit(_insert_sqlite, driver_connection, connection.dialect, table, *bound)
            mark_changed(session)  # SQLAlchemy sees no INSERT statement in these: the data generation must still move


def analyze_grown(session) -> None:
    """On PostgreSQL, take again the statistics of each table that this transaction's bulk rows at least doubled
    (`ANALYZE`, which sees the transaction's own rows), so that what the transaction runs next is planned for the
    table as it now is. Autovacuum analyzes a table only after a commit, a minute later: until then a table that
    had no statistics, or had them when it was a fraction of its size, was planned as if it were empty, and the
    firms' figures counted before the commit read every review and role of the registry (a fresh database, six
    national batches: `figures.refresh` 16 s of the import's 38 s, 2.2 s after this, for 2.7 s of ANALYZE).
    Tables in name order, so that two imports take their locks in one order."""
    if session.get_bind().dialect.name != "postgresql":
        return
    grown = {name: rows for name, rows in per_transaction(session, WRITTEN).items() if rows >= ANALYZE_ROWS}
    if not grown:
        return
    known = dict(session.execute(text("SELECT relname, reltuples FROM pg_class "
                                      "WHERE oid = ANY(CAST(:tables AS regclass[]))"), {"tables": sorted(grown)}).all())
    quote = session.get_bind().dialect.identifier_preparer.quote
    for name in sorted(grown):
        if grown[name] >= known.get(name, -1):  # reltuples: the rows at the last ANALYZE (-1: never)
            session.execute(text(f"ANALYZE {quote(name)}"))  # nosec B608: a model's table name, quoted


def _bound_values(dialect, table, keys: tuple, rows: list[dict]) -> tuple[list, list[tuple]] | None:
    """The columns written and each row's values as the driver receives them: the given keys, then the
    columns left out that have a Python-side default (a callable default is called per row, as Core does);
    None if a default is SQL only the database computes."""
    given = [table.columns[key] for key in keys]
    defaulted = [column for column in table.columns
                 if column.key not in keys and column.default is not None and not column.primary_key]
    if any(column.default.is_sequence or column.default.is_clause_element for column in defaulted):
        return None
    columns = given + defaulted
    # column by column: map() calls each processor without a Python loop around it (a tenth of a batch row by row)
    count = len(rows)
    values_by_column = [[row[key] for row in rows] for key in keys]
    values_by_column += [_defaults(column, count) for column in defaulted]
    for index, column in enumerate(columns):
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        column_values = values_by_column[index]
        if count and all(map(is_, column_values, repeat(column_values[0]))):  # one object in every row (a
            values_by_column[index] = [process(column_values[0])] * count  # default, the import's time): once
        else:
            values_by_column[index] = list(map(process, column_values))
    values = list(zip(*values_by_column))
    return columns, values


def _defaults(column, count: int) -> list:
    """A left-out column's default for each of `count` rows. The time of writing (`utcnow`) is the statement's,
    one moment for all its rows, so its processor runs once (timestamps per row were a twentieth of an import);
    any other callable is called per row, as Core does."""
    default = column.default
    if not default.is_callable:
        return [default.arg] * count
    if getattr(default.arg, "__wrapped__", None) is utcnow:
        return [utcnow()] * count
    return [default.arg(None) for _ in range(count)]


def _insert_sqlite(driver_connection, dialect, table, columns: list, values: list[tuple]) -> None:
    """The rows in statements of many rows each (`VALUES (...), (...)`), as many as SQLite's limit of bound
    values allows, up to ROWS_PER_STATEMENT. Not `executemany`, a statement per row: the FTS5 index of project
    text (migration 0027), written by a trigger, stores what a statement gave it before the next statement
    begins, and a statement per row wrote it a row at a time (national batches: 12,100 -> 9,500 records/s)."""
    quote = dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) VALUES "  # nosec B608
    row = f"({', '.join('?' for _ in columns)})"  # the model's own names above; the values are bound
    rows = max(1, min(ROWS_PER_STATEMENT,
                      driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)))
    for start in range(0, len(values), rows):
        part = values[start:start + rows]
        driver_connection.execute(head + ", ".join(repeat(row, len(part))), tuple(chain.from_iterable(part)))


def _copy_data(driver_connection, values: list[tuple]) -> memoryview:
    """The rows in COPY's text format, as psycopg formats them (`FileWriter`: formatted here, sent by `_copy`).
    The writer thread then needs Python's lock only to send a few large blocks: formatting row by row there, it
    waited for the lock behind the importer at every row, and the rows reached PostgreSQL slower than before."""
    from psycopg.copy import Copy, FileWriter  # psycopg is installed with PostgreSQL's extra only

    data = io.BytesIO()
    with driver_connection.cursor() as cursor:
        with Copy(cursor, writer=FileWriter(data)) as copy:
            for row in values:
                copy.write_row(row)
    return data.getbuffer()  # the written bytes themselves, not a copy of them


def _copy(driver_connection, dialect, table, columns: list, data: memoryview) -> None:
    """The rows (COPY's text format) by COPY on the psycopg connection under the session's, inside its transaction."""
    quote = dialect.identifier_preparer.quote
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) FROM STDIN") as copy:
            copy.write(data)


class _Writer:
    """The bulk writes of one connection, in the order given, on one thread of their own."""

    def __init__(self):
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bulk-write")
        self.pending: list[Future] = []
        _switch_often(True)

    def submit(self, write, *args) -> None:
        self.pending.append(self.executor.submit(write, *args))

    def finish(self) -> None:
        """Wait for every write handed over; the first that failed raises its error."""
        try:
            self.executor.shutdown(wait=True)
        finally:
            _switch_often(False)
        for done in self.pending:
            done.result()


_writers = 0  # writers running in this process: Python switches threads often while there is one
_writers_lock = threading.Lock()
_usual_interval = sys.getswitchinterval()


def _switch_often(starting: bool) -> None:
    """Python's thread switch interval at WRITER_SWITCH_INTERVAL from the first writer's start to the last one's end."""
    global _writers
    with _writers_lock:
        _writers += 1 if starting else -1
        if _writers == (1 if starting else 0):
            sys.setswitchinterval(WRITER_SWITCH_INTERVAL if starting else _usual_interval)


def _writer(connection) -> _Writer:
    writer = connection.info.get(WRITER)
    if writer is None:
        writer = connection.info[WRITER] = _Writer()
    return writer


def finish_writes(info: dict, failures: bool = True) -> None:
    """Wait for the rows handed to a connection's writer thread (`info`: the connection's); with `failures`
    False, as before a rollback, a failed write raises nothing."""
    writer = info.pop(WRITER, None)
    if writer is None:
        return
    try:
        writer.finish()
    except Exception:
        if failures:
            raise


@event.listens_for(Engine, "before_cursor_execute")
def _before_statement(connection, cursor, statement, parameters, context, executemany) -> None:
    finish_writes(connection.info)


@event.listens_for(Engine, "commit")
def _before_commit(connection) -> None:
    finish_writes(connection.info)


@event.listens_for(Engine, "rollback")
def _before_rollback(connection) -> None:
    finish_writes(connection.info, failures=False)


@event.listens_for(Pool, "reset")
def _before_reset(dbapi_connection, record, reset_state) -> None:
    """A connection back to the pool is rolled back by the driver: its writes are waited for first."""
    finish_writes(record.info, failures=False)
