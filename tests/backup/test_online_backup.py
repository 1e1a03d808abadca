"""`flask registry backup FILE` copies the database while another process keeps writing, and
every copy is a consistent snapshot: integrity "ok", every foreign key resolves, and the audit log's import
events account for exactly the firms and projects the copy holds."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.backup.conftest import SQLITE_BACKUPS, sqlite_path, soundness
from tests.factories import create, unit_record

pytestmark = pytest.mark.sqlite_only(reason=SQLITE_BACKUPS)

ROOT = Path(__file__).resolve().parents[2]
WRITES = 300


def test_backups_taken_while_another_process_writes_are_consistent_snapshots(app, app_config, runner, tmp_path):
    create(unit_record(name="备份前已有的修复有限公司"))
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.backup.writer", app_config["SQLALCHEMY_DATABASE_URI"],
         app_config["SEARCH_INDEX_DIR"], str(WRITES)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        writer.stdout.readline()  # its first firm is in: the writer is running
        backups = []
        while writer.poll() is None and len(backups) < 12:
            backup = tmp_path / f"backup-{len(backups)}.sqlite3"
            result = runner.invoke(args=["registry", "backup", str(backup)])
            assert result.exit_code == 0, result.output
            backups.append(backup)
        errors = writer.communicate(timeout=120)[1]
    finally:
        writer.kill()
        writer.communicate()
    assert writer.returncode == 0, errors

    snapshots = [soundness(backup) for backup in backups]
    for snapshot in snapshots:
        assert snapshot["integrity"] == ["ok"]
        assert snapshot["broken_foreign_keys"] == []
        assert snapshot["audited"] == {"unit": snapshot["units"], "project": snapshot["projects"]}
        assert snapshot["projects"] == snapshot["units"] - 1  # the writer's firms come with one project each
    taken_during_writes = {snapshot["units"] for snapshot in snapshots}
    assert len(taken_during_writes) > 1, "every backup saw the same moment: none overlapped the writer"
    assert soundness(sqlite_path(app_config["SQLALCHEMY_DATABASE_URI"]))["units"] == WRITES + 1  # 0 writes lost
    assert all(oct(backup.stat().st_mode)[-3:] == "600" for backup in backups)
    print(f"\n{len(backups)} backups while {WRITES} imports ran; firms per backup {sorted(taken_during_writes)}")


def test_a_backup_never_overwrites_a_file(runner, app, tmp_path):
    existing = tmp_path / "keep.sqlite3"
    existing.write_bytes(b"yesterday's backup")
    result = runner.invoke(args=["registry", "backup", str(existing)])
    assert result.exit_code == 1
    assert "已存在" in result.output and "exists" in result.output
    assert existing.read_bytes() == b"yesterday's backup"
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".partial")]
