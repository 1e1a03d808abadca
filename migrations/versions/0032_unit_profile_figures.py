"""each firm's profile figures, kept beside its records with the others (registry/figures.py): the first and last
day its first-pass and on-time rates count, and its public review outcomes by year (`unit_review_year`). A
firm's profile counted them from the records: for a firm of 2,000 projects, two walks of its 2,000 projects and
2,700 reviews (13 ms of its page on PostgreSQL, national scale).

Filled here from the records, with the same clauses as `registry.figures.counted` (written out, as a migration
never imports the app): tests/test_foundation.py checks that both count the same.

Revision ID: 0032
Revises: 0031
"""
import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

# A review outcome the public sees (`review_public`); each NOT (...) over the firm is the firm's withhold
# covering the record, as in migration 0030.
REVIEW_PUBLIC = """review.non_disclosure_reason IS NULL AND project.non_disclosure_reason IS NULL
      AND NOT (unit.non_disclosure_reason IS NOT NULL AND (unit.non_disclosure_scope IS NULL
               OR project.division_code LIKE (unit.non_disclosure_scope || '%')))
      AND NOT (unit.non_disclosure_reason IS NOT NULL AND (unit.non_disclosure_scope IS NULL
               OR coalesce(review.authority_division_code, project.division_code)
                  LIKE (unit.non_disclosure_scope || '%')))"""

PERIODS = """
UPDATE unit_figures SET first_pass_from = first_pass.low, first_pass_to = first_pass.high
FROM (
    SELECT project.unit_id AS unit_id, min(review.reviewed_on) AS low, max(review.reviewed_on) AS high
    FROM review JOIN project ON project.id = review.project_id JOIN unit ON unit.id = project.unit_id
    WHERE review.round = 1 AND {review_public}
    GROUP BY project.unit_id
) AS first_pass WHERE unit_figures.unit_id = first_pass.unit_id;
UPDATE unit_figures SET on_time_from = on_time.low, on_time_to = on_time.high
FROM (
    SELECT project.unit_id AS unit_id, min(project.completed_on) AS low, max(project.completed_on) AS high
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
) AS on_time WHERE unit_figures.unit_id = on_time.unit_id
"""

YEARS = """
INSERT INTO unit_review_year (unit_id, year, passed, total)
SELECT project.unit_id, {year}, sum(CASE WHEN review.passed THEN 1 ELSE 0 END), count(*)
FROM review JOIN project ON project.id = review.project_id JOIN unit ON unit.id = project.unit_id
WHERE {review_public}
GROUP BY project.unit_id, {year}
"""
# the year of a review, as SQLAlchemy's extract("year", ...) reads it on each database
YEAR = {"sqlite": "CAST(STRFTIME('%Y', review.reviewed_on) AS INTEGER)",
        "postgresql": "CAST(EXTRACT(year FROM review.reviewed_on) AS INTEGER)"}


def upgrade():
    for column in ("first_pass_from", "first_pass_to", "on_time_from", "on_time_to"):
        op.add_column("unit_figures", sa.Column(column, sa.Date(), nullable=True))
    op.create_table(
        "unit_review_year",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_unit_review_year_unit_id_unit")),
        sa.PrimaryKeyConstraint("unit_id", "year", name=op.f("pk_unit_review_year")),
    )
    for statement in PERIODS.format(review_public=REVIEW_PUBLIC).split(";"):
        op.execute(statement)
    op.execute(YEARS.format(year=YEAR[op.get_bind().dialect.name], review_public=REVIEW_PUBLIC))


def downgrade():
    op.drop_table("unit_review_year")
    with op.batch_alter_table("unit_figures") as batch:
        for column in ("on_time_to", "on_time_from", "first_pass_to", "first_pass_from"):
            batch.drop_column(column)
