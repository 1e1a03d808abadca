"""The search interface: three functions (index a record, remove a record, query) that any backend provides,
and how each keeps in step with the database (Whoosh after each commit, PostgreSQL inside it), rebuilds from
it and checks against it. The code that uses a backend never asks which one it is.
"""
from abc import ABC, abstractmethod
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask

from registry.search.documents import Scope, SearchDocument


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


class SearchBackend(ABC):
    """Full-text search over public, masked text; the database stays the source of truth."""

    # True when its documents hold each firm's scope (province and categories, `Scope`), so that `query` can be
    # restricted to one without a list of the allowed firms
    scopes = False

    @abstractmethod
    def index_record(self, document: SearchDocument) -> None:
        """Add or replace the document of one firm or person."""

    @abstractmethod
    def remove_record(self, record_type: str, record_id: int) -> None:
        """Remove the document of one firm or person (no longer listed)."""

    @abstractmethod
    def query(self, text: str, record_type: str, *, allowed: set[int] | None = None, scope: Scope | None = None,
              limit: int = 20) -> list[int]:
        """Ids of `record_type` matching `text`, best first, at most `limit`, restricted to `allowed` if given,
        and to the firms of `scope` (a backend that `scopes` only)."""

    def estimate(self, text: str, record_type: str) -> int | None:
        """About how many documents of `record_type` match `text`, from the document frequencies the index keeps,
        without walking the matches (what a search page shows as "about N" when it stopped at its page); None
        when the backend cannot say."""
        return None

    @contextmanager
    def batch(self):
        """Group several index/remove calls into one write (backends that need it override this)."""
        yield self

    @contextmanager
    def rebuild_lock(self):
        """Held while a full rebuild runs, so concurrent workers do not rebuild the same index twice."""
        yield

    @abstractmethod
    def rebuild(self, documents: Iterable[SearchDocument], **options) -> int:
        """Replace the whole index with these documents; returns how many were indexed."""

    @abstractmethod
    def is_ready(self) -> bool:
        """True when an index exists and can be read."""

    def accepts_changes(self) -> bool:
        """True when an index exists for the outbox's changes to be written to (by default: `is_ready`)."""
        return self.is_ready()

    @abstractmethod
    def keep_in_step(self, app: Flask) -> None:
        """Arrange, once per app, for the outbox rows each write leaves to reach the index."""

    def before_commit(self, session) -> None:
        """Just before a service's transaction commits (with SEARCH_INDEX_ON_COMMIT): nothing by default; a
        backend whose documents live in the database applies the outbox here, in the same transaction."""

    @abstractmethod
    def rebuild_from_database(self, session, procs: int = 1, only_if_missing: bool = False) -> int:
        """Rebuild every document from the database and swap it in, keeping the changes written meanwhile;
        returns how many were indexed (0 when `only_if_missing` and another worker's rebuild came first)."""

    def check_against_database(self, session, repair: bool = True) -> IndexCheck | None:
        """Compare the index with a fresh build of the database, rebuilding it when they differ (`repair`);
        None for a backend that writes its documents in the data's own transactions (nothing can drift)."""
        return None
