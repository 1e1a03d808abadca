"""Backups as files: the content hash of every table, the consistency checks a sound snapshot passes, and a
second registry (its own database and search index) to restore into."""
import hashlib
import json
import sqlite3
from contextlib import contextmanager
from pathlib import Path

from registry.app import create_app
from registry.extensions import db as _db
from tests.conftest import fresh_database

# Backup and restore of PostgreSQL belong to pg_dump/pg_restore; the SQLite tests read SQLite files byte for byte.
SQLITE_BACKUPS = "SQLite backups (VACUUM INTO, the backup API); PostgreSQL uses pg_dump/pg_restore"


def sqlite_path(database_url: str) -> Path:
    return Path(database_url.removeprefix("sqlite:///"))


def table_hashes(path: Path) -> dict[str, tuple[int, str]]:
    """table -> (rows, sha256 of its rows in order) for every table of the models' metadata and alembic_version."""
    tables = sorted(_db.metadata.tables) + ["alembic_version"]
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        hashes = {}
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            order = ", ".join(f'"{column}"' for column in columns)
            digest, count = hashlib.sha256(), 0
            for row in connection.execute(f'SELECT {order} FROM "{table}" ORDER BY {order}'):
                digest.update(repr(row).encode())
                count += 1
            hashes[table] = (count, digest.hexdigest())
        return hashes
    finally:
        connection.close()


def soundness(path: Path) -> dict:
    """Integrity, broken foreign keys, firms and projects, and how many of each the audit log says were imported."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        created = {"unit": 0, "project": 0}
        for (detail,) in connection.execute("SELECT detail FROM audit_event WHERE action = 'import'"):
            counts = json.loads(detail)["created"]
            for kind in created:
                created[kind] += counts.get(kind, 0)
        return {
            "integrity": [row[0] for row in connection.execute("PRAGMA integrity_check")],
            "broken_foreign_keys": connection.execute("PRAGMA foreign_key_check").fetchall(),
            "units": connection.execute("SELECT count(*) FROM unit").fetchone()[0],
            "projects": connection.execute("SELECT count(*) FROM project").fetchone()[0],
            "audited": created,
        }
    finally:
        connection.close()


@contextmanager
def another_registry(database_template, workdir: Path, app_config: dict):
    """A second registry with its own fresh database and search index (the app under test stays as it is)."""
    workdir.mkdir()
    with fresh_database(database_template, workdir) as url:
        app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url, "SEARCH_INDEX_DIR": str(workdir / "ix")})
        with app.app_context():
            yield app
            _db.session.remove()
            _db.engine.dispose()
