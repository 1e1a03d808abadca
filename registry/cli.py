"""Flask commands: `flask registry import|export|demo`, `flask search reindex`, `flask accounts ...`."""
import click
from flask import Flask
from flask.cli import AppGroup

registry_cli = AppGroup("registry", help="Import, export and demo data.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(registry_cli)
