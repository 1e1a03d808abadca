"""The search interface: three functions (index a record, remove a record, query) that any backend provides.

The Whoosh backend is the embedded default; a PostgreSQL pg_trgm backend can implement the same class.
"""
from abc import ABC, abstractmethod
from collections.abc import Iterable
from contextlib import contextmanager

from registry.search.documents import SearchDocument


class SearchBackend(ABC):
    """Full-text search over public, masked text; the database stays the source of truth."""

    @abstractmethod
    def index_record(self, document: SearchDocument) -> None:
        """Add or replace the document of one firm or person."""

    @abstractmethod
    def remove_record(self, record_type: str, record_id: int) -> None:
        """Remove the document of one firm or person (no longer listed)."""

    @abstractmethod
    def query(self, text: str, record_type: str, *, allowed: set[int] | None = None, limit: int = 20) -> list[int]:
        """Ids of `record_type` matching `text`, best first, at most `limit`, restricted to `allowed` if given."""

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
