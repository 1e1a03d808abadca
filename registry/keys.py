"""The registry's two keys, and the database's record of them (docs/deploy.md).

SECRET_KEY signs sessions and CSRF tokens; ID_NUMBER_KEY encrypts ID numbers and keys their lookup hash. Every
server on one database must hold the same two, so the database keeps a fingerprint of each (an HMAC of a
constant under the key: it reveals nothing of the key) and a server holding another key refuses to start, saying
how to fix it. A key comes from the caller, the environment or the instance folder; it is generated into the
instance folder only while the database holds no record, and never in production (REGISTRY_PRODUCTION=1), where
both keys come from the environment.
"""
import hashlib
import hmac
import logging
import os
import secrets
from base64 import b64decode, b64encode
from collections.abc import Iterator
from pathlib import Path

from cryptography.exceptions import InvalidTag
from flask import Flask
from sqlalchemy import inspect, insert, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from registry.errors import error_response
from registry.extensions import db
from registry.i18n import current_locale
from registry.models import KeyFingerprint, Person
from registry.rules.errors import RuleViolation
from registry.vault import IdNumberVault

log = logging.getLogger(__name__)

KEY_FILES = {"SECRET_KEY": "secret_key", "ID_NUMBER_KEY": "id_number_key"}  # the key, and its instance file
KEY_BYTES = 32
FINGERPRINT_CONSTANT = b"soil-remediation registry: key fingerprint v1"
RECORD_TABLES = ("account", "unit", "person")  # a database holding a row of any of these holds data
CHECK_BATCH = 1000


UNREADABLE = RuleViolation("id_number", "该身份证号码是用另一个密钥写入的，无法读出：请系统管理员运行 flask registry check-keys",
                           "this ID number was written under another key and cannot be read: the system "
                           "administrator should run flask registry check-keys")


class KeyProblem(RuntimeError):
    """The server's keys cannot be used with this database; the message says how to fix it."""


def fingerprint(key: bytes | str) -> str:
    """The keyed hash of a constant under `key`: equal keys, equal fingerprints; nothing of the key."""
    raw = key.encode() if isinstance(key, str) else key
    return hmac.new(raw, FINGERPRINT_CONSTANT, hashlib.sha256).hexdigest()


def given_key(name: str, instance: Path, overrides: dict, production: bool) -> bytes | str | None:
    """The key from the caller, the environment or an instance file that exists; None when there is none yet."""
    if overrides.get(name):
        return overrides[name]
    from_env = os.environ.get(name)
    if from_env:
        return b64decode(from_env) if name == "ID_NUMBER_KEY" else from_env
    if production:
        missing = [key for key in KEY_FILES if not (overrides.get(key) or os.environ.get(key))]
        raise KeyProblem(
            f"生产环境（REGISTRY_PRODUCTION=1）的两个密钥都须由环境变量给出，缺少：{'、'.join(missing)} / "
            f"REGISTRY_PRODUCTION=1 needs both keys in the environment, and {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} missing: set SECRET_KEY and ID_NUMBER_KEY (base64 of 32 random "
            "bytes) to the values every server of this database uses (docs/deploy.md)")
    path = instance / KEY_FILES[name]
    return read_secret_file(path) if path.exists() else None


def read_secret_file(path: Path) -> bytes:
    return b64decode(path.read_text().strip())


def create_secret_file(path: Path) -> bytes:
    """A new random key in `path` (mode 0600), or the one another process made first. The key is written whole
    into a temporary file, then linked to its name: the name never shows a partial key, and of two processes
    racing, one links and the other reads what it linked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(b64encode(secrets.token_bytes(KEY_BYTES)).decode())
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    finally:
        temporary.unlink(missing_ok=True)
    return read_secret_file(path)


def settle_keys(app: Flask) -> None:
    """Complete the app's keys and hold them against the database's fingerprints: generate a missing key only
    while the database holds no record, record the fingerprints on first start, refuse other keys."""
    instance = Path(app.instance_path)
    missing = [name for name in KEY_FILES if not app.config.get(name)]
    with app.app_context():
        engine = db.engine
        try:
            _settle(app, engine, instance, missing)
        finally:
            engine.dispose()  # no connection outlives the start (gunicorn forks workers from a preloaded app)


def _settle(app: Flask, engine, instance: Path, missing: list[str]) -> None:
    try:
        with engine.connect() as connection:
            recorded = _recorded(connection)
            holds_data = bool(recorded) or _holds_records(connection)
    except SQLAlchemyError as error:
        if missing:
            raise KeyProblem(
                f"数据库无法连接，无法判断能否生成密钥 {'、'.join(missing)} / the database does not answer, so this "
                f"server cannot tell whether it may generate {' and '.join(missing)}: start it when the database "
                f"answers ({type(error).__name__})") from None
        log.warning("the keys were not compared with the database, which did not answer (%s); /healthz says 503 "
                    "until it does", type(error).__name__)
        return
    for name in missing:
        if holds_data:
            raise KeyProblem(_missing_message(name, instance))
        app.config[name] = create_secret_file(instance / KEY_FILES[name])
    if recorded is not None:
        _compare_or_record(engine, app.config, recorded)


def unreadable_number(error: InvalidTag):
    """A stored number this key cannot decrypt (written by a server that held another key): a 409 saying what to
    do, never a 500."""
    log.warning("an ID number could not be decrypted with this server's key: run flask registry check-keys")
    return error_response(409, UNREADABLE.message(current_locale()))


def wanted_fingerprints(config) -> dict[str, str]:
    return {name: fingerprint(config[name]) for name in KEY_FILES}


def keys_match(connection, config) -> bool:
    """Whether the database records exactly this app's keys (for /healthz)."""
    return _recorded(connection) == wanted_fingerprints(config)


def _recorded(connection) -> dict[str, str] | None:
    """The recorded fingerprints; None before the migration that made their table."""
    if not inspect(connection).has_table(KeyFingerprint.__tablename__):
        return None
    table = KeyFingerprint.__table__
    return dict(connection.execute(select(table.c.name, table.c.fingerprint)).all())


def _holds_records(connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return any(connection.exec_driver_sql(f"SELECT 1 FROM {name} LIMIT 1").first()  # nosec B608: fixed names
               for name in RECORD_TABLES if name in tables)


def _compare_or_record(engine, config, recorded: dict[str, str]) -> None:
    wanted = wanted_fingerprints(config)
    _refuse_mismatch(recorded, wanted)
    new = [name for name in wanted if name not in recorded]
    if not new:
        return
    if "ID_NUMBER_KEY" in new:
        # a database from before fingerprints: the key must read the numbers already stored
        with engine.connect() as connection:
            sample = connection.execute(select(Person.id_number_ciphertext, Person.id_number_hmac).limit(1)).first()
        if sample and not readable(IdNumberVault(config["ID_NUMBER_KEY"]), *sample):
            raise KeyProblem(_mismatch_message(["ID_NUMBER_KEY"]))
    try:
        with engine.begin() as connection:
            connection.execute(insert(KeyFingerprint), [{"name": name, "fingerprint": wanted[name]} for name in new])
    except IntegrityError:  # another server recorded its keys at the same moment: they must be ours
        with engine.connect() as connection:
            _refuse_mismatch(_recorded(connection), wanted)


def _refuse_mismatch(recorded: dict[str, str], wanted: dict[str, str]) -> None:
    mismatched = [name for name in wanted if recorded.get(name, wanted[name]) != wanted[name]]
    if mismatched:
        raise KeyProblem(_mismatch_message(mismatched))


def _mismatch_message(names: list[str]) -> str:
    return (f"本服务器的 {'、'.join(names)} 与写入此数据库的密钥不同，拒绝启动：请从第一台服务器复制 instance/secret_key 和 "
            f"instance/id_number_key（或设置相同的 SECRET_KEY、ID_NUMBER_KEY 环境变量）后再启动 / this server's "
            f"{' and '.join(names)} {'is' if len(names) == 1 else 'are'} not the key this database was written "
            "with, so it refuses to start: copy instance/secret_key and instance/id_number_key from the first "
            "server (or set the same SECRET_KEY and ID_NUMBER_KEY in the environment), then start again "
            "(docs/deploy.md)")


def _missing_message(name: str, instance: Path) -> str:
    return (f"数据库已有记录，而本服务器没有 {name}，不会生成新密钥：请从第一台服务器复制 instance/secret_key 和 "
            f"instance/id_number_key 到 {instance}（或设置 SECRET_KEY、ID_NUMBER_KEY 环境变量）后再启动 / the "
            f"database already holds records and this server has no {name}, so it will not generate one: copy "
            f"instance/secret_key and instance/id_number_key from the first server into {instance} (or set "
            "SECRET_KEY and ID_NUMBER_KEY in the environment), then start again (docs/deploy.md)")


def readable(vault: IdNumberVault, ciphertext: bytes, lookup_hash: str) -> bool:
    """Whether `vault` decrypts a stored number and gives the same lookup hash."""
    try:
        return vault.lookup_hash(vault.decrypt(ciphertext)) == lookup_hash
    except (InvalidTag, ValueError):
        return False


def unreadable_persons(session, vault: IdNumberVault) -> Iterator[tuple[int, str]]:
    """(id, masked number) of every person whose stored number this key cannot read back."""
    last = 0
    while True:
        rows = session.execute(
            select(Person.id, Person.id_number_masked, Person.id_number_ciphertext, Person.id_number_hmac)
            .where(Person.id > last).order_by(Person.id).limit(CHECK_BATCH)).all()
        if not rows:
            return
        for row in rows:
            if not readable(vault, row.id_number_ciphertext, row.id_number_hmac):
                yield row.id, row.id_number_masked
        last = rows[-1].id
