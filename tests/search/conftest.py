"""The same search tests against both backends: Whoosh always, and PostgreSQL's pg_trgm backend when the suite
runs on PostgreSQL (DATABASE_URL). A test marked `whoosh_only` checks the Whoosh index's own files and locks."""
import os

import pytest

from tests.portal.conftest import contract, registry_data  # noqa: F401  (shared data sets)

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def pytest_configure(config):
    config.addinivalue_line("markers", "whoosh_only: the test checks the Whoosh index itself")
    config.addinivalue_line("markers", "postgres_only: the test checks the pg_trgm backend itself")


def pytest_generate_tests(metafunc):
    if "search_backend" not in metafunc.fixturenames:
        return
    backends = ["whoosh", "postgresql"] if ON_POSTGRES else ["whoosh"]
    if metafunc.definition.get_closest_marker("whoosh_only"):
        backends = ["whoosh"]
    if metafunc.definition.get_closest_marker("postgres_only"):
        backends = ["postgresql"] if ON_POSTGRES else []
    metafunc.parametrize("search_backend", backends)


@pytest.fixture
def app_config(app_config, search_backend):
    """The test configuration with the backend under test."""
    return {**app_config, "SEARCH_BACKEND": search_backend}
