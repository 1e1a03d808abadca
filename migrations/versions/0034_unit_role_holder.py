"""each firm's role holders, kept beside its records with its other figures (registry/figures.py): the persons who
held a role on its public projects, and on how many (`unit_role_holder`). A firm's key-staff list found them by
reading every role on every public project of the firm: 4,000 for a firm of 2,000 projects, 5 to 6 ms of its
profile on PostgreSQL (national scale).

Filled here from the records, with the clauses of `registry.figures.role_holders` written out (a migration never
imports the app): tests/test_foundation.py checks that both count the same.

Revision ID: 0034
Revises: 0033
"""
import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

# a public project (`project_public`): its firm's commitment in force, and neither it nor the firm's withhold
# covering it withheld
HOLDERS = """
INSERT INTO unit_role_holder (unit_id, person_id, projects)
SELECT project.unit_id, project_role.person_id, count(DISTINCT project_role.project_id)
FROM project_role JOIN project ON project.id = project_role.project_id JOIN unit ON unit.id = project.unit_id
WHERE project.non_disclosure_reason IS NULL AND unit.commitment_signed_at IS NOT NULL
  AND unit.registration_suspended_at IS NULL
  AND NOT (unit.non_disclosure_reason IS NOT NULL AND (unit.non_disclosure_scope IS NULL
           OR project.division_code LIKE (unit.non_disclosure_scope || '%')))
GROUP BY project.unit_id, project_role.person_id
"""


def upgrade():
    op.create_table(
        "unit_role_holder",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_role_holder_unit_id_unit")),
        sa.PrimaryKeyConstraint("unit_id", "person_id", name=op.f("pk_unit_role_holder")),
    )
    op.execute(HOLDERS)


def downgrade():
    op.drop_table("unit_role_holder")
