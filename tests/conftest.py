"""Fixtures: a fresh, migrated database per test (SQLite by default; PostgreSQL when DATABASE_URL is set),
the app, its client and command runner, and factories for the records users create."""
import os
from contextlib import contextmanager
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from flask import g
from flask.testing import FlaskClient

from registry.app import create_app
from registry.extensions import db as _db
from tests.fuzz import tally

# The suite is deterministic: generated inputs are the same on every run (HYPOTHESIS_PROFILE=explore to roam).
settings.register_profile(
    "ci", derandomize=True, database=None, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TEST_KEYS = {"SECRET_KEY": "test-secret-key", "ID_NUMBER_KEY": b"k" * 32}
POSTGRES_URL = os.environ.get("DATABASE_URL", "")


def migrate(database_url: str, tmp: Path) -> None:
    from flask_migrate import upgrade

    app = create_app({**TEST_KEYS, "SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_INDEX_DIR": str(tmp / "ix")})
    with app.app_context():
        upgrade()
        _db.engine.dispose()


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """Migrate once per run; each test then starts from a copy of that migrated, empty database."""
    tmp = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        admin = sa.create_engine(_psycopg(POSTGRES_URL), isolation_level="AUTOCOMMIT")
        name = f"registry_template_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" ENCODING UTF8 TEMPLATE template0')
        migrate(_with_database(POSTGRES_URL, name), tmp)
        yield ("postgresql", name, admin)
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()
    else:
        path = tmp / "template.sqlite3"
        migrate(f"sqlite:///{path}", tmp)
        yield ("sqlite", path, None)


def _psycopg(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _with_database(url: str, name: str) -> str:
    return str(sa.engine.make_url(_psycopg(url)).set(database=name))


@contextmanager
def fresh_database(database_template, workdir: Path, prefix: str = "registry_test"):
    """A fresh copy of the migrated database (a file on SQLite, a database made from the template on PostgreSQL)."""
    kind, template, admin = database_template
    if kind == "sqlite":
        path = workdir / "registry.sqlite3"
        shutil.copyfile(template, path)
        yield f"sqlite:///{path}"
        return
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _with_database(POSTGRES_URL, name)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_url(database_template, tmp_path):
    """A fresh copy of the migrated database for one test."""
    with fresh_database(database_template, tmp_path) as url:
        yield url


@pytest.fixture
def app_config(database_url, tmp_path):
    """The test configuration; a test may change it before asking for `app`."""
    return {
        **TEST_KEYS,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        # open data: rebuilt on the first request after any write, which waits for it (tests read their writes)
        "OPEN_DATA_DIR": str(tmp_path / "open-data"),
        "OPEN_DATA_DEBOUNCE_SECONDS": 0,
        "OPEN_DATA_WAIT_SECONDS": 60,
        "TODAY": "2026-11-26",
    }


class RequestIsolatedClient(FlaskClient):
    """Each request starts with an empty `g`, as in production. The test's app context (kept open so tests can
    use the database directly) would otherwise carry `g` from one request to the next: the signed-in user
    Flask-Login caches there, and the locale Flask-Babel caches there."""

    def open(self, *args, **kwargs):
        # read the whole answer and close it, as a WSGI server does: a download streams its file, which stays open
        # (a ResourceWarning, an error here) until the answer is closed
        kwargs.setdefault("buffered", True)
        for name in list(vars(g)):
            delattr(g, name)
        try:
            return super().open(*args, **kwargs)
        finally:
            for name in list(vars(g)):
                delattr(g, name)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = RequestIsolatedClient
    with app.app_context():
        yield app
        firm_provinces_kept()
        figures_kept()
        _db.session.remove()
        _db.engine.dispose()


def _read_after_test(read):
    """What `read` reads in a transaction of its own after a test, or None when the test took the database or the
    table away."""
    _db.session.rollback()
    try:
        return read()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        return None
    finally:
        _db.session.rollback()


def figures_kept() -> None:
    """Every test ends with each firm's kept figures equal to what its records count (registry/figures.py): a
    write that changed a firm's public records without touching the firm fails the test that made it."""
    from registry.figures import mismatches

    found = _read_after_test(mismatches)
    assert found is None or found == {}, f"kept figures differ from the records (unit id: kept, counted): {found}"


def firm_provinces_kept() -> None:
    """Every test ends with each project holding its firm's province (`project.firm_province`, migration 0036's
    triggers and the import): a path that wrote a project or moved a firm without it fails the test that took it."""
    from registry.models import Project, Unit

    differing = _read_after_test(lambda: _db.session.execute(
        sa.select(Project.ref, Project.firm_province, Unit.division_code).join(Unit, Unit.id == Project.unit_id)
        .where(Project.firm_province.is_(None) | (Project.firm_province != sa.func.substr(Unit.division_code, 1, 2)))
        .limit(5)).all())
    assert differing is None or differing == [], \
        f"projects not holding their firm's province (ref, held, firm's division): {differing}"


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# Suites slow by nature (DESIGN §8): `make test` leaves them out, `make test-all` and `.ci/run` run them.
SLOW_FOLDERS = {"fuzz", "durability", "browser", "privacy", "deploy"}


def pytest_collection_modifyitems(config, items):
    """Mark every test of a slow folder, and every real-browser journey, as `slow`; skip the `sqlite_only` tests,
    saying why, on PostgreSQL."""
    tests_root = Path(__file__).parent
    for item in items:
        parts = Path(item.fspath).relative_to(tests_root).parts
        if parts[0] in SLOW_FOLDERS or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)
        sqlite_only = item.get_closest_marker("sqlite_only")
        if sqlite_only and POSTGRES_URL:
            item.add_marker(pytest.mark.skip(reason=sqlite_only.kwargs.get("reason", "SQLite behaviour")))


def pytest_sessionfinish(session):
    """An xdist worker hands its fuzz counts to the controller (tests/fuzz/tally.py)."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        tally.hand_over(workeroutput)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """The xdist controller adds up a finished worker's fuzz counts."""
    tally.take(getattr(node, "workeroutput", {}))


def pytest_terminal_summary(terminalreporter):
    tally.write_summary(terminalreporter)
