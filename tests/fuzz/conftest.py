"""What the fuzz tests share: a count of the inputs each one generated (reported at the end of the run), the row
count of every table (a refused input must leave them all as they were), and the example budgets."""
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from registry.extensions import db
from tests.conftest import fresh_database

# Inputs generated per test, filled by `generated()`; the terminal summary prints them and their total.
GENERATED: Counter = Counter()
# Requests schemathesis sent per API operation (reported beside them, not counted in their total).
API_CASES: Counter = Counter()

# PostgreSQL answers each request several times slower than SQLite here: a quarter of the examples keep the
# folder affordable there (the >= 10,000 figure is the SQLite run's).
ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))


def budget(examples: int) -> int:
    """The number of examples a fuzz test generates on this database."""
    return max(25, examples // 4) if ON_POSTGRES else examples


MEMORY_DISK = Path("/dev/shm")


@pytest.fixture
def database_url(database_template, tmp_path):
    """A fresh copy of the migrated database; on SQLite in memory-backed /dev/shm where there is one, because
    every accepted input commits and each commit's fsync (synchronous=FULL) costs ~4 ms on this disk: that is
    what the durability tests measure, not what this folder looks for."""
    in_memory = database_template[0] == "sqlite" and MEMORY_DISK.is_dir()
    workdir = Path(tempfile.mkdtemp(dir=MEMORY_DISK, prefix="fuzz-")) if in_memory else tmp_path
    try:
        with fresh_database(database_template, workdir) as url:
            yield url
    finally:
        if in_memory:
            shutil.rmtree(workdir, ignore_errors=True)


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
    if API_CASES:
        terminalreporter.write_sep("-", "schemathesis: requests per API operation")
        for operation, count in sorted(API_CASES.items()):
            terminalreporter.write_line(f"{count:7d}  {operation}")
