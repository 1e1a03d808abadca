"""`flask accounts ...`: the national administrator's commands for accounts."""
from flask.cli import AppGroup

accounts_cli = AppGroup("accounts", help="Create regulator and administrator accounts.")
