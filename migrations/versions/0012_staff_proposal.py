"""an invitation may carry a firm's proposal that a person join it: the name and title the firm typed, kept
apart from the person's record until the person confirms

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("proposed_name", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("proposed_title", sa.String(length=100), nullable=True))


def downgrade():
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("proposed_title")
        batch.drop_column("proposed_name")
