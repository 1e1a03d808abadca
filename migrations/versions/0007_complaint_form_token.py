"""a complaint remembers the single-use token of the form that filed it, so a replayed POST files nothing

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(sa.Column("form_token_hmac", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(op.f("uq_complaint_form_token_hmac"), ["form_token_hmac"])


def downgrade():
    with op.batch_alter_table("complaint") as batch:
        batch.drop_constraint(op.f("uq_complaint_form_token_hmac"), type_="unique")
        batch.drop_column("form_token_hmac")
