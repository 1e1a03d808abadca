"""how many search documents hold each term (the PostgreSQL search backend chooses its plan from it), counted
from the documents already there

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "search_gram",
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("documents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_gram")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # the terms of the documents there, and each kind's document count under "u*" / "p*"
        op.execute("INSERT INTO search_gram (term, documents) SELECT term, count(*) FROM ("
                   "SELECT unnest(terms) AS term FROM search_document "
                   "UNION ALL SELECT left(record_type, 1) || '*' FROM search_document) AS counted GROUP BY term")


def downgrade():
    op.drop_table("search_gram")
