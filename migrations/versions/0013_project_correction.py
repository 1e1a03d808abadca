"""a firm's correction of a locked project field is a request the competent regulator accepts; an accepted one
marks the project as corrected

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "project_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_account_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_account_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'refused')",
                           name=op.f("ck_project_correction_status_known")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_project_correction_project_id_project")),
        sa.ForeignKeyConstraint(["requested_by_account_id"], ["account.id"],
                                name=op.f("fk_project_correction_requested_by_account_id_account")),
        sa.ForeignKeyConstraint(["decided_by_account_id"], ["account.id"],
                                name=op.f("fk_project_correction_decided_by_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_correction")),
    )
    op.create_index(op.f("ix_project_correction_project_id"), "project_correction", ["project_id"])
    op.create_index(op.f("ix_project_correction_status"), "project_correction", ["status"])


def downgrade():
    op.drop_table("project_correction")
    with op.batch_alter_table("project") as batch:
        batch.drop_column("corrected_at")
