"""`flask search ...`: rebuild the search index from the database."""
import time

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The full-text search index.")


@search_cli.command("reindex")
@click.option("--procs", default=2, show_default=True, help="Writer processes for the build.")
def reindex(procs: int) -> None:
    """Rebuild the index from the database into a new directory and swap it in."""
    from registry.search import rebuild_index

    started = time.monotonic()
    count = rebuild_index(procs=max(1, procs))
    click.echo(f"indexed {count} documents in {time.monotonic() - started:.1f} s")
