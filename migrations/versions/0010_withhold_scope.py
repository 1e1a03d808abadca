"""a firm's withhold records the withholding authority's jurisdiction: it covers that authority's records only;
every review and complaint stores the authority it belongs to (the project's location, for those without one)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("non_disclosure_scope", sa.String(length=6), nullable=True))
    op.execute("UPDATE review SET authority_division_code = (SELECT project.division_code FROM project "
               "WHERE project.id = review.project_id) WHERE authority_division_code IS NULL")
    op.execute("UPDATE complaint SET authority_division_code = (SELECT project.division_code FROM project "
               "WHERE project.id = complaint.project_id) WHERE authority_division_code IS NULL")


def downgrade():
    with op.batch_alter_table("unit") as batch:
        batch.drop_column("non_disclosure_scope")
