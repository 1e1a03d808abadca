"""The PostgreSQL search backend's documents (DESIGN §4): one row per publicly listed firm or person.

The table exists on every database so models and migrations agree; only the pg_trgm backend fills it. On
PostgreSQL `terms` is a text array (exact names, credit-code prefixes, characters, bigrams and jieba words,
each with a one-letter prefix) under a GIN index, and the two texts have pg_trgm GIN indexes; on SQLite the
same columns and indexes are plain ones and the table stays empty (the Whoosh index serves search there).
`search_gram` holds how many documents hold each term (and, under `u*`/`p*`, how many documents each kind
has): the backend's query planner reads it to choose how to find a term's documents.
"""
from sqlalchemy import BigInteger, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from registry.models.base import Base

TERMS_TYPE = Text().with_variant(postgresql.ARRAY(Text()), "postgresql")


class SearchEntry(Base):
    __tablename__ = "search_document"
    __table_args__ = (
        UniqueConstraint("record_type", "record_id"),
        Index("ix_search_document_rank", "record_type", "position"),
        Index("ix_search_document_terms", "terms", postgresql_using="gin"),
        Index("ix_search_document_names_trgm", "names_text", postgresql_using="gin",
              postgresql_ops={"names_text": "gin_trgm_ops"}),
        Index("ix_search_document_folded_trgm", "folded_text", postgresql_using="gin",
              postgresql_ops={"folded_text": "gin_trgm_ops"}),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(10))  # "unit" or "person"
    record_id: Mapped[int]
    # the document's rank (search/documents.py): the order of documents within a tier, as the Whoosh backend's;
    # a document written again keeps it (the sequence the first version numbered documents with is unused)
    position: Mapped[int] = mapped_column(BigInteger)
    names_text: Mapped[str] = mapped_column(Text)  # normalized names, one a line
    folded_text: Mapped[str] = mapped_column(Text)  # normalized address and project texts, one a line
    terms = mapped_column(TERMS_TYPE, nullable=False)


class SearchGram(Base):
    """How many documents hold a term: kept exact in the transaction that writes the documents."""

    __tablename__ = "search_gram"
    # no CHECK (documents >= 0): PostgreSQL checks an upsert's proposed row before its conflict, and the
    # writers' upsert proposes each change, negative ones included
    term: Mapped[str] = mapped_column(Text, primary_key=True)
    documents: Mapped[int]
