"""The embedded search backend: Whoosh, built to the measured design of DESIGN §4.

- Names: a bigram field; folded text (address, projects): a 4-gram field; both KEYWORD fields, so no
  positions are stored, and the normalized text is stored beside them.
- A substring query ANDs the three rarest grams of each part (by doc frequency) to pick candidates, then
  confirms `part in stored_text`; at most CANDIDATE_CAP candidates a tier.
- No BM25, no collectors: matchers are walked in document order and the walk stops at `limit` hits. Each
  document stores its rank (documents.py). A build writes each kind to segments of their own, so a walk through
  one kind passes the other's segments whole. A kind's documents lie in runs in rank order: one per segment of a
  several-process build, and, since a document written again after the build is appended with the rank it had,
  one more wherever such a document's rank is lower than the one before it. Each run is walked until it gave
  `limit` hits and the runs' hits are merged by rank; a change to a firm (a finding, a penalty) never moves it
  within its tier. SQL filters arrive as record ids, mapped to document numbers when the reader opens, and
  the matcher skips through them (`skip_to`); a province or a practice category alone arrives as a scope,
  whose words (`scope_words`) each firm's document holds, intersected with each tier's matches.
- Tiers: exact name or credit-code prefix; substring in names; substring in folded text; jieba AND.
- Writers take a lock timeout and write non-compound segments; the reader is reopened only when the
  index's generation (or the current directory, after a rebuild) changes. Never `Searcher.refresh()`.
- Damage: Whoosh does not fsync, and a truncated segment may open fine and fail only when a query reads it.
  Any failure to read the index marks its directory damaged in this process (IndexUnavailable from then on,
  so the caller rebuilds); `contents()` reads every posting and stored document for `flask search check`.
  Its locks are `flock` locks, which the kernel drops with a killed process: a lock file left behind by a
  killed writer never blocks the next one.
"""
import gc
import os
import secrets
import shutil
import threading
import time
import warnings
import weakref
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import compress, groupby
from operator import attrgetter, sub
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh import formats
from whoosh.fields import ID, KEYWORD, STORED, FieldType, Schema
from whoosh.matching import IntersectionMatcher, ListMatcher, NullMatcher
from whoosh.matching.wrappers import MultiMatcher
from whoosh.codec.whoosh3 import W3PerDocReader
from flask import Flask
from sqlalchemy import delete, func, select
from whoosh.util.filelock import FileLock

from registry.clock import today
from registry.database import begin_write
from registry.models import SearchOutbox
from registry.search.analyzers import GramTokenizer, JiebaTokenizer
from registry.search.backend import IndexCheck, SearchBackend
from registry.search.documents import Scope, SearchDocument, all_documents, scope_words
from registry.search.outbox import drain_outbox
from registry.search.text import (
    FOLDED_GRAM, NAME_GRAM, PAD, code_query, normalize, query_grams, query_parts, uscc_prefixes, words,
)

CANDIDATE_CAP = 3000
PREFIX_TERMS_CAP = 5000
JIEBA_MAX_CHARS = 8
RARE_GRAMS = 3
ESTIMATE_POSTINGS = 5000  # postings an estimate reads at most per query part (about a millisecond)
POINTER = "CURRENT"
KEEP_BUILDS = 2
STORED_TEXTS = ("names_text", "folded_text", "masked", "scope")


def _cached_column_reader(self, fieldname, column):
    """whoosh 2.7.5 caches only the columns it finds: asking for an absent one (our fields store no lengths)
    stats the file again for every posting written, 418,000 stats in a 9,000-document build. A segment's files
    never change once written, so an absence is cached too."""
    if fieldname not in self._readers:
        self._readers[fieldname] = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
    return self._readers[fieldname]


W3PerDocReader._cached_reader = _cached_column_reader


class IndexUnavailable(Exception):
    """No readable index: the caller rebuilds it from the database."""


def _open_reader(ix):
    """A reader on the index. On a damaged segment Whoosh retries the open five times, and each failed try
    leaves its files to the garbage collector, which may close them during the next try: quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        return ix.reader()


def _unreadable(error: Exception, what: str) -> IndexUnavailable:
    """The IndexUnavailable for a failed read. Whoosh leaves the files of a half-opened segment to the garbage
    collector: drop the failing frames and collect them now, without a ResourceWarning (the error path only)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        chained = error
        while chained is not None:  # Whoosh re-raises inside its own handlers: every link holds frames
            chained.__traceback__ = None
            chained = chained.__context__
        gc.collect()
    return IndexUnavailable(f"{what}: {type(error).__name__}")


def make_schema() -> Schema:
    """The index schema: keys, exact names and code prefixes, grams and words, stored texts."""
    return Schema(
        key=ID(stored=True, unique=True),
        kind=ID(stored=True),
        rid=STORED,
        rank=STORED,
        exact=KEYWORD,
        code=KEYWORD,
        # existence only: no positions, frequencies or field lengths (nothing is scored); candidates come
        # from the grams, exactness from the stored text
        names2=FieldType(formats.Existence(), GramTokenizer(NAME_GRAM)),
        folded4=FieldType(formats.Existence(), GramTokenizer(FOLDED_GRAM)),
        words=FieldType(formats.Existence(), JiebaTokenizer()),
        names_text=STORED,
        folded_text=STORED,
        masked=STORED,
        # a firm's scope (`scope_words`): a search within a province or a category intersects it with the text's
        # matches; stored, so that a check finds a document whose scope is stale (or an index built without it)
        scope=KEYWORD(stored=True),
    )


def document_fields(document: SearchDocument) -> dict:
    """The Whoosh fields of a search document: normalized texts, one per line (the analyzers cut them)."""
    names = [normalize(name) for name in document.names if normalize(name)]
    folded = [normalize(text) for text in document.folded if normalize(text)]
    fields = {
        "key": f"{document.record_type}:{document.record_id}",
        "kind": document.record_type,
        "rid": document.record_id,
        "rank": document.rank,
        "exact": " ".join(name.replace(" ", PAD) for name in names),
        "names2": "\n".join(names),
        "folded4": "\n".join(folded),
        "words": "\n".join(dict.fromkeys(names + folded)),
        "names_text": "\n".join(names),
        "folded_text": "\n".join(folded),
    }
    if document.uscc:
        fields["code"] = " ".join(uscc_prefixes(document.uscc))
    if document.masked_id:
        fields["masked"] = document.masked_id
    fields["scope"] = " ".join(scope_words(document.province, document.categories))
    return {name: value for name, value in fields.items() if value != ""}


def stored_texts(fields: dict) -> tuple[str, ...]:
    """A document's stored texts (names, folded text, masked ID number): what a check compares, since every
    indexed field is cut from them."""
    return tuple(fields.get(name, "") for name in STORED_TEXTS)


class _Documents:
    """Whose each document of an open reader is, in flat arrays: its kind, record id and rank by document number,
    and each kind's record ids in order with their document numbers. A few bytes a document: the dicts of tuples
    this replaces held about 100 MB in every worker at national scale (185,000 documents), and every full
    garbage collection walked them."""

    def __init__(self, kind_names: list[str], kinds: bytearray, rids: array, ranks: array):
        self.kind_names = kind_names
        self.kinds = kinds  # 0: no document (deleted); n: kind_names[n - 1]
        self.rids, self.ranks = rids, ranks
        self._by_kind: dict[str, tuple[array, array]] = {}  # kind -> (record ids ascending, their docnums)
        self._spans: dict[str, tuple[array, array]] = {}  # kind -> where its runs of docnums begin and end
        # each kind's record ids sorted for `docnum`, and its spans, in C loops (compress, map): in Python,
        # 185,000 documents took 90 ms, after every write
        for code, kind in enumerate(kind_names, start=1):
            held = list(compress(range(len(kinds)), map(code.__eq__, kinds)))  # ascending
            by_rid = sorted(held, key=rids.__getitem__)  # stable: a tie stays in document order
            self._by_kind[kind] = (array("q", map(rids.__getitem__, by_rid)), array("q", by_rid))
            # a span begins where the step from the document before is not 1
            begins = [*compress(range(1, len(held)), map((1).__ne__, map(sub, held[1:], held)))]
            self._spans[kind] = (array("q", (held[at] for at in [0, *begins] if held)),
                                 array("q", (held[at - 1] + 1 for at in [*begins, len(held)] if held)))

    def kind(self, docnum: int) -> str | None:
        code = self.kinds[docnum] if 0 <= docnum < len(self.kinds) else 0
        return self.kind_names[code - 1] if code else None

    def next_of_kind(self, kind: str, docnum: int) -> int | None:
        """The first document of this kind at or after `docnum`, or None: a kind's documents lie in a few spans
        of consecutive numbers (a build's segments of that kind, and the documents written since)."""
        starts, ends = self._spans.get(kind, ((), ()))
        at = bisect_right(ends, docnum)
        return max(docnum, starts[at]) if at < len(starts) else None

    def count(self, kind: str) -> int:
        """How many documents of this kind the reader holds."""
        return len(self._by_kind.get(kind, ((), ()))[0])

    def docnum(self, kind: str, rid: int) -> int | None:
        """The document of this record, or None."""
        rids, docnums = self._by_kind.get(kind, ((), ()))
        at = bisect_left(rids, rid)
        return docnums[at] if at < len(rids) and rids[at] == rid else None


@dataclass
class _SegmentDocuments:
    """One segment's documents as they were written (deleted ones too): kind codes, record ids and ranks by the
    segment's document numbers, where each kind's runs in rank order begin, and each kind's first and last rank."""

    kinds: bytearray
    rids: array
    ranks: array
    runs: dict[str, list[int]]
    first: dict[str, int]
    last: dict[str, int]

    @classmethod
    def read(cls, leaf, kind_names: list[str]) -> "_SegmentDocuments":
        """Read a segment's stored fields (`kind_names`: the codes, extended with any new kind)."""
        size = leaf.doc_count_all()
        part = cls(bytearray(size), array("q", bytes(8 * size)), array("q", bytes(8 * size)), {}, {}, {})
        for docnum in range(size):
            stored = leaf.stored_fields(docnum)
            kind, rank = stored["kind"], stored["rank"]
            if kind not in kind_names:
                kind_names.append(kind)
            part.kinds[docnum] = kind_names.index(kind) + 1
            part.rids[docnum], part.ranks[docnum] = stored["rid"], rank
            if kind not in part.last or rank < part.last[kind]:
                part.runs.setdefault(kind, []).append(docnum)
            part.first.setdefault(kind, rank)
            part.last[kind] = rank
        return part


@dataclass
class _ReaderState:
    directory: str
    generation: int
    index: object  # the Whoosh index the reader was opened on
    reader: object
    documents: _Documents
    runs: dict  # kind -> where each run of that kind's documents in rank order begins (docnums, ascending)


class WhooshBackend(SearchBackend):
    """One index directory per build under `root`; `root/CURRENT` names the one in use."""

    def __init__(self, root: str, lock_timeout: float = 10.0):
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        self._lock = threading.RLock()
        self._holder: dict = {"state": None}  # the open reader, closed with the backend (or at exit)
        self._local = threading.local()  # the writer of this thread's open batch, if any
        self._damaged: set[str] = set()  # directories this process failed to read: never trusted again
        self._segments: dict[str, _SegmentDocuments] = {}  # the open reader's segments, read once each
        self._kind_names: list[str] = []  # the kinds' codes in `_SegmentDocuments.kinds` (1: the first)
        # the prefix walk of the last query, for the estimate that follows it on the same page (`_prefix_terms`)
        self._last_walk: tuple | None = None
        weakref.finalize(self, _close_state, self._holder)

    @property
    def _state(self) -> "_ReaderState | None":
        return self._holder["state"]

    @_state.setter
    def _state(self, state: "_ReaderState | None") -> None:
        self._holder["state"] = state

    # -- where the index lives -------------------------------------------------------------------

    def _current_directory(self) -> Path:
        try:
            name = (self.root / POINTER).read_text(encoding="utf-8").strip()
        except OSError:
            raise IndexUnavailable("no current index") from None
        directory = self.root / name
        if not name or "/" in name or not directory.is_dir():
            raise IndexUnavailable("the current index directory is missing")
        if str(directory) in self._damaged:
            raise IndexUnavailable("the current index is damaged")
        return directory

    def _open(self):
        directory = self._current_directory()
        # Whoosh leaves its table-of-contents file open when it cannot parse it: that handle is closed when
        # the failed attempt is dropped, without a ResourceWarning (the error path only).
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                return directory, whoosh_index.open_dir(str(directory))
            except Exception as error:  # any unreadable index is rebuilt, never trusted
                reason = type(error).__name__
            gc.collect()
        raise IndexUnavailable(f"unreadable index: {reason}")

    def is_ready(self) -> bool:
        """True when a current index exists and opens."""
        try:
            with self._lock:
                self._reader_state()
            return True
        except IndexUnavailable:
            return False

    def accepts_changes(self) -> bool:
        """True when a current index exists and opens: a drain writes its changes to it. Its segments are not
        read here, as `is_ready` reads them: at national scale that cost every write 70 ms, for a reader the
        drain's own commit leaves stale. An unreadable segment is found by the next search, which rebuilds the
        index from the database, changes included."""
        try:
            return "rank" in self._open()[1].schema
        except IndexUnavailable:
            return False

    # -- reading -------------------------------------------------------------------------------

    def _reader_state(self) -> _ReaderState:
        """The open reader, reopened only when the directory or its generation has changed. While neither has,
        the index is not opened again (opening reads its table of contents: 62 µs, three times a search page)."""
        state = self._state
        if state is not None and state.directory == str(self._current_directory()):
            with suppress(Exception):  # unreadable: opened afresh below, which says why
                if state.index.latest_generation() == state.generation:
                    return state
        directory, ix = self._open()
        try:
            generation = ix.latest_generation()
        except Exception:
            raise IndexUnavailable("unreadable index generation") from None
        if "rank" not in ix.schema:
            raise IndexUnavailable("an index without ranks (built by an earlier version)")
        reader = None
        try:
            reader = _open_reader(ix)
            documents, runs = self._read_documents(str(directory), reader)
        except Exception as error:
            if reader is not None:
                with suppress(Exception):  # a damaged reader may fail to close as well
                    reader.close()
            raise _unreadable(error, "unreadable index segments") from None
        self.close()
        self._state = _ReaderState(str(directory), generation, ix, reader, documents, runs)
        return self._state

    def _read_documents(self, directory: str, reader) -> tuple[_Documents, dict]:
        """The reader's documents (`_Documents`) and each kind's runs in rank order (docnums where one begins).

        Each segment's stored kinds, record ids and ranks are read once and kept (`_SegmentDocuments`): a
        segment never changes but for its deletions, which are applied afresh. A write adds a small segment, so
        the reader that follows it reads that one alone (at national scale, reading all 185,000 documents took
        1.5 s: in every worker's next search after any write, and in the write's own drain of the outbox)."""
        kinds, rids, ranks = bytearray(), array("q"), array("q")
        runs: dict[str, list[int]] = {}
        last: dict[str, int] = {}
        kept: dict[str, _SegmentDocuments] = {}
        for leaf, offset in reader.leaf_readers():
            if not leaf.doc_count_all():
                continue
            key = f"{directory}:{leaf.segment().segment_id()}"
            part = self._segments.get(key) or _SegmentDocuments.read(leaf, self._kind_names)
            kept[key] = part
            kinds += part.kinds
            for docnum in leaf.deleted_docs_set:  # deleted since the segment was read
                kinds[offset + docnum] = 0
            rids += part.rids
            ranks += part.ranks
            # a segment's runs, in the reader's numbers; its first run goes on from the one before when it ranks
            # after it (a run may hold deleted documents: a walk skips them, and the order is kept)
            for kind, starts in part.runs.items():
                if kind in last and part.first[kind] >= last[kind]:
                    starts = starts[1:]
                runs.setdefault(kind, []).extend(offset + start for start in starts)
                last[kind] = part.last[kind]
        self._segments = kept
        return _Documents(list(self._kind_names), kinds, rids, ranks), runs

    def read_segments(self) -> int:
        """Read the current index's segments (`_SegmentDocuments`), then close the reader; how many documents
        they hold (0: no index yet). A process forked after this opens its reader without reading them again:
        gunicorn's master does it before forking its workers (1.5 s of each worker's first search at national
        scale), and no open file crosses the fork."""
        try:
            with self._lock:
                documents = len(self._reader_state().documents.kinds)
        except IndexUnavailable:
            return 0
        self.close()
        return documents

    def close(self) -> None:
        """Close the open reader (a new one opens on the next query)."""
        with self._lock:
            self._last_walk = None
            _close_state(self._holder)

    @property
    def scopes(self) -> bool:
        """True when the current index holds each firm's scope (an index built before it was added does not)."""
        try:
            with self._lock:
                return "scope" in self._reader_state().index.schema
        except IndexUnavailable:
            return False

    def query(self, text: str, record_type: str, *, allowed: set[int] | None = None, scope: Scope | None = None,
              limit: int = 20) -> list[int]:
        """Tiers in order (exact, names, folded text, jieba words) until `limit` hits. Within a `scope`, each
        tier's matches are intersected with the documents holding its words: the walk stops at the page, where a
        list of the allowed firms was a statement of its own first (环保 among Jiangsu's investigation firms,
        national scale: 2,014 firms, 7.8 ms on SQLite)."""
        parts = query_parts(text)
        if not parts or limit <= 0:
            return []
        with self._lock:
            self._last_walk = None  # a query walks afresh: only the estimate after it reads its walk
            state = self._reader_state()
            if scope is not None and "scope" not in state.index.schema:
                raise ValueError("the index holds no firm's scope (built by an earlier version): give the allowed "
                                 "firms, or reindex")
            try:
                return self._query(state, text, parts, record_type, allowed, limit, scope)
            except Exception as error:  # a segment that opened but cannot be read (truncated postings, ...)
                self._damaged.add(state.directory)
                self.close()
                raise _unreadable(error, "unreadable index") from None

    def estimate(self, text: str, record_type: str) -> int | None:
        """About how many documents of `record_type` hold every part of `text`, from document frequencies and at
        most ESTIMATE_POSTINGS postings a part (see `_part_estimate`); the parts take the smallest."""
        parts = query_parts(text)
        if not parts:
            return None
        with self._lock:
            state = self._reader_state()
            try:
                fields = ("names2", "folded4") if record_type == "unit" else ("names2",)
                return min(_part_estimate(state, record_type, fields, part, self._prefix_terms) for part in parts)
            except Exception as error:  # as in `query`: an index that opened but cannot be read
                self._damaged.add(state.directory)
                self.close()
                raise _unreadable(error, "unreadable index") from None
            finally:
                self._last_walk = None  # read by this estimate alone

    def _query(self, state: _ReaderState, text: str, parts: list[str], record_type: str,
               allowed: set[int] | None, limit: int, scope: Scope | None = None) -> list[int]:
        """The tiers of `query`, on an open reader.

        A filter (`allowed`) is applied in one of two ways, whichever reads less. The walk either visits only the
        allowed documents (their document numbers found and sorted first, one lookup each), or meets every
        candidate and tests its record id in the set. The second reads about limit x documents / allowed
        candidates before its page is full, the first a lookup per allowed record: for investigation firms
        (14,500 of 48,800, national scale) and a page of 21, the lookups took 8 ms and the walk 0.4."""
        wanted = None
        if allowed is not None and limit * state.documents.count(record_type) > len(allowed) ** 2:
            wanted = sorted(docnum for docnum in (state.documents.docnum(record_type, rid) for rid in allowed)
                            if docnum is not None)
            if not wanted:
                return []
            allowed = None  # the walk visits only these documents
        within = None
        if scope is not None:
            reader, held = state.reader, scope.words()
            if any(("scope", word) not in reader for word in held):
                return []  # no document holds one of them
            within = lambda: _intersection([self._postings(reader, "scope", word) for word in held])  # noqa: E731
        found: dict[int, None] = {}
        search = _Search(state, record_type, wanted, allowed, found, limit, parts, within)
        # each tier's matcher is built only when the tiers before it left the page unfilled: a short part's
        # prefix union over the folded 4-grams reads every posting of thousands of terms
        search.tier(lambda: self._exact_matcher(state.reader, text, parts), confirm=None)
        # A part no longer than a field's gram size is found exactly by that field's grams (a gram, or the
        # prefix of one, with no positions lost): such candidates need no confirming against stored text,
        # which costs a decompression each (1,000 of them for a 1,000-hit API query at national scale).
        longest = max(len(part) for part in parts)
        names_exact = longest <= NAME_GRAM
        search.tier(lambda: self._substring_matcher(state.reader, parts, ("names2",)),
                    confirm=None if names_exact else ("names_text",))
        # only a firm has folded text (a person's document is its name: documents.person_documents), so a person
        # query skips the folded tier, which for a short part reads the postings of every 4-gram it begins
        # (a person named 青岛, national scale: 32,000 postings, 15 ms)
        if record_type == "unit" and len(parts) == 1:
            # one part: the previous tier walked every name that holds it (or stopped at the limit), so only the
            # folded text is left. Its 4-grams find a part of up to 4 characters exactly; a longer one is confirmed
            # against the folded text alone. With the names' grams as well, every name the previous tier refused
            # was walked and read again (a full firm name, national scale: 98 names, 5 of 10 ms)
            search.tier(lambda: self._substring_matcher(state.reader, parts, ("folded4",)),
                        confirm=None if longest <= FOLDED_GRAM else ("folded_text",))
        elif record_type == "unit":
            search.tier(lambda: self._substring_matcher(state.reader, parts, ("names2", "folded4")),
                        confirm=None if names_exact else ("names_text", "folded_text"))
        if len("".join(parts)) <= JIEBA_MAX_CHARS:
            search.tier(lambda: self._words_matcher(state.reader, parts), confirm=None)
        return [state.documents.rids[docnum] for docnum in found]

    @staticmethod
    def _postings(reader, field: str, term: str):
        if (field, term) not in reader:
            return None
        return _segment_skipping(reader, reader.postings(field, term))

    def _prefix_terms(self, reader, field: str, prefix: str) -> list[tuple[str, int]]:
        """The field's terms that begin with `prefix` (at most PREFIX_TERMS_CAP), each with its document
        frequency. The walk costs a seek in each segment's term table (焦化 in the folded 4-grams, national
        scale: 0.4-0.5 ms, four segments, for one term), and a text search page walked the same prefix twice:
        for its hits, then for its estimate. The estimate that follows a query on the same reader reads the
        query's walk; every query walks afresh and every estimate forgets the walk, so no page reads a walk of
        another."""
        walk = self._last_walk
        if walk is not None and walk[0] is reader and walk[1] == field and walk[2] == prefix:
            return walk[3]
        terms = []
        for term, info in reader.iter_prefix(field, prefix):
            terms.append((term.decode("utf-8") if isinstance(term, bytes) else term, info.doc_frequency()))
            if len(terms) >= PREFIX_TERMS_CAP:
                break
        self._last_walk = (reader, field, prefix, terms)
        return terms

    def _exact_matcher(self, reader, text: str, parts: list[str]):
        terms = [("exact", PAD.join(parts))]
        code = code_query(text)
        if code:
            terms.append(("code", code))
        return _union(reader, [m for m in (self._postings(reader, f, t) for f, t in terms) if m is not None])

    def _gram_requirement(self, reader, field: str, part: str):
        """Candidates for one query part in one gram field: the three rarest grams ANDed, or a prefix union."""
        size = NAME_GRAM if field == "names2" else FOLDED_GRAM
        part_grams, prefix = query_grams(part, size)
        if prefix is not None:
            terms = self._prefix_terms(reader, field, prefix)
            return _union(reader, [reader.postings(field, term) for term, _frequency in terms])
        frequencies = []
        for gram in part_grams:
            if (field, gram) not in reader:
                return None
            frequencies.append((reader.doc_frequency(field, gram), gram))
        rarest = [gram for _, gram in sorted(frequencies)[:RARE_GRAMS]]
        return _intersection([_segment_skipping(reader, reader.postings(field, gram)) for gram in rarest])

    def _substring_matcher(self, reader, parts: list[str], fields: tuple[str, ...]):
        requirements = []
        for part in parts:
            options = [self._gram_requirement(reader, field, part) for field in fields]
            option = _union(reader, [m for m in options if m is not None])
            if option is None:
                return None
            requirements.append(option)
        return _intersection(requirements)

    def _words_matcher(self, reader, parts: list[str]):
        tokens = [token for part in parts for token in words(part)]
        if not tokens:
            return None
        matchers = []
        for token in dict.fromkeys(tokens):
            postings = self._postings(reader, "words", token)
            if postings is None:
                return None
            matchers.append(postings)
        return _intersection(matchers)

    # -- writing -------------------------------------------------------------------------------

    @contextmanager
    def batch(self):
        """One writer (with the lock timeout) for a group of changes; committed at the end."""
        if getattr(self._local, "writer", None) is not None:
            yield self
            return
        directory, ix = self._open()
        writer = ix.writer(timeout=self.lock_timeout, compound=False)
        if self._current_directory() != directory:  # a rebuild swapped directories while we waited
            writer.cancel()
            raise IndexUnavailable("the index was rebuilt meanwhile")
        self._local.writer = writer
        try:
            yield self
        except BaseException:
            writer.cancel()
            raise
        else:
            writer.commit()
        finally:
            self._local.writer = None

    def index_record(self, document: SearchDocument) -> None:
        """Add or replace one document (inside a batch, or in a writer of its own)."""
        with self.batch():
            writer = self._local.writer
            # an index built before a field was added (the firms' scope) is given the fields it has: a check finds
            # its documents stale, and a reindex builds it afresh
            writer.update_document(**{name: value for name, value in document_fields(document).items()
                                      if name in writer.schema})

    def remove_record(self, record_type: str, record_id: int) -> None:
        """Delete one document by its key."""
        with self.batch():
            self._local.writer.delete_by_term("key", f"{record_type}:{record_id}")

    @contextmanager
    def rebuild_lock(self):
        """A file lock beside the builds: one rebuild at a time across the workers of this machine."""
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(self.root / "REBUILD.lock"))
        lock.acquire(blocking=True)
        try:
            yield
        finally:
            lock.release()

    def rebuild(self, documents: Iterable[SearchDocument], procs: int = 1, **options) -> int:
        """Build a new directory from `documents` and swap it in; the old index stays locked meanwhile.

        Each kind's documents are written to segments of their own (a writer for each run of one kind: the firms,
        then the persons, as `all_documents` gives them). A walk through one kind's documents then passes another
        kind's segment whole (`_SegmentSkippingMatcher`); within a segment it reads every block header of a
        posting list on its way (a person search for 城市建设投资, whose words are in tens of thousands of firm
        names: 3.0 -> 0.5 ms, national scale). The persons' short documents take one writer: written by two, in two
        segments, a person search for 张 took 6.0 ms against 4.4, though the build took 100 s against 123."""
        self.root.mkdir(parents=True, exist_ok=True)
        old_lock = self._lock_current()
        try:
            name = f"ix-{time.strftime('%Y%m%d%H%M%S')}-{secrets.token_hex(4)}"
            directory = self.root / name
            directory.mkdir()
            ix = whoosh_index.create_in(str(directory), make_schema())
            count = 0
            try:
                for kind, of_kind in groupby(documents, key=attrgetter("record_type")):
                    if procs > 1 and kind == "unit":
                        writer = ix.writer(procs=procs, multisegment=True, timeout=self.lock_timeout,
                                           compound=False)
                    else:
                        writer = ix.writer(timeout=self.lock_timeout, compound=False)
                    try:
                        for document in of_kind:
                            writer.add_document(**document_fields(document))
                            count += 1
                    except BaseException:
                        writer.cancel()
                        raise
                    writer.commit(merge=False)
            except BaseException:
                shutil.rmtree(directory, ignore_errors=True)
                raise
            pointer = self.root / f".{POINTER}.{secrets.token_hex(4)}"
            pointer.write_text(name, encoding="utf-8")
            os.replace(pointer, self.root / POINTER)
        finally:
            if old_lock is not None:
                old_lock.release()
        self._remove_old_builds(keep=name)
        return count

    def _lock_current(self):
        """Hold the current index's write lock so no drain writes into it while a new one is built."""
        try:
            _, ix = self._open()
        except IndexUnavailable:
            return None
        lock = ix.lock("WRITELOCK")
        deadline = time.monotonic() + self.lock_timeout
        while not lock.acquire(blocking=False):
            if time.monotonic() > deadline:
                from whoosh.index import LockError

                raise LockError("the search index is locked by another writer")
            time.sleep(0.05)
        return lock

    def _remove_old_builds(self, keep: str) -> None:
        builds = sorted((p for p in self.root.glob("ix-*") if p.is_dir() and p.name != keep),
                        key=lambda p: p.stat().st_mtime, reverse=True)
        for old in builds[KEEP_BUILDS - 1:]:
            shutil.rmtree(old, ignore_errors=True)


    # -- checking ------------------------------------------------------------------------------

    def contents(self) -> list[tuple[str, int, tuple[str, ...]]]:
        """Every document of the current index in document (= ranking) order, as (kind, id, stored texts),
        after reading every posting of every term; IndexUnavailable if any part cannot be read, or a
        document's key does not find it."""
        with self._lock:
            directory, ix = self._open()
            try:
                with _open_reader(ix) as reader:
                    for field, term in reader.all_terms():
                        for _docnum in reader.postings(field, term).all_ids():
                            pass
                    documents = []
                    for docnum in reader.all_doc_ids():
                        stored = reader.stored_fields(docnum)
                        if list(reader.postings("key", stored["key"]).all_ids()) != [docnum]:
                            raise IndexUnavailable("a document's key does not find it")
                        documents.append((stored["kind"], stored["rid"], stored_texts(stored)))
            except Exception as error:
                self._damaged.add(str(directory))
                self.close()
                if isinstance(error, IndexUnavailable):
                    raise
                raise _unreadable(error, "unreadable index") from None
        return documents

    def remove_interrupted_builds(self) -> list[str]:
        """Remove build directories that never reached their first commit (a rebuild killed mid-way); call it
        under `rebuild_lock`, so no build is in progress. Their names."""
        try:
            current = self._current_directory().name
        except IndexUnavailable:
            current = None
        removed = []
        for build in sorted(self.root.glob("ix-*")):
            committed = any(toc.name != "_MAIN_0.toc" for toc in build.glob("_MAIN_*.toc"))
            if build.is_dir() and build.name != current and not committed:
                shutil.rmtree(build, ignore_errors=True)
                removed.append(build.name)
        return removed

    # -- in step with the database -------------------------------------------------------------

    def keep_in_step(self, app: Flask) -> None:
        """After every write commit, the outbox is drained into the index, one writer at a time."""
        app.extensions.setdefault("after_write_commit", []).append(drain_outbox)

    def rebuild_from_database(self, session, procs: int = 1, only_if_missing: bool = False) -> int:
        """Rebuild into a new directory and swap it in, then drain the changes committed meanwhile. With
        `only_if_missing`, a worker that waited for another one's rebuild uses that one instead."""
        with self.rebuild_lock():
            if only_if_missing and self.is_ready():
                return 0
            # Outbox rows up to here were committed before the documents are read: the new index has them.
            covered = session.scalar(select(func.max(SearchOutbox.id)))
            count = self.rebuild(all_documents(session, today()), procs=procs)
        session.rollback()  # end the read transaction before taking the write lock
        if covered is not None:
            begin_write()
            session.execute(delete(SearchOutbox).where(SearchOutbox.id <= covered))
            session.commit()
        drain_outbox()  # changes committed while the new index was being built
        return count

    def check_against_database(self, session, repair: bool = True) -> IndexCheck:
        """Every document, its stored text and its order, and any outbox row left, against a fresh build."""
        with self.rebuild_lock():  # no rebuild runs meanwhile, so an unfinished build directory is a dead one
            check = IndexCheck(interrupted_builds=tuple(self.remove_interrupted_builds()))
            fresh = [(document.record_type, document.record_id, stored_texts(document_fields(document)))
                     for document in all_documents(session, today())]
            check.pending = session.scalar(select(func.count()).select_from(SearchOutbox))
            session.rollback()
            check.documents = len(fresh)
            try:
                indexed = self.contents()
            except IndexUnavailable as error:
                check.unreadable = str(error)
            else:
                _compare(check, fresh, indexed)
        if repair and not check.consistent:
            check.rebuilt = self.rebuild_from_database(session)
        return check


def _compare(check: IndexCheck, fresh: list, indexed: list) -> None:
    check.indexed = len(indexed)
    wanted = {(kind, rid): texts for kind, rid, texts in fresh}
    held = {(kind, rid): texts for kind, rid, texts in indexed}
    check.missing = len(wanted.keys() - held.keys())
    check.extra = len(held.keys() - wanted.keys())
    check.stale = sum(1 for key in wanted.keys() & held.keys() if wanted[key] != held[key])
    check.out_of_order = sum(1 for ours, theirs in zip(fresh, indexed) if ours[:2] != theirs[:2])


def _close_state(holder: dict) -> None:
    state = holder.get("state")
    holder["state"] = None
    if state is not None:
        state.reader.close()


def _part_estimate(state: _ReaderState, record_type: str, fields: tuple[str, ...], part: str,
                   prefix_terms: Callable[[object, str, str], list[tuple[str, int]]]) -> int:
    """About how many documents of `record_type` hold `part` in one of the gram fields. Its terms there: the
    rarest gram (by document frequency, as the query planner picks), or, for a part shorter than the gram, every
    gram it begins. Their postings are read, up to ESTIMATE_POSTINGS, into one set of this kind's documents:
    exact (an upper bound of the part's matches) when they all fit; otherwise the documents found per posting
    read, times every posting the terms hold, since one document holds many grams a short part begins (青岛:
    15 each, in addresses) and the kinds share the name field."""
    reader = state.reader
    terms = []
    for field in fields:
        part_grams, prefix = query_grams(part, NAME_GRAM if field == "names2" else FOLDED_GRAM)
        if prefix is None:
            present = [(reader.doc_frequency(field, gram), gram) for gram in part_grams if (field, gram) in reader]
            if len(present) == len(part_grams):
                frequency, rarest = min(present)
                terms.append((field, rarest, frequency))
            continue
        terms += [(field, term, frequency) for term, frequency in prefix_terms(reader, field, prefix)]
    postings = sum(frequency for _, _, frequency in terms)
    documents: set[int] = set()
    read = 0
    for field, term, frequency in terms:
        if read + frequency > ESTIMATE_POSTINGS:
            break
        documents.update(docnum for docnum in reader.postings(field, term).all_ids()
                         if state.documents.kind(docnum) == record_type)
        read += frequency
    if read == postings:
        return len(documents)
    if read == 0:  # one term alone holds more than the sample: its frequency, all kinds counted
        return min(frequency for _, _, frequency in terms)
    return round(len(documents) * postings / read)


class _SegmentSkippingMatcher(MultiMatcher):
    """Whoosh's matcher over a term's postings in several segments, but a skip to a document past the end of the
    current segment moves on without reading the rest of it. Whoosh's asks the current segment's matcher to skip
    first, which reads the header of each of its blocks on the way (a person search walking past the firms'
    segment: 990 blocks for 城市建设投资 at national scale, 6 ms). `ends`: where each matcher's segment ends."""

    def __init__(self, matchers, offsets, ends, current=0):
        self.ends = ends
        super().__init__(matchers, offsets, current=current)

    def copy(self):
        return _SegmentSkippingMatcher([matcher.copy() for matcher in self.matchers], self.offsets, self.ends,
                                       self.current)

    def replace(self, minquality=0):
        return self if self.is_active() else NullMatcher()  # no scores here: a quality floor drops nothing

    def skip_to(self, id):
        moved = False
        while self.current < len(self.matchers) and self.ends[self.current] <= id:
            self.current += 1  # every document of that segment lies before `id`
            moved = True
        if moved:
            self._next_matcher()
            if not self.is_active():
                return True
        return super().skip_to(id) or moved


def _segment_skipping(reader, matcher):
    """`matcher` as a `_SegmentSkippingMatcher` when it spans a reader of several segments."""
    if type(matcher) is not MultiMatcher:
        return matcher
    starts = list(reader.doc_offsets)
    end_of = dict(zip(starts, [*starts[1:], reader.doc_count_all()]))
    return _SegmentSkippingMatcher(matcher.matchers, matcher.offsets, [end_of[offset] for offset in matcher.offsets],
                                   matcher.current)


def _union(reader, matchers: list):
    """A matcher over the union of several postings (materialized: prefix groups are small)."""
    matchers = [m for m in matchers if m is not None]
    if not matchers:
        return None
    if len(matchers) == 1:
        return matchers[0]
    ids: set[int] = set()
    for matcher in matchers:
        ids.update(matcher.all_ids())
    return ListMatcher(sorted(ids)) if ids else NullMatcher()


def _intersection(matchers: list):
    if not matchers or any(m is None for m in matchers):
        return None
    result = matchers[0]
    for matcher in matchers[1:]:
        result = IntersectionMatcher(result, matcher)
    return result


class _Search:
    """Walks tiers of matchers in document order, confirming substrings, until `limit` hits are found."""

    def __init__(self, state: _ReaderState, record_type: str, wanted: list[int] | None, allowed: set[int] | None,
                 found: dict, limit: int, parts: list[str], within=None):
        self.state, self.record_type, self.wanted, self.allowed = state, record_type, wanted, allowed
        self.found, self.limit, self.parts = found, limit, parts
        self.within = within  # a fresh matcher over the documents of the query's scope, or None

    def tier(self, make_matcher, confirm: tuple[str, ...] | None) -> None:
        """Walk one tier's candidates (`make_matcher()`, built only if the limit is not reached yet), confirming
        each, until the limit. The documents of a kind lie in runs, each in rank order: one per segment a
        several-process build wrote, then one per document written since in a rank below the one before it. Each
        run is walked until it gave enough, and the runs' hits are merged by rank."""
        needed = self.limit - len(self.found)
        if needed <= 0:
            return
        runs = self.state.runs.get(self.record_type, [0])
        hits = self._hits(make_matcher, confirm, runs, needed)
        if len(runs) > 1:
            hits = sorted(hits, key=self.state.documents.ranks.__getitem__)[:needed]
        self.found.update(dict.fromkeys(hits))

    def _hits(self, make_matcher, confirm: tuple[str, ...] | None, runs: list[int], needed: int) -> list[int]:
        """The tier's confirmed new documents, at most `needed` from each run (one matcher, walked forward)."""
        matcher = make_matcher()
        if matcher is None:
            return []
        if self.within is not None:
            matcher = IntersectionMatcher(matcher, self.within())
        hits: list[int] = []
        seen = 0
        for begin, end in zip(runs, [*runs[1:], None]):
            in_run = 0
            # a walk left at a document of the next run stays on it (the matcher moves on only when asked for
            # the document after), so the next run's walk begins there
            for docnum in self._walk(matcher, begin):
                if end is not None and docnum >= end:
                    break
                if docnum in self.found or self.state.documents.kind(docnum) != self.record_type:
                    continue
                if self.allowed is not None and self.state.documents.rids[docnum] not in self.allowed:
                    continue
                seen += 1
                if seen > CANDIDATE_CAP:
                    return hits
                if confirm is not None and not self._confirmed(docnum, confirm):
                    continue
                hits.append(docnum)
                in_run += 1
                if in_run >= needed:
                    break
            if not matcher.is_active():
                break
        return hits

    def _walk(self, matcher, start: int = 0):
        if start and matcher.is_active() and matcher.id() < start:
            matcher.skip_to(start)
        if self.wanted is None:
            # only this kind's documents: a person query would otherwise step through every firm whose folded
            # text holds the term (29,000 documents a search page at national scale) to reach persons. The walk
            # jumps over the other kinds' spans; intersected with the kind's postings instead, it stepped through
            # them one by one (a full firm name's query: 22 ms of 30, national scale)
            documents, kind = self.state.documents, self.record_type
            while matcher.is_active():
                docnum = matcher.id()
                following = documents.next_of_kind(kind, docnum)
                if following is None:
                    return
                if following > docnum:
                    matcher.skip_to(following)
                    continue
                yield docnum
                matcher.next()
            return
        for docnum in self.wanted[bisect_left(self.wanted, start):]:
            if not matcher.is_active():
                return
            if matcher.id() < docnum:
                matcher.skip_to(docnum)
                if not matcher.is_active():
                    return
            if matcher.id() == docnum:
                yield docnum

    def _confirmed(self, docnum: int, fields: tuple[str, ...]) -> bool:
        stored = self.state.reader.stored_fields(docnum)
        text = "\n".join(stored.get(field, "") for field in fields)
        return all(part in text for part in self.parts)
