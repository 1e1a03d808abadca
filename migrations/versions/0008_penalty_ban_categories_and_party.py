"""penalties as decided: a firm's banned service categories (Soil Law art. 90), and the double-publicity
fields kept as decided (the party's name and legal representative, the ID type)

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("penalty") as batch:
        batch.add_column(sa.Column("ban_categories", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("party_name", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("legal_representative", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("id_type", sa.String(length=30), nullable=True))


def downgrade():
    with op.batch_alter_table("penalty") as batch:
        batch.drop_column("id_type")
        batch.drop_column("legal_representative")
        batch.drop_column("party_name")
        batch.drop_column("ban_categories")
