"""`/healthz` for the load balancer, and 503 instead of 500 while the database does not answer.

`/healthz` answers 200 when the database answers and records this server's two keys, 503 otherwise, with one
short line saying which (never a traceback, never a key). A request that meets a database that has gone away
(a restart, a failover, a full connection table) gets a 503 page, so the load balancer and the reader know to
try again, and the log holds one warning line, not a traceback.
"""
import logging

from flask import Flask, current_app, request
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from registry.errors import error_response
from registry.extensions import db
from registry.keys import keys_match

log = logging.getLogger(__name__)


def init_health(app: Flask) -> None:
    app.add_url_rule("/healthz", "healthz", healthz)
    app.register_error_handler(OperationalError, database_unavailable)


def healthz():
    headers = {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
    try:
        with db.engine.connect() as connection:
            matching = keys_match(connection, current_app.config)
    except SQLAlchemyError as error:
        log.warning("healthz: the database does not answer (%s)", type(error).__name__)
        return "database unavailable\n", 503, headers
    if not matching:
        return "keys do not match the database's fingerprints\n", 503, headers
    return "ok\n", 200, headers


def database_unavailable(error: OperationalError):
    """The database refused or lost the connection (or SQLite could not open or lock its file): a 503."""
    log.warning("the database does not answer (%s): 503 on %s", type(error.orig).__name__, request.path)
    return error_response(503, "")
