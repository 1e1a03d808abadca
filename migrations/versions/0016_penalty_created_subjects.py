"""parties a penalty decision created (Soil Law art. 90 reaches firms and persons whether or not registered):
`registered` is false until a registration claims the record

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("unit", "person"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("registered", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    for table in ("unit", "person"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("registered")
