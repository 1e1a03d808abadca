"""two indexes of projects for the search page: each firm's projects, most recent first (by completion, else
start), so a search hit's explanation reads only the recent public projects the index folds in; and parcels by
former industry and area, holding what a parcel search groups and checks (firm, division, withholding), so it
reads no project row (this one replaces the index on the former industry alone)

Revision ID: 0021
Revises: 0020
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

PARCEL = ["former_industry", "area_m2", "unit_id", "division_code", "non_disclosure_reason"]


def upgrade():
    op.create_index("ix_project_recent", "project",
                    ["unit_id", sa.text("coalesce(completed_on, started_on)"), "id"])
    op.create_index("ix_project_parcel", "project", PARCEL)
    op.drop_index("ix_project_former_industry", table_name="project")


def downgrade():
    op.create_index("ix_project_former_industry", "project", ["former_industry"])
    op.drop_index("ix_project_parcel", table_name="project")
    op.drop_index("ix_project_recent", table_name="project")
