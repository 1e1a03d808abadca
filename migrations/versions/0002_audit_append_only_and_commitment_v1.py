"""the audit log refuses UPDATE and DELETE; the first commitment letter

Revision ID: 0002
Revises: 0001
"""
import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from registry.reference import COMMITMENT_TEXT_V1, CONSENT_TEXT_V1  # frozen: a new text is a new version

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed or deleted'); END"
            )
    else:
        op.execute(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION 'audit events cannot be changed or deleted'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
        op.execute("REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM PUBLIC")
    text_table = sa.table(
        "commitment_text",
        sa.column("version", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("consent_text", sa.Text),
        sa.column("sha256", sa.String),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    digest = hashlib.sha256((COMMITMENT_TEXT_V1 + CONSENT_TEXT_V1).encode("utf-8")).hexdigest()
    op.bulk_insert(text_table, [{
        "version": 1, "text": COMMITMENT_TEXT_V1, "consent_text": CONSENT_TEXT_V1, "sha256": digest,
        "published_at": datetime(2026, 1, 1, tzinfo=UTC),
    }])


def downgrade():
    op.execute("DELETE FROM commitment_text WHERE version = 1")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_event_no_update")
        op.execute("DROP TRIGGER audit_event_no_delete")
    else:
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_event_append_only()")
