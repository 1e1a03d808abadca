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
from dataclasses import dataclass

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
from registry.search.postgres_backend import LIVE, PostgresBackend
from registry.search.whoosh_backend import IndexUnavailable, WhooshBackend, document_fields, stored_texts

log = logging.getLogger(__name__)
DRAIN_BATCH = 2000

__all__ = ["IndexCheck", "SearchBackend", "backend", "check_index", "drain_outbox", "init_search", "rebuild_index",
           "search_ids"]


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
    if session.scalar(select(SearchOutbox.id).limit(1)) is None:
        return
    # while a rebuild runs, the rows stay for its swap to apply to the new table as well
    _apply_outbox_in_database(session, search, LIVE, keep=search.rebuild_running())


def _apply_outbox_in_database(session, search: PostgresBackend, table, keep: bool = False) -> None:
    """Fresh documents in `table` for the records of every outbox row; the rows are deleted unless `keep`."""
    last = 0
    while True:
        rows = session.execute(
            select(SearchOutbox.id, SearchOutbox.record_type, SearchOutbox.record_id)
            .where(SearchOutbox.id > last).order_by(SearchOutbox.id).limit(DRAIN_BATCH)
        ).all()
        if not rows:
            return
        for record_type in ("unit", "person"):
            ids = sorted({row.record_id for row in rows if row.record_type == record_type})
            if ids:
                documents, gone = documents_for(session, today(), record_type, ids)
                search.write(documents, table)
                search.remove_records(record_type, gone, table)
        if not keep:
            session.execute(delete(SearchOutbox).where(SearchOutbox.id.in_([row.id for row in rows])))
        last = rows[-1].id


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


@dataclass
class IndexCheck:
    """What a check of the index against the database found, and what it did."""

    documents: int = 0  # documents a fresh build holds
    indexed: int = 0  # documents the index holds
    unreadable: str | None = None  # why the index could not be read through
    missing: int = 0  # listed in the database, absent from the index
    extra: int = 0  # in the index, no longer listed
    stale: int = 0  # in both, with other text
    out_of_order: int = 0  # documents not at their fresh build's position
    pending: int = 0  # outbox rows not yet applied
    interrupted_builds: tuple[str, ...] = ()  # build directories of killed rebuilds, removed
    rebuilt: int | None = None  # documents in the new index, when one was built

    @property
    def consistent(self) -> bool:
        return not (self.unreadable or self.missing or self.extra or self.stale or self.out_of_order
                    or self.pending)


def check_index(repair: bool = True) -> IndexCheck | None:
    """Compare the Whoosh index with a fresh build of the database; rebuild it when they differ (`repair`).
    None on the PostgreSQL backend, whose documents are written in the data's own transactions."""
    search = backend()
    if getattr(search, "in_database", False):
        return None
    with search.rebuild_lock():  # no rebuild runs meanwhile, so an unfinished build directory is a dead one
        check = IndexCheck(interrupted_builds=tuple(search.remove_interrupted_builds()))
        fresh = [(document.record_type, document.record_id, stored_texts(document_fields(document)))
                 for document in all_documents(db.session, today())]
        check.pending = db.session.scalar(select(func.count()).select_from(SearchOutbox))
        db.session.rollback()
        check.documents = len(fresh)
        try:
            indexed = search.contents()
        except IndexUnavailable as error:
            check.unreadable = str(error)
        else:
            _compare(check, fresh, indexed)
    if repair and not check.consistent:
        check.rebuilt = rebuild_index()
    return check


def _compare(check: IndexCheck, fresh: list, indexed: list) -> None:
    check.indexed = len(indexed)
    wanted = {(kind, rid): texts for kind, rid, texts in fresh}
    held = {(kind, rid): texts for kind, rid, texts in indexed}
    check.missing = len(wanted.keys() - held.keys())
    check.extra = len(held.keys() - wanted.keys())
    check.stale = sum(1 for key in wanted.keys() & held.keys() if wanted[key] != held[key])
    check.out_of_order = sum(1 for ours, theirs in zip(fresh, indexed) if ours[:2] != theirs[:2])


def _rebuild_in_database(search: PostgresBackend) -> int:
    """Every document afresh into a new table, swapped in with the changes written meanwhile: searches never
    wait for the build (PostgresBackend.rebuild)."""
    try:
        return search.rebuild(all_documents(db.session, today()),
                              pending=lambda table: _apply_outbox_in_database(db.session, search, table))
    except BaseException:
        db.session.rollback()
        raise


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
