"""parcels by former industry, then place: a parcel search within a province (the similar-parcels page) reads the
province's share of the class, where the index in firm order reads the whole class across the country (C3360 in
Guangdong, national scale: 5,340 index entries instead of 59,384; the count by firm 5.4 -> 2.0 ms on SQLite).

Revision ID: 0029
Revises: 0028
"""
from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_project_parcel_place", "project",
                    ["former_industry", "division_code", "unit_id", "area_m2", "non_disclosure_reason"])


def downgrade():
    op.drop_index("ix_project_parcel_place", table_name="project")
