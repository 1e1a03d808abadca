"""Flask commands: `flask registry ...` (import, export, check-keys, demo, backup, restore), `flask search ...`
(reindex, check) and `flask accounts ...` (the national administrator's account commands)."""
from flask import Flask

from registry.cli.accounts import accounts_cli
from registry.cli.registry import registry_cli
from registry.cli.search import search_cli


def register_cli(app: Flask) -> None:
    """Mount the three command groups on the app's `flask` command."""
    app.cli.add_command(registry_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(accounts_cli)
