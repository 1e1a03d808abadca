"""The bulk path of the import: many rows of one table in one executemany, through public SQLAlchemy API only.

SQLAlchemy 2.0 sends a Core `insert()` with a list of parameter sets as one executemany (insertmanyvalues
batches it on PostgreSQL), applying each column's Python-side default and type processing, without the ORM's
per-object bookkeeping, which cost more than the database's own work in a national load.
"""
from sqlalchemy import insert


def insert_rows(session, model, rows: list[dict]) -> None:
    """Insert the rows (dicts of column values) into the model's table; one executemany per set of keys."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        groups.setdefault(tuple(row), []).append(row)
    connection = session.connection()
    for group in groups.values():
        connection.execute(insert(model.__table__), group)
