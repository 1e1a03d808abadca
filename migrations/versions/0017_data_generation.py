"""the data generation: one row whose number every writing transaction bumps, the source of the public
pages' ETag and Last-Modified

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "data_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_data_generation_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_generation")),
    )
    op.execute(table.insert().values(id=1, number=1, changed_at=sa.func.now()))


def downgrade():
    op.drop_table("data_generation")
