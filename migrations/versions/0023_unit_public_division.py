"""the firms whose basic information is public, by division (a partial index), so a search within a province reads
its firms from the index alone; and a category's index holds its firms, so PostgreSQL reads them from it alone

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BASIC_PUBLIC = "commitment_signed_at IS NOT NULL AND non_disclosure_reason IS NULL AND registration_suspended_at IS NULL"


def upgrade():
    op.create_index("ix_unit_public_division", "unit", ["division_code", "id"],
                    sqlite_where=sa.text(BASIC_PUBLIC), postgresql_where=sa.text(BASIC_PUBLIC))
    op.drop_index("ix_unit_category_category", table_name="unit_category")
    op.create_index("ix_unit_category_category", "unit_category", ["category", "unit_id"])


def downgrade():
    op.drop_index("ix_unit_category_category", table_name="unit_category")
    op.create_index("ix_unit_category_category", "unit_category", ["category"])
    op.drop_index("ix_unit_public_division", table_name="unit")
