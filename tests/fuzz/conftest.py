"""What the fuzz tests share: a count of the inputs each one generated (reported at the end of the run), the row
count of every table (a refused input must leave them all as they were), and the example budgets."""
import os
from collections import Counter

import sqlalchemy as sa

from registry.extensions import db

# Inputs generated per test, filled by `generated()`; the terminal summary prints them and their total.
GENERATED: Counter = Counter()

# PostgreSQL answers each request several times slower than SQLite here: a quarter of the examples keep the
# folder affordable there (the >= 10,000 figure is the SQLite run's).
ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))


def budget(examples: int) -> int:
    """The number of examples a fuzz test generates on this database."""
    return max(25, examples // 4) if ON_POSTGRES else examples


def generated(test: str) -> None:
    """Count one generated input for `test`."""
    GENERATED[test] += 1


_COUNT_SQL: dict[str, sa.TextClause] = {}


def row_counts() -> dict[str, int]:
    """{table: rows} for every table of the database, in one statement."""
    key = str(db.engine.url)
    if key not in _COUNT_SQL:
        tables = sorted(t for t in sa.inspect(db.engine).get_table_names() if t != "alembic_version")
        _COUNT_SQL[key] = sa.text(" UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {t}" for t in tables))
    with db.engine.connect() as connection:  # its own connection: what is committed, not the session's view
        return dict(connection.execute(_COUNT_SQL[key]).all())


def pytest_terminal_summary(terminalreporter):
    if GENERATED:
        terminalreporter.write_sep("-", "fuzz: generated inputs")
        for test, count in sorted(GENERATED.items()):
            terminalreporter.write_line(f"{count:7d}  {test}")
        terminalreporter.write_line(f"{sum(GENERATED.values()):7d}  in all")
