"""Flask commands: `flask registry import|export|demo`, `flask search reindex`, `flask accounts ...`."""
from flask import Flask
from flask.cli import AppGroup

registry_cli = AppGroup("registry", help="Import, export and demo data.")


def register_cli(app: Flask) -> None:
    from registry.regulator.cli import accounts_cli
    from registry.search.cli import search_cli

    app.cli.add_command(registry_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(accounts_cli)
