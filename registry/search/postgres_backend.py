"""The PostgreSQL search backend (DESIGN §4): the same three functions over GIN indexes, in the database's own
transaction, for deployments with several app servers where a per-server Whoosh index cannot stay in step.

- One row per listed firm or person in `search_document`: the normalized names and folded text (pg_trgm GIN
  indexes: substrings of three characters or more) and a `terms` array (GIN): exact names (`e:`), credit-code
  prefixes (`c:`), characters (`u:`) and bigrams (`g:`) of every token (a one- or two-character Chinese fragment
  has no trigram, so pg_trgm alone would scan the table), the characters and bigrams of the names' tokens again
  (`nu:`, `ng:`), so the names tier reads and counts only documents whose names hold its grams (储备 is in the
  folded text of 42,071 firms, in the names of none), jieba words (`w:`), and a firm's scope where its basic
  information is public (`f:province=32`, `f:category=investigation`), each term led by the document's kind
  (`u` firm, `p` person: `ug:苏净`), so a GIN lookup returns only the kind asked for.
- The same tiers and the same order as the Whoosh backend, so both give the same hits in the same order:
  exact name or credit-code prefix; substring in names; substring in names or folded text; jieba words (short
  queries only). Within a tier, documents come in `position` order: the document's rank (firms by public
  projects, then id; see documents.py), the same order the Whoosh backend gives, and unchanged when a document
  is written again (a finding or a penalty does not move a firm down its tier).
- Substrings are confirmed with `strpos` on the stored text, so a hit is exact whichever index picked it.
- Each tier is read by the plan that reads the fewest rows, chosen per query from `search_gram`, the number of
  documents holding each term (and each kind's total), kept exact in the writing transaction. GIN returns an
  unordered bitmap: for rare terms it is cheap to fetch every candidate and sort by position, but a common
  term (土地储备中心 in 86% of firms) made every tier fetch, confirm and sort every match to keep 21 of them.
  For those the tier walks the rank index in position order and stops when the page is full (about
  page x documents / matches rows); since a part's gram frequencies bound its matches only from above, the
  walk reads a bounded window, and when that ends short the GIN bitmap answers instead, decided at run time
  by a one-time filter in the same statement. A small `allowed` set (province and category filters) among
  many matches is read by its own documents; a search within a province or a category (`Scope`) tests the
  scope's terms with each tier's. A tier whose terms no document holds is not asked at all.
- Outbox rows are applied before the writing transaction commits (`apply_outbox_before_commit`): the index
  changes with the data or not at all. Two transactions writing one document count its terms one after the other:
  each locks the document's row (inserting an empty one first when there is none) and reads the terms it
  replaces. Row locks are kept in the rows, so an import of a national file locks its 250,000 documents in one
  transaction; advisory locks, which did this before, live in a shared table of a few thousand slots and made
  such a transaction fail ("out of shared memory").
- A rebuild (`flask search reindex`) fills a new table beside the live one, builds its indexes, and swaps it in
  by renaming, as the Whoosh backend swaps directories: searches read the live table all along and wait only for
  the rename. Writers committing meanwhile keep their outbox rows (`rebuild_running`), and the swap applies them
  to the new table first, so no change made during the rebuild is lost. Rows already committed when the rebuild
  began are in what it reads: the swap deletes them without writing their documents again (after a bulk import
  loaded with indexing deferred, they name every document).
"""
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain, takewhile
from operator import add

from flask import Flask
from sqlalchemy import (BindParameter, Column, ColumnElement, Integer, MetaData, Table, Text, and_, any_, bindparam, case,
                        cast, func, literal, or_, select, text, true, type_coerce, union_all)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from registry.clock import today
from registry.database import escape_like, per_transaction
from registry.models import SearchEntry, SearchGram, SearchOutbox
from registry.search.backend import SearchBackend
from registry.search.documents import Scope, SearchDocument, all_documents, scope_words
from registry.search.outbox import delete_rows, fresh_documents, listen_before_commit, pending_rows
from registry.search.text import code_query, normalize, query_parts, uscc_prefixes, words

JIEBA_MAX_CHARS = 8  # as the Whoosh backend: jieba AND only for short queries
TRGM_MIN = 3  # pg_trgm indexes a substring of at least three characters
WRITE_BATCH = 1000
LIVE = SearchEntry.__table__
BUILD = Table("search_document_build", MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key)
                                                     for c in LIVE.columns))
GRAMS = SearchGram.__table__
# the terms bound as one array: one statement for any query (psycopg prepares it), not one a number of terms,
# each compiled and planned apart
TERM_FREQUENCIES = select(GRAMS.c.term, GRAMS.c.documents).where(
    GRAMS.c.term == any_(bindparam("terms", type_=ARRAY(Text))))
READ_FREQUENCIES = "registry_search_frequencies"  # in a session's info (`per_transaction`): the frequencies read
GRAMS_BUILD = Table("search_gram_build", MetaData(), *(Column(c.name, c.type, primary_key=c.primary_key)
                                                       for c in GRAMS.columns))
FREQUENCIES = {LIVE.name: GRAMS, BUILD.name: GRAMS_BUILD}  # each documents table's term frequencies
ANY_TEXT, IN_NAMES = "", "n"  # where a document's characters and bigrams are: `ug:苏净` any text, `ung:苏净` names
KIND_TOTAL = "*"  # the frequency table's "u*" and "p*" count the documents of each kind
REBUILD_LOCK = 0x5EA2C4  # the advisory lock a rebuild holds from its first read to its swap
# the live tables' constraints and indexes, made on the build tables under these names and renamed at the swap
BUILD_NAMES = {name: (table, name.replace(table, table + "_build")) for table, names in (
    ("search_document", ("pk_search_document", "uq_search_document_record_type_record_id", "ix_search_document_rank",
                         "ix_search_document_terms", "ix_search_document_names_trgm",
                         "ix_search_document_folded_trgm")),
    ("search_gram", ("pk_search_gram",))) for name in names}
BUILD_DDL = [
    "ALTER TABLE search_document_build ADD CONSTRAINT pk_search_document_build PRIMARY KEY (id)",
    "ALTER TABLE search_document_build ADD CONSTRAINT uq_search_document_build_record_type_record_id "
    "UNIQUE (record_type, record_id)",
    "CREATE INDEX ix_search_document_build_rank ON search_document_build (record_type, position)",
    "CREATE INDEX ix_search_document_build_terms ON search_document_build USING gin (terms)",
    "CREATE INDEX ix_search_document_build_names_trgm ON search_document_build USING gin (names_text gin_trgm_ops)",
    "CREATE INDEX ix_search_document_build_folded_trgm ON search_document_build USING gin "
    "(folded_text gin_trgm_ops)",
    "ALTER TABLE search_gram_build ADD CONSTRAINT pk_search_gram_build PRIMARY KEY (term)",
]
# Choosing a tier's plan: the plan whose rows cost least wins. A walk in rank order reads about
# wanted / (share of documents matching) rows when matches are spread evenly; it stops after WALK_SLACK times
# that many and falls back to the bitmap, since the frequencies of a part's grams bound its matches only from
# above (土地 and 中心 are common, 土地中心 may be rare).
# What a row costs, in rows the GIN bitmap reads by grams alone (about 1 µs each at national scale, measured
# tier by tier, both plans, on the benchmark's 40 queries): a walked row is tested exactly, and its test reads
# the names alone (0.6 µs), the folded text too (4.6 µs, out of line), or the terms array (10-19 µs); the
# bitmap of a part of three characters or more reads pg_trgm's index of the texts as well (1.4-15 µs a row).
# Taking every row as 1 walked 绿源's jieba words (14 ms) where the bitmap takes 1.6 ms.
WALK_ROW_NAMES, WALK_ROW_FOLDED, WALK_ROW_TERMS = 1, 4, 10
BITMAP_ROW_TRIGRAMS = 10
EXACT_TIER = 0  # the exact tier's number: `_tiers` lists it first
WALK_SLACK = 4
WALK_MAX_SHARE = 0.25  # beyond a quarter of the documents, the planner reads a window whole
# an allowed document is reached by its own index probe, and tested against every tier's condition, where
# the bitmap reads its candidates in page order and pg_trgm narrows a names tier's further than its grams
ALLOWED_ROW_COST = 2
PLANS = ("bitmap", "walk", "allowed")


def counted_terms(record_type: str, terms: list[str]) -> list[str]:
    """The terms a document adds to the frequency table: its own, and its kind's total."""
    return [*terms, record_type[0] + KIND_TOTAL]


def fresh_frequencies(session, table: Table = LIVE) -> dict[str, int]:
    """How many documents of `table` hold each term, counted afresh (what the frequency table must hold)."""
    return dict(session.execute(_counting(table)).all())


def _counting(table: Table):
    counted = union_all(select(func.unnest(type_coerce(table.c.terms, ARRAY(Text))).label("term")),
                        select((func.left(table.c.record_type, 1) + KIND_TOTAL).label("term"))).subquery()
    return select(counted.c.term, func.count()).group_by(counted.c.term)


def _key(row: dict) -> tuple[str, int]:
    return row["record_type"], row["record_id"]


def _keys_condition(table: Table, keys: list[tuple[str, int]]):
    """The rows at these (record type, record id) keys: each type's ids as one array (`record_id = ANY(...)`),
    not a list of row values, which PostgreSQL plans as an OR of as many index lookups (1,000 keys: 170 ms to
    plan, against 2.7 ms to lock them this way)."""
    ids: dict[str, list[int]] = {}
    for record_type, record_id in keys:
        ids.setdefault(record_type, []).append(record_id)
    return or_(*(and_(table.c.record_type == record_type,
                      table.c.record_id == any_(bindparam("ids", record_ids, type_=ARRAY(Integer), unique=True)))
                 for record_type, record_ids in ids.items()))


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
    for lines, where in ((names + folded, ANY_TEXT), (names, IN_NAMES)):
        # each character and each bigram of a token, once: a firm's project texts repeat most of theirs, and
        # a term made per character cost 270 µs a firm (a fifth of a PostgreSQL import's writing of documents)
        tokens = dict.fromkeys(token for line in dict.fromkeys(lines) for token in line.split())
        characters = dict.fromkeys(chain.from_iterable(tokens))
        bigrams = dict.fromkeys(chain.from_iterable(map(add, token, token[1:]) for token in tokens))
        terms.update(dict.fromkeys(map(f"{kind}{where}u:".__add__, characters)))
        terms.update(dict.fromkeys(map(f"{kind}{where}g:".__add__, bigrams)))
    for line in dict.fromkeys(names + folded):
        for word in words(line):
            terms[f"{kind}w:{word}"] = None
    # last, as 0035 adds them
    terms.update(dict.fromkeys(scope_terms(kind, scope_words(document.province, document.categories))))
    return {"record_type": document.record_type, "record_id": document.record_id,
            "names_text": "\n".join(names), "folded_text": "\n".join(folded), "terms": list(terms)}


def scope_terms(kind: str, scope: Iterable[str]) -> list[str]:
    """The terms of a firm's scope, from its words (`scope_words`, `Scope.words`). "f" follows the kind in no other
    term."""
    return [f"{kind}f:{word}" for word in scope]


def _has(columns, terms: BindParameter):
    """The document's term array holds all of `terms` (GIN `@>`; the column is a text array on PostgreSQL)."""
    return type_coerce(columns.terms, ARRAY(Text)).contains(terms)


def _like(value: str) -> str:
    """The LIKE pattern of a literal substring (PostgreSQL's default escape character is escape_like's)."""
    return f"%{escape_like(value)}%"


def _grams(kind: str, part: str, where: str = ANY_TEXT) -> list[str]:
    """The part's own character or bigram terms, in any text or (IN_NAMES) in the names: every document holding
    the part there holds all of them."""
    if len(part) == 1:
        return [f"{kind}{where}u:{part}"]
    return list(dict.fromkeys(f"{kind}{where}g:{part[i:i + 2]}" for i in range(len(part) - 1)))


@dataclass
class _Part:
    """A query part's parameters in one tier: its grams there, the part itself, and its LIKE pattern when pg_trgm
    serves it (three characters or more)."""

    grams: BindParameter
    text: BindParameter
    like: BindParameter | None


def _contains(columns, part: _Part):
    """`part` occurs in the names: GIN-indexed candidate tests (the kind's grams in names; pg_trgm from three
    characters on), confirmed exactly with strpos."""
    conditions = [_has(columns, part.grams), func.strpos(columns.names_text, part.text) > 0]
    if part.like is not None:
        conditions.insert(1, columns.names_text.like(part.like))  # pg_trgm GIN
    return and_(*conditions)


def _in_folded_or_names(columns, part: _Part):
    # the array holds the grams of names and folded text alike; strpos tells whether either text holds the part
    if part.like is not None:
        candidates = or_(*(text_.like(part.like) for text_ in (columns.names_text, columns.folded_text)))  # pg_trgm
        return and_(_has(columns, part.grams), candidates)
    return and_(_has(columns, part.grams), _in_either(columns, part.text))


def _in_either(columns, part: BindParameter):
    return or_(*(func.strpos(text_, part) > 0 for text_ in (columns.names_text, columns.folded_text)))


class _Values(dict):
    """A tier's parameters by name (`t1_part0`), with this query's values: a statement built for one query serves
    every query of its shape (`_Tier.shape`), run with that query's values."""

    def __init__(self, number: int):
        super().__init__()
        self.prefix = f"t{number}_"

    def bind(self, name: str, value, type_) -> BindParameter:
        self[self.prefix + name] = value
        return bindparam(self.prefix + name, value, type_=type_)

    def parts(self, kind: str, parts: list[str], where: str = ANY_TEXT) -> list[_Part]:
        return [_Part(self.bind(f"grams{n}", _grams(kind, part, where), ARRAY(Text)), self.bind(f"part{n}", part, Text),
                      self.bind(f"like{n}", _like(part), Text) if len(part) >= TRGM_MIN else None)
                for n, part in enumerate(parts)]


@dataclass
class _Tier:
    """One tier of a query: the terms a match must hold, and its test of a row by index or exactly."""

    alternatives: list[list[str]]  # a match holds every term of one of these
    indexed: Callable  # columns -> the condition GIN and pg_trgm serve, confirmed exactly
    exact: Callable  # columns -> the exact condition alone, for rows reached otherwise
    walk_row_cost: float  # a row walked and tested by `exact` (see WALK_ROW_NAMES)
    bitmap_row_cost: float = 1  # a row the bitmap reads (BITMAP_ROW_TRIGRAMS where pg_trgm's index is read too)
    by_name: bool = False  # a match is found in the names (whole or in part), never in the folded text alone
    values: dict = field(default_factory=dict)  # the parameters of its conditions, by name (`_Values`)
    bound: list[BindParameter] = field(default_factory=list)  # `alternatives`, each as its parameter
    shape: tuple = ()  # what the form of its conditions depends on, beside its number (never a value)

    def estimate(self, frequency: dict[str, int]) -> int:
        """At most this many documents match (the exact frequency table: 0 means none does)."""
        return sum(min(frequency.get(term, 0) for term in terms) for terms in self.alternatives)


def _tiers(text_: str, parts: list[str], kind: str) -> list[_Tier]:
    """The tiers of a query in order: exact name or credit-code prefix; substring in names; substring in names
    or folded text; jieba words (short queries only). Their values are parameters (`_Values`), so a statement
    built for one query serves any other of its shape."""
    exact_terms = [[f"{kind}e:{' '.join(parts)}"]]
    code = code_query(text_)
    if code:
        exact_terms.append([f"{kind}c:{code}"])
    values = _Values(EXACT_TIER)
    exact_bound = [values.bind(f"alternative{n}", terms, ARRAY(Text)) for n, terms in enumerate(exact_terms)]

    def exact(columns):
        return or_(*(_has(columns, terms) for terms in exact_bound))

    tiers = [_Tier(exact_terms, exact, exact, WALK_ROW_TERMS, by_name=not code, values=values, bound=exact_bound,
                   shape=(len(exact_terms),))]
    trigrams = tuple(len(part) >= TRGM_MIN for part in parts)
    bitmap_row_cost = BITMAP_ROW_TRIGRAMS if any(trigrams) else 1
    values = _Values(1)
    name_grams = list(dict.fromkeys(gram for part in parts for gram in _grams(kind, part, IN_NAMES)))
    names_bound = [values.bind("alternative0", name_grams, ARRAY(Text))]
    in_names = values.parts(kind, parts, IN_NAMES)
    tiers.append(_Tier([name_grams], lambda columns: and_(*(_contains(columns, part) for part in in_names)),
                       lambda columns: and_(*(func.strpos(columns.names_text, part.text) > 0 for part in in_names)),
                       WALK_ROW_NAMES, bitmap_row_cost, by_name=True, values=values, bound=names_bound, shape=trigrams))
    values = _Values(2)
    grams = list(dict.fromkeys(gram for part in parts for gram in _grams(kind, part)))
    anywhere_bound = [values.bind("alternative0", grams, ARRAY(Text))]
    anywhere = values.parts(kind, parts)
    tiers.append(_Tier([grams], lambda columns: and_(*(_in_folded_or_names(columns, part) for part in anywhere)),
                       lambda columns: and_(*(_in_either(columns, part.text) for part in anywhere)), WALK_ROW_FOLDED,
                       bitmap_row_cost, values=values, bound=anywhere_bound, shape=trigrams))
    short = len("".join(parts)) <= JIEBA_MAX_CHARS
    tokens = list(dict.fromkeys(token for part in parts for token in words(part))) if short else []
    if tokens:
        values = _Values(3)
        word_terms = [f"{kind}w:{token}" for token in tokens]
        words_bound = [values.bind("alternative0", word_terms, ARRAY(Text))]
        tokens_bound = [values.bind(f"token{n}", token, Text) for n, token in enumerate(tokens)]

        def holds_words(columns):
            # a document's words are pieces of its texts: where one is in neither text, the terms array (out of
            # line, 10-19 µs a row to read) is not read at all (CASE keeps the order; an AND may be reordered)
            return case((and_(*(_in_either(columns, token) for token in tokens_bound)),
                         _has(columns, words_bound[0])), else_=False)

        tiers.append(_Tier([word_terms], lambda columns: _has(columns, words_bound[0]), holds_words, WALK_ROW_TERMS,
                           values=values, bound=words_bound, shape=(len(tokens),)))
    return tiers


class PostgresBackend(SearchBackend):
    """Search documents in the registry's own PostgreSQL database, written in the data's transaction."""

    scopes = True  # a firm's document holds its scope's terms (`scope_terms`)

    def __init__(self, session_factory, plan: str | None = None):
        self._session = session_factory  # the app's scoped session: the caller's transaction
        self._plan = plan  # one of PLANS for every tier (the tests prove each plan answers alike), or chosen

    # -- writing -------------------------------------------------------------------------------------------
    def write(self, documents: list[SearchDocument], table: Table = LIVE, *, upsert: bool = True) -> None:
        """Add or replace documents, placed by their ranks, and count their terms (`upsert=False`: add only,
        uncounted, into a build table without its constraints yet).

        A new document goes in whole, in one insert that leaves out the keys already there (an import's firms
        and persons are new: 15,000 documents once each instead of inserted empty, locked, then replaced); only
        those keys take the locking path of `_lock_documents`, which reads the terms to uncount."""
        session = self._session()
        for start in range(0, len(documents), WRITE_BATCH):
            chunk = documents[start:start + WRITE_BATCH]
            rows = [document_row(document) | {"position": document.rank} for document in chunk]
            if not upsert:
                session.execute(pg_insert(table), rows)
                continue
            # one row a key (the last), in key order: two writers never wait for each other crosswise
            rows = [row for _, row in sorted({_key(row): row for row in rows}.items())]
            counts: Counter = Counter()
            # an insert of a key another transaction is writing waits for it to end, then leaves the key out
            added = set(map(tuple, session.execute(
                pg_insert(table).on_conflict_do_nothing(index_elements=["record_type", "record_id"])
                .returning(table.c.record_type, table.c.record_id), rows)))
            there = [row for row in rows if _key(row) not in added]
            if there:
                for record_type, terms in self._lock_documents(table, there, delete=False):
                    counts.subtract(counted_terms(record_type, terms))
                statement = pg_insert(table)
                session.execute(statement.on_conflict_do_update(
                    index_elements=["record_type", "record_id"],
                    set_={name: statement.excluded[name] for name in ("position", "names_text", "folded_text",
                                                                      "terms")},
                ), there)
            for row in rows:
                counts.update(counted_terms(row["record_type"], row["terms"]))
            self._count(FREQUENCIES[table.name], counts)

    def index_record(self, document: SearchDocument) -> None:
        """Add or replace the document of one firm or person (in the caller's transaction)."""
        self.write([document])

    def remove_record(self, record_type: str, record_id: int) -> None:
        """Remove one document (in the caller's transaction)."""
        self.remove_records(record_type, [record_id])

    def remove_records(self, record_type: str, record_ids: list[int], table: Table = LIVE) -> None:
        """Remove several documents of one type, and their terms' counts."""
        if not record_ids:
            return
        counts: Counter = Counter()
        keys = [{"record_type": record_type, "record_id": record_id} for record_id in record_ids]
        for kind, terms in self._lock_documents(table, keys, delete=True):
            counts.subtract(counted_terms(kind, terms))
        self._count(FREQUENCIES[table.name], counts)

    def _lock_documents(self, table: Table, rows: list[dict], *, delete: bool) -> list:
        """(record type, terms) of the documents at these rows' keys now, locked until the transaction ends, after
        waiting for any other transaction writing one of them: the terms read are those the frequency table
        counts. A key with no document gets an empty one (no terms), locked alike, for the write to replace; with
        `delete`, the documents are deleted. Keys are taken in order, so two writers never wait crosswise."""
        session = self._session()
        keys = sorted({(row["record_type"], row["record_id"]): row for row in rows}.items())
        new: set = set()
        if not delete:
            # an insert of a key another transaction is inserting waits for it to end, then does nothing
            new = {tuple(key) for key in session.execute(
                pg_insert(table).values([{"record_type": kind, "record_id": record_id, "position": row["position"],
                                          "names_text": "", "folded_text": "", "terms": []}
                                         for (kind, record_id), row in keys])
                .on_conflict_do_nothing(index_elements=["record_type", "record_id"])
                .returning(table.c.record_type, table.c.record_id))}
        where = _keys_condition(table, [key for key, _ in keys])
        locked = session.execute(select(table.c.record_type, table.c.record_id, table.c.terms).where(where)
                                 .order_by(table.c.record_type, table.c.record_id).with_for_update()).all()
        if delete:
            session.execute(table.delete().where(where))
        return [(kind, terms) for kind, record_id, terms in locked if (kind, record_id) not in new]

    def _count(self, grams: Table, counts: Counter) -> None:
        """Add the changes to the terms' document counts (in term order, so two writers never wait for each
        other's rows crosswise); a term no document holds any more leaves the table."""
        changes = sorted((term, change) for term, change in counts.items() if change)
        if not changes:
            return
        changes_in_order = select(
            func.unnest(bindparam("terms", [term for term, _ in changes], type_=ARRAY(Text))).label("term"),
            func.unnest(bindparam("changes", [change for _, change in changes], type_=ARRAY(Integer))),
        ).order_by(text("1"))
        statement = pg_insert(grams).from_select(["term", "documents"], changes_in_order)
        self._session().execute(statement.on_conflict_do_update(
            index_elements=["term"], set_={"documents": grams.c.documents + statement.excluded.documents}))
        lowered = [term for term, change in changes if change < 0]
        if lowered:
            self._session().execute(grams.delete().where(grams.c.term.in_(lowered), grams.c.documents == 0))

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
        them row by row) and analyzed; the swap then applies the outbox rows left meanwhile (`pending(table,
        reflected)`: the rows committed before the build began are in what it read, and are only deleted), drops
        the live table and renames the new one in its place: searches wait only for the rename."""
        session = self._session()
        session.commit()
        with session.get_bind().connect() as lock:
            lock.execute(text("SELECT pg_advisory_lock(:key)"), {"key": REBUILD_LOCK})
            lock.commit()  # a session-level lock: held across transactions until unlocked
            try:
                reflected = set(session.scalars(select(SearchOutbox.id)))  # committed before the build reads
                session.commit()
                count = self._build(session, documents)
                self._swap(session, pending and (lambda table: pending(table, reflected)))
            finally:
                session.rollback()
                lock.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": REBUILD_LOCK})
                lock.commit()
        return count

    def _build(self, session, documents: Iterable[SearchDocument]) -> int:
        for name in ("search_document", "search_gram"):
            session.execute(text(f"DROP TABLE IF EXISTS {name}_build"))  # a killed rebuild's
            session.execute(text(f"CREATE TABLE {name}_build (LIKE {name} INCLUDING DEFAULTS)"))
        count, chunk = 0, []
        for document in documents:
            chunk.append(document)
            if len(chunk) >= WRITE_BATCH:
                self.write(chunk, BUILD, upsert=False)
                count, chunk = count + len(chunk), []
        self.write(chunk, BUILD, upsert=False)
        session.execute(pg_insert(GRAMS_BUILD).from_select(["term", "documents"], _counting(BUILD)))
        for statement in BUILD_DDL:
            session.execute(text(statement))
        # fresh statistics: without them the planner takes a whole-table walk for a GIN lookup (69 ms, not 3 ms)
        session.execute(text("ANALYZE search_document_build"))
        session.execute(text("ANALYZE search_gram_build"))
        session.commit()
        return count + len(chunk)

    def _swap(self, session, pending) -> None:
        # writers of documents wait from here (readers do not); those that wrote already are committed
        session.execute(text("LOCK TABLE search_document, search_gram IN EXCLUSIVE MODE"))
        if pending:
            pending(BUILD)
        session.execute(text("ALTER SEQUENCE search_document_id_seq OWNED BY NONE"))
        for name in ("search_document", "search_gram"):  # readers wait from here to the commit: renames
            session.execute(text(f"DROP TABLE {name}"))
            session.execute(text(f"ALTER TABLE {name}_build RENAME TO {name}"))
        session.execute(text("ALTER SEQUENCE search_document_id_seq OWNED BY search_document.id"))
        for name, (table, build_name) in BUILD_NAMES.items():
            if name.startswith("ix_"):
                session.execute(text(f"ALTER INDEX {build_name} RENAME TO {name}"))
            else:
                session.execute(text(f"ALTER TABLE {table} RENAME CONSTRAINT {build_name} TO {name}"))
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

    def apply_outbox(self, session, table: Table, keep: bool = False, reflected: set[int] = frozenset()) -> None:
        """Fresh documents in `table` for the records of every outbox row but the `reflected` ones (whose changes
        `table` already holds); the rows are deleted unless `keep`."""
        last = 0
        while True:
            rows = pending_rows(session, after=last)
            if not rows:
                return
            changed = [row for row in rows if row.id not in reflected]
            for record_type, documents, gone in fresh_documents(session, changed):
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
                                pending=lambda table, reflected: self.apply_outbox(session, table,
                                                                                   reflected=reflected))
        except BaseException:
            session.rollback()
            raise

    # -- reading -------------------------------------------------------------------------------------------
    def _frequencies(self, tiers: list[_Tier], kind: str, within: list[str] = ()) -> dict[str, int]:
        """The document frequencies of the tiers' terms (and of a scope's, `within`), read once a transaction: a
        search page's query and its estimate ask for the same ones (a round trip saved)."""
        terms = tuple(sorted({term for tier in tiers for terms in tier.alternatives for term in terms}
                             | {kind + KIND_TOTAL} | set(within)))
        session = self._session()
        session.connection()  # the transaction begun: the frequencies are kept for it
        read = per_transaction(session, READ_FREQUENCIES)
        if terms not in read:
            read[terms] = dict(session.execute(TERM_FREQUENCIES, {"terms": list(terms)}).all())
        return read[terms]

    def estimate(self, text_: str, record_type: str) -> int | None:
        """About how many documents match: the largest tier's bound from its terms' document frequencies."""
        parts = query_parts(text_)
        if not parts:
            return 0
        kind = record_type[0]
        tiers = _tiers(text_, parts, kind)
        frequency = self._frequencies(tiers, kind)
        return min(frequency.get(kind + KIND_TOTAL, 0), max(tier.estimate(frequency) for tier in tiers))

    def query(self, text_: str, record_type: str, *, allowed: set[int] | None = None, scope: Scope | None = None,
              limit: int = 20) -> list[int]:
        """Tiers in order (exact, names, folded text, jieba words) until `limit` hits, each in position order.
        Within a `scope`, a document must hold its terms too (`scope_terms`): one more GIN test, which the
        bitmap of a tier's terms answers with them, where the allowed firms were a statement of their own and a
        list sent back (环保 among Jiangsu's investigation firms, national scale: 2,014 firms)."""
        parts = query_parts(text_)
        if not parts or limit <= 0 or (allowed is not None and not allowed):
            return []
        kind = record_type[0]
        tiers = _tiers(text_, parts, kind)
        within = scope_terms(kind, scope.words()) if scope else []
        frequency = self._frequencies(tiers, kind, within)
        documents = frequency.get(kind + KIND_TOTAL, 0)
        scoped = _scope_size(frequency, within, documents)
        if scoped == 0:
            return []
        # One statement (a search page stays within its statement budget): each tier's first 2 x limit
        # documents in position order; a document counts in its first tier. Fewer than `limit` documents were
        # found before any tier, so its first 2 x limit hold at least `limit` new ones when there are that many:
        # the same answer as asking tier after tier while skipping what earlier tiers found.
        planned = [(number, tier, matches, self._plan or choose_plan(matches, documents, allowed, 2 * limit, tier,
                                                                     scoped))
                   for number, tier in enumerate(tiers) if (matches := tier.estimate(frequency))]
        if not planned:
            return []
        values = {"record_type": record_type, "limit": limit, "wanted": 2 * limit, "scope": within}
        windows = {}  # a walking tier's window: the rows it reads in rank order before the bitmap answers instead
        for number, tier, matches, plan in planned:
            values.update(tier.values)
            if plan == "walk":
                windows[number] = values[f"t{number}_window"] = math.ceil(
                    WALK_SLACK * 2 * limit * documents / max(matches * _share(documents, None, scoped), 1))
        # the allowed records, bound once for every tier that reads them (each bound copy of 17,601 ids cost
        # 9-10 ms to send: six of them were 53 of a filtered search's 61 ms at national scale), as the text of an
        # integer array: psycopg's array of 2,000 numbers tests each one with a regular expression (2.1 ms, 0.4
        # joined; the firms of one province and category, national scale)
        if allowed is not None:
            values["allowed"] = "{" + ",".join(map(str, sorted(allowed))) + "}"
        whole = {number for number, window in windows.items() if window >= documents}

        def run(way: str, tiers_run: list, build) -> list[int]:
            shape = (way, allowed is not None, bool(within), tuple((number, tier.shape, plan, number in whole)
                                                     for number, tier, _, plan in tiers_run))
            return list(self._session().scalars(built(shape, build), values))

        ids = None if allowed is None else cast(bindparam("allowed", values["allowed"], type_=Text), ARRAY(Integer))
        if ids is not None and all(plan == "allowed" for *_, plan in planned):
            # the tiers found in the names first, when the allowed share of their matches fills the page twice
            # over: the rest (the folded text, 4.6 µs a row) decide nothing then (环保 among a province's
            # investigation firms, national scale: 13 ms for all tiers, 7 for these)
            by_name = list(takewhile(lambda entry: entry[1].by_name, planned))  # the first tiers
            share = len(allowed) / max(documents, 1)
            if len(by_name) < len(planned) and sum(matches for _, _, matches, _ in by_name) * share >= 2 * limit:
                found = run("allowed", by_name, lambda: _allowed_select(by_name, record_type, ids, limit))
                if len(found) == limit:
                    return found
            return run("allowed", planned, lambda: _allowed_select(planned, record_type, ids, limit))
        if len(planned) > 1 and planned[0][0] != EXACT_TIER and all(plan == "bitmap" for *_, plan in planned):
            return run("bitmaps", planned, lambda: _bitmaps_select(planned, ids, bool(within), limit))

        def tiers_select():
            selects = [_tier_select(number, tier, plan, windows.get(number), number in whole, record_type, ids,
                                    bool(within), 2 * limit) for number, tier, _, plan in planned]
            hits = union_all(*selects).subquery()
            first = (select(hits.c.record_id, func.min(hits.c.tier).label("tier"),
                            func.min(hits.c.position).label("position")).group_by(hits.c.record_id).subquery())
            return select(first.c.record_id).order_by(first.c.tier, first.c.position).limit(_bound("limit", limit))

        return run("tiers", planned, tiers_select)


# Statements by shape (`PostgresBackend.query`): building one took 0.5-3.5 ms of a search's 4-13 (national scale).
# Its values are parameters, so the same statement serves every query of that shape. Shapes are few (the tiers
# planned, how, the parts of three characters or more, the words: the benchmark's 119 URLs ask 19), and one holds
# about 150 KB: up to STATEMENTS_KEPT are kept (30 MB at most), then the keeping begins again.
STATEMENTS: dict[tuple, object] = {}
STATEMENTS_KEPT = 200


def built(shape: tuple, build):
    """The statement of this shape, built by `build()` the first time."""
    statement = STATEMENTS.get(shape)
    if statement is None:
        if len(STATEMENTS) >= STATEMENTS_KEPT:
            STATEMENTS.clear()
        statement = STATEMENTS[shape] = build()
    return statement


def _bound(name: str, value: int) -> BindParameter:
    """A number of rows as a named parameter: a statement built for one query serves others of its shape."""
    return bindparam(name, value, type_=Integer)


def choose_plan(matches: int, documents: int, allowed: set[int] | None, wanted: int, tier: _Tier,
                scoped: int | None = None) -> str:
    """The plan whose rows cost least for `tier`, with at most `matches` of the kind's `documents`, among the
    `allowed` or within a scope of at most `scoped` documents. A walked row's test of the scope reads its terms
    array (WALK_ROW_TERMS); the bitmap reads the scope's terms with the tier's."""
    walked = wanted * documents / max(matches * _share(documents, allowed, scoped), 1)
    # a walked row's scope is tested after its text (`_tier_select`): the terms array is read for the matches alone
    row_cost = tier.walk_row_cost
    if scoped is not None:
        row_cost += WALK_ROW_TERMS * min(1.0, matches / max(documents, 1))
    costs = {"bitmap": matches * tier.bitmap_row_cost, "walk": walked * row_cost}
    if walked * WALK_SLACK > documents * WALK_MAX_SHARE:
        costs["walk"] = math.inf  # the planner would read such a window whole (a sequential scan and a sort)
    if allowed is not None:
        costs["allowed"] = ALLOWED_ROW_COST * len(allowed)
    return min(costs, key=costs.get)


def _scope_size(frequency: dict[str, int], within: list[str], documents: int) -> int | None:
    """About how many documents hold every term of the scope: its province's share of the documents times its
    category's, as if the two were independent (None: no scope; 0: a term no document holds)."""
    if not within:
        return None
    share = math.prod(frequency.get(term, 0) / max(documents, 1) for term in within)
    return math.ceil(share * documents)


def _share(documents: int, allowed: set[int] | None, scoped: int | None) -> float:
    """The share of the kind's `documents` a query may find: the `allowed` ones, at most `scoped` ones, or all."""
    share = 1.0 if allowed is None else min(1.0, len(allowed) / max(documents, 1))
    return share if scoped is None else min(share, scoped / max(documents, 1))


def _in_scope(columns):
    """The document holds the terms of the query's scope (`scope_terms`, bound once as `scope`)."""
    return _has(columns, bindparam("scope", type_=ARRAY(Text)))


def _allowed_select(planned: list, record_type: str, ids: ColumnElement, limit: int):
    """The first `limit` allowed documents by (first tier matched, position), when every tier reads the allowed
    documents themselves: they are read once, and each one's first tier is its first exact test to pass (the
    answer of asking tier after tier while skipping what earlier tiers found). Reading them once for each tier
    read 2,014 firms' documents three times: 53 of a filtered search's 104 ms at national scale."""
    return _by_first_tier(planned, _allowed_documents(record_type, ids), limit)


def _bitmaps_select(planned: list, ids: ColumnElement | None, scoped: bool, limit: int):
    """The first `limit` documents by (first tier matched, position), when every tier reads its GIN bitmap and
    none is the exact one: the bitmaps of the tiers' terms are read as one (PostgreSQL ORs them), so that a
    document several tiers match is read once, not once a tier; the exact tests that follow read the texts, and
    the terms array (10-19 µs a row) only for a document no other tier matched. A name's substring matches the
    same documents in the names, in either text and by its words: 苏州 among Jiangsu's risk-assessment firms read
    2,271 documents three times (national scale). The exact tier is left out: its test reads the terms array of
    every document (a credit-code prefix's thousands)."""
    candidates = select(*_document_columns()).where(_any_tiers_terms([tier for _, tier, *_ in planned]))
    if ids is not None:
        candidates = candidates.where(_in_allowed(LIVE.c, ids))
    if scoped:
        candidates = candidates.where(_in_scope(LIVE.c))
    return _by_first_tier(planned, candidates.offset(0).subquery(), limit)


def _any_tiers_terms(tiers: list[_Tier]):
    """The document holds the terms of one of the tiers' alternatives: GIN's bitmaps of each, ORed, and no test
    of a row beyond them."""
    return or_(*(_has(LIVE.c, terms) for tier in tiers for terms in tier.bound))


def _by_first_tier(planned: list, chosen, limit: int):
    """Of the `chosen` documents (fenced), the first `limit` by (first tier matched, position): a document's first
    tier is its first exact test to pass."""
    first_tier = case(*[(tier.exact(chosen.c), number) for number, tier, *_ in planned])
    # fenced too: the tier is computed once a document, not again for the order
    tiered = select(chosen.c.record_id, chosen.c.position, first_tier.label("tier")).offset(0).subquery()
    return (select(tiered.c.record_id).where(tiered.c.tier.is_not(None))
            .order_by(tiered.c.tier, tiered.c.position).limit(_bound("limit", limit)))


def _in_allowed(columns, ids: ColumnElement):
    """The document is one of the allowed (`ids`): a hashed subplan, tested row by row in rank order (`IS TRUE`
    keeps it from becoming a join, which loses the order; `= ANY(array)` would compare every row with every
    allowed id)."""
    return columns.record_id.in_(select(func.unnest(ids))).is_(true())


def _document_columns() -> list:
    """What a tier's exact test and its order read of a document."""
    return [LIVE.c.record_type, LIVE.c.record_id, LIVE.c.position, LIVE.c.names_text, LIVE.c.folded_text,
            LIVE.c.terms]


def _allowed_documents(record_type: str, ids: ColumnElement):
    """The allowed documents of the kind (`ids`: their record ids, bound as one array), read by their unique
    index, fenced (OFFSET 0) so that no tier's test is pushed down into the read."""
    return (select(*_document_columns()).where(LIVE.c.record_type == bindparam("record_type", record_type),
                                               LIVE.c.record_id.in_(select(func.unnest(ids)))).offset(0).subquery())


def _tier_select(number: int, tier: _Tier, plan: str, window: int | None, whole: bool, record_type: str,
                 ids: ColumnElement | None, scoped: bool, wanted: int):
    """The tier's first `wanted` matches in rank order, read by `plan`: "bitmap", the GIN bitmap of its
    candidates sorted by rank (rare terms); "walk", a walk of the rank index that stops at `wanted` (common
    terms), reading `window` documents at most, or every one (`whole`); "allowed", the allowed documents
    themselves (a few allowed among many matches). Among the allowed documents (`ids`) and within the query's
    scope (`scoped`) only. Its values are named parameters (`built`)."""
    kind, wanted = bindparam("record_type", record_type), _bound("wanted", wanted)

    def ranked(columns, condition):
        if scoped:  # the scope's test reads the terms array (10-19 µs a row): only where the text matched
            condition = case((condition, _in_scope(columns)), else_=False)
        query = (select(columns.record_id, columns.position, literal(number).label("tier"))
                 .where(columns.record_type == kind, condition).order_by(columns.position).limit(wanted))
        return query.where(_in_allowed(columns, ids)) if ids is not None else query

    # The bitmap's candidates are fenced (OFFSET 0) before they are sorted, so the planner reads them through GIN
    # and sorts them: left to itself, it walks the rank index with the GIN test as a filter whenever it expects
    # many matches, and where the walk had ended short (the grams common, the part in names rare: 农药) that read
    # every document of the kind (415 ms at national scale, for none found). The kind is not stated: every
    # term a tier's GIN test holds is led by it, and stating it made the planner AND the GIN bitmap with the
    # rank index's entries of the whole kind (48,787 firms: 3 ms a tier at national scale).
    candidates = select(LIVE.c.record_id, LIVE.c.position).where(tier.indexed(LIVE.c))
    if ids is not None:
        candidates = candidates.where(_in_allowed(LIVE.c, ids))
    if scoped:
        candidates = candidates.where(_in_scope(LIVE.c))
    candidates = candidates.offset(0).subquery()
    bitmap = (select(candidates.c.record_id, candidates.c.position, literal(number).label("tier"))
              .order_by(candidates.c.position).limit(wanted))
    if plan == "allowed" and ids is not None:
        chosen = _allowed_documents(record_type, ids)
        return ranked(chosen.c, tier.exact(chosen.c)).subquery().select()
    if plan != "walk":
        return bitmap.subquery().select()
    walked = (select(*_document_columns()).where(LIVE.c.record_type == kind).order_by(LIVE.c.position)
              .limit(_bound(f"t{number}_window", window)).subquery())
    walk = ranked(walked.c, tier.exact(walked.c))
    if whole:
        return walk.subquery().select()
    # fewer than `wanted` in the window: the bitmap answers instead (a one-time filter decides at run time)
    found = walk.cte(f"walk_{number}")
    short = select(func.count()).select_from(found).scalar_subquery() < wanted
    return union_all(select(found.c.record_id, found.c.position, found.c.tier),
                     bitmap.where(short)).subquery().select()
