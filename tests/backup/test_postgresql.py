"""On PostgreSQL: backup and restore are pg_dump's and pg_restore's work, and both commands say
so (exit status 1) instead of half-doing it."""
import pytest

from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="runs against PostgreSQL (DATABASE_URL)")


def test_on_postgresql_backup_and_restore_point_to_pg_dump_and_pg_restore(runner, tmp_path):
    backup = runner.invoke(args=["registry", "backup", str(tmp_path / "b.sqlite3")])
    assert backup.exit_code == 1 and "pg_dump" in backup.output and not (tmp_path / "b.sqlite3").exists()
    restore = runner.invoke(args=["registry", "restore", "--yes", str(tmp_path / "b.sqlite3")])
    assert restore.exit_code == 1 and "pg_restore" in restore.output
