"""The search outbox: a service writes a row naming each firm or person whose document changed, in its own
transaction; the backend applies the rows (Whoosh after the commit, one writer at a time; PostgreSQL just
before it, in the same transaction)."""
import logging
from collections.abc import Iterator

from flask import current_app, has_app_context
from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from registry.clock import today
from registry.database import begin_write
from registry.extensions import db
from registry.models import SearchOutbox
from registry.search.documents import SearchDocument, documents_for

log = logging.getLogger("registry.search")
DRAIN_BATCH = 2000


def pending_rows(session, after: int = 0, limit: int | None = None) -> list:
    """Outbox rows (id, record_type, record_id) after id `after`, oldest first, at most DRAIN_BATCH."""
    return session.execute(
        select(SearchOutbox.id, SearchOutbox.record_type, SearchOutbox.record_id)
        .where(SearchOutbox.id > after).order_by(SearchOutbox.id).limit(limit or DRAIN_BATCH)
    ).all()


def fresh_documents(session, rows) -> Iterator[tuple[str, list[SearchDocument], list[int]]]:
    """For the records these rows name: (record type, their documents now, the ids no longer listed)."""
    for record_type in ("unit", "person"):
        ids = sorted({row.record_id for row in rows if row.record_type == record_type})
        if ids:
            documents, gone = documents_for(session, today(), record_type, ids)
            yield record_type, documents, gone


def delete_rows(session, rows) -> None:
    session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in rows])))


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
    search = current_app.extensions["search"]
    if session.scalar(select(SearchOutbox.id).limit(1)) is None or not search.accepts_changes():
        # Nothing to do; or no index yet: the rows stay, and the first search rebuilds the index from the
        # database (which already holds these changes) and drains them then. No write pays for a full build.
        session.rollback()
        return 0
    begin_write()
    rows = pending_rows(session)
    with search.batch():
        for record_type, documents, gone in fresh_documents(session, rows):
            for document in documents:
                search.index_record(document)
            for record_id in gone:
                search.remove_record(record_type, record_id)
        delete_rows(session, rows)
    session.commit()
    return len(rows)


def listen_before_commit() -> None:
    """Give the app's backend each service's transaction just before it commits (SearchBackend.before_commit)."""
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)


def _before_commit(session) -> None:
    if not session.info.get("in_service") or not has_app_context():
        return
    search = current_app.extensions.get("search")
    if search is not None and current_app.config.get("SEARCH_INDEX_ON_COMMIT", True):
        search.before_commit(session)
