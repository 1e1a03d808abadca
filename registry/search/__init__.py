"""Full-text search behind three functions (index a record, remove a record, query); see DESIGN §4.

The database is the source of truth: services write outbox rows (`enqueue_for_index`) in their own
transaction. With Whoosh, after each successful commit `drain_outbox` brings the index in step, one writer at a
time; a missing or unreadable index is rebuilt from the database, never trusted over it. With PostgreSQL
(pg_trgm), the rows are applied inside the writing transaction, just before it commits.

Whoosh does not fsync, and a writer can be killed mid-write (OOM, kill -9, power loss): `check_index` (`flask
search check`) compares the index with a fresh build of the database (every document, its stored text, its
order, any outbox row left) and rebuilds it when they differ. Run it after any crash or unclean shutdown,
before the workers start, and nightly (incremental updates append documents, so their ranking order drifts
from a fresh build's; the check restores it). It reads the whole database, like a rebuild does, so the app
does not run it at each start; a search that finds the index unreadable rebuilds it then.
"""
import logging

from flask import Flask, current_app

from registry.extensions import db
from registry.rules.identifiers import looks_like_full_id_number
from registry.search.backend import IndexCheck, SearchBackend
from registry.search.documents import Scope
from registry.search.outbox import drain_outbox
from registry.search.postgres_backend import PostgresBackend
from registry.search.whoosh_backend import IndexUnavailable, WhooshBackend

log = logging.getLogger(__name__)

__all__ = ["IndexCheck", "Scope", "SearchBackend", "backend", "check_index", "drain_outbox", "estimate_matches",
           "init_search", "rebuild_index", "search_ids"]


def init_search(app: Flask) -> None:
    """Attach the configured backend (SEARCH_BACKEND: "whoosh", or "postgresql", the default on PostgreSQL) and
    keep it in step: Whoosh after every write commit, PostgreSQL inside the writing transaction."""
    configured = app.config.get("SEARCH_BACKEND", "whoosh")
    if configured == "postgresql" and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        search = PostgresBackend(db.session)
    else:
        if configured != "whoosh":
            log.warning("search backend %r needs a PostgreSQL database; using whoosh", configured)
        search = WhooshBackend(app.config["SEARCH_INDEX_DIR"], app.config["SEARCH_LOCK_TIMEOUT"])
    app.extensions["search"] = search
    search.keep_in_step(app)


def backend() -> SearchBackend:
    """The app's search backend."""
    return current_app.extensions["search"]


def search_ids(text: str, record_type: str, *, allowed: set[int] | None = None, scope: Scope | None = None,
               limit: int = 20) -> list[int]:
    """Ids of public firms ("unit") or persons ("person") matching `text`, best first, among the `allowed` ones
    and within `scope` (a backend that `scopes` only) when given.

    A full ID number finds nothing: the public may not confirm a guessed number (DESIGN §7).
    """
    if looks_like_full_id_number(text):
        return []
    try:
        return backend().query(text, record_type, allowed=allowed, scope=scope, limit=limit)
    except IndexUnavailable:
        rebuild_index(only_if_missing=True)
        return backend().query(text, record_type, allowed=allowed, scope=scope, limit=limit)


def estimate_matches(text: str, record_type: str) -> int | None:
    """About how many public firms or persons match `text` (from the index's document frequencies); None when
    the backend cannot say or the index is unreadable (a search rebuilds it)."""
    if looks_like_full_id_number(text):
        return 0
    try:
        return backend().estimate(text, record_type)
    except IndexUnavailable:
        return None


def rebuild_index(procs: int = 1, only_if_missing: bool = False) -> int:
    """Rebuild the whole index from the database and swap it in, keeping the changes written meanwhile.

    With `only_if_missing`, a worker that waited for another one's rebuild uses that one instead.
    """
    return backend().rebuild_from_database(db.session, procs=procs, only_if_missing=only_if_missing)


def check_index(repair: bool = True) -> IndexCheck | None:
    """Compare the index with a fresh build of the database; rebuild it when they differ (`repair`). None on
    the PostgreSQL backend, whose documents are written in the data's own transactions."""
    return backend().check_against_database(db.session, repair=repair)
