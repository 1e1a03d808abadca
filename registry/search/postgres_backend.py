"""The PostgreSQL search backend (DESIGN §4): the same three functions over GIN indexes, in the database's own
transaction, for deployments with several app servers where a per-server Whoosh index cannot stay in step.

- One row per listed firm or person in `search_document`: the normalized names and folded text (pg_trgm GIN
  indexes: substrings of three characters or more) and a `terms` array (GIN): exact names (`e:`), credit-code
  prefixes (`c:`), characters (`u:`) and bigrams (`g:`) of every token (a one- or two-character Chinese fragment
  has no trigram, so pg_trgm alone would scan the table), and jieba words (`w:`), each term led by the
  document's kind (`u` firm, `p` person: `ug:苏净`), so a GIN lookup returns only the kind asked for.
- The same tiers and the same order as the Whoosh backend, so both give the same hits in the same order:
  exact name or credit-code prefix; substring in names; substring in names or folded text; jieba words (short
  queries only). Within a tier, documents come in `position` order, which is the Whoosh document order: a
  rebuild numbers them in ranking order and a changed document is renumbered after all others.
- Substrings are confirmed with `strpos` on the stored text, so a hit is exact whichever index picked it.
- Outbox rows are applied before the writing transaction commits (`apply_outbox_before_commit`): the index
  changes with the data or not at all.
- A rebuild (`flask search reindex`) fills a new table beside the live one, builds its indexes, and swaps it in
  by renaming, as the Whoosh backend swaps directories: searches read the live table all along and wait only for
  the rename. Writers committing meanwhile keep their outbox rows (`rebuild_running`), and the swap applies them
  to the new table first, so no change made during the rebuild is lost.
"""
from collections.abc import Iterable

from flask import Flask
from sqlalchemy import (Column, Integer, MetaData, Table, Text, and_, bindparam, delete, func, literal, or_, select,
                        text, type_coerce, union_all)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from registry.clock import today
from registry.database import escape_like
from registry.models import SearchEntry
from registry.search.backend import SearchBackend
from registry.search.documents import SearchDocument, all_documents
from registry.search.outbox import delete_rows, fresh_documents, listen_before_commit, pending_rows
from registry.search.text import code_query, normalize, query_parts, uscc_prefixes, words

JIEBA_MAX_CHARS = 8  # as the Whoosh backend: jieba AND only for short queries
TRGM_MIN = 3  # pg_trgm indexes a substring of at least three characters
WRITE_BATCH = 1000
LIVE = SearchEntry.__table__
BUILD = Table("search_document_build", MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key)
                                                     for c in LIVE.columns))
REBUILD_LOCK = 0x5EA2C4  # the advisory lock a rebuild holds from its first read to its swap
# the live table's constraints and indexes, made on the build table under these names and renamed at the swap
BUILD_NAMES = {name: name.replace("search_document", "search_document_build") for name in (
    "pk_search_document", "uq_search_document_record_type_record_id", "ix_search_document_rank",
    "ix_search_document_terms", "ix_search_document_names_trgm", "ix_search_document_folded_trgm")}
BUILD_DDL = [
    "ALTER TABLE search_document_build ADD CONSTRAINT pk_search_document_build PRIMARY KEY (id)",
    "ALTER TABLE search_document_build ADD CONSTRAINT uq_search_document_build_record_type_record_id "
    "UNIQUE (record_type, record_id)",
    "CREATE INDEX ix_search_document_build_rank ON search_document_build (record_type, position)",
    "CREATE INDEX ix_search_document_build_terms ON search_document_build USING gin (terms)",
    "CREATE INDEX ix_search_document_build_names_trgm ON search_document_build USING gin (names_text gin_trgm_ops)",
    "CREATE INDEX ix_search_document_build_folded_trgm ON search_document_build USING gin "
    "(folded_text gin_trgm_ops)",
]


def document_row(document: SearchDocument) -> dict:
    """The columns of one document: normalized texts and the terms of its GIN array, each prefixed by the
    document's kind ("u" firm, "p" person) and the term's kind, so a person query's GIN lookup never returns
    the tens of thousands of firms whose project texts hold the same characters."""
    names = [n for n in (normalize(name) for name in document.names) if n]
    folded = [t for t in (normalize(value) for value in document.folded) if t]
    kind = document.record_type[0]
    terms: dict[str, None] = {}
    for name in names:
        terms[f"{kind}e:{name}"] = None
    if document.uscc:
        for prefix in uscc_prefixes(document.uscc):
            terms[f"{kind}c:{prefix}"] = None
    for line in names + folded:
        for token in line.split():
            for start, character in enumerate(token):
                terms[f"{kind}u:{character}"] = None
                if start + 1 < len(token):
                    terms[f"{kind}g:{token[start:start + 2]}"] = None
    for line in dict.fromkeys(names + folded):
        for word in words(line):
            terms[f"{kind}w:{word}"] = None
    return {"record_type": document.record_type, "record_id": document.record_id,
            "names_text": "\n".join(names), "folded_text": "\n".join(folded), "terms": list(terms)}


def _has(terms: list[str]):
    """The document's term array holds all of `terms` (GIN `@>`; the column is a text array on PostgreSQL)."""
    return type_coerce(SearchEntry.terms, ARRAY(Text)).contains(terms)


def _like(value: str) -> str:
    """The LIKE pattern of a literal substring (PostgreSQL's default escape character is escape_like's)."""
    return f"%{escape_like(value)}%"


def _grams(kind: str, part: str) -> list[str]:
    """The part's own character or bigram terms: every document holding the part holds all of them."""
    if len(part) == 1:
        return [f"{kind}u:{part}"]
    return list(dict.fromkeys(f"{kind}g:{part[i:i + 2]}" for i in range(len(part) - 1)))


def _contains(kind: str, column, part: str):
    """`part` occurs in `column`: GIN-indexed candidate tests (the kind's grams; pg_trgm from three
    characters on), confirmed exactly with strpos."""
    conditions = [_has(_grams(kind, part)), func.strpos(column, part) > 0]
    if len(part) >= TRGM_MIN:
        conditions.insert(1, column.like(_like(part)))  # pg_trgm GIN
    return and_(*conditions)


def _in_folded_or_names(kind: str, part: str):
    # the array holds the grams of names and folded text alike; strpos tells whether either text holds the part
    texts = [SearchEntry.names_text, SearchEntry.folded_text]
    if len(part) >= TRGM_MIN:
        candidates = or_(*(text_.like(_like(part)) for text_ in texts))  # pg_trgm GIN
        return and_(_has(_grams(kind, part)), candidates)
    return and_(_has(_grams(kind, part)), or_(*(func.strpos(text_, part) > 0 for text_ in texts)))


class PostgresBackend(SearchBackend):
    """Search documents in the registry's own PostgreSQL database, written in the data's transaction."""

    def __init__(self, session_factory):
        self._session = session_factory  # the app's scoped session: the caller's transaction

    # -- writing -------------------------------------------------------------------------------------------
    def _positions(self, count: int) -> list[int]:
        return list(self._session().scalars(
            text("SELECT nextval('search_document_position_seq') FROM generate_series(1, :n)"), {"n": count}))

    def write(self, documents: list[SearchDocument], table: Table = LIVE, *, upsert: bool = True) -> None:
        """Add or replace documents, numbered after every other one in the given (ranking) order (`upsert=False`:
        add only, into a table without its unique constraint yet)."""
        for start in range(0, len(documents), WRITE_BATCH):
            chunk = documents[start:start + WRITE_BATCH]
            rows = [document_row(document) for document in chunk]
            for row, position in zip(rows, self._positions(len(rows))):
                row["position"] = position
            statement = pg_insert(table)
            if upsert:
                statement = statement.on_conflict_do_update(
                    index_elements=["record_type", "record_id"],
                    set_={name: statement.excluded[name] for name in ("position", "names_text", "folded_text",
                                                                      "terms")},
                )
            self._session().execute(statement, rows)

    def index_record(self, document: SearchDocument) -> None:
        """Add or replace the document of one firm or person (in the caller's transaction)."""
        self.write([document])

    def remove_record(self, record_type: str, record_id: int) -> None:
        """Remove one document (in the caller's transaction)."""
        self.remove_records(record_type, [record_id])

    def remove_records(self, record_type: str, record_ids: list[int], table: Table = LIVE) -> None:
        """Remove several documents of one type."""
        if record_ids:
            self._session().execute(delete(table).where(
                table.c.record_type == record_type, table.c.record_id.in_(record_ids)))

    def rebuild_running(self) -> bool:
        """Whether a rebuild is under way; if not, none starts reading before this transaction ends (a writer
        that sees one running keeps its outbox rows for the rebuild's swap)."""
        return not self._session().scalar(text("SELECT pg_try_advisory_xact_lock_shared(:key)"),
                                          {"key": REBUILD_LOCK})

    def rebuild(self, documents: Iterable[SearchDocument], *, pending=None, **options) -> int:
        """Build every document into a new table and swap it in (the caller's session; this commits).

        One rebuild at a time holds REBUILD_LOCK from before its first read to the swap, so a writer either
        commits before the rebuild reads (and the new table has its change) or keeps its outbox rows. The new
        table is filled without indexes, indexed once (a sorted build, several times faster than inserting into
        them row by row) and analyzed; the swap then applies the outbox rows left meanwhile (`pending(table)`),
        drops the live table and renames the new one in its place: searches wait only for the rename."""
        session = self._session()
        session.commit()
        with session.get_bind().connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": REBUILD_LOCK})
            lock.commit()  # a session-level lock: held across transactions until unlocked
            try:
                count = self._build(session, documents)
                self._swap(session, pending)
            finally:
                session.rollback()
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": REBUILD_LOCK})
                lock.commit()
        return count

    def _build(self, session, documents: Iterable[SearchDocument]) -> int:
        session.execute(text("DROP TABLE IF EXISTS search_document_build"))  # a killed rebuild's
        session.execute(text("CREATE TABLE search_document_build (LIKE search_document INCLUDING DEFAULTS)"))
        count, chunk = 0, []
        for document in documents:
            chunk.append(document)
            if len(chunk) >= WRITE_BATCH:
                self.write(chunk, BUILD, upsert=False)
                count, chunk = count + len(chunk), []
        self.write(chunk, BUILD, upsert=False)
        for statement in BUILD_DDL:
            session.execute(text(statement))
        # fresh statistics: without them the planner takes a whole-table walk for a GIN lookup (69 ms, not 3 ms)
        session.execute(text("ANALYZE search_document_build"))
        session.commit()
        return count + len(chunk)

    def _swap(self, session, pending) -> None:
        # writers of documents wait from here (readers do not); those that wrote already are committed
        session.execute(text("LOCK TABLE search_document IN EXCLUSIVE MODE"))
        if pending:
            pending(BUILD)
        session.execute(text("ALTER SEQUENCE search_document_id_seq OWNED BY NONE"))
        session.execute(text("DROP TABLE search_document"))  # readers wait from here to the commit: a rename
        session.execute(text("ALTER TABLE search_document_build RENAME TO search_document"))
        session.execute(text("ALTER SEQUENCE search_document_id_seq OWNED BY search_document.id"))
        for name, build_name in BUILD_NAMES.items():
            if name.startswith("ix_"):
                session.execute(text(f"ALTER INDEX {build_name} RENAME TO {name}"))
            else:
                session.execute(text(f"ALTER TABLE search_document RENAME CONSTRAINT {build_name} TO {name}"))
        session.commit()

    def is_ready(self) -> bool:
        """The table is made by the migrations: always there."""
        return True

    # -- in step with the database -------------------------------------------------------------------------
    def keep_in_step(self, app: Flask) -> None:
        """The outbox rows become index changes inside the writing transaction, just before it commits."""
        listen_before_commit()

    def before_commit(self, session) -> None:
        """A service's outbox rows become index changes in its own transaction."""
        session.flush()
        if not pending_rows(session, limit=1):
            return
        # while a rebuild runs, the rows stay for its swap to apply to the new table as well
        self.apply_outbox(session, LIVE, keep=self.rebuild_running())

    def apply_outbox(self, session, table: Table, keep: bool = False) -> None:
        """Fresh documents in `table` for the records of every outbox row; the rows are deleted unless `keep`."""
        last = 0
        while True:
            rows = pending_rows(session, after=last)
            if not rows:
                return
            for record_type, documents, gone in fresh_documents(session, rows):
                self.write(documents, table)
                self.remove_records(record_type, gone, table)
            if not keep:
                delete_rows(session, rows)
            last = rows[-1].id

    def rebuild_from_database(self, session, procs: int = 1, only_if_missing: bool = False) -> int:
        """Every document afresh into a new table, swapped in with the changes written meanwhile: searches never
        wait for the build (see rebuild). The table always exists: `only_if_missing` changes nothing."""
        try:
            return self.rebuild(all_documents(session, today()),
                                pending=lambda table: self.apply_outbox(session, table))
        except BaseException:
            session.rollback()
            raise

    # -- reading -------------------------------------------------------------------------------------------
    def query(self, text_: str, record_type: str, *, allowed: set[int] | None = None, limit: int = 20) -> list[int]:
        """Tiers in order (exact, names, folded text, jieba words) until `limit` hits, each in position order."""
        parts = query_parts(text_)
        if not parts or limit <= 0 or (allowed is not None and not allowed):
            return []
        kind = record_type[0]
        exact = [_has([f"{kind}e:{' '.join(parts)}"])]
        code = code_query(text_)
        if code:
            exact.append(_has([f"{kind}c:{code}"]))
        tiers = [or_(*exact),
                 and_(*(_contains(kind, SearchEntry.names_text, part) for part in parts)),
                 and_(*(_in_folded_or_names(kind, part) for part in parts))]
        if len("".join(parts)) <= JIEBA_MAX_CHARS:
            tokens = list(dict.fromkeys(token for part in parts for token in words(part)))
            if tokens:
                tiers.append(_has([f"{kind}w:{token}" for token in tokens]))
        # One statement (a search page stays within its statement budget): each tier's first 2 x limit
        # documents in position order; a document counts in its first tier. Fewer than `limit` documents were
        # found before any tier, so its first 2 x limit hold at least `limit` new ones when there are that many:
        # the same answer as asking tier after tier while skipping what earlier tiers found.
        selects = []
        for number, condition in enumerate(tiers):
            query = (select(SearchEntry.record_id, SearchEntry.position, literal(number).label("tier"))
                     .where(SearchEntry.record_type == record_type, condition)
                     .order_by(SearchEntry.position).limit(2 * limit))
            if allowed is not None:
                # a hashed semi-join: `= ANY(array)` compares every candidate with every allowed id
                query = query.where(SearchEntry.record_id.in_(select(func.unnest(
                    bindparam(f"allowed_{number}", sorted(allowed), type_=ARRAY(Integer))))))
            selects.append(query.subquery().select())
        hits = union_all(*selects).subquery()
        first = (select(hits.c.record_id, func.min(hits.c.tier).label("tier"), func.min(hits.c.position).label("position"))
                 .group_by(hits.c.record_id).subquery())
        return list(self._session().scalars(
            select(first.c.record_id).order_by(first.c.tier, first.c.position).limit(limit)))
