"""Backups of the SQLite database as files: a consistent copy taken while the app serves, the checks a file must
pass before it may replace the database, and the replacement. (PostgreSQL is backed up with pg_dump.)"""
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from registry import ROOT
from registry.keys import readable
from registry.vault import IdNumberVault

RESTORE_STEP_PAGES = 64  # between steps, other connections still read the old database whole


class Refused(Exception):
    """Why a backup or a restore cannot go ahead, in Chinese and English; nothing was changed."""

    def __init__(self, chinese: str, english: str):
        super().__init__(f"{chinese} / {english}")
        self.chinese = chinese
        self.english = english


def back_up(engine: Engine, file: Path) -> None:
    """A consistent copy of the live SQLite database in FILE (a new file, mode 0600), taken while the app serves."""
    if engine.dialect.name != "sqlite":
        raise Refused("PostgreSQL 数据库请用 pg_dump 备份", "on PostgreSQL, back up with pg_dump")
    if file.exists():
        raise Refused(f"{file} 已存在，请另选文件名", f"{file} exists; choose a new file")
    # VACUUM INTO copies inside one read transaction: a snapshot of one moment while writers go on (WAL), and
    # unlike the backup API it never starts again when another connection writes. A temporary file first, so
    # FILE is never seen half-written.
    # The copy holds password hashes and encrypted ID numbers: the file is made empty with mode 0600 before
    # VACUUM INTO (which accepts an empty file) fills it, and is removed if the copy fails.
    partial = file.with_name(f".{file.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    # the driver's own connection: SQLAlchemy would open a transaction first, and VACUUM refuses to run in one
    connection = engine.raw_connection()
    try:
        connection.driver_connection.execute("VACUUM INTO ?", (str(partial),))
        os.replace(partial, file)
    finally:
        connection.close()
        partial.unlink(missing_ok=True)


def restore_target(engine: Engine) -> Path:
    """The database file a restore replaces; refused on PostgreSQL."""
    if engine.dialect.name != "sqlite":
        raise Refused("PostgreSQL 数据库请用 pg_restore 恢复", "on PostgreSQL, restore with pg_restore")
    return Path(engine.url.database)


def check_restorable(file: Path, target: Path, vault: IdNumberVault, fingerprints: dict[str, str]) -> None:
    """Refuse FILE as a replacement for the database TARGET unless it is a sound backup of this registry: an
    intact SQLite database of the current schema, its foreign keys whole, written under this server's keys
    (`vault` reads its ID numbers; `fingerprints` are this server's key fingerprints). Reads FILE only."""
    problem = _unrestorable(file, target, vault, fingerprints)
    if problem:
        raise Refused(f"未恢复，当前数据库未改动：{problem[0]}",
                      f"not restored, the current database is unchanged: {problem[1]}")


def _unrestorable(file: Path, target: Path, vault: IdNumberVault,
                  fingerprints: dict[str, str]) -> tuple[str, str] | None:
    if not file.is_file():
        return f"{file} 不存在", f"{file} does not exist"
    if target.exists() and file.resolve() == target.resolve():
        return "备份文件就是当前数据库", "the backup is the current database itself"
    heads = set(ScriptDirectory(str(ROOT / "migrations")).get_heads())
    try:
        connection = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return f"无法打开（{error}）", f"cannot be opened ({error})"
    try:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            return (f"完整性检查未通过：{integrity[0]}", f"the integrity check failed: {integrity[0]}")
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
            return "不是本系统的数据库（没有迁移版本）", "not a database of this registry (no migration version)"
        versions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
        if versions != heads:
            return (f"数据库结构版本 {sorted(versions)} 不是当前版本 {sorted(heads)}",
                    f"schema version {sorted(versions)} is not the current {sorted(heads)}")
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            return (f"{len(broken)} 个外键指向不存在的记录", f"{len(broken)} foreign keys point at missing rows")
        sample = connection.execute("SELECT id_number_ciphertext, id_number_hmac FROM person LIMIT 1").fetchone()
        if sample and not readable(vault, *sample):
            return ("备份中的身份证号码不是用本系统的密钥加密的",
                    "the backup's ID numbers were encrypted with another key (ID_NUMBER_KEY)")
        recorded = dict(connection.execute("SELECT name, fingerprint FROM key_fingerprint").fetchall())
        if any(recorded.get(name, mine) != mine for name, mine in fingerprints.items()):
            return ("备份是用另一对密钥写入的（密钥指纹不同）",
                    "the backup was written under other keys (its key fingerprints differ; docs/deploy.md)")
    except sqlite3.DatabaseError as error:
        return f"损坏或不是 SQLite 数据库（{error}）", f"damaged, or not a SQLite database ({error})"
    finally:
        connection.close()
    return None


def page_count(file: Path) -> int:
    """How many pages a restore of FILE copies."""
    source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return source.execute("PRAGMA page_count").fetchone()[0]
    finally:
        source.close()


def restore(file: Path, target: Path, progress: Callable[[int], None] = lambda copied: None) -> int:
    """Copy the backup FILE over the database TARGET (checked first with check_restorable); returns the pages
    copied, calling `progress(pages copied so far)` after each step. The app's connections must be closed."""
    # SQLite's online backup API, straight into the configured database: one write transaction there, so the
    # app's other connections read the old database whole until the last page is in, then the new one. (A new
    # file renamed over the database would leave running workers on the old file and its WAL, which SQLite may
    # then pair with the new one.) Writers wait for the copy, up to the busy timeout.
    source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        total = source.execute("PRAGMA page_count").fetchone()[0]
        source.backup(destination, pages=RESTORE_STEP_PAGES,
                      progress=lambda _status, remaining, pages: progress(pages - remaining))
    finally:
        source.close()
        destination.close()
    return total
