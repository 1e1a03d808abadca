"""the index of parcels by former industry holds the firm second, the area third: the projects of one class (the
finest code) come in firm order, so a parcel search counts them by firm without sorting them. An area range was
never read as a range of this index (the industry before it is a range of codes), so nothing is lost.

Revision ID: 0025
Revises: 0024
"""
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_project_parcel", table_name="project")
    op.create_index("ix_project_parcel", "project",
                    ["former_industry", "unit_id", "area_m2", "division_code", "non_disclosure_reason"])


def downgrade():
    op.drop_index("ix_project_parcel", table_name="project")
    op.create_index("ix_project_parcel", "project",
                    ["former_industry", "area_m2", "unit_id", "division_code", "non_disclosure_reason"])
