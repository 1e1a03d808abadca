"""an index of each firm's projects, most recent first (by completion, else start): a search hit's explanation
reads only the recent public projects the index folds in, not every project of a firm of 2,000

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_project_recent", "project",
                    ["unit_id", sa.text("coalesce(completed_on, started_on)"), "id"])


def downgrade():
    op.drop_index("ix_project_recent", table_name="project")
