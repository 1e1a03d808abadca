"""the subject's voice: statements on public records, kept append-only (the database refuses UPDATE and DELETE
of a statement version), and requests to correct an authority's record (one pending per record)

Revision ID: 0020
Revises: 0019
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

RECORD_TYPES = "record_type IN ('review', 'penalty', 'finding')"
ONE_SUBJECT = "(unit_id IS NULL) <> (person_id IS NULL)"


def _subject_columns(table: str) -> list:
    return [
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f(f"fk_{table}_unit_id_unit")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f(f"fk_{table}_person_id_person")),
        sa.CheckConstraint(RECORD_TYPES, name=op.f(f"ck_{table}_record_type_known")),
        sa.CheckConstraint(ONE_SUBJECT, name=op.f(f"ck_{table}_one_subject")),
    ]


def upgrade():
    op.create_table(
        "statement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=10), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("written_by_account_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        *_subject_columns("statement"),
        sa.CheckConstraint("version >= 1", name=op.f("ck_statement_version_positive")),
        sa.CheckConstraint("text IS NULL OR length(text) <= 500", name=op.f("ck_statement_text_length")),
        sa.ForeignKeyConstraint(["written_by_account_id"], ["account.id"],
                                name=op.f("fk_statement_written_by_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
        sa.UniqueConstraint("record_type", "record_id", "version", name=op.f("uq_statement_record_type_record_id_version")),
    )
    op.create_index(op.f("ix_statement_unit_id"), "statement", ["unit_id"])
    op.create_index(op.f("ix_statement_person_id"), "statement", ["person_id"])
    op.create_table(
        "record_correction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_type", sa.String(length=10), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=True),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_by_account_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by_account_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("earlier", sa.JSON(), nullable=True),
        sa.Column("corrected", sa.JSON(), nullable=True),
        *_subject_columns("record_correction"),
        sa.CheckConstraint("status IN ('pending', 'accepted', 'refused')",
                           name=op.f("ck_record_correction_status_known")),
        sa.ForeignKeyConstraint(["requested_by_account_id"], ["account.id"],
                                name=op.f("fk_record_correction_requested_by_account_id_account")),
        sa.ForeignKeyConstraint(["decided_by_account_id"], ["account.id"],
                                name=op.f("fk_record_correction_decided_by_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_correction")),
    )
    for column in ("unit_id", "person_id", "division_code", "status"):
        op.create_index(op.f(f"ix_record_correction_{column}"), "record_correction", [column])
    op.create_index("uq_record_correction_pending", "record_correction", ["record_type", "record_id"], unique=True,
                    sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER statement_no_{verb.lower()} BEFORE {verb} ON statement "
                       "BEGIN SELECT RAISE(ABORT, 'statement versions cannot be changed or deleted'); END")
    else:
        op.execute("CREATE FUNCTION statement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN RAISE EXCEPTION 'statement versions cannot be changed or deleted'; END $$")
        op.execute("CREATE TRIGGER statement_append_only BEFORE UPDATE OR DELETE ON statement "
                   "FOR EACH ROW EXECUTE FUNCTION statement_append_only()")
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON statement FROM PUBLIC")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER statement_no_update")
        op.execute("DROP TRIGGER statement_no_delete")
    else:
        op.execute("DROP TRIGGER statement_append_only ON statement")
        op.execute("DROP FUNCTION statement_append_only()")
    op.drop_table("record_correction")
    op.drop_table("statement")
