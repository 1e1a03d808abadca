"""the PostgreSQL search backend's documents (pg_trgm and bigram-array GIN indexes on PostgreSQL)

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TERMS_TYPE = sa.Text().with_variant(postgresql.ARRAY(sa.Text()), "postgresql")


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE SEQUENCE IF NOT EXISTS search_document_position_seq")
    op.create_table(
        "search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=10), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.BigInteger(), nullable=False),
        sa.Column("names_text", sa.Text(), nullable=False),
        sa.Column("folded_text", sa.Text(), nullable=False),
        sa.Column("terms", TERMS_TYPE, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
        sa.UniqueConstraint("record_type", "record_id", name=op.f("uq_search_document_record_type_record_id")),
    )
    op.create_index("ix_search_document_rank", "search_document", ["record_type", "position"])
    op.create_index("ix_search_document_terms", "search_document", ["terms"], postgresql_using="gin")
    op.create_index("ix_search_document_names_trgm", "search_document", ["names_text"], postgresql_using="gin",
                    postgresql_ops={"names_text": "gin_trgm_ops"})
    op.create_index("ix_search_document_folded_trgm", "search_document", ["folded_text"], postgresql_using="gin",
                    postgresql_ops={"folded_text": "gin_trgm_ops"})


def downgrade():
    op.drop_table("search_document")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP SEQUENCE IF EXISTS search_document_position_seq")
