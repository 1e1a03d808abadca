"""a firm's self-registration is confirmed by its regulator, or suspended; firms that arrived otherwise (the
authorities' import, the demo) count as confirmed from their creation

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("registration_confirmed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("registration_suspended_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE unit SET registration_confirmed_at = created_at WHERE id NOT IN (SELECT record_id FROM "
               "audit_event WHERE action = 'unit_registered' AND record_type = 'unit' AND record_id IS NOT NULL)")


def downgrade():
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("registration_suspended_at")
        batch.drop_column("registration_confirmed_at")
