"""the day a firm entered that a staff member left, beside the day the person left (`ended_on`)

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("employment") as batch:
        batch.add_column(sa.Column("end_entered_on", sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table("employment") as batch:
        batch.drop_column("end_entered_on")
