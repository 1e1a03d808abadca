"""Issue 8, item 7: `flask registry restore` refuses what is not a sound backup of this schema (a corrupt file,
a file that is not a database, another program's database, a database of an older schema, one whose foreign
keys point nowhere, one whose ID numbers another installation's key encrypted, a missing file) with a message
in Chinese and English and exit status 1, and the current database and its search index are exactly as they
were; so does an operator who does not confirm."""
import shutil
import sqlite3

import pytest
from flask_migrate import upgrade

from registry import create_app
from registry.extensions import db
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


@pytest.mark.parametrize("case", CASES)
def test_a_file_that_is_not_a_sound_backup_is_refused_and_nothing_changes(case, app, app_config, runner, tmp_path):
    create(*registry_records())
    found_before = search_ids("江苏苏净环保科技有限公司", "unit")  # the first search builds the index
    backup = tmp_path / "good.sqlite3"
    assert runner.invoke(args=["registry", "backup", str(backup)]).exit_code == 0
    make, chinese, english = CASES[case]
    bad = make(backup, tmp_path, runner) if make is an_export else make(backup, tmp_path)
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
