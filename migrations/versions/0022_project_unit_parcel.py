"""each firm's projects by parcel: the index on a project's firm gains the parcel's former industry and area, and
what a parcel search checks (division, withholding), so a parcel search within a province counts each of the
province's firms' matching projects from the index alone (this one replaces the index on the firm alone, whose
every use it serves)

Revision ID: 0022
Revises: 0021
"""
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_project_unit_parcel", "project",
                    ["unit_id", "former_industry", "area_m2", "division_code", "non_disclosure_reason"])
    op.drop_index("ix_project_unit_id", table_name="project")


def downgrade():
    op.create_index("ix_project_unit_id", "project", ["unit_id"])
    op.drop_index("ix_project_unit_parcel", table_name="project")
