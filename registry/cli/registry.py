"""`flask registry ...`: import, export, publish (open data), check-keys, figures, demo, backup and restore."""
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn, TextIO

import click
from cryptography.exceptions import InvalidTag
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from registry import backup, figures
from registry.access import SYSTEM
from registry.database import begin_write
from registry.exchange import ExchangeError, export_jsonl, import_jsonl
from registry.exchange import opendata
from registry.extensions import db
from registry.keys import unreadable_persons, wanted_fingerprints
from registry.models import Unit
from registry.search import rebuild_index
from registry.services.demo import DemoRefused, load_demo

registry_cli = AppGroup("registry", help="Import, export, open data, demo data and backups.")


@registry_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(file: Path):
    """Import FILE (exchange format v1, JSON Lines). All or nothing; the same file twice changes nothing."""
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


@registry_cli.command("publish")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait for a build another worker or server is running, then build; or leave at once.")
def publish_command(wait: bool):
    """Build the open-data files now (JSON Lines, CSV, their gzip copies and the manifest) from the public export,
    into OPEN_DATA_DIR. The site serves them from their first byte; readers never see half a file."""
    with opendata.build_lock(wait=wait) as locked:
        if not locked:
            click.echo("另一个发布正在进行，本次未构建 / another build is running; nothing was built", err=True)
            sys.exit(1)
        with click.progressbar(length=opendata.records_upper_bound(), label="发布 / publishing", file=sys.stderr) as bar:
            manifest = opendata.build(progress=bar.update)
    records = manifest["files"][opendata.JSONL_NAME]["records"]
    click.echo(f"built {manifest['build']} (generation {manifest['generation']}, {manifest['day']}) in "
               f"{manifest['build_seconds']:.1f} s: " + ", ".join(f"{kind} {count}" for kind, count in records.items()))


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
    unreadable = list(unreadable_persons(db.session, current_app.extensions["id_vault"]))
    for person_id, masked in unreadable:
        click.echo(f"person {person_id} ({masked}): 无法用本密钥读出 / cannot be read with this key")
    if unreadable:
        _refuse(f"{len(unreadable)} 个身份证号码无法读出：它们是用别的 ID_NUMBER_KEY 写入的（见 docs/deploy.md）",
                f"{len(unreadable)} ID numbers cannot be read: they were written under another ID_NUMBER_KEY "
                "(docs/deploy.md)")
    click.echo("every stored ID number reads back with this key")


@registry_cli.command("figures")
@click.option("--check", is_flag=True, help="Only count them again and list the firms whose kept figures differ.")
def figures_command(check: bool):
    """Count every firm's public figures again from its records (registry/figures.py) and keep them: after
    records were changed by hand in the database. With --check, change nothing and list the differences."""
    differing = figures.mismatches()
    db.session.rollback()
    for unit_id, (kept, counted) in differing.items():
        click.echo(f"unit {unit_id}: kept {kept}, counted {counted}")
    if check:
        if differing:
            _refuse(f"{len(differing)} 家单位的统计数字与记录不符：运行 flask registry figures 重新统计",
                    f"{len(differing)} firms' kept figures differ from their records: run flask registry figures")
        click.echo("每家单位的统计数字与记录相符 / every firm's kept figures match its records")
        return
    begin_write()
    with click.progressbar(length=db.session.scalar(select(func.count()).select_from(Unit)),
                           label="统计 / counting", file=sys.stderr) as bar:
        firms = figures.refresh_all(progress=bar.update)
    db.session.commit()
    click.echo(f"{firms} firms counted; {len(differing)} had differed")


@registry_cli.command("demo")
@click.option("--firms", default=300, show_default=True, help="How many firms to generate.")
def demo_command(firms: int):
    """Load the deterministic demo data set (and demo accounts); refused in production."""
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
    started = time.monotonic()
    try:
        backup.back_up(db.engine, file)
    except backup.Refused as refusal:
        _refuse(refusal.chinese, refusal.english)
    click.echo(f"backup written to {file}: {file.stat().st_size} bytes in {time.monotonic() - started:.1f} s")


@registry_cli.command("restore")
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current database.")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(yes: bool, file: Path):
    """Replace the database with the backup FILE (checked first: if refused, nothing changes) and reindex."""
    try:
        target = backup.restore_target(db.engine)
        backup.check_restorable(file, target, current_app.extensions["id_vault"],
                                wanted_fingerprints(current_app.config))
    except backup.Refused as refusal:
        _refuse(refusal.chinese, refusal.english)
    if not yes:
        click.confirm(f"replace every record of {target} with {file}?", abort=True)
    db.session.remove()
    db.engine.dispose()
    started = time.monotonic()
    with click.progressbar(length=backup.page_count(file), label="恢复 / restoring", file=sys.stderr) as bar:
        total = backup.restore(file, target, progress=lambda copied: bar.update(copied - bar.pos))
    count = rebuild_index()
    click.echo(f"restored {total} pages from {file} in {time.monotonic() - started:.1f} s; "
               f"search index rebuilt with {count} documents")


def _refuse(chinese: str, english: str) -> NoReturn:
    click.echo(f"{chinese} / {english}", err=True)
    sys.exit(1)
