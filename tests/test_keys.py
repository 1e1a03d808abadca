"""The two keys, held against the database's fingerprints. Two app instances with their own instance
folders on one database: the second refuses to start until it holds the first's keys, and then reads the first's
ID numbers, sessions and CSRF tokens. A key is never generated over a database that holds records, production
needs both keys from the environment, and `flask registry check-keys` names the rows a key cannot read."""
import base64
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from registry.access import SYSTEM
from registry.app import create_app
from registry.extensions import db as _db
from registry.keys import KeyProblem, fingerprint
from registry.models import KeyFingerprint, Person
from registry.services.regulator_accounts import create_regulator
from registry.vault import IdNumberVault
from tests import factories as f
from tests.regulator.conftest import PASSWORD

NUMBER = "370202198403120458"


def start(database_url: str, instance: Path, **config):
    """An app with its own instance folder and no key given: as a freshly cloned server starts."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_INDEX_DIR": str(instance / "ix"),
                      "TODAY": "2026-11-26", **config}, instance_path=str(instance))
    return app


def stop(app):
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_a_second_server_refuses_other_keys_and_with_the_first_ones_reads_its_numbers_sessions_and_tokens(
        database_url, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    first = start(database_url, one, WTF_CSRF_ENABLED=True)
    with first.app_context():
        unit = f.unit_record(division_code="370202")
        f.create(unit, f.person_record(unit["uscc"], NUMBER))
        person_id = _db.session.scalar(select(Person.id))
        create_regulator(SYSTEM, username="qd-official", display_name="王监管", division_code="370200",
                         authority_name="青岛市生态环境局", password=PASSWORD)
        _db.session.remove()

    # no key of its own: it will not generate one over a database that holds records
    with pytest.raises(KeyProblem, match="will not generate one.*copy instance/secret_key and instance/id_number_key"):
        start(database_url, two)
    assert not (two / "id_number_key").exists() and not (two / "secret_key").exists()
    # keys of its own, made elsewhere: refused by the fingerprints, naming the fix
    two.mkdir(exist_ok=True)  # the refused start may have made the (empty) folder
    for name in ("secret_key", "id_number_key"):
        (two / name).write_text(base64.b64encode(bytes(range(32))).decode())
    with pytest.raises(KeyProblem, match=r"SECRET_KEY and ID_NUMBER_KEY are not the key this database was written "
                                         r"with.*copy instance/secret_key and instance/id_number_key"):
        start(database_url, two)

    for name in ("secret_key", "id_number_key"):
        shutil.copy(one / name, two / name)
    second = start(database_url, two, WTF_CSRF_ENABLED=True)
    with second.app_context():
        person = _db.session.get(Person, person_id)
        assert second.extensions["id_vault"].decrypt(person.id_number_ciphertext) == NUMBER
        _db.session.remove()

    # a session and a CSRF token made by the first server, used on the second
    browser = first.test_client()
    login_page = browser.get("/login").get_data(as_text=True)
    assert browser.post("/login", data={"username": "qd-official", "password": PASSWORD,
                                        "csrf_token": csrf_token(login_page)}).status_code == 302
    token = csrf_token(browser.get(f"/regulator/persons/{person_id}").get_data(as_text=True))
    other = second.test_client()
    other.set_cookie("session", browser.get_cookie("session").value)
    revealed = other.post(f"/regulator/persons/{person_id}/reveal", data={"csrf_token": token})
    assert revealed.status_code == 200
    assert NUMBER in revealed.get_data(as_text=True)
    stop(first)
    stop(second)


def test_the_database_holds_fingerprints_never_the_keys(app, db):
    rows = dict(db.session.execute(select(KeyFingerprint.name, KeyFingerprint.fingerprint)).all())
    assert rows == {"SECRET_KEY": fingerprint(app.config["SECRET_KEY"]),
                    "ID_NUMBER_KEY": fingerprint(app.config["ID_NUMBER_KEY"])}
    assert all(len(value) == 64 and base64.b64encode(app.config["ID_NUMBER_KEY"]).decode() not in value
               for value in rows.values())


def test_in_production_both_keys_must_come_from_the_environment(database_url, tmp_path, monkeypatch):
    instance = tmp_path / "instance"
    instance.mkdir()
    for name in ("secret_key", "id_number_key"):  # files in instance/ do not count in production
        (instance / name).write_text(base64.b64encode(b"f" * 32).decode())
    monkeypatch.setenv("REGISTRY_PRODUCTION", "1")
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.delenv("ID_NUMBER_KEY", raising=False)
    with pytest.raises(KeyProblem, match="REGISTRY_PRODUCTION=1 needs both keys in the environment, and "
                                         "ID_NUMBER_KEY is missing"):
        start(database_url, instance)
    monkeypatch.setenv("ID_NUMBER_KEY", base64.b64encode(b"e" * 32).decode())
    app = start(database_url, instance)
    assert app.config["ID_NUMBER_KEY"] == b"e" * 32 and app.config["SECRET_KEY"] == "from-the-environment"
    stop(app)


def test_check_keys_names_every_row_written_under_another_key(app, db, runner):
    unit = f.unit_record(division_code="370202")
    f.create(unit, f.person_record(unit["uscc"], NUMBER), f.person_record(unit["uscc"]))
    assert runner.invoke(args=["registry", "check-keys"]).exit_code == 0
    stranger = IdNumberVault(b"s" * 32)  # a row a server with another key wrote (the duplicate person of two servers with different keys)
    person = db.session.scalar(select(Person).where(Person.id_number_masked == "370202********0458"))
    person.id_number_ciphertext = stranger.encrypt(NUMBER)
    db.session.commit()
    result = runner.invoke(args=["registry", "check-keys"])
    assert result.exit_code == 1
    assert f"person {person.id} (370202********0458): 无法用本密钥读出 / cannot be read with this key" in result.output
    assert "1 ID numbers cannot be read" in result.output and NUMBER not in result.output


def test_an_export_that_fails_leaves_no_file_and_a_full_export_is_private_from_its_first_byte(
        app, db, runner, tmp_path):
    unit = f.unit_record(division_code="370202")
    f.create(unit, f.person_record(unit["uscc"], NUMBER))
    written = tmp_path / "full.jsonl"
    assert runner.invoke(args=["registry", "export", str(written)]).exit_code == 0
    assert oct(written.stat().st_mode & 0o777) == "0o600" and NUMBER in written.read_text()
    person = db.session.scalar(select(Person))
    person.id_number_ciphertext = IdNumberVault(b"s" * 32).encrypt(NUMBER)
    db.session.commit()
    failed = tmp_path / "failed.jsonl"
    result = runner.invoke(args=["registry", "export", str(failed)])
    assert result.exit_code == 1 and "run flask registry check-keys" in result.output
    assert list(tmp_path.glob("*failed*")) == []  # neither the file nor its temporary


def test_a_backup_written_under_other_keys_is_not_restored(app, db, runner, app_config, tmp_path):
    if not app_config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("flask registry backup and restore are for SQLite (pg_dump and pg_restore on PostgreSQL)")
    backup = tmp_path / "backup.sqlite3"
    assert runner.invoke(args=["registry", "backup", str(backup)]).exit_code == 0
    with sqlite3.connect(backup) as connection:  # a registry without persons yet, run by a server with another key
        connection.execute("UPDATE key_fingerprint SET fingerprint = ? WHERE name = 'SECRET_KEY'",
                           (fingerprint("another secret key"),))
    connection.close()
    result = runner.invoke(args=["registry", "restore", "--yes", str(backup)])
    assert result.exit_code == 1
    assert "the backup was written under other keys (its key fingerprints differ" in result.output


def test_revealing_a_number_written_under_another_key_says_what_to_do_instead_of_a_500(app, db, client):
    unit = f.unit_record(division_code="370202")
    f.create(unit, f.person_record(unit["uscc"], NUMBER))
    create_regulator(SYSTEM, username="qd-official", display_name="王监管", division_code="370200",
                     authority_name="青岛市生态环境局", password=PASSWORD)
    person = db.session.scalar(select(Person))
    person.id_number_ciphertext = IdNumberVault(b"s" * 32).encrypt(NUMBER)  # as a second server with another key wrote it
    db.session.commit()
    f.login(client, "qd-official", PASSWORD)
    response = client.post(f"/regulator/persons/{person.id}/reveal")
    assert response.status_code == 409
    assert "请系统管理员运行 flask registry check-keys" in response.get_data(as_text=True)
    assert NUMBER not in response.get_data(as_text=True)
