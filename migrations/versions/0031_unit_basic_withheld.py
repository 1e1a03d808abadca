"""the firms whose basic information is not public (unsigned, withheld or suspended), and the withheld firms, by id
(partial indexes): a parcel search counts every other firm's projects as they stand, and reads these few apart,
instead of reading every counted firm's row (C2631 across the country, national PostgreSQL: 39,090 projects of
26,741 firms)

Revision ID: 0031
Revises: 0030
"""
import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

BASIC_WITHHELD = "commitment_signed_at IS NULL OR non_disclosure_reason IS NOT NULL OR registration_suspended_at IS NOT NULL"
WITHHELD = "non_disclosure_reason IS NOT NULL"


def upgrade():
    op.create_index("ix_unit_basic_withheld", "unit", ["id"],
                    sqlite_where=sa.text(BASIC_WITHHELD), postgresql_where=sa.text(BASIC_WITHHELD))
    op.create_index("ix_unit_withheld", "unit", ["id"], sqlite_where=sa.text(WITHHELD), postgresql_where=sa.text(WITHHELD))


def downgrade():
    op.drop_index("ix_unit_withheld", table_name="unit")
    op.drop_index("ix_unit_basic_withheld", table_name="unit")
