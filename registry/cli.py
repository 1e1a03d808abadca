"""Flask commands: `flask registry import|export|demo|backup`, `flask search reindex`, `flask accounts ...`."""
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from registry.services.audit import SYSTEM

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
    from registry.services.exchange import export_jsonl

    count = 0
    with file.open("w", encoding="utf-8") as out:
        for line in export_jsonl(public=public):
            out.write(line)
            count += 1
    if not public:
        file.chmod(0o600)  # a full export holds full ID numbers
    click.echo(f"{count} lines written")


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
    """A consistent copy of the live database: SQLite's VACUUM INTO (never a file copy); pg_dump on PostgreSQL."""
    from registry.extensions import db

    if db.engine.dialect.name != "sqlite":
        click.echo("on PostgreSQL use pg_dump", err=True)
        sys.exit(1)
    if file.exists():
        click.echo(f"{file} exists; choose a new file", err=True)
        sys.exit(1)
    with db.engine.connect() as connection:
        connection.exec_driver_sql("VACUUM INTO ?", (str(file),))
    click.echo(f"backup written to {file}")
