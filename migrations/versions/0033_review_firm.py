"""each review outcome names its project's firm (`review.unit_id`), kept by the database: the key
(project_id, unit_id) refers to the project and its firm together, and a project moved to another firm moves its
reviews (ON UPDATE CASCADE). A firm's outcomes newest first are a walk of ix_review_firm_newest that stops at the
profile's page, where through the projects every outcome of a firm of 2,000 projects was read and sorted (national
PostgreSQL: 7 ms of its profile's 44). And its projects, ongoing first, then by completion, newest first: an index
in that order (ix_project_firm_ongoing_first), walked backwards to the page, instead of all of them sorted (2,000:
2.4 ms on PostgreSQL). Two indexes that only repeat the first column of a unique constraint's go
(ix_review_project_id, ix_project_role_project_id): a lookup by project reads the constraint's, and an import
writes one index entry fewer for each role and each review

Revision ID: 0033
Revises: 0032
"""
import warnings
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

FILL = {
    "postgresql": "UPDATE review SET unit_id = project.unit_id FROM project WHERE project.id = review.project_id",
    "sqlite": "UPDATE review SET unit_id = (SELECT project.unit_id FROM project WHERE project.id = review.project_id)",
}


@contextmanager
def review_copied():
    """The review table rebuilt on SQLite (batch mode). Its key refers to the project table, which is reflected too,
    and SQLAlchemy warns that it skips the project's indexes on an expression: the project table is not rebuilt, and
    keeps them."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        with op.batch_alter_table("review") as batch_op:
            yield batch_op


def upgrade():
    op.create_index("ix_project_id_unit_id", "project", ["id", "unit_id"], unique=True)
    op.add_column("review", sa.Column("unit_id", sa.Integer(), nullable=True))
    op.execute(FILL[op.get_bind().dialect.name])
    with review_copied() as batch_op:
        batch_op.alter_column("unit_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_constraint("fk_review_project_id_project", type_="foreignkey")
        batch_op.create_foreign_key("fk_review_project_id_project", "project", ["project_id", "unit_id"],
                                    ["id", "unit_id"], onupdate="CASCADE")
        batch_op.drop_index("ix_review_project_id")
    op.create_index("ix_review_firm_newest", "review", ["unit_id", "reviewed_on", "id"])
    op.drop_index("ix_project_role_project_id", table_name="project_role")
    op.create_index("ix_project_firm_ongoing_first", "project",
                    ["unit_id", sa.text("coalesce(completed_on, '9999-12-31')"), "id"])


def downgrade():
    op.drop_index("ix_project_firm_ongoing_first", table_name="project")
    op.create_index("ix_project_role_project_id", "project_role", ["project_id"])
    op.drop_index("ix_review_firm_newest", table_name="review")
    with review_copied() as batch_op:
        batch_op.create_index("ix_review_project_id", ["project_id"])
        batch_op.drop_constraint("fk_review_project_id_project", type_="foreignkey")
        batch_op.create_foreign_key("fk_review_project_id_project", "project", ["project_id"], ["id"])
        batch_op.drop_column("unit_id")
    op.drop_index("ix_project_id_unit_id", table_name="project")
