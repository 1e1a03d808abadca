"""issued credit reports, kept append-only with the SHA-256 of their content (the database refuses UPDATE and
DELETE of a stored report)

Revision ID: 0019
Revises: 0018
"""
import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "credit_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("subject_kind", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(length=100), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("data_generation", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("subject_kind IN ('unit', 'person')", name=op.f("ck_credit_report_subject_kind_known")),
        sa.CheckConstraint("(subject_kind = 'unit' AND unit_id IS NOT NULL AND person_id IS NULL) OR "
                           "(subject_kind = 'person' AND person_id IS NOT NULL AND unit_id IS NULL)",
                           name=op.f("ck_credit_report_one_subject")),
        sa.CheckConstraint("valid_until >= as_of", name=op.f("ck_credit_report_valid_after_as_of")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_credit_report_person_id_person")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_credit_report_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_report")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_report_number")),
    )
    op.create_index(op.f("ix_credit_report_unit_id"), "credit_report", ["unit_id"])
    op.create_index(op.f("ix_credit_report_person_id"), "credit_report", ["person_id"])
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER credit_report_no_{verb.lower()} BEFORE {verb} ON credit_report "
                       "BEGIN SELECT RAISE(ABORT, 'issued credit reports cannot be changed or deleted'); END")
    else:
        op.execute("CREATE FUNCTION credit_report_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'issued credit reports cannot be changed or deleted'; END $$")
        op.execute("CREATE TRIGGER credit_report_append_only BEFORE UPDATE OR DELETE ON credit_report "
                   "FOR EACH ROW EXECUTE FUNCTION credit_report_append_only()")
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON credit_report FROM PUBLIC")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER credit_report_no_update")
        op.execute("DROP TRIGGER credit_report_no_delete")
    else:
        op.execute("DROP TRIGGER credit_report_append_only ON credit_report")
        op.execute("DROP FUNCTION credit_report_append_only()")
    op.drop_index(op.f("ix_credit_report_person_id"), table_name="credit_report")
    op.drop_index(op.f("ix_credit_report_unit_id"), table_name="credit_report")
    op.drop_table("credit_report")
