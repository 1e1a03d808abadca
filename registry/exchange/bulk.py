"""The bulk path of the import: many rows of one table in one statement, on the connection (and so in the
transaction) the session holds, with the values SQLAlchemy's own insert would send.

Each value goes through its column's bind processor for the dialect, and a column the rows leave out gets its
Python-side default, as a Core `insert()` does; what is skipped is the Core statement's per-row bookkeeping,
which cost more than the database's own work in a national load (a third of a batch on SQLite). PostgreSQL
takes the rows by `COPY ... FROM STDIN` (psycopg 3's `cursor.copy()`): one stream instead of a round trip per
page of parameters. SQLite takes driver-level INSERTs of many rows each. The transaction stays the import's: a refusal
or a crash later in the import leaves none of these rows.
"""
import sqlite3
from itertools import chain, repeat
from operator import is_

from sqlalchemy import insert

from registry.generation import mark_changed
from registry.models.base import utcnow

# Below this many rows of one shape, Core's insert costs no more, and its statement stays visible to
# SQLAlchemy's events (the tests that watch a small write's statements see it).
BULK_ROWS = 100
ROWS_PER_STATEMENT = 500  # SQLite: rows of one INSERT (more saved nothing measurable)


def insert_rows(session, model, rows: list[dict]) -> None:
    """Insert the rows (dicts of column values) into the model's table; one statement per set of keys."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    connection = session.connection()
    table = model.__table__
    for keys, group in groups.items():
        if len(group) < BULK_ROWS or connection.dialect.name not in ("postgresql", "sqlite"):
            connection.execute(insert(table), group)
            continue
        bound = _bound_values(connection.dialect, table, keys, group)
        if bound is None:  # a default only the database's SQL computes: Core renders it
            connection.execute(insert(table), group)
        elif connection.dialect.name == "postgresql":
            _copy(connection, table, *bound)
        else:
            _insert_sqlite(connection, table, *bound)
        if bound is not None:  # SQLAlchemy sees no INSERT statement in these: the data generation must still move
            mark_changed(session)


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


def _insert_sqlite(connection, table, columns: list, values: list[tuple]) -> None:
    """The rows in statements of many rows each (`VALUES (...), (...)`), as many as SQLite's limit of bound
    values allows, up to ROWS_PER_STATEMENT. Not `executemany`, a statement per row: the FTS5 index of project
    text (migration 0027), written by a trigger, stores what a statement gave it before the next statement
    begins, and a statement per row wrote it a row at a time (national batches: 12,100 -> 9,500 records/s)."""
    quote = connection.dialect.identifier_preparer.quote
    head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) VALUES "  # nosec B608
    row = f"({', '.join('?' for _ in columns)})"  # the model's own names above; the values are bound
    driver_connection = connection.connection.driver_connection
    rows = max(1, min(ROWS_PER_STATEMENT,
                      driver_connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)))
    for start in range(0, len(values), rows):
        part = values[start:start + rows]
        connection.exec_driver_sql(head + ", ".join(repeat(row, len(part))), tuple(chain.from_iterable(part)))


def _copy(connection, table, columns: list, values: list[tuple]) -> None:
    """The rows by COPY on the psycopg connection under the session's, inside its transaction."""
    quote = connection.dialect.identifier_preparer.quote
    driver_connection = connection.connection.driver_connection
    with driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {quote(table.name)} ({', '.join(quote(c.name) for c in columns)}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
