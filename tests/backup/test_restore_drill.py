"""The restore drill. A backup of the demo registry restored into a fresh database passes the
integrity check and holds, table by table, exactly the rows of the source (a content hash of every table);
restored over another registry it replaces it completely, and the search index answers for the restored
data only."""
import sqlite3
import threading
import time

import pytest

from registry.extensions import db
from registry.models import Person, Unit
from registry.search import search_ids
from tests.backup.conftest import SQLITE_BACKUPS, another_registry, sqlite_path, soundness, table_hashes
from tests.factories import create
from tests.portal.conftest import registry_records

pytestmark = pytest.mark.sqlite_only(reason=SQLITE_BACKUPS)


def search_answers() -> dict[str, tuple[list[int], list[int]]]:
    """What the search finds for every firm's and every person's name, and for two common words."""
    names = sorted(db.session.scalars(db.select(Unit.name))) + sorted(db.session.scalars(db.select(Person.name)))
    return {text: (search_ids(text, "unit"), search_ids(text, "person")) for text in names + ["修复", "有限公司"]}


def load_demo_and_back_up(runner, tmp_path):
    """The demo registry (40 firms), searched, then backed up: the backup, its time and the search answers."""
    loaded = runner.invoke(args=["registry", "demo", "--firms", "40"])
    assert loaded.exit_code == 0, loaded.output
    answers = search_answers()  # the first search builds the index and empties the outbox, as on a server
    backup = tmp_path / "registry-backup.sqlite3"
    started = time.monotonic()
    made = runner.invoke(args=["registry", "backup", str(backup)])
    assert made.exit_code == 0, made.output
    return backup, time.monotonic() - started, answers


def test_a_backup_restored_into_a_fresh_database_is_the_same_registry(app, app_config, runner, database_template,
                                                                       tmp_path):
    backup, backup_seconds, answers = load_demo_and_back_up(runner, tmp_path)
    source = table_hashes(sqlite_path(app_config["SQLALCHEMY_DATABASE_URI"]))

    with another_registry(database_template, tmp_path / "fresh", app_config) as fresh:
        started = time.monotonic()
        restored = fresh.test_cli_runner().invoke(args=["registry", "restore", "--yes", str(backup)])
        restore_seconds = time.monotonic() - started
        assert restored.exit_code == 0, restored.output
        assert "恢复 / restoring" in restored.output and "search index rebuilt" in restored.output
        restored_path = sqlite_path(fresh.config["SQLALCHEMY_DATABASE_URI"])
        assert soundness(restored_path)["integrity"] == ["ok"]
        assert soundness(restored_path)["broken_foreign_keys"] == []
        assert table_hashes(restored_path) == source
        assert search_answers() == answers  # the index was rebuilt from the restored rows
        with sqlite3.connect(restored_path) as connection:  # the restored database keeps the app's journal mode
            assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    rows = sum(count for count, _ in source.values())
    print(f"\ndrill: {len(source)} tables hashed, {rows} rows, backup {backup.stat().st_size} bytes; "
          f"backup {backup_seconds:.2f} s, restore with reindex {restore_seconds:.2f} s; "
          f"{len(answers)} searches answered alike")
    assert source["unit"][0] == 40 + 3 and rows > 1000  # and a firm in each demo regulator's area


def test_a_restore_over_another_registry_replaces_it_completely_and_readers_never_see_a_mixture(
        app, app_config, runner, database_template, tmp_path):
    backup, _, answers = load_demo_and_back_up(runner, tmp_path)
    source = table_hashes(sqlite_path(app_config["SQLALCHEMY_DATABASE_URI"]))

    with another_registry(database_template, tmp_path / "other", app_config) as other:
        create(*registry_records())
        assert search_ids("江苏苏净环保科技有限公司", "unit")
        path = sqlite_path(other.config["SQLALCHEMY_DATABASE_URI"])
        before, after = figures(path), None
        seen, done = set(), threading.Event()

        def reader():  # another connection, as a worker of the running app would have
            connection = sqlite3.connect(path, timeout=30)
            while not done.is_set():
                seen.add(figures(path, connection))
            connection.close()

        watching = threading.Thread(target=reader)
        watching.start()
        try:
            restored = other.test_cli_runner().invoke(args=["registry", "restore", "--yes", str(backup)])
        finally:
            done.set()
            watching.join()
        assert restored.exit_code == 0, restored.output
        after = figures(path)
        assert seen <= {before, after}, "a reader saw a half-restored database"
        assert table_hashes(path) == source
        assert search_ids("江苏苏净环保科技有限公司", "unit") == []  # the replaced registry left nothing behind
        assert search_answers() == answers


def figures(path, connection=None) -> tuple:
    """Firms, projects, audit events and the schema version, read in one transaction."""
    own = connection is None
    connection = connection or sqlite3.connect(path)
    try:
        connection.execute("BEGIN")
        row = tuple(connection.execute(
            "SELECT (SELECT count(*) FROM unit), (SELECT count(*) FROM project), (SELECT count(*) FROM audit_event),"
            " (SELECT version_num FROM alembic_version)").fetchone())
        connection.execute("COMMIT")
        return row
    finally:
        if own:
            connection.close()
