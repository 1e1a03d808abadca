"""Accounts of practitioners, regulators (with a jurisdiction) and the national administrator;
login attempts counted in the database; one-time invitations for staff."""
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, LargeBinary, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.models.base import Base, UtcDateTime, in_list, utcnow

ROLES = ("unit", "person", "regulator", "admin")


class Account(Base):
    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)  # a firm logs in with its credit code
    email: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(10))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), unique=True)
    division_code: Mapped[str | None] = mapped_column(String(6))  # a regulator's jurisdiction
    authority_name: Mapped[str | None] = mapped_column(String(200))  # a regulator's authority
    session_version: Mapped[int] = mapped_column(default=1)  # bumped by logout and password change
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # set by the administrator's sign-in reset: the one-time password opens only the password change page
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the second factor (TOTP, RFC 6238) of a regulator or administrator: the key encrypted by the vault, when
    # it was enrolled, and the last time step accepted, so that a code is good for one sign-in only
    totp_secret_ciphertext: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    unit: Mapped["Unit | None"] = relationship()  # noqa: F821
    person: Mapped["Person | None"] = relationship()  # noqa: F821

    __table_args__ = (
        CheckConstraint(in_list("role", ROLES), name="role_known"),
        CheckConstraint("role <> 'unit' OR unit_id IS NOT NULL", name="unit_account_has_unit"),
        CheckConstraint("role <> 'person' OR person_id IS NOT NULL", name="person_account_has_person"),
        CheckConstraint("role <> 'regulator' OR division_code IS NOT NULL", name="regulator_has_jurisdiction"),
    )

    # Flask-Login protocol; the session token carries the session version so that logout and a
    # password change end every earlier session (DESIGN §7).
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enrolled_at is not None


class RecoveryCode(Base):
    """One of the ten one-time codes that stand in for a lost authenticator; only its keyed hash is kept."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id"), index=True)
    code_hmac: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginAttempt(Base):
    """Every login try, so the lockout (5 failures in 15 minutes) holds across workers."""

    __tablename__ = "login_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    ip: Mapped[str | None] = mapped_column(String(45))


class Invitation(Base):
    """A one-time code for a staff member to create their own account; only its keyed hash is kept."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hmac: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    created_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A firm's proposal that the person join it (DESIGN §3: a person's record belongs to the person): the name
    # and title as the firm typed them. Nothing about the person changes until the person confirms.
    proposed_name: Mapped[str | None] = mapped_column(String(100))
    proposed_title: Mapped[str | None] = mapped_column(String(100))
