"""each change of a firm's basic information records the day it happened and the (Beijing) day it was entered;
a firm may declare that it has ceased business, with the date

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("unit_version") as batch:
        batch.add_column(sa.Column("changed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("entered_on", sa.Date(), nullable=True))
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("ceased_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("ceased_on")
    with op.batch_alter_table("unit_version") as batch:
        batch.drop_column("entered_on")
        batch.drop_column("changed_on")
