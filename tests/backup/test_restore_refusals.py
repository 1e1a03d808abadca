"""A restore refuses what is not a sound backup of this schema (a corrupt file, a file that is not a database,
another program's database, a database of an older schema, one whose foreign keys point nowhere, one whose ID
numbers another installation's key encrypted, a missing file, the current database itself) with a message in
Chinese and English: each refusal is checked on `registry.backup` directly. Through `flask registry restore` a
refusal is exit status 1 with that message, and the current database and its search index are exactly as they
were; so does an operator who does not confirm."""
import shutil
import sqlite3

import pytest
from flask import current_app
from flask_migrate import upgrade

from registry.app import create_app
from registry.backup import Refused, back_up, check_restorable
from registry.extensions import db
from registry.keys import wanted_fingerprints
from registry.search import search_ids
from registry.vault import IdNumberVault
from tests.backup.conftest import SQLITE_BACKUPS, sqlite_path, table_hashes
from tests.factories import create
from tests.portal.conftest import registry_records

pytestmark = pytest.mark.sqlite_only(reason=SQLITE_BACKUPS)


def corrupt(backup, tmp_path):
    """Pages 3 to 6 of a good backup overwritten, as a failing disk would."""
    broken = tmp_path / "corrupt.sqlite3"
    shutil.copyfile(backup, broken)
    with broken.open("r+b") as f:
        f.seek(4096 * 2)
        f.write(b"\xa5" * 4096 * 4)
    return broken


def an_export(backup, tmp_path, runner):
    """The JSON Lines export given by mistake instead of the backup."""
    export = tmp_path / "registry.jsonl"
    assert runner.invoke(args=["registry", "export", str(export)]).exit_code == 0
    return export


def another_programs_database(backup, tmp_path):
    other = tmp_path / "notes.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, text TEXT)")
        connection.execute("INSERT INTO note (text) VALUES ('not a registry')")
    connection.close()
    return other


def an_older_schema(backup, tmp_path):
    """A database migrated only to revision 0002, the schema before the current one."""
    older = tmp_path / "older.sqlite3"
    app = create_app({"SECRET_KEY": "x", "ID_NUMBER_KEY": b"k" * 32, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{older}",
                      "SEARCH_INDEX_DIR": str(tmp_path / "older-ix")})
    with app.app_context():
        upgrade(revision="0002")
        db.engine.dispose()
    return older


def dangling_foreign_keys(backup, tmp_path):
    """A backup in which a firm was deleted from under its projects (foreign keys not enforced)."""
    broken = tmp_path / "dangling.sqlite3"
    shutil.copyfile(backup, broken)
    with sqlite3.connect(broken) as connection:
        connection.execute("DELETE FROM unit WHERE id = (SELECT unit_id FROM project LIMIT 1)")
    connection.close()
    return broken


def another_key(backup, tmp_path):
    """A backup of another installation, whose ID numbers were encrypted with its own key."""
    foreign = tmp_path / "foreign.sqlite3"
    shutil.copyfile(backup, foreign)
    vault = IdNumberVault(b"another installation's key......")
    with sqlite3.connect(foreign) as connection:
        for person_id, masked in connection.execute("SELECT id, id_number_masked FROM person").fetchall():
            number = masked.replace("********", "19800101")
            connection.execute("UPDATE person SET id_number_ciphertext = ?, id_number_hmac = ? WHERE id = ?",
                               (vault.encrypt(number), vault.lookup_hash(number), person_id))
    connection.close()
    return foreign


def missing(backup, tmp_path):
    return tmp_path / "no-such-backup.sqlite3"


CASES = {
    "corrupt": (corrupt, "损坏或不是 SQLite 数据库", "damaged, or not a SQLite database (database disk image is "
                                                     "malformed)"),
    "export": (an_export, "损坏或不是 SQLite 数据库", "damaged, or not a SQLite database (file is not a database)"),
    "other program": (another_programs_database, "不是本系统的数据库", "not a database of this registry"),
    "older schema": (an_older_schema, "不是当前版本", "is not the current"),
    "dangling": (dangling_foreign_keys, "外键指向不存在的记录", "foreign keys point at missing rows"),
    "another key": (another_key, "不是用本系统的密钥加密的", "encrypted with another key (ID_NUMBER_KEY)"),
    "missing": (missing, "不存在", "does not exist"),
}


def refusal(bad, current):
    """What check_restorable says of BAD as a replacement for the database CURRENT."""
    with pytest.raises(Refused) as refused:
        check_restorable(bad, current, current_app.extensions["id_vault"], wanted_fingerprints(current_app.config))
    return refused.value


@pytest.mark.parametrize("case", CASES)
def test_a_file_that_is_not_a_sound_backup_is_refused(case, app, app_config, runner, tmp_path):
    create(*registry_records())
    backup = tmp_path / "good.sqlite3"
    back_up(db.engine, backup)
    make, chinese, english = CASES[case]
    bad = make(backup, tmp_path, runner) if make is an_export else make(backup, tmp_path)
    current = sqlite_path(app_config["SQLALCHEMY_DATABASE_URI"])

    refused = refusal(bad, current)

    assert refused.chinese.startswith("未恢复，当前数据库未改动：") and chinese in refused.chinese
    assert refused.english.startswith("not restored, the current database is unchanged: ") and english in refused.english


def test_the_current_database_is_not_a_backup_of_itself(app, app_config):
    current = sqlite_path(app_config["SQLALCHEMY_DATABASE_URI"])

    refused = refusal(current, current)

    assert "备份文件就是当前数据库" in refused.chinese and "the backup is the current database itself" in refused.english


def test_a_sound_backup_passes_the_checks(app, app_config, tmp_path):
    create(*registry_records())
    backup = tmp_path / "good.sqlite3"
    back_up(db.engine, backup)

    check_restorable(backup, sqlite_path(app_config["SQLALCHEMY_DATABASE_URI"]), current_app.extensions["id_vault"],
                     wanted_fingerprints(current_app.config))


def test_a_backup_never_overwrites_a_file(app, tmp_path):
    existing = tmp_path / "taken.sqlite3"
    existing.write_bytes(b"someone's file")

    with pytest.raises(Refused) as refused:
        back_up(db.engine, existing)

    assert "已存在" in refused.value.chinese and "exists; choose a new file" in refused.value.english
    assert existing.read_bytes() == b"someone's file"


@pytest.mark.parametrize("case", ["corrupt", "another key"])
def test_the_restore_command_refuses_and_nothing_changes(case, app, app_config, runner, tmp_path):
    """The command's wiring: the file is checked before anything is touched, and the refusal is exit status 1."""
    create(*registry_records())
    found_before = search_ids("江苏苏净环保科技有限公司", "unit")  # the first search builds the index
    backup = tmp_path / "good.sqlite3"
    assert runner.invoke(args=["registry", "backup", str(backup)]).exit_code == 0
    make, chinese, english = CASES[case]
    bad = make(backup, tmp_path)
    current = sqlite_path(app_config["SQLALCHEMY_DATABASE_URI"])
    before = table_hashes(current)

    result = runner.invoke(args=["registry", "restore", "--yes", str(bad)])

    assert result.exit_code == 1
    assert "未恢复，当前数据库未改动" in result.output and "not restored, the current database is unchanged" in result.output
    assert chinese in result.output and english in result.output
    assert table_hashes(current) == before
    assert found_before and search_ids("江苏苏净环保科技有限公司", "unit") == found_before


def test_an_operator_who_does_not_confirm_keeps_the_current_database(app, app_config, runner, tmp_path):
    backup = tmp_path / "empty-registry.sqlite3"
    assert runner.invoke(args=["registry", "backup", str(backup)]).exit_code == 0
    create(*registry_records())
    current = sqlite_path(app_config["SQLALCHEMY_DATABASE_URI"])
    before = table_hashes(current)

    result = runner.invoke(args=["registry", "restore", str(backup)], input="n\n")

    assert result.exit_code == 1 and "replace every record" in result.output and "Aborted" in result.output
    assert table_hashes(current) == before
