"""What the fuzz tests share: their settings (the example budget, and the seed), a count of the inputs each one
generated (reported at the end of the run), and the row count of every table (a refused input must leave them
all as they were).

Without REGISTRY_FUZZ_SEED the inputs are derandomized: every run generates the same ones, so a local run is
reproducible. `.ci/run` sets it to a new random number each time, so each CI run explores other inputs, and
prints it: `REGISTRY_FUZZ_SEED=N make test-slow` replays that run's inputs."""
import os
import shutil
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import seed, settings

from registry.extensions import db
from tests.conftest import fresh_database

# Inputs generated per test, filled by `generated()`, and requests schemathesis sent per API operation: the
# terminal summary prints them (tests/fuzz/tally.py, also under pytest-xdist).
from tests.fuzz.tally import API_CASES, GENERATED  # noqa: E402

# PostgreSQL answers each request several times slower than SQLite here: a quarter of the examples keep the
# folder affordable there (the >= 10,000 figure is the SQLite run's).
ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))


def budget(examples: int) -> int:
    """The number of examples a fuzz test generates on this database."""
    return max(25, examples // 4) if ON_POSTGRES else examples


def _seed_from_environment() -> int | None:
    value = os.environ.get("REGISTRY_FUZZ_SEED", "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise pytest.UsageError(f"REGISTRY_FUZZ_SEED must be a whole number, not {value!r}") from None


FUZZ_SEED = _seed_from_environment()


def fuzzing(max_examples: int):
    """Hypothesis settings of a fuzz test: `max_examples` inputs, drawn under REGISTRY_FUZZ_SEED when it is set
    (hypothesis's `seed` overrides the profile's `derandomize`), else the same inputs on every run."""
    def apply(test):
        test = settings(max_examples=max_examples)(test)
        return test if FUZZ_SEED is None else seed(FUZZ_SEED)(test)
    return apply


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
