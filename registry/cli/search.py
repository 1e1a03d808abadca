"""`flask search ...`: rebuild the search index from the database, or check it against the database."""
import time

import click
from flask.cli import AppGroup

from registry.search import check_index, rebuild_index

search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
@click.option("--procs", default=2, show_default=True, help="Writer processes for the build.")
def reindex(procs: int) -> None:
    """Rebuild the index from the database into a new directory and swap it in."""
    started = time.monotonic()
    count = rebuild_index(procs=max(1, procs))
    click.echo(f"indexed {count} documents in {time.monotonic() - started:.1f} s")


@search_cli.command("check")
@click.option("--dry-run", is_flag=True, help="Report only; do not rebuild.")
def check(dry_run: bool) -> None:
    """Compare the index with the database (documents, their text and order, pending changes); rebuild it when
    they differ. Run it after a crash or unclean shutdown, before the workers start, and nightly."""
    started = time.monotonic()
    found = check_index(repair=not dry_run)
    if found is None:
        click.echo("the PostgreSQL backend writes its documents in the data's own transactions: nothing to check")
        return
    for name in found.interrupted_builds:
        click.echo(f"removed the directory of an interrupted rebuild: {name}")
    if found.unreadable:
        click.echo(f"the index cannot be read: {found.unreadable}")
    else:
        click.echo(f"{found.indexed} documents in the index, {found.documents} in the database: "
                   f"{found.missing} missing, {found.extra} extra, {found.stale} stale, "
                   f"{found.out_of_order} out of ranking order; {found.pending} changes pending")
    if found.consistent:
        click.echo(f"the index matches the database ({time.monotonic() - started:.1f} s)")
    elif found.rebuilt is not None:
        click.echo(f"rebuilt: indexed {found.rebuilt} documents ({time.monotonic() - started:.1f} s)")
    else:
        click.echo("the index differs from the database; run without --dry-run to rebuild it")
        raise SystemExit(1)
