"""each firm's public figures, kept beside its records (registry/figures.py): first rounds passed and in all,
projects on time and counted, public projects, public substantiated findings and the latest day of one. A
search page read them counted from the records, and a firm of 2,000 projects cost a page 3 ms on PostgreSQL for
its first-pass rate alone.

The table is filled here from the records, with the same clauses as `registry.figures.counted` (written out, as
a migration never imports the app): tests/test_foundation.py checks that both count the same.

Revision ID: 0030
Revises: 0029
"""
import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

# Each NOT (...) over the firm is `covered_by_firm_withhold` of a division: the firm's withhold covers the record.
FILL = """
INSERT INTO unit_figures (unit_id, first_pass_passed, first_pass_total, on_time, on_time_total, projects, findings,
                          latest_finding_on)
SELECT unit.id, coalesce(first_pass.passed, 0), coalesce(first_pass.total, 0), coalesce(on_time.on_time, 0),
       coalesce(on_time.total, 0), coalesce(projects.n, 0), coalesce(findings.n, 0), findings.latest
FROM unit
LEFT JOIN (
    SELECT project.unit_id AS unit_id, sum(CASE WHEN review.passed THEN 1 ELSE 0 END) AS passed, count(*) AS total
    FROM review JOIN project ON project.id = review.project_id JOIN unit ON unit.id = project.unit_id
    WHERE review.round = 1 AND review.non_disclosure_reason IS NULL AND project.non_disclosure_reason IS NULL
      AND NOT (unit.non_disclosure_reason IS NOT NULL AND (unit.non_disclosure_scope IS NULL
               OR project.division_code LIKE (unit.non_disclosure_scope || '%')))
      AND NOT (unit.non_disclosure_reason IS NOT NULL AND (unit.non_disclosure_scope IS NULL
               OR coalesce(review.authority_division_code, project.division_code)
                  LIKE (unit.non_disclosure_scope || '%')))
    GROUP BY project.unit_id
) AS first_pass ON first_pass.unit_id = unit.id
LEFT JOIN (
    SELECT project.unit_id AS unit_id,
           sum(CASE WHEN project.completed_on <= project.contract_deadline THEN 1 ELSE 0 END) AS on_time,
           count(*) AS total
    FROM project JOIN unit ON unit.id = project.unit_id
    WHERE project.non_disclosure_reason IS NULL AND unit.commitment_signed_at IS NOT NULL
      AND unit.registration_suspended_at IS NULL
      AND NOT (unit.non_disclosure_reason IS NOT NULL AND (unit.non_disclosure_scope IS NULL
               OR project.division_code LIKE (unit.non_disclosure_scope || '%')))
      AND project.completed_on IS NOT NULL AND project.contract_deadline IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM complaint WHERE complaint.project_id = project.id
                      AND complaint.status = 'substantiated' AND complaint.non_disclosure_reason IS NULL
                      AND complaint.verified_on IS NOT NULL)
    GROUP BY project.unit_id
) AS on_time ON on_time.unit_id = unit.id
LEFT JOIN (
    SELECT project.unit_id AS unit_id, count(*) AS n
    FROM project JOIN unit ON unit.id = project.unit_id
    WHERE project.non_disclosure_reason IS NULL AND unit.commitment_signed_at IS NOT NULL
      AND unit.registration_suspended_at IS NULL
      AND NOT (unit.non_disclosure_reason IS NOT NULL AND (unit.non_disclosure_scope IS NULL
               OR project.division_code LIKE (unit.non_disclosure_scope || '%')))
    GROUP BY project.unit_id
) AS projects ON projects.unit_id = unit.id
LEFT JOIN (
    SELECT project.unit_id AS unit_id, count(*) AS n, max(complaint.verified_on) AS latest
    FROM project JOIN complaint ON complaint.project_id = project.id
    WHERE complaint.status = 'substantiated' AND complaint.non_disclosure_reason IS NULL
    GROUP BY project.unit_id
) AS findings ON findings.unit_id = unit.id
"""


def upgrade():
    op.create_table(
        "unit_figures",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("first_pass_passed", sa.Integer(), nullable=False),
        sa.Column("first_pass_total", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.Column("on_time_total", sa.Integer(), nullable=False),
        sa.Column("projects", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("latest_finding_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_figures_unit_id_unit")),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_unit_figures")),
    )
    op.execute(FILL)


def downgrade():
    op.drop_table("unit_figures")
