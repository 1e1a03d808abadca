"""the audit log refuses UPDATE and DELETE; the first commitment letter

Revision ID: 0002
Revises: 0001
"""
import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The first commitment letter and consent, frozen as published (a new text is a new version). The app keeps
# the same words in registry.reference; a revision never imports the app, whose code moves on.
COMMITMENT_TEXT_V1 = """建设用地土壤污染风险管控和修复从业单位和个人信用记录承诺书

本单位（本人）郑重承诺：
一、在建设用地土壤污染风险管控和修复从业单位和个人执业情况信用记录系统中填报的基本情况信息、业绩情况信息真实、准确、完整，不存在虚假记载、误导性陈述或者重大遗漏；
二、信息发生变化时，于二十个工作日内在系统中更新；
三、对填报信息的真实性、准确性和完整性承担法律责任，自愿接受生态环境主管部门的监督检查和社会监督；
四、如有虚假，愿意承担由此产生的一切法律责任，并接受依法作出的行政处罚和失信记录。
"""

CONSENT_TEXT_V1 = """同意公开声明

本单位（本人）同意在信用记录系统中向社会公开本单位（本人）的基本情况信息和业绩情况信息。公开时身份证号码仅显示前六位和后四位。本同意与上述真实性承诺相互独立（《中华人民共和国个人信息保护法》第二十五条），可以单独作出。
"""


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
