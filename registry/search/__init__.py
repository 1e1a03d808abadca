"""Full-text search behind three functions (index a record, remove a record, query); see DESIGN §4.

The database is the source of truth: services write outbox rows (`enqueue_for_index`) in their own
transaction, and after each successful commit `drain_outbox` brings the index in step, one writer at a time.
A missing or unreadable index is rebuilt from the database, never trusted over it.
"""
import logging

from flask import Flask, current_app
from sqlalchemy import delete, func, select

from registry.clock import today
from registry.database import begin_write
from registry.extensions import db
from registry.models import SearchOutbox
from registry.rules.identifiers import looks_like_full_id_number
from registry.search.backend import SearchBackend
from registry.search.documents import all_documents, documents_for
from registry.search.whoosh_backend import IndexUnavailable, WhooshBackend

log = logging.getLogger(__name__)
DRAIN_BATCH = 2000

__all__ = ["SearchBackend", "backend", "drain_outbox", "init_search", "rebuild_index", "search_ids"]


def init_search(app: Flask) -> None:
    """Attach the configured backend and keep the index in step after every write commit."""
    configured = app.config.get("SEARCH_BACKEND", "whoosh")
    if configured != "whoosh":
        # The pg_trgm backend is a later issue; until it exists every deployment uses the Whoosh index.
        log.info("search backend %r is not available; using whoosh", configured)
    app.extensions["search"] = WhooshBackend(app.config["SEARCH_INDEX_DIR"], app.config["SEARCH_LOCK_TIMEOUT"])
    app.extensions.setdefault("after_write_commit", []).append(drain_outbox)


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
    session.commit()
    return len(rows)
