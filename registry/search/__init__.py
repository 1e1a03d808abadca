"""Full-text search behind three functions (index a record, remove a record, query); see DESIGN §4.

The database is the source of truth: services write outbox rows (`enqueue_for_index`) in their own
transaction. With Whoosh, after each successful commit `drain_outbox` brings the index in step, one writer at a
time; a missing or unreadable index is rebuilt from the database, never trusted over it. With PostgreSQL
(pg_trgm), the rows are applied inside the writing transaction, just before it commits.
"""
import logging

from flask import Flask, current_app, has_app_context
from sqlalchemy import delete, event, func, select
from sqlalchemy.orm import Session

from registry.clock import today
from registry.database import begin_write
from registry.extensions import db
from registry.models import SearchOutbox
from registry.rules.identifiers import looks_like_full_id_number
from registry.search.backend import SearchBackend
from registry.search.documents import all_documents, documents_for
from registry.search.postgres_backend import PostgresBackend
from registry.search.whoosh_backend import IndexUnavailable, WhooshBackend

log = logging.getLogger(__name__)
DRAIN_BATCH = 2000

__all__ = ["SearchBackend", "backend", "drain_outbox", "init_search", "rebuild_index", "search_ids"]


def init_search(app: Flask) -> None:
    """Attach the configured backend (SEARCH_BACKEND: "whoosh", or "postgresql", the default on PostgreSQL) and
    keep it in step: Whoosh after every write commit, PostgreSQL inside the writing transaction."""
    configured = app.config.get("SEARCH_BACKEND", "whoosh")
    if configured == "postgresql" and app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.extensions["search"] = PostgresBackend(db.session)
        _listen_before_commit()
        return
    if configured != "whoosh":
        log.warning("search backend %r needs a PostgreSQL database; using whoosh", configured)
    app.extensions["search"] = WhooshBackend(app.config["SEARCH_INDEX_DIR"], app.config["SEARCH_LOCK_TIMEOUT"])
    app.extensions.setdefault("after_write_commit", []).append(drain_outbox)


def _listen_before_commit() -> None:
    if not event.contains(Session, "before_commit", _apply_outbox_before_commit):
        event.listen(Session, "before_commit", _apply_outbox_before_commit)


def _apply_outbox_before_commit(session) -> None:
    """On the PostgreSQL backend, a service's outbox rows become index changes in its own transaction."""
    if not session.info.get("in_service") or not has_app_context():
        return
    search = current_app.extensions.get("search")
    if not getattr(search, "in_database", False) or not current_app.config.get("SEARCH_INDEX_ON_COMMIT", True):
        return
    session.flush()
    while True:
        rows = session.execute(
            select(SearchOutbox.id, SearchOutbox.record_type, SearchOutbox.record_id)
            .order_by(SearchOutbox.id).limit(DRAIN_BATCH)
        ).all()
        if not rows:
            return
        _apply_rows(session, search, rows)


def backend() -> SearchBackend:
    """The app's search backend."""
    return current_app.extensions["search"]


def search_ids(text: str, record_type: str, *, allowed: set[int] | None = None, limit: int = 20) -> list[int]:
    """Ids of public firms ("unit") or persons ("person") matching `text`, best first.

    A full ID number finds nothing: the public may not confirm a guessed number (DESIGN §7).
    """
    if looks_like_full_id_number(text):
        return []
    try:
        return backend().query(text, record_type, allowed=allowed, limit=limit)
    except IndexUnavailable:
        rebuild_index(only_if_missing=True)
        return backend().query(text, record_type, allowed=allowed, limit=limit)


def rebuild_index(procs: int = 1, only_if_missing: bool = False) -> int:
    """Rebuild the whole index from the database into a new directory, swap it in, then drain the outbox.

    With `only_if_missing`, a worker that waited for another one's rebuild uses that one instead.
    """
    search = backend()
    if getattr(search, "in_database", False):
        return _rebuild_in_database(search)
    with search.rebuild_lock():
        if only_if_missing and search.is_ready():
            return 0
        # Outbox rows up to here were committed before the documents are read: the new index has them.
        covered = db.session.scalar(select(func.max(SearchOutbox.id)))
        count = search.rebuild(all_documents(db.session, today()), procs=procs)
    db.session.rollback()  # end the read transaction before taking the write lock
    if covered is not None:
        begin_write()
        db.session.execute(delete(SearchOutbox).where(SearchOutbox.id <= covered))
        db.session.commit()
    drain_outbox()  # changes committed while the new index was being built
    return count


def _rebuild_in_database(search: SearchBackend) -> int:
    """One write transaction: every document afresh, and the outbox emptied (its changes are in them)."""
    begin_write()
    try:
        count = search.rebuild(all_documents(db.session, today()))
        db.session.execute(delete(SearchOutbox))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return count


def drain_outbox() -> int:
    """Apply pending outbox rows to the index and delete them; never fails the request that wrote."""
    drained = 0
    try:
        while True:  # batch after batch (each its own transaction), so a bulk import is drained completely
            count = _drain()
            drained += count
            if count < DRAIN_BATCH:
                return drained
    except Exception as error:  # the rows stay and the next commit (or a reindex) applies them
        db.session.rollback()
        log.warning("search outbox not drained: %s", type(error).__name__)
        return drained


def _drain() -> int:
    session = db.session
    search = backend()
    if session.scalar(select(SearchOutbox.id).limit(1)) is None or not search.is_ready():
        # Nothing to do; or no index yet: the rows stay, and the first search rebuilds the index from the
        # database (which already holds these changes) and drains them then. No write pays for a full build.
        session.rollback()
        return 0
    begin_write()
    rows = session.execute(
        select(SearchOutbox.id, SearchOutbox.record_type, SearchOutbox.record_id)
        .order_by(SearchOutbox.id).limit(DRAIN_BATCH)
    ).all()
    with search.batch():
        _apply_rows(session, search, rows)
    session.commit()
    return len(rows)


def _apply_rows(session, search: SearchBackend, rows) -> None:
    """Index fresh documents for the records of these outbox rows (removing unlisted ones), then delete the rows."""
    for record_type in ("unit", "person"):
        ids = sorted({row.record_id for row in rows if row.record_type == record_type})
        if not ids:
            continue
        documents, gone = documents_for(session, today(), record_type, ids)
        for document in documents:
            search.index_record(document)
        for record_id in gone:
            search.remove_record(record_type, record_id)
    session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in rows])))
