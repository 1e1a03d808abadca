"""credit-repair applications: date applied, grounds, materials, and the regulator's decision

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "repair_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("penalty_id", sa.Integer(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("materials", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("refusal_reason", sa.Text(), nullable=True),
        sa.Column("recorded_by_account_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_account_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('pending', 'granted', 'refused')", name=op.f("ck_repair_application_status_known")),
        sa.CheckConstraint("(status = 'pending') = (decided_on IS NULL)",
                           name=op.f("ck_repair_application_decided_unless_pending")),
        sa.CheckConstraint("status <> 'refused' OR refusal_reason IS NOT NULL",
                           name=op.f("ck_repair_application_refusal_has_reason")),
        sa.ForeignKeyConstraint(["penalty_id"], ["penalty.id"], name=op.f("fk_repair_application_penalty_id_penalty")),
        sa.ForeignKeyConstraint(["recorded_by_account_id"], ["account.id"],
                                name=op.f("fk_repair_application_recorded_by_account_id_account")),
        sa.ForeignKeyConstraint(["decided_by_account_id"], ["account.id"],
                                name=op.f("fk_repair_application_decided_by_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_repair_application")),
    )
    op.create_index(op.f("ix_repair_application_penalty_id"), "repair_application", ["penalty_id"])


def downgrade():
    op.drop_index(op.f("ix_repair_application_penalty_id"), table_name="repair_application")
    op.drop_table("repair_application")
