"""Flask commands: `flask registry import|export|check-keys|demo|backup|restore`, `flask search reindex`, `flask accounts ...`."""
import os
import sqlite3
import sys
import time
from pathlib import Path
from typing import NoReturn

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from registry.access import SYSTEM

registry_cli = AppGroup("registry", help="Import, export, demo data and backups.")


def register_cli(app: Flask) -> None:
    from registry.regulator.cli import accounts_cli
    from registry.search.cli import search_cli

    app.cli.add_command(registry_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(accounts_cli)


@registry_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Import FILE (exchange format v1, JSON Lines). All or nothing; the same file twice changes nothing."""
    from registry.services.exchange import ExchangeError, import_jsonl

    lines = file.read_text(encoding="utf-8").splitlines()
    try:
        with click.progressbar(length=len(lines), label="检查 / checking", file=sys.stderr) as bar:
            report = import_jsonl(SYSTEM, lines, progress=bar.update)
    except ExchangeError as error:
        click.echo(f"导入失败，未写入任何记录 / import refused, nothing was written\n{error.describe()}", err=True)
        sys.exit(1)
    click.echo(f"{report.lines} lines; created {report.created or 0}; updated {report.updated or 0}; "
               f"unchanged {report.unchanged}")


@registry_cli.command("export")
@click.option("--public", is_flag=True, help="Only what the public may see today, masked (open data).")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def export_command(public: bool, file: Path):
    """Export every record to FILE (a backup with full ID numbers), or with --public the open data."""
    from cryptography.exceptions import InvalidTag

    from registry.services.exchange import export_jsonl

    count = 0
    try:
        with private_file(file) as out:
            for line in export_jsonl(public=public):
                out.write(line)
                count += 1
    except InvalidTag:
        _refuse("有身份证号码无法用本服务器的密钥解密，未写入文件：请运行 flask registry check-keys",
                "an ID number cannot be decrypted with this server's key, and no file was written: run "
                "flask registry check-keys")
    click.echo(f"{count} lines written")


@contextmanager
def private_file(file: Path) -> Iterator[TextIO]:
    """FILE written whole or not at all, readable by its owner only from its first byte (mode 0600): a temporary
    file in the same folder, renamed to FILE on success and removed on any failure."""
    partial = file.with_name(f".{file.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, file)
    finally:
        partial.unlink(missing_ok=True)


@registry_cli.command("check-keys")
def check_keys_command():
    """Read back every stored ID number with this server's key; list the persons whose number it cannot read."""
    from registry.extensions import db
    from registry.keys import unreadable_persons

    unreadable = list(unreadable_persons(db.session, current_app.extensions["id_vault"]))
    for person_id, masked in unreadable:
        click.echo(f"person {person_id} ({masked}): 无法用本密钥读出 / cannot be read with this key")
    if unreadable:
        _refuse(f"{len(unreadable)} 个身份证号码无法读出：它们是用别的 ID_NUMBER_KEY 写入的（见 docs/deploy.md）",
                f"{len(unreadable)} ID numbers cannot be read: they were written under another ID_NUMBER_KEY "
                "(docs/deploy.md)")
    click.echo("every stored ID number reads back with this key")


@registry_cli.command("demo")
@click.option("--firms", default=300, show_default=True, help="How many firms to generate.")
def demo_command(firms: int):
    """Load the deterministic demo data set (and demo accounts); refused in production."""
    from registry.services.demo import DemoRefused, load_demo

    if current_app.config["PRODUCTION"]:
        click.echo("演示数据不能在生产环境加载 / demo data is refused when REGISTRY_PRODUCTION=1", err=True)
        sys.exit(1)
    try:
        with click.progressbar(length=100, label="演示数据 / demo data", file=sys.stderr) as bar:
            summary = load_demo(firms=firms, progress=bar.update)
    except DemoRefused as refusal:
        click.echo(str(refusal), err=True)
        sys.exit(1)
    click.echo(summary)


@registry_cli.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(file: Path):
    """A consistent copy of the live database, taken while the app serves (SQLite; pg_dump on PostgreSQL)."""
    from registry.extensions import db

    if db.engine.dialect.name != "sqlite":
        _refuse("PostgreSQL 数据库请用 pg_dump 备份", "on PostgreSQL, back up with pg_dump")
    if file.exists():
        _refuse(f"{file} 已存在，请另选文件名", f"{file} exists; choose a new file")
    # VACUUM INTO copies inside one read transaction: a snapshot of one moment while writers go on (WAL), and
    # unlike the backup API it never starts again when another connection writes. A temporary file first, so
    # FILE is never seen half-written.
    # The copy holds password hashes and encrypted ID numbers: the file is made empty with mode 0600 before
    # VACUUM INTO (which accepts an empty file) fills it, and is removed if the copy fails.
    partial = file.with_name(f".{file.name}.partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    started = time.monotonic()
    # the driver's own connection: SQLAlchemy would open a transaction first, and VACUUM refuses to run in one
    connection = db.engine.raw_connection()
    try:
        connection.driver_connection.execute("VACUUM INTO ?", (str(partial),))
        os.replace(partial, file)
    finally:
        connection.close()
        partial.unlink(missing_ok=True)
    click.echo(f"backup written to {file}: {file.stat().st_size} bytes in {time.monotonic() - started:.1f} s")


RESTORE_STEP_PAGES = 64  # between steps, other connections still read the old database whole


@registry_cli.command("restore")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current database.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(yes: bool, file: Path):
    """Replace the database with the backup FILE (checked first: if refused, nothing changes) and reindex."""
    from registry.extensions import db
    from registry.search import rebuild_index

    if db.engine.dialect.name != "sqlite":
        _refuse("PostgreSQL 数据库请用 pg_restore 恢复", "on PostgreSQL, restore with pg_restore")
    target = Path(db.engine.url.database)
    problem = _unrestorable(file, target)
    if problem:
        _refuse(f"未恢复，当前数据库未改动：{problem[0]}",
                f"not restored, the current database is unchanged: {problem[1]}")
    if not yes:
        click.confirm(f"replace every record of {target} with {file}?", abort=True)
    db.session.remove()
    db.engine.dispose()
    # SQLite's online backup API, straight into the configured database: one write transaction there, so the
    # app's other connections read the old database whole until the last page is in, then the new one. (A new
    # file renamed over the database would leave running workers on the old file and its WAL, which SQLite may
    # then pair with the new one.) Writers wait for the copy, up to the busy timeout.
    started = time.monotonic()
    source = sqlite3.connect(f"{file.resolve().as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=30)
    try:
        total = source.execute("PRAGMA page_count").fetchone()[0]
        with click.progressbar(length=total, label="恢复 / restoring", file=sys.stderr) as bar:
            def copied(_status, remaining, pages):
                bar.update(pages - remaining - bar.pos)

            source.backup(destination, pages=RESTORE_STEP_PAGES, progress=copied)
    finally:
        source.close()
        destination.close()
    count = rebuild_index()
    click.echo(f"restored {total} pages from {file} in {time.monotonic() - started:.1f} s; "
               f"search index rebuilt with {count} documents")


def _unrestorable(file: Path, target: Path) -> tuple[str, str] | None:
    """Why FILE cannot replace the database, in Chinese and English; None when it can."""
    from alembic.script import ScriptDirectory

    from registry import ROOT
    from registry.keys import readable, wanted_fingerprints

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
        if sample and not readable(current_app.extensions["id_vault"], *sample):
            return ("备份中的身份证号码不是用本系统的密钥加密的",
                    "the backup's ID numbers were encrypted with another key (ID_NUMBER_KEY)")
        recorded = dict(connection.execute("SELECT name, fingerprint FROM key_fingerprint").fetchall())
        if any(recorded.get(name, mine) != mine for name, mine in wanted_fingerprints(current_app.config).items()):
            return ("备份是用另一对密钥写入的（密钥指纹不同）",
                    "the backup was written under other keys (its key fingerprints differ; docs/deploy.md)")
    except sqlite3.DatabaseError as error:
        return f"损坏或不是 SQLite 数据库（{error}）", f"damaged, or not a SQLite database ({error})"
    finally:
        connection.close()
    return None


def _refuse(chinese: str, english: str) -> NoReturn:
    click.echo(f"{chinese} / {english}", err=True)
    sys.exit(1)
