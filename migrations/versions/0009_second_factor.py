"""the second factor of regulators and administrators: a TOTP key (encrypted) and ten recovery codes (hashed)

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("totp_secret_ciphertext", sa.LargeBinary(), nullable=True))
        batch.add_column(sa.Column("totp_enrolled_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.create_table(
        "recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("code_hmac", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], name=op.f("fk_recovery_code_account_id_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recovery_code")),
        sa.UniqueConstraint("code_hmac", name=op.f("uq_recovery_code_code_hmac")),
    )
    op.create_index(op.f("ix_recovery_code_account_id"), "recovery_code", ["account_id"])


def downgrade():
    op.drop_index(op.f("ix_recovery_code_account_id"), table_name="recovery_code")
    op.drop_table("recovery_code")
    with op.batch_alter_table("account") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_enrolled_at")
        batch.drop_column("totp_secret_ciphertext")
